// In-memory state of one stream: the small metadata every request needs (shards, status,
// settings, consumers, tags). Records are never held here; they live in the store.
//
// Thread-safety: `mu` guards every non-const, non-atomic member of Stream and of its
// Shards. Shard::committed_* are atomics written by commit completions (in commit order)
// and read without the lock. Shards are only ever appended (never removed or moved while the
// Stream lives), so a Shard* stays valid as long as its Stream.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "services/kinesis/hash_key.h"
#include "services/kinesis/token_bucket.h"

namespace tidepool::kinesis {

struct Shard {
  uint32_t index = 0;
  HashKey start_hash = 0;
  HashKey end_hash = 0;
  std::optional<uint32_t> parent;
  std::optional<uint32_t> adjacent_parent;
  int64_t created_micros = 0;
  std::optional<int64_t> closed_micros;  // set when split/merged away
  uint64_t ending_counter = 0;           // last counter of a closed shard

  uint64_t next_counter = 1;        // counter the next record gets
  int64_t last_arrival_micros = 0;  // arrival times never go backwards within a shard
  TokenBucket write_bytes;
  TokenBucket write_records;

  // The highest counter whose batch is durable, and that record's arrival time: GetRecords
  // never reads past it and LATEST starts after it.
  std::atomic<uint64_t> committed_counter{0};
  std::atomic<int64_t> committed_arrival_micros{0};

  bool open() const { return !closed_micros.has_value(); }
};

struct Consumer {
  std::string name;
  int64_t created_micros = 0;
  std::string status;  // CREATING | ACTIVE | DELETING
  std::map<std::string, std::string> tags;
  std::string policy;  // resource policy on the consumer ARN; empty when none
};

struct Stream {
  Stream(uint64_t uid, std::string account, std::string region, std::string name);

  const uint64_t uid;
  const std::string account;
  const std::string region;
  const std::string name;
  const std::string arn;  // arn:aws:kinesis:<region>:<account>:stream/<name>

  mutable std::mutex mu;
  std::string status;  // CREATING | ACTIVE | UPDATING | DELETING
  int64_t created_micros = 0;
  int32_t retention_hours = 24;
  std::string mode = "PROVISIONED";  // or ON_DEMAND
  std::string encryption = "NONE";   // or KMS
  std::string key_id;
  std::set<std::string> metrics;  // enhanced monitoring shard-level metrics
  std::map<std::string, std::string> tags;
  std::map<std::string, Consumer> consumers;
  std::string policy;  // resource policy on the stream ARN; empty when none
  int32_t max_record_size_kib = 1024;
  std::optional<int32_t> warm_throughput_mibps;
  std::vector<int64_t> shard_count_updates;    // times (micros) of UpdateShardCount calls
  std::vector<std::unique_ptr<Shard>> shards;  // by index
  uint64_t transition = 0;  // bumped per status transition, so stale timers do nothing

  // Open shards ordered by start hash (rebuilt after resharding) for routing.
  std::vector<Shard*> open_shards;
  void RebuildOpenShards();
  // The open shard whose range holds `hash` (there is always one).
  Shard* Route(HashKey hash) const;
  uint32_t OpenShardCount() const { return static_cast<uint32_t>(open_shards.size()); }
  std::string ConsumerArn(const Consumer& c) const;
};

// "shardId-000000000007".
std::string ShardIdOf(uint32_t index);
// The shard index a client's shard id names, read as AWS does: the digits after the first
// '-' (or the whole text without one), at most 2147483647. nullopt when unreadable.
std::optional<uint32_t> ParseShardId(std::string_view text);

}  // namespace tidepool::kinesis
