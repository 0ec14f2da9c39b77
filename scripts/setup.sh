#!/usr/bin/env bash
# Installs everything tidepool needs to build and test on Debian 12, from Debian's packages
# and the npm registry only. Idempotent: a second run installs nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  librocksdb-dev libmimalloc-dev libssl-dev libre2-dev libnghttp2-dev libyaml-dev libcli11-dev libspdlog-dev libfmt-dev
  libsnappy-dev libzstd-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-pytest python3-pytest-xdist clang-format
)
# Node.js and npm: the pinned SDK packages declare Node.js >= 20 (the machines we target have
# it). Debian's nodejs (18 on Debian 12) is installed only when the machine has no npm at all.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python clients (boto3, awscli) ship with the machine's python3; check rather than install,
# since PyPI is not reachable here.
python3 -c 'import boto3, botocore' 2>/dev/null || {
  echo "setup: python3 with boto3 is required (e.g. apt-get install python3-boto3)" >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-boto3 awscli python3-pytest >/dev/null
}
python3 -c 'import pytest' 2>/dev/null || {
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-pytest >/dev/null || true
}

# The AWS SDK for JS v3, for the integration tests (tests/js/package.json pins it); reinstalled
# when the lock file is newer than what node_modules holds.
if [ -f tests/js/package.json ] &&
  { [ ! -f tests/js/node_modules/.package-lock.json ] ||
    [ tests/js/package-lock.json -nt tests/js/node_modules/.package-lock.json ]; }; then
  (cd tests/js && npm ci --silent --no-audit --no-fund 2>/dev/null || npm install --silent --no-audit --no-fund)
fi
# The AWS SDK for JS v3 that Node.js functions import (runtimes/node/package.json), as AWS's
# nodejs runtimes bundle it.
if [ ! -f runtimes/node/node_modules/.package-lock.json ] ||
  [ runtimes/node/package-lock.json -nt runtimes/node/node_modules/.package-lock.json ]; then
  (cd runtimes/node && npm ci --silent --no-audit --no-fund 2>/dev/null || npm install --silent --no-audit --no-fund)
fi
echo "setup: ok"
