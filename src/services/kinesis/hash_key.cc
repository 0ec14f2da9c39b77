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

void AppendHashKey(HashKey value, std::string& out) {
  // Two 128-bit divisions by 10^19 instead of one per digit (this runs for every sequence
  // number on the PutRecord and GetRecords paths).
  constexpr uint64_t k19 = 10'000'000'000'000'000'000ULL;
  const auto low = static_cast<uint64_t>(value % k19);
  value /= k19;
  const auto mid = static_cast<uint64_t>(value % k19);
  const auto top = static_cast<uint64_t>(value / k19);
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  char buf[64];
  char* end = buf + sizeof buf;
  char* p = end;
  // Writes `v` backwards ending at p, two digits a step; at least `width` digits (zero-padded).
  auto put = [&p](uint64_t v, int width) {
    char* stop = p - width;
    while (v >= 100) {
      const auto pair = static_cast<size_t>(v % 100) * 2;
      v /= 100;
      p -= 2;
      p[0] = kPairs[pair];
      p[1] = kPairs[pair + 1];
    }
    if (v >= 10) {
      p -= 2;
      p[0] = kPairs[v * 2];
      p[1] = kPairs[v * 2 + 1];
    } else {
      *--p = static_cast<char>('0' + v);
    }
    while (p > stop) *--p = '0';
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
  out.append(p, end);
}

std::string FormatHashKey(HashKey value) {
  std::string out;
  AppendHashKey(value, out);
  return out;
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
