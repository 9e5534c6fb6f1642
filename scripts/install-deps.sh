#!/usr/bin/env bash
# Installs the Debian packages RefundMesh builds, tests and runs with (the same list .ci/run
# installs). Skips apt entirely when everything is already there.
set -euo pipefail
packages=(libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libprotobuf-dev libsqlite3-dev build-essential pkg-config docker-compose python3 python3-cryptography python3-aiosmtpd)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
