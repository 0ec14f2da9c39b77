#include "services/kinesis/next_token.h"

#include "core/encoding.h"
#include "storage/key_codec.h"

namespace tidepool::kinesis {
namespace {
constexpr uint8_t kVersion = 1;
constexpr size_t kCheckBytes = 8;

std::string CheckOf(std::string_view payload) {
  std::string input("tidepool-kinesis-token-v1");
  input.append(payload);
  return Sha256(input).substr(0, kCheckBytes);
}
}  // namespace

std::string NextToken::Encode() const {
  std::string raw;
  raw.push_back(static_cast<char>(kVersion));
  raw.push_back(kind);
  storage::AppendU64BE(&raw, static_cast<uint64_t>(created_micros));
  raw += payload;
  raw += CheckOf(raw);
  return Base64Encode(raw);
}

std::optional<NextToken> NextToken::Decode(std::string_view text) {
  auto raw = Base64Decode(text);
  if (!raw || raw->size() < 2 + 8 + kCheckBytes) return std::nullopt;
  std::string_view body(*raw);
  body.remove_suffix(kCheckBytes);
  if (CheckOf(body) != std::string_view(*raw).substr(body.size())) return std::nullopt;
  if (static_cast<uint8_t>(body[0]) != kVersion) return std::nullopt;
  NextToken token;
  token.kind = body[1];
  body.remove_prefix(2);
  uint64_t created = 0;
  if (!storage::ReadU64BE(&body, &created)) return std::nullopt;
  token.created_micros = static_cast<int64_t>(created);
  token.payload = std::string(body);
  return token;
}

}  // namespace tidepool::kinesis
