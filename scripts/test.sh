#!/usr/bin/env bash
# The whole test suite, as CI runs it: generated code is current, lint clean, deployment files valid
# (compose, Dockerfile, Prometheus config: scripts/check-deploy.sh), the benchmarks still build,
# C interop example works, then every Swift test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "== generated code is current"
scripts/check-generated.sh

echo "== lint (swift-format)"
scripts/lint.sh

echo "== deployment files are valid (docker-compose, hadolint, promtool)"
scripts/check-deploy.sh

echo "== build"
swift build --build-tests

echo "== benchmarks build (Benchmarks/: compiled, not run; scripts/bench-codec.sh runs them)"
swift build --package-path Benchmarks

echo "== C client interoperates (libprotobuf-c + sockets only)"
scripts/interop-test.sh

echo "== swift test"
# At most 24 tests at a time (swift-testing's own setting; 24 takes no longer than unbounded here).
# Unbounded, all ~550 start at once on 2 cores: Swift concurrency's threads are as many as the
# cores, so short store tests waited 30-45 s for a turn, long enough to fail their waits.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-24}"
swift test --skip-build
