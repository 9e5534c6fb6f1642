#!/usr/bin/env bash
# Runs the whole mesh locally with embedded defaults: installs what is missing, builds, starts
# notification, payment-channel, review and intake on ports 7004, 7003, 7002, 7001 with their data
# under ./data (override with REFUNDMESH_DATA_DIR), and stops them all cleanly on Ctrl-C.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/install-deps.sh
configuration="${CONFIGURATION:-release}"
swift build -c "$configuration" --product intake
for product in review payment-channel notification; do swift build -c "$configuration" --product "$product"; done
bin="$(swift build -c "$configuration" --show-bin-path)"
export REFUNDMESH_DATA_DIR="${REFUNDMESH_DATA_DIR:-$root/data}"
mkdir -p "$REFUNDMESH_DATA_DIR"

pids=()
stop() {
    echo "stopping the mesh…"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    echo "stopped; data is in $REFUNDMESH_DATA_DIR"
}
trap stop INT TERM

for service in notification payment-channel review intake; do
    "$bin/$service" &
    pids+=($!)
done
echo "RefundMesh is running: intake 127.0.0.1:7001, review :7002, payment-channel :7003, notification :7004 (Ctrl-C stops)"
wait
