#!/usr/bin/env bash
# The soak (docs/PERFORMANCE.md, "Soak"): starts provider-sandbox and the four services (release
# builds, each with its own data folder under one work folder) with payment-channel's WeChat Pay,
# Alipay and bank-card adapters, review's game operator and notification's SMS gateway all
# pointed at the sandbox, then runs `refund-bench --soak` and prints its report.
#
#   REFUNDS (10000)  CONCURRENCY (32)  FAULT_RATE (0.05)  SEED (42)  SETTLE_TIMEOUT (1800 s)
#   PORT_BASE (17000: intake +1, review +2, payment-channel +3, notification +4, notify +13, sandbox +80)
#   SOAK_DIR (a new folder under /tmp; logs, stores, keys, end states and load averages stay there)
#   CONFIGURATION (release)  SKIP_BUILD (set: use what is in .build/$CONFIGURATION as it is)
#
# Settings are the production defaults except where the soak needs time to pass faster (sandbox
# settlement and bank working days, reconciliation queries, notification retries), and WeChat's
# merchant limit at the sandbox is below payment-channel's throttle so R-C7 answers really occur.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
configuration="${CONFIGURATION:-release}"
if [ -n "${SKIP_BUILD:-}" ]; then
    bin="$root/.build/$configuration"
else
    for product in provider-sandbox intake review payment-channel notification refund-bench refundctl; do
        swift build -c "$configuration" --product "$product"
    done
    bin="$(swift build -c "$configuration" --show-bin-path)"
fi

refunds="${REFUNDS:-10000}"
concurrency="${CONCURRENCY:-32}"
fault_rate="${FAULT_RATE:-0.05}"
seed="${SEED:-42}"
base="${PORT_BASE:-17000}"
work="${SOAK_DIR:-$(mktemp -d /tmp/refundmesh-soak.XXXXXX)}"
mkdir -p "$work"
sandbox_port=$((base + 80))
notify_port=$((base + 13))

"$bin/provider-sandbox" keys --dir "$work/keys" >/dev/null
# Every call is authenticated (docs/SECURITY.md): the services and refund-bench share this key set.
export REFUNDMESH_AUTH_DIR="$work/auth"
"$bin/refundctl" keys init --dir "$REFUNDMESH_AUTH_DIR" >/dev/null
set -a
# shellcheck disable=SC1091
. "$work/keys/providers.env"
set +a
export WECHATPAY_BASE_URL="http://127.0.0.1:$sandbox_port"
export ALIPAY_GATEWAY_URL="http://127.0.0.1:$sandbox_port/gateway.do"
export BANK_BASE_URL="http://127.0.0.1:$sandbox_port"
export OPERATOR_BASE_URL="http://127.0.0.1:$sandbox_port"
export WECHATPAY_NOTIFY_URL="http://127.0.0.1:$notify_port/notify/wechatpay"
export ALIPAY_NOTIFY_URL="http://127.0.0.1:$notify_port/notify/alipay"
export BANK_NOTIFY_URL="http://127.0.0.1:$notify_port/notify/bank"
export PAYMENT_CHANNEL_NOTIFY_HOST=127.0.0.1 PAYMENT_CHANNEL_NOTIFY_PORT="$notify_port"
export NOTIFY_SMS_BASE_URL="http://127.0.0.1:$sandbox_port"
NOTIFY_SMS_ACCOUNT="$(cat "$work/keys/sms-account.txt")"
export NOTIFY_SMS_ACCOUNT NOTIFY_SMS_SECRET_FILE="$SMS_SECRET_FILE"
export INTAKE_ADDR="127.0.0.1:$((base + 1))" REVIEW_ADDR="127.0.0.1:$((base + 2))"
export PAYMENT_CHANNEL_ADDR="127.0.0.1:$((base + 3))" NOTIFICATION_ADDR="127.0.0.1:$((base + 4))"
export REFUNDMESH_LOG_LEVEL="${REFUNDMESH_LOG_LEVEL:-notice}"
# Sandbox time, so that bank refunds settle within the run (R-C3: 3-5 working days).
export SANDBOX_KEYS_DIR="$work/keys" SANDBOX_BANK_NOTIFY_URL="$BANK_NOTIFY_URL"
export SANDBOX_WALLET_SETTLE_MS=500 SANDBOX_BANK_WORKING_DAY_MS=500 SANDBOX_STALL_MS=8000
export SANDBOX_NOTIFY_RETRY_INITIAL_MS=1000 SANDBOX_NOTIFY_RETRY_MAX_MS=10000
# R-C7 at the sandbox: WeChat's merchant limit below payment-channel's throttle; Alipay's interval as real.
export SANDBOX_WECHAT_MERCHANT_RPS=40 PAYMENT_THROTTLE_WECHAT_RPS=60
# Reconciliation (R-C6) and the user's-side retries, faster than production.
export PAYMENT_RECONCILE_FIRST_MS=2000 PAYMENT_RECONCILE_MAX_MS=15000 PAYMENT_RATE_LIMITED_RETRY_MS=1000
export WECHATPAY_TIMEOUT_MS=4000 ALIPAY_TIMEOUT_MS=4000 BANK_TIMEOUT_MS=4000
export REVIEW_RETRY_INTERVAL_MS=1000 REVIEW_RISK_REFUND_COUNT=1000

pids=()
stop() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT

wait_listening() { # name log
    for _ in $(seq 1 600); do
        if grep -q "listening on" "$2" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "$1 did not start; see $2" >&2
    exit 1
}

mkdir -p "$work/provider-sandbox"
"$bin/provider-sandbox" --port "$sandbox_port" --data-dir "$work/provider-sandbox" >"$work/provider-sandbox.log" 2>&1 &
pids+=($!)
wait_listening provider-sandbox "$work/provider-sandbox.log"
offset=4
for service in notification payment-channel review intake; do
    mkdir -p "$work/$service"
    "$bin/$service" --port "$((base + offset))" --metrics-port "$((base + 100 + offset))" --data-dir "$work/$service" \
        >"$work/$service.log" 2>&1 &
    pids+=($!)
    wait_listening "$service" "$work/$service.log"
    offset=$((offset - 1))
done
echo "soak: mesh and provider-sandbox running; data, logs and reports in $work"

# The 1-minute load average every 10 s while the soak runs.
(while true; do echo "$(date -u +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/loadavg.txt"; sleep 10; done) &
sampler=$!
status=0
"$bin/refund-bench" --soak --refunds "$refunds" --concurrency "$concurrency" --fault-rate "$fault_rate" \
    --seed "$seed" --settle-timeout "${SETTLE_TIMEOUT:-1800}" --end-states "$work/end-states.jsonl" \
    --sandbox "http://127.0.0.1:$sandbox_port" --intake "$INTAKE_ADDR" --review "$REVIEW_ADDR" \
    --payment-channel "$PAYMENT_CHANNEL_ADDR" --notification "$NOTIFICATION_ADDR" || status=$?
kill "$sampler" 2>/dev/null || true
awk '{ n++; s += $2; if ($2 > m) m = $2 } END { if (n) printf "  load average (1 min) while it ran: mean %.2f, max %.2f over %d samples (%s)\n", s / n, m, n, FILENAME }' "$work/loadavg.txt"
exit "$status"
