// Shard iterators: opaque tokens handed to GetRecords. An iterator is the base64 of
//
//   iterator := version:u8 (= 1) | stream_uid:u64be | shard_index:u32be | position:u64be |
//               created_micros:u64be | name_len:u8 | stream_name | check:byte{8}
//
// where position is the first record counter the next read may return, created_micros the
// server time the iterator chain started (for the 5-minute expiry) and check the first 8
// bytes of SHA-256 over everything before it. Nothing in it depends on process state, so an
// iterator stays valid across a restart. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tidepool::kinesis {

struct ShardIterator {
  uint64_t stream_uid = 0;
  uint32_t shard_index = 0;
  uint64_t position = 0;
  int64_t created_micros = 0;
  std::string stream_name;

  std::string Encode() const;
  // nullopt for anything Encode() did not produce (bad base64, version, length or check).
  static std::optional<ShardIterator> Decode(std::string_view text);
};

}  // namespace tidepool::kinesis
