// StreamMeta: how a Stream's metadata is stored (the value of keyspace::StreamKey), as a
// JSON object:
//
//   {"account","region","name","status","created" (micros),"retention" (hours),"mode",
//    "encryption","key_id","metrics":[..],"tags":{..},"policy","max_record_kib",
//    "warm" (MiB/s, optional),"shard_count_updates":[micros..],
//    "consumers":[{"name","created","status","tags":{..},"policy"}],
//    "shards":[{"index","start","end" (decimal hash keys),"parent","adjacent_parent",
//               "created","closed","ending_counter","counter_floor"}]}
//
// counter_floor is a lower bound for the shard's next counter: recovery takes the larger
// of it and one past the last stored record, so counters keep increasing even after every
// record of a shard was trimmed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "services/kinesis/stream.h"

namespace tidepool::kinesis {

// Requires stream.mu held.
std::string EncodeStreamMeta(const Stream& stream);

// Builds a Stream from stored metadata. Shards get next_counter = counter_floor; the
// caller raises it from the stored records. Corruption on malformed input.
Result<std::unique_ptr<Stream>> DecodeStreamMeta(uint64_t uid, std::string_view value);

}  // namespace tidepool::kinesis
