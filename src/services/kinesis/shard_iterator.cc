#include "services/kinesis/shard_iterator.h"

#include "core/encoding.h"
#include "storage/key_codec.h"

namespace tidepool::kinesis {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kCheckBytes = 8;
constexpr std::string_view kCheckSalt = "tidepool-kinesis-iterator-v1";

std::string CheckOf(std::string_view payload) {
  std::string input(kCheckSalt);
  input.append(payload);
  return Sha256(input).substr(0, kCheckBytes);
}

}  // namespace

std::string ShardIterator::Encode() const {
  std::string payload;
  payload.push_back(static_cast<char>(kVersion));
  storage::AppendU64BE(&payload, stream_uid);
  storage::AppendU32BE(&payload, shard_index);
  storage::AppendU64BE(&payload, position);
  storage::AppendU64BE(&payload, static_cast<uint64_t>(created_micros));
  const size_t name_len = std::min<size_t>(stream_name.size(), 255);
  payload.push_back(static_cast<char>(name_len));
  payload.append(stream_name, 0, name_len);
  payload += CheckOf(payload);
  return Base64Encode(payload);
}

std::optional<ShardIterator> ShardIterator::Decode(std::string_view text) {
  auto raw = Base64Decode(text);
  if (!raw || raw->size() < 1 + 8 + 4 + 8 + 8 + 1 + kCheckBytes) return std::nullopt;
  std::string_view payload(*raw);
  payload.remove_suffix(kCheckBytes);
  if (CheckOf(payload) != std::string_view(*raw).substr(payload.size())) return std::nullopt;
  if (static_cast<uint8_t>(payload[0]) != kVersion) return std::nullopt;
  payload.remove_prefix(1);
  ShardIterator it;
  uint64_t created = 0;
  if (!storage::ReadU64BE(&payload, &it.stream_uid) ||
      !storage::ReadU32BE(&payload, &it.shard_index) ||
      !storage::ReadU64BE(&payload, &it.position) || !storage::ReadU64BE(&payload, &created) ||
      payload.empty()) {
    return std::nullopt;
  }
  it.created_micros = static_cast<int64_t>(created);
  const size_t name_len = static_cast<uint8_t>(payload[0]);
  payload.remove_prefix(1);
  if (payload.size() != name_len) return std::nullopt;
  it.stream_name = std::string(payload);
  return it;
}

}  // namespace tidepool::kinesis
