// Pagination tokens for ListStreams / ListShards / ListStreamConsumers. A token is the
// base64 of
//
//   token := version:u8 (= 1) | kind:u8 | created_micros:u64be | payload | check:byte{8}
//
// with check the first 8 bytes of SHA-256 over the rest; payload is the operation's resume
// point (e.g. the last stream name returned, or "<stream_uid>/<shard_index>"). Tokens expire
// kNextTokenLifetimeMicros after creation, as AWS's do. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tidepool::kinesis {

constexpr int64_t kNextTokenLifetimeMicros = 300'000'000;

struct NextToken {
  char kind = 0;  // 's' ListStreams, 'h' ListShards, 'c' ListStreamConsumers
  int64_t created_micros = 0;
  std::string payload;

  std::string Encode() const;
  static std::optional<NextToken> Decode(std::string_view text);
};

}  // namespace tidepool::kinesis
