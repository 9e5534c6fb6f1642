#!/usr/bin/env bash
# The mesh benchmark (docs/PERFORMANCE.md): release builds of the four services, each with its
# own SQLite file in a fresh work folder (WAL, synchronous=FULL on intake, review and
# payment-channel), the in-process balance channel, then refund-bench with the arguments given
# (default: 2000 card-key refunds to the balance channel at concurrency 64, one JSON line).
# Prints refund-bench's output, each service's CPU seconds (split into recording the orders and
# payments and the refunds themselves) and peak RSS, the services' CPU per refund without the
# setup, and the load average before and after;
# with METRICS_OUT=DIR, also saves each service's Prometheus metrics there after the run.
# With RSS_EVERY=SECONDS, samples each service's resident memory (VmRSS) that often while
# refund-bench runs, keeps the samples in $BENCH_DIR/rss.tsv, and prints each service's first and
# mean over the first and over the last 10 s and the growth between them (the memory target of
# docs/PERFORMANCE.md), also as one
# JSON line after refund-bench's. With WARMUP="refund-bench arguments", refund-bench runs once
# with those first (its output to stderr, not sampled, not counted), so that page caches, token
# caches and connections are warm before the measured run starts.
# With POSTGRES_URL=postgres://USER@HOST:PORT/DB?sslmode=disable, every service keeps its store on
# that server instead (a fresh database per service, bench_<service>_<run>, made with psql and left
# for inspection); with REPLICAS=2 as well, review and payment-channel run twice each, on their
# shared databases, behind intake's and review's round-robin (docs/SCALING.md).
#   scripts/bench-mesh.sh [refund-bench arguments…]
#   SKIP_BUILD=1 PORT_BASE=17400 BENCH_DIR=/tmp/mesh scripts/bench-mesh.sh --refunds 20000 --concurrency 128 --json
#   POSTGRES_URL=postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable REPLICAS=2 scripts/bench-mesh.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ -z "${SKIP_BUILD:-}" ]; then
    for product in intake review payment-channel notification refund-bench refundctl; do
        swift build -c release --product "$product"
    done
fi
bin="$(swift build -c release --show-bin-path)"
base="${PORT_BASE:-17400}"
work="${BENCH_DIR:-$(mktemp -d /tmp/refundmesh-bench.XXXXXX)}"
mkdir -p "$work"
export REFUNDMESH_AUTH_DIR="$work/auth" REFUNDMESH_LOG_LEVEL="${REFUNDMESH_LOG_LEVEL:-warning}"
"$bin/refundctl" keys init --dir "$REFUNDMESH_AUTH_DIR" >/dev/null
export INTAKE_PORT=$((base + 1)) REVIEW_PORT=$((base + 2)) PAYMENT_CHANNEL_PORT=$((base + 3)) NOTIFICATION_PORT=$((base + 4))
export INTAKE_METRICS_PORT=$((base + 11)) REVIEW_METRICS_PORT=$((base + 12))
export PAYMENT_CHANNEL_METRICS_PORT=$((base + 13)) NOTIFICATION_METRICS_PORT=$((base + 14))
export PAYMENT_CHANNEL_NOTIFY_PORT=$((base + 23))
export INTAKE_ADDR="127.0.0.1:$INTAKE_PORT" REVIEW_ADDR="127.0.0.1:$REVIEW_PORT"
export PAYMENT_CHANNEL_ADDR="127.0.0.1:$PAYMENT_CHANNEL_PORT" NOTIFICATION_ADDR="127.0.0.1:$NOTIFICATION_PORT"
replicas="${REPLICAS:-1}"
if [ "$replicas" -gt 1 ]; then
    [ "$replicas" -eq 2 ] || { echo "bench-mesh: REPLICAS is 1 or 2" >&2; exit 2; }
    [ -n "${POSTGRES_URL:-}" ] || { echo "bench-mesh: REPLICAS=2 needs POSTGRES_URL (the replicas share it)" >&2; exit 2; }
    export REVIEW_ADDR="$REVIEW_ADDR,127.0.0.1:$((base + 5))"
    export PAYMENT_CHANNEL_ADDR="$PAYMENT_CHANNEL_ADDR,127.0.0.1:$((base + 6))"
fi
if [ -n "${POSTGRES_URL:-}" ]; then
    run_id="$(date +%s)"
    for service in intake review payment-channel notification; do
        database="bench_$(echo "$service" | tr '-' '_')_$run_id"
        psql "$POSTGRES_URL" -q -c "CREATE DATABASE $database" >/dev/null
        url="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$POSTGRES_URL" "$database")"
        export "$(echo "$service" | tr 'a-z-' 'A-Z_')_DATABASE_URL=$url"
    done
    echo "stores on PostgreSQL: bench_<service>_$run_id" >&2
fi

pids=()
stop() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT
service=(notification payment-channel review intake)
for name in "${service[@]}"; do
    mkdir -p "$work/$name"
    upper="$(echo "$name" | tr 'a-z-' 'A-Z_')"
    env "${upper}_REPLICA_NAME=$name-1" "$bin/$name" --data-dir "$work/$name" >"$work/$name.log" 2>&1 &
    pids+=($!)
done
ports=("$INTAKE_PORT" "$REVIEW_PORT" "$PAYMENT_CHANNEL_PORT" "$NOTIFICATION_PORT")
if [ "$replicas" -eq 2 ]; then  # the second replicas: their own ports and data folders, the same databases
    mkdir -p "$work/review-2" "$work/payment-channel-2"
    REVIEW_PORT=$((base + 5)) REVIEW_METRICS_PORT=$((base + 15)) REVIEW_REPLICA_NAME=review-2 \
        "$bin/review" --data-dir "$work/review-2" >"$work/review-2.log" 2>&1 &
    pids+=($!)
    service+=(review-2)
    PAYMENT_CHANNEL_PORT=$((base + 6)) PAYMENT_CHANNEL_METRICS_PORT=$((base + 16)) \
        PAYMENT_CHANNEL_NOTIFY_PORT=$((base + 24)) PAYMENT_CHANNEL_REPLICA_NAME=payment-channel-2 \
        "$bin/payment-channel" --data-dir "$work/payment-channel-2" >"$work/payment-channel-2.log" 2>&1 &
    pids+=($!)
    service+=(payment-channel-2)
    ports+=($((base + 5)) $((base + 6)))
fi
for port in "${ports[@]}"; do
    for _ in $(seq 1 300); do
        (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
done
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, in clock ticks
before=()
for pid in "${pids[@]}"; do before+=("$(cpu "$pid")"); done
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
arguments=("$@")
[ ${#arguments[@]} -gt 0 ] || arguments=(--refunds 2000 --concurrency 64 --json)
if [ -n "${WARMUP:-}" ]; then
    read -r -a warmup <<<"$WARMUP"
    echo "warm-up: refund-bench ${warmup[*]}" >&2
    "$bin/refund-bench" --keys "$REFUNDMESH_AUTH_DIR" --intake "127.0.0.1:$INTAKE_PORT" --review "127.0.0.1:$REVIEW_PORT" \
        --payment-channel "127.0.0.1:$PAYMENT_CHANNEL_PORT" "${warmup[@]}" >&2
    before=()
    for pid in "${pids[@]}"; do before+=("$(cpu "$pid")"); done
fi
sampler=""
if [ -n "${RSS_EVERY:-}" ]; then  # seconds since refund-bench started, then each service's VmRSS in kB
    printf 'seconds\t%s\n' "$(IFS=$'\t'; echo "${service[*]}")" >"$work/rss.tsv"
    (
        started=$SECONDS
        while sleep "$RSS_EVERY"; do
            row="$((SECONDS - started))"
            for pid in "${pids[@]}"; do row+=$'\t'"$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"; done
            echo "$row" >>"$work/rss.tsv"
        done
    ) &
    sampler=$!
fi
# refund-bench writes $work/setup-done once the orders and payments are recorded and waits for it to
# go: each service's CPU at that moment splits the run's CPU into the setup's and the refunds'.
rm -f "$work/setup-done" "$work/cpu-at-setup"
(
    while [ ! -e "$work/setup-done" ]; do sleep 0.005; done
    for pid in "${pids[@]}"; do cpu "$pid"; done >"$work/cpu-at-setup"
    rm -f "$work/setup-done"
) &
watcher=$!
"$bin/refund-bench" --keys "$REFUNDMESH_AUTH_DIR" --intake "127.0.0.1:$INTAKE_PORT" --review "127.0.0.1:$REVIEW_PORT" \
    --payment-channel "127.0.0.1:$PAYMENT_CHANNEL_PORT" --setup-done-file "$work/setup-done" "${arguments[@]}"
kill "$watcher" 2>/dev/null || true
wait "$watcher" 2>/dev/null || true
if [ -n "$sampler" ]; then
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    python3 - "$work/rss.tsv" <<'PY'
import json, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
names, samples = rows[0][1:], [list(map(int, row)) for row in rows[1:] if len(row) == len(rows[0])]
if len(samples) < 2:
    print("rss: fewer than two samples; run longer or sample more often", file=sys.stderr)
    sys.exit(0)
# The first and the last 10 s of the run: the mean of the samples in each (one sample each
# with RSS_EVERY=10; sample every 2 s to smooth the allocator's and the trimmer's saw-tooth).
end = samples[-1][0]
first = [row for row in samples if row[0] <= 10] or samples[:1]
last = [row for row in samples if row[0] > end - 10] or samples[-1:]
mean = lambda rows, i: sum(row[i] for row in rows) / len(rows)
growth = {}
for i, name in enumerate(names, start=1):
    a, b = mean(first, i), mean(last, i)
    pct = 100.0 * (b - a) / a
    growth[name] = {"first_kb": round(a), "last_kb": round(b), "growth_pct": round(pct, 1)}
    print(f"{name}: RSS {a / 1024:.1f} MB in the first 10 s ({len(first)} samples), {b / 1024:.1f} MB in the last"
          f" 10 s to {end} s ({len(last)}) ({pct:+.1f} %)", file=sys.stderr)
print(json.dumps({"rss_every_s": samples[1][0] - samples[0][0], "rss_end_s": end, "rss": growth}))
PY
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [ -n "${METRICS_OUT:-}" ]; then  # each service's Prometheus metrics after the run
    mkdir -p "$METRICS_OUT"
    for name in intake review payment-channel notification; do
        upper="$(echo "$name" | tr 'a-z-' 'A-Z_')"
        port_var="${upper}_METRICS_PORT"
        curl -s "http://127.0.0.1:${!port_var}/metrics" >"$METRICS_OUT/$name.prom" || true
    done
fi
ticks="$(getconf CLK_TCK)"
at_setup=()
[ -s "$work/cpu-at-setup" ] && mapfile -t at_setup <"$work/cpu-at-setup"
refunds=2000  # refund-bench's default here, unless the arguments say otherwise
for i in "${!arguments[@]}"; do
    [ "${arguments[$i]}" = "--refunds" ] && refunds="${arguments[$((i + 1))]}"
done
refund_ticks=0
for i in "${!pids[@]}"; do
    now=$(cpu "${pids[$i]}")
    used=$((now - before[i]))
    split=""
    if [ ${#at_setup[@]} -eq ${#pids[@]} ]; then
        after=$((now - at_setup[i]))
        refund_ticks=$((refund_ticks + after))
        split=" ($(awk -v t="$((at_setup[i] - before[i]))" -v hz="$ticks" 'BEGIN {printf "%.2f", t / hz}') s recording"
        split+=" orders and payments, $(awk -v t="$after" -v hz="$ticks" 'BEGIN {printf "%.2f", t / hz}') s the refunds)"
    fi
    echo "${service[$i]}: CPU $(awk -v t="$used" -v hz="$ticks" 'BEGIN {printf "%.2f", t / hz}') s during the run$split," \
        "peak RSS $(awk '/VmHWM/ {print $2, $3}' "/proc/${pids[$i]}/status")" >&2
done
if [ ${#at_setup[@]} -eq ${#pids[@]} ]; then
    echo "services: $(awk -v t="$refund_ticks" -v hz="$ticks" -v n="$refunds" 'BEGIN {printf "%.2f", 1000 * t / hz / n}')" \
        "ms of CPU a refund, the setup left out" >&2
fi
