#!/usr/bin/env bash
# Runs the whole mesh locally with embedded defaults: installs what is missing, builds, starts
# notification, payment-channel, review and intake on ports 7004, 7003, 7002, 7001 with their data
# under ./data (override with REFUNDMESH_DATA_DIR), and stops them all cleanly on Ctrl-C.
# provider-sandbox (127.0.0.1:7080) plays WeChat Pay, Alipay, the bank, the game operator and the
# SMS gateway: payment-channel's real adapters, review's operator client and notification's SMS
# talk to it over HTTP with a development key set in $REFUNDMESH_DATA_DIR/keys (docs/SANDBOX.md);
# providers notify payment-channel on 127.0.0.1:7013. WITHOUT_SANDBOX=1 keeps the in-process one.
# Every call is authenticated (docs/SECURITY.md): the key set is made in $REFUNDMESH_DATA_DIR/auth
# on the first run (refundctl keys init) and kept; refundctl and refund-bench find it there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/install-deps.sh
configuration="${CONFIGURATION:-release}"
swift build -c "$configuration" --product intake
for product in review payment-channel notification refundctl; do swift build -c "$configuration" --product "$product"; done
[ -n "${WITHOUT_SANDBOX:-}" ] || swift build -c "$configuration" --product provider-sandbox
bin="$(swift build -c "$configuration" --show-bin-path)"
export REFUNDMESH_DATA_DIR="${REFUNDMESH_DATA_DIR:-$root/data}"
mkdir -p "$REFUNDMESH_DATA_DIR"
export REFUNDMESH_AUTH_DIR="${REFUNDMESH_AUTH_DIR:-$REFUNDMESH_DATA_DIR/auth}"
"$bin/refundctl" keys init --dir "$REFUNDMESH_AUTH_DIR"

pids=()
stop() {
    echo "stopping the mesh…"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    echo "stopped; data is in $REFUNDMESH_DATA_DIR"
}
trap stop INT TERM

if [ -z "${WITHOUT_SANDBOX:-}" ]; then
    keys="$REFUNDMESH_DATA_DIR/keys"
    "$bin/provider-sandbox" keys --dir "$keys" >/dev/null
    set -a
    # shellcheck disable=SC1091
    . "$keys/providers.env"
    set +a
    sandbox="http://127.0.0.1:7080"
    export WECHATPAY_BASE_URL="$sandbox" ALIPAY_GATEWAY_URL="$sandbox/gateway.do" BANK_BASE_URL="$sandbox"
    export OPERATOR_BASE_URL="$sandbox" NOTIFY_SMS_BASE_URL="$sandbox" NOTIFY_SMS_SECRET_FILE="$SMS_SECRET_FILE"
    NOTIFY_SMS_ACCOUNT="$(cat "$keys/sms-account.txt")"
    export NOTIFY_SMS_ACCOUNT SANDBOX_KEYS_DIR="$keys"
    export WECHATPAY_NOTIFY_URL="http://127.0.0.1:7013/notify/wechatpay" ALIPAY_NOTIFY_URL="http://127.0.0.1:7013/notify/alipay"
    export BANK_NOTIFY_URL="http://127.0.0.1:7013/notify/bank" SANDBOX_BANK_NOTIFY_URL="http://127.0.0.1:7013/notify/bank"
    mkdir -p "$REFUNDMESH_DATA_DIR/provider-sandbox"
    "$bin/provider-sandbox" --data-dir "$REFUNDMESH_DATA_DIR/provider-sandbox" &
    pids+=($!)
    sleep 1
fi
for service in notification payment-channel review intake; do
    "$bin/$service" &
    pids+=($!)
done
echo "RefundMesh is running: intake 127.0.0.1:7001, review :7002, payment-channel :7003, notification :7004 (Ctrl-C stops)"
[ -n "${WITHOUT_SANDBOX:-}" ] || echo "provider-sandbox: http://127.0.0.1:7080 (control API /sandbox/v1, docs/SANDBOX.md)"
wait
