#include "services/kinesis/sequence_number.h"

#include "services/kinesis/hash_key.h"

namespace tidepool::kinesis {
namespace {

constexpr unsigned kVersion = 2;

uint8_t Check(unsigned __int128 upper120) {
  uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (int i = 0; i < 15; ++i) {
    h ^= static_cast<uint8_t>(upper120 >> (8 * i));
    h *= 0x100000001b3ULL;
  }
  return static_cast<uint8_t>(h ^ (h >> 29) ^ (h >> 47));
}

}  // namespace

char* SequenceNumber::WriteTo(char* p) const {
  unsigned __int128 v = kVersion;
  v = (v << 32) | stream_tag;
  v = (v << 20) | (shard_index & kMaxShardIndex);
  v = (v << 64) | counter;
  v = (v << 8) | Check(v);
  return WriteHashKey(v, p);
}

void SequenceNumber::AppendTo(std::string& out) const {
  char digits[kMaxHashKeyChars];
  out.append(digits, WriteTo(digits));
}

std::string SequenceNumber::ToString() const {
  std::string out;
  AppendTo(out);
  return out;
}

std::optional<SequenceNumber> SequenceNumber::Parse(std::string_view text) {
  auto value = ParseHashKey(text);
  if (!value) return std::nullopt;
  unsigned __int128 v = *value;
  const auto check = static_cast<uint8_t>(v);
  v >>= 8;
  if (Check(v) != check) return std::nullopt;
  SequenceNumber seq;
  seq.counter = static_cast<uint64_t>(v);
  v >>= 64;
  seq.shard_index = static_cast<uint32_t>(v) & kMaxShardIndex;
  v >>= 20;
  seq.stream_tag = static_cast<uint32_t>(v);
  v >>= 32;
  if (v != kVersion) return std::nullopt;
  return seq;
}

}  // namespace tidepool::kinesis
