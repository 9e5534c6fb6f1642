#!/usr/bin/env bash
# Fails when regenerating from proto/ would change any committed file (CI runs this).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
generated=(Sources/CRefundMeshProtos Sources/CProtobufDescriptor Sources/*/Generated Tests/*/Generated)
scripts/generate-protos.sh
if ! git diff --exit-code --stat -- "${generated[@]}"; then
    echo "error: generated code is stale: run scripts/generate-protos.sh and commit the result" >&2
    exit 1
fi
untracked="$(git ls-files --others --exclude-standard -- "${generated[@]}")"
if [ -n "$untracked" ]; then
    echo "error: regenerating created files that are not committed:" >&2
    echo "$untracked" >&2
    exit 1
fi
echo "generated code is current"
