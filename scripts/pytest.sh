#!/usr/bin/env bash
# Runs pytest with the machine's python3 (the one that has boto3 and awscli). PyPI is not
# reachable here, so when that python3 lacks pytest we borrow Debian's python3-pytest
# (installed by scripts/setup.sh) through a shim folder holding only pytest and its own
# dependencies, so nothing else of Debian's dist-packages can shadow the python3's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c 'import pytest' 2>/dev/null; then
  shim="build/pytest-shim"
  mkdir -p "$shim"
  # pytest-xdist (parallel workers, `-n`) and execnet come along; xdist's dist-info too, so
  # pytest finds its plugin entry point.
  for m in pytest _pytest pluggy iniconfig packaging py py.py xdist execnet; do
    src="/usr/lib/python3/dist-packages/$m"
    [ -e "$src" ] && ln -sfn "$src" "$shim/$m"
  done
  for src in /usr/lib/python3/dist-packages/pytest_xdist-*.dist-info; do
    [ -e "$src" ] && ln -sfn "$src" "$shim/$(basename "$src")"
  done
  export PYTHONPATH="$PWD/$shim${PYTHONPATH:+:$PYTHONPATH}"
fi
exec python3 -m pytest "$@"
