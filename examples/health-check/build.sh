#!/usr/bin/env bash
# Builds examples/health-check/health-check from the committed protoc-c output and libprotobuf-c.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
protos="$root/Sources/CRefundMeshProtos"
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
    -I "$protos/include" \
    "$root/examples/health-check/health_check.c" \
    "$protos/refundmesh/rpc/v1/frame.pb-c.c" \
    "$protos/refundmesh/health/v1/health.pb-c.c" \
    -lprotobuf-c -o "$root/examples/health-check/health-check"
echo "built examples/health-check/health-check"
