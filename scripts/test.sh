#!/usr/bin/env bash
# The whole test suite, as CI runs it: generated code is current, lint clean, deployment files valid
# (compose, Dockerfile, Prometheus config, Kubernetes manifests: scripts/check-deploy.sh), the benchmarks still build,
# C interop example works, then every Swift test, with a throwaway PostgreSQL server for the
# PostgreSQL backend's tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "== generated code is current"
scripts/check-generated.sh

echo "== lint (swift-format)"
scripts/lint.sh

echo "== deployment files are valid (docker-compose, hadolint, promtool, kubernetes-validate)"
scripts/check-deploy.sh

echo "== build"
swift build --build-tests

echo "== benchmarks build (Benchmarks/: compiled, not run; scripts/bench-codec.sh runs them)"
swift build --package-path Benchmarks

echo "== C client interoperates (libprotobuf-c + sockets only)"
scripts/interop-test.sh

echo "== PostgreSQL for the RefundMeshPostgres tests (scripts/postgres-test-server.sh)"
# A throwaway server on loopback, stopped when the tests end. CI must have one (the tests of the
# PostgreSQL backend are skipped without it); elsewhere, without Debian's postgresql, they are
# skipped with a note.
if [ -z "${REFUNDMESH_TEST_POSTGRES_URL:-}" ]; then
    pg_dir="$(mktemp -d /tmp/refundmesh-pg.XXXXXX)"
    pg_port="${REFUNDMESH_TEST_POSTGRES_PORT:-55439}"
    if url="$(scripts/postgres-test-server.sh start "$pg_dir" "$pg_port")"; then
        trap 'scripts/postgres-test-server.sh stop "$pg_dir"' EXIT
        export REFUNDMESH_TEST_POSTGRES_URL="$url"
    elif [ "${CI:-}" = true ]; then
        echo "CI: no PostgreSQL server could be started for the tests" >&2
        exit 1
    else
        rm -rf "$pg_dir"
        echo "note: no PostgreSQL server (apt-get install postgresql): the PostgreSQL backend's tests are skipped" >&2
    fi
fi

echo "== swift test"
# At most 24 tests at a time (swift-testing's own setting; 24 takes no longer than unbounded here).
# Unbounded, all ~550 start at once on 2 cores: Swift concurrency's threads are as many as the
# cores, so short store tests waited 30-45 s for a turn, long enough to fail their waits.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-24}"
swift test --skip-build
