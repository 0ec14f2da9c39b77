#include "services/kinesis/sequence_number.h"

#include <cstring>

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

unsigned __int128 SequenceNumber::Value() const {
  unsigned __int128 v = kVersion;
  v = (v << 32) | stream_tag;
  v = (v << 20) | (shard_index & kMaxShardIndex);
  v = (v << 64) | counter;
  return (v << 8) | Check(v);
}

char* SequenceNumber::WriteTo(char* p) const { return WriteHashKey(Value(), p); }

char* SequenceNumberWriter::Write(const SequenceNumber& sequence_number, char* p) {
  static_assert(sizeof(digits_) >= kMaxHashKeyChars);
  const unsigned __int128 v = sequence_number.Value();
  constexpr unsigned __int128 kMaxStep = 1'000'000;
  if (size_ > 0 && v > last_ && v - last_ < kMaxStep) {
    // Add the step to the previous digits, least significant first.
    auto carry = static_cast<uint32_t>(v - last_);
    int i = size_ - 1;
    for (; carry != 0 && i >= 0; --i) {
      const uint32_t sum = static_cast<uint32_t>(digits_[i] - '0') + carry;
      digits_[i] = static_cast<char>('0' + sum % 10);
      carry = sum / 10;
    }
    if (carry == 0) {
      last_ = v;
      std::memcpy(p, digits_, kMaxHashKeyChars);  // fixed size: a few moves, no rep movs
      return p + size_;
    }
    // One more digit than before: format from scratch.
  }
  last_ = v;
  size_ = static_cast<uint8_t>(WriteHashKey(v, digits_) - digits_);
  std::memcpy(p, digits_, kMaxHashKeyChars);
  return p + size_;
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
