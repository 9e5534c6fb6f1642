#!/usr/bin/env bash
# Proof of interoperability: the C client in examples/health-check (libprotobuf-c + sockets, no
# Swift) calls Health/Check on a real rpc-bench server. Needs the debug build of rpc-bench.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
examples/health-check/build.sh
bin="$(swift build --show-bin-path)"
log="$(mktemp)"
"$bin/rpc-bench" serve --port 0 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
    grep -q "listening on" "$log" && break
    sleep 0.1
done
port="$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$log" | head -n 1)"
[ -n "$port" ] || { echo "interop: server did not start"; cat "$log"; exit 1; }
out="$(examples/health-check/health-check 127.0.0.1 "$port")"
[ "$out" = "SERVING" ] || { echo "interop: expected SERVING, got '$out'"; exit 1; }
set +e
examples/health-check/health-check 127.0.0.1 "$port" no.such.Service 2>"$log.err"
code=$?
set -e
grep -q "status 5" "$log.err" || { echo "interop: expected NOT_FOUND (5) for an unknown service"; cat "$log.err"; exit 1; }
rm -f "$log.err"
[ "$code" = 2 ] || { echo "interop: expected exit 2, got $code"; exit 1; }
kill -TERM $server
wait $server
echo "interop: the C client got SERVING and NOT_FOUND as expected"
