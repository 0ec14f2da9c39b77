#include "services/kinesis/hash_key.h"

#include "core/encoding.h"

namespace tidepool::kinesis {

std::optional<HashKey> ParseHashKey(std::string_view text) {
  if (text.empty() || text.size() > 40) return std::nullopt;
  HashKey value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<unsigned>(c - '0');
    if (value > (kMaxHashKey - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::string FormatHashKey(HashKey value) {
  if (value == 0) return "0";
  char buf[40];
  int pos = 40;
  while (value != 0) {
    buf[--pos] = static_cast<char>('0' + static_cast<int>(value % 10));
    value /= 10;
  }
  return std::string(buf + pos, 40 - pos);
}

HashKey PartitionKeyHash(std::string_view partition_key) {
  const std::string digest = Md5(partition_key);
  HashKey value = 0;
  for (unsigned char c : digest) value = (value << 8) | c;
  return value;
}

std::vector<std::pair<HashKey, HashKey>> SplitHashRange(HashKey first, HashKey last,
                                                        uint32_t count) {
  std::vector<std::pair<HashKey, HashKey>> ranges;
  ranges.reserve(count);
  // span = last - first + 1 may be 2^128, which does not fit: divide (span - 1) instead and
  // correct, so step = floor(span / count) without overflow.
  const HashKey span_minus_one = last - first;
  HashKey step = span_minus_one / count;
  if (span_minus_one % count == count - 1) ++step;
  HashKey start = first;
  for (uint32_t i = 0; i < count; ++i) {
    const HashKey end = (i + 1 == count) ? last : start + step - 1;
    ranges.emplace_back(start, end);
    start = end + 1;
  }
  return ranges;
}

}  // namespace tidepool::kinesis
