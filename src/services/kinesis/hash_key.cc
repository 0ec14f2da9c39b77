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
  // Two 128-bit divisions by 10^19 instead of one per digit (this runs for every sequence
  // number on the PutRecord and GetRecords paths).
  constexpr uint64_t k19 = 10'000'000'000'000'000'000ULL;
  const auto low = static_cast<uint64_t>(value % k19);
  value /= k19;
  const auto mid = static_cast<uint64_t>(value % k19);
  const auto top = static_cast<uint64_t>(value / k19);
  char buf[64];
  char* end = buf + sizeof buf;
  char* p = end;
  // Writes `v` backwards ending at p; at least `width` digits (zero-padded).
  auto put = [&p](uint64_t v, int width) {
    for (int i = 0; i < width || v != 0; ++i) {
      *--p = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  if (top != 0) {
    put(low, 19);
    put(mid, 19);
    put(top, 1);
  } else if (mid != 0) {
    put(low, 19);
    put(mid, 1);
  } else {
    put(low, 1);
  }
  return std::string(p, end);
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
