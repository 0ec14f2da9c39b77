#!/usr/bin/env bash
# Builds one flavour into build/<flavour>:
#   release  optimised binary (build/release/tidepool) and benchmarks
#   check    clang with AddressSanitizer + UndefinedBehaviorSanitizer, unit tests and
#            libFuzzer targets (build/check/tidepool is what the integration tests run)
set -euo pipefail
cd "$(dirname "$0")/.."
flavour="${1:-release}"
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1  # cache hits across clones
jobs="${JOBS:-$(nproc)}"
case "$flavour" in
  release)
    cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DTIDEPOOL_TESTS=OFF -DTIDEPOOL_BENCH=ON -DTIDEPOOL_STATIC_ROCKSDB=ON -DTIDEPOOL_MIMALLOC=ON \
      -DTIDEPOOL_STATIC_OPENSSL=ON >/dev/null ;;
  check)
    # -O1 and line tables only: what ASan recommends, and a cold CI build (no ccache on a
    # clean machine) is a fifth faster than with -O2 -g; stack traces keep file:line.
    cmake -S . -B build/check -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
      -DCMAKE_CXX_COMPILER=clang++ -DTIDEPOOL_SANITIZE=ON -DTIDEPOOL_FUZZ=ON \
      -DTIDEPOOL_TESTS=ON -DTIDEPOOL_BENCH=OFF >/dev/null ;;
  *) echo "usage: scripts/build.sh release|check" >&2; exit 2 ;;
esac
cmake --build "build/$flavour" -j "$jobs"
