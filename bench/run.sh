#!/usr/bin/env bash
# Runs the Kinesis, SQS, SNS, S3 and DynamoDB benchmarks and prints their figures (it never fails on a timing).
#   bench/run.sh                 builds build/release if needed, then for --durability memory
#                                and sync: start-to-ready + idle RSS, for sync the disk's
#                                fdatasync latency, then the load runs (Kinesis, then SQS/SNS),
#                                each scenario on a fresh server and data dir, so that no figure
#                                depends on what ran before it (a Kinesis write burst leaves
#                                seconds of RocksDB compaction behind); then the filter-policy
#                                benchmark.
# Env: BUILD_DIR (default build/release), DURABILITIES (default "memory sync"),
#      SCENARIOS: comma-separated subset of the default
#        put-record,put-records,drain,sqs-send,sqs-cycle,sqs-longpoll-latency,
#        sns-publish-latency,s3-put,s3-get,ddb-put,ddb-get,ddb-query,ddb-scan,ddb-batch-write,
#        ddb-transact,filter-policy   (filter-policy runs tidepool-filter-bench once),
#      SERVER_CPU (0) and BENCH_CPU (1): the cores the server and the generator are pinned to,
#      BENCH_ARGS: extra arguments for `tidepool-bench load` (e.g. --duration-ms 2000).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build/release}"
DURABILITIES="${DURABILITIES:-memory sync}"
SERVER_CPU="${SERVER_CPU:-0}"
BENCH_CPU="${BENCH_CPU:-1}"
read -r -a EXTRA <<<"${BENCH_ARGS:-}"
SCENARIOS="${SCENARIOS:-put-record,put-records,drain,sqs-send,sqs-cycle,sqs-longpoll-latency,sns-publish-latency,s3-put,s3-get,ddb-put,ddb-get,ddb-query,ddb-scan,ddb-batch-write,ddb-transact,filter-policy}"
LOAD_SCENARIOS="$(tr ',' '\n' <<<"$SCENARIOS" | grep -v -x -e filter-policy -e '' | paste -sd, -)" || true
RUN_FILTER=0
if tr ',' '\n' <<<"$SCENARIOS" | grep -q -x filter-policy; then RUN_FILTER=1; fi

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  if [ "$BUILD_DIR" = build/release ]; then
    ./scripts/build.sh release >/dev/null # the flavour users run (static RocksDB, mimalloc)
  else
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTIDEPOOL_TESTS=OFF \
      -DTIDEPOOL_BENCH=ON -DTIDEPOOL_SANITIZE=OFF -DTIDEPOOL_FUZZ=OFF >/dev/null
  fi
fi
targets=(tidepool tidepool-bench lambda_noop_function apigw_noop_function)
if [ "$RUN_FILTER" = 1 ]; then targets+=(tidepool-filter-bench); fi
cmake --build "$BUILD_DIR" --target "${targets[@]}" -j "${JOBS:-$(nproc)}" | tail -1
SERVER="$BUILD_DIR/tidepool"
BENCH="$BUILD_DIR/tidepool-bench"
FILTER_BENCH="$BUILD_DIR/tidepool-filter-bench"

# pin_prefix CPU: the command prefix that pins to CPU (taskset), or nothing when it can't.
pin_prefix() {
  if command -v taskset >/dev/null && [ "$1" -lt "$(nproc)" ]; then echo "taskset -c $1"; fi
}
read -r -a SERVER_PIN <<<"$(pin_prefix "$SERVER_CPU")"
read -r -a BENCH_PIN <<<"$(pin_prefix "$BENCH_CPU")"

server_pid=""
workdir=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid" || true; fi
  if [ -n "$workdir" ]; then rm -rf "$workdir"; fi
}
trap cleanup EXIT

echo "tidepool benchmarks: $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores," \
  "server on core $SERVER_CPU, generator on core $BENCH_CPU"
for durability in $DURABILITIES; do
  [ -n "$LOAD_SCENARIOS" ] || break
  echo
  echo "=== durability: $durability"
  "${BENCH_PIN[@]}" "$BENCH" startup --binary "$SERVER" --durability "$durability" --runs 5 \
    --server-cpu "$SERVER_CPU"

  workdir="$(mktemp -d /tmp/tidepool-bench-run.XXXXXX)"
  if [ "$durability" != memory ]; then
    # The floor under every sync-mode figure: one durable write of this disk.
    "${BENCH_PIN[@]}" "$BENCH" disk --dir "$workdir" || echo "tidepool-bench disk failed"
  fi
  for scenario in ${LOAD_SCENARIOS//,/ }; do
    rm -rf "$workdir/data"
    "${SERVER_PIN[@]}" "$SERVER" serve --port 0 --data-dir "$workdir/data" \
      --durability "$durability" --log-level warn >"$workdir/stdout" 2>"$workdir/stderr" &
    server_pid=$!
    endpoint=""
    for _ in $(seq 1 200); do
      endpoint="$(sed -n 's#^tidepool listening on http://##p' "$workdir/stdout" | head -1)"
      [ -n "$endpoint" ] && break
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if [ -z "$endpoint" ]; then
      echo "tidepool did not get ready; stderr:" >&2
      tail -20 "$workdir/stderr" >&2
      exit 1
    fi
    "${BENCH_PIN[@]}" "$BENCH" load --endpoint "$endpoint" --durability-label "$durability" \
      --scenarios "$scenario" "${EXTRA[@]}" || echo "tidepool-bench load failed (exit $?)"
    rss="$(awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' "/proc/$server_pid/status" 2>/dev/null ||
      echo '?')"
    kill "$server_pid"
    rc=0
    wait "$server_pid" || rc=$?
    server_pid=""
    echo "  server after $scenario: VmRSS $rss, exit code after SIGTERM $rc"
  done
  rm -rf "$workdir"
  workdir=""
done

if [ "$RUN_FILTER" = 1 ]; then
  echo
  echo "=== SNS filter policy evaluation (5-key policy, 6 attributes, half matching)"
  "${BENCH_PIN[@]}" "$FILTER_BENCH" --benchmark_min_time=1 ||
    echo "tidepool-filter-bench failed (exit $?)"
fi
