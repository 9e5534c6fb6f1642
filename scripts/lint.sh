#!/usr/bin/env bash
# swift-format lint of every hand-written Swift file (generated code is excluded).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mapfile -t files < <(git ls-files 'Sources/*.swift' 'Tests/*.swift' 'Benchmarks/*.swift' 'Fuzz/*.swift' | grep -v '/Generated/')
swift format lint --strict --configuration .swift-format "${files[@]}"
echo "lint: ${#files[@]} files clean"
