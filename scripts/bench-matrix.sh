#!/usr/bin/env bash
# rpc-bench and the grpc-swift-2 anchor, side by side in one run: the anchor's four scenarios
# (../shared/anchors/grpc-echo/RESULTS.md), REPS runs each, a fresh server per run, the two
# stacks alternating so that machine noise hits both alike. Writes JSON lines and a medians table.
#
#   scripts/bench-matrix.sh OUT_DIR [ANCHOR_BINARY]
#   DURATION=10 REPS=3 scripts/bench-matrix.sh results/bench /tmp/grpc-echo/.build/release/grpc-echo-bench
#
# Build both first: swift build -c release --product rpc-bench; and in a writable copy of
# ../shared/anchors/grpc-echo: swift build -c release (its first build takes ~9 minutes).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: scripts/bench-matrix.sh OUT_DIR [ANCHOR_BINARY]}"
anchor="${2:-}"
ours="$root/.build/release/rpc-bench"
duration="${DURATION:-10}"
reps="${REPS:-3}"
port="${BASE_PORT:-52100}"
mkdir -p "$out"
: >"$out/results.jsonl"

scenarios=("a 1 1 64" "b 1 64 64" "c 4 64 64" "d 1 64 4096")

run_one() { # stack binary scenario connections concurrency payload rep
    local stack="$1" binary="$2" name="$3" connections="$4" concurrency="$5" payload="$6" rep="$7"
    port=$((port + 1))
    "$binary" serve --host 127.0.0.1 --port "$port" >"$out/$stack-$name-$rep.server.log" 2>&1 &
    local server=$!
    sleep 1.5
    local line
    line="$("$binary" load --host 127.0.0.1 --port "$port" --connections "$connections" \
        --concurrency "$concurrency" --duration "$duration" --payload "$payload" --json --server-pid "$server")"
    kill -TERM "$server"
    wait "$server" || true
    echo "{\"stack\":\"$stack\",\"scenario\":\"$name\",\"rep\":$rep,\"load\":\"$(cut -d' ' -f1 /proc/loadavg)\",\"result\":$line}" >>"$out/results.jsonl"
    echo "$stack $name rep $rep: $line"
}

for rep in $(seq 1 "$reps"); do
    for scenario in "${scenarios[@]}"; do
        set -- $scenario
        run_one rpc-bench "$ours" "$1" "$2" "$3" "$4" "$rep"
        if [ -n "$anchor" ]; then run_one grpc-swift-2 "$anchor" "$1" "$2" "$3" "$4" "$rep"; fi
    done
done
python3 "$root/scripts/bench-summary.py" "$out/results.jsonl" | tee "$out/summary.md"
