#!/usr/bin/env bash
# Runs every test: installs what is missing, builds the sanitizer flavour (clang, ASan + UBSan),
# then runs, in order: formatting check, unit tests (CTest), a short run of every libFuzzer
# target over its seed corpus, and the integration tests (pytest driving the real binary with
# boto3, the aws CLI and the AWS SDK for JS v3). Exits non-zero on the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each fuzz target runs this long over its seeds (a regression check; long fuzzing is done by
# hand): 5 s keeps the whole run well under CI's 30 minutes with ~56 targets.
FUZZ_SECONDS="${FUZZ_SECONDS:-5}"

./scripts/setup.sh
./scripts/build.sh check

echo "== clang-format"
bad=$(git ls-files '*.cc' '*.h' | grep -v '/generated/' | xargs clang-format --dry-run -Werror 2>&1 | grep -c 'error:' || true)
if [ "$bad" != "0" ]; then
  git ls-files '*.cc' '*.h' | grep -v '/generated/' | xargs clang-format --dry-run -Werror 2>&1 | head -20
  echo "clang-format: $bad formatting errors (run clang-format -i)" >&2
  exit 1
fi

echo "== unit tests"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir build/check --output-on-failure -j "$(nproc)"

echo "== fuzz targets (${FUZZ_SECONDS}s each)"
for bin in build/check/fuzz/*_fuzz; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin" _fuzz)
  work="build/check/fuzz-corpus/$name"
  mkdir -p "$work"
  seeds="fuzz/corpus/$name"
  [ -d "$seeds" ] || seeds=""
  "$bin" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="build/check/fuzz-" "$work" $seeds >"build/check/fuzz-$name.log" 2>&1 || {
    tail -40 "build/check/fuzz-$name.log"
    echo "fuzz target $name failed" >&2
    exit 1
  }
  echo "$name: $(grep -Eo 'stat::number_of_executed_units: [0-9]+' "build/check/fuzz-$name.log" | tail -1 || echo ok)"
done

echo "== integration tests"
export TIDEPOOL_BIN="$PWD/build/check/tidepool"
# Two workers: most tests wait on a server and its sandboxes, so two at a time halve the stage
# on two cores (every test starts its own server on a free port, in its own temporary folder).
workers=()
if ./scripts/pytest.sh --help 2>/dev/null | grep -- '--numprocesses' >/dev/null; then
  workers=(-n 2)
fi
./scripts/pytest.sh -q "${workers[@]}" tests/integration
