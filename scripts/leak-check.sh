#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer with LeakSanitizer and prints its summary.
# (valgrind 3.19 crashes inside libdispatch with Swift 6.3 binaries here; ASan/LSan works.)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
swift build --build-tests --sanitize=address --scratch-path .build-asan
log="$(mktemp)"
set +e
ASAN_OPTIONS=detect_leaks=1 swift test --skip-build --sanitize=address --scratch-path .build-asan >"$log" 2>&1
set -e
grep -E "Test run with|SUMMARY: AddressSanitizer|ERROR: AddressSanitizer" "$log" || true
echo "full log: $log"
