// Options of the Kinesis service (set by `tidepool serve` flags, and by tests).
#pragma once

#include <chrono>
#include <cstdint>

namespace tidepool::kinesis {

struct KinesisOptions {
  // How long a stream stays CREATING / UPDATING / DELETING (and a consumer CREATING /
  // DELETING) before the transition completes. 0 = at once (the reply already shows
  // ACTIVE, a deleted stream is gone). Tests use e.g. 200 ms to observe the states.
  std::chrono::milliseconds transition_delay{0};

  // Emulate AWS's per-shard write limits (1 MiB/s and 1,000 records/s per shard, token
  // buckets holding one second of burst): PutRecord fails with
  // ProvisionedThroughputExceededException, PutRecords fails the excess records one by one.
  bool throttle = false;
  int64_t shard_write_bytes_per_second = 1 << 20;
  int64_t shard_write_records_per_second = 1000;

  // A shard iterator (and every NextShardIterator derived from it) expires this long after
  // GetShardIterator created it (AWS: 5 minutes), measured on the service's Clock.
  std::chrono::milliseconds iterator_lifetime{std::chrono::minutes(5)};

  // How long a SubscribeToShard event stream lasts before the server ends it (AWS: 5 min).
  std::chrono::milliseconds subscription_lifetime{std::chrono::minutes(5)};

  // Per account and region: the most shards (open ones) and on-demand streams, reported by
  // DescribeLimits and enforced by CreateStream / SplitShard / UpdateShardCount.
  int32_t shard_limit = 500;
  int32_t on_demand_stream_limit = 50;

  // How often the background trimmer deletes records older than their stream's retention
  // period (they stop being readable as soon as they expire, whether trimmed yet or not).
  // 0 disables the timer (Trim() can still be called directly, e.g. from tests).
  std::chrono::milliseconds trim_interval{std::chrono::seconds(60)};
};

}  // namespace tidepool::kinesis
