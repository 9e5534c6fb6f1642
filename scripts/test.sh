#!/usr/bin/env bash
# The whole test suite, as CI runs it: generated code is current, lint clean, compose file valid,
# C interop example works, then every Swift test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "== generated code is current"
scripts/check-generated.sh

echo "== lint (swift-format)"
scripts/lint.sh

echo "== docker-compose.yml is valid"
docker-compose -f docker-compose.yml config -q

echo "== build"
swift build --build-tests

echo "== C client interoperates (libprotobuf-c + sockets only)"
scripts/interop-test.sh

echo "== swift test"
swift test --skip-build
