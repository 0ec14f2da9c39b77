#include "services/kinesis/hash_key.h"

#include <bit>
#include <cstring>

#include "core/encoding.h"
#include "core/md5.h"

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

namespace {

// (hi:lo) / d with the remainder in *rem; requires hi < d so the quotient fits 64 bits. One
// hardware division on x86-64, where the compiler would otherwise call __udivti3.
uint64_t DivideWide(uint64_t hi, uint64_t lo, uint64_t d, uint64_t* rem) {
#if defined(__x86_64__)
  uint64_t quotient;
  __asm__("divq %[d]" : "=a"(quotient), "=d"(*rem) : "a"(lo), "d"(hi), [d] "rm"(d));
  return quotient;
#else
  const unsigned __int128 n = (static_cast<unsigned __int128>(hi) << 64) | lo;
  *rem = static_cast<uint64_t>(n % d);
  return static_cast<uint64_t>(n / d);
#endif
}

// Writes v < 10^8 as exactly 8 ASCII digits at `out`, all lanes at once (SWAR): split into
// two 4-digit halves, each half into two 2-digit quarters, each quarter into two digits.
void WriteDigits8(uint32_t v, char* out) {
  const uint64_t high4 = (uint64_t{v} * 109951163) >> 40;  // v / 10^4, exact for v < 10^8
  const uint64_t halves = high4 | ((v - high4 * 10000) << 32);
  const uint64_t high2 = ((halves * 10486) >> 20) & 0x0000007F0000007FULL;  // per lane / 100
  const uint64_t quarters = ((halves - high2 * 100) << 16) | high2;
  uint64_t tens = ((quarters * 103) >> 10) & 0x000F000F000F000FULL;  // per lane / 10
  const uint64_t digits = ((quarters - tens * 10) << 8) | tens | 0x3030303030303030ULL;
  static_assert(std::endian::native == std::endian::little, "lanes are in reading order");
  std::memcpy(out, &digits, 8);
}

// Writes v < 10^19 as exactly 19 ASCII digits at `out`.
void WriteDigits19(uint64_t v, char* out) {
  const uint64_t head = v / 10'000'000'000'000'000ULL;  // < 1000
  const uint64_t rest = v % 10'000'000'000'000'000ULL;
  out[0] = static_cast<char>('0' + head / 100);
  out[1] = static_cast<char>('0' + head / 10 % 10);
  out[2] = static_cast<char>('0' + head % 10);
  WriteDigits8(static_cast<uint32_t>(rest / 100'000'000), out + 3);
  WriteDigits8(static_cast<uint32_t>(rest % 100'000'000), out + 11);
}

}  // namespace

char* WriteHashKey(HashKey value, char* p) {
  // value = (top * 10^19 + mid) * 10^19 + low, by three 64-bit divisions; the 39 digits are
  // then written at fixed widths, 8 at a time, and leading zeros dropped (this runs for every
  // sequence number on the PutRecord(s) and GetRecords paths).
  constexpr uint64_t k19 = 10'000'000'000'000'000'000ULL;
  const auto hi = static_cast<uint64_t>(value >> 64);
  uint64_t low = 0;
  uint64_t mid = 0;
  const uint64_t quotient_hi = hi / k19;  // value / 10^19 < 2^128 / 10^19 < 2 * 2^64: 0 or 1
  const uint64_t quotient_lo = DivideWide(hi % k19, static_cast<uint64_t>(value), k19, &low);
  const uint64_t top = DivideWide(quotient_hi, quotient_lo, k19, &mid);  // < 2^128 / 10^38 < 4
  char digits[39];
  digits[0] = static_cast<char>('0' + top);
  WriteDigits19(mid, digits + 1);
  WriteDigits19(low, digits + 20);
  size_t first = 0;
  while (first + 1 < sizeof digits && digits[first] == '0') ++first;
  std::memcpy(p, digits + first, sizeof digits - first);
  return p + (sizeof digits - first);
}

void AppendHashKey(HashKey value, std::string& out) {
  char digits[kMaxHashKeyChars];
  out.append(digits, WriteHashKey(value, digits));
}

std::string FormatHashKey(HashKey value) {
  std::string out;
  AppendHashKey(value, out);
  return out;
}

HashKey PartitionKeyHash(std::string_view partition_key) {
  const Md5Digest digest = Md5Of(partition_key);
  uint64_t high, low;  // the digest read as a big-endian 128-bit number
  std::memcpy(&high, digest.data(), 8);
  std::memcpy(&low, digest.data() + 8, 8);
  if constexpr (std::endian::native == std::endian::little) {
    high = __builtin_bswap64(high);
    low = __builtin_bswap64(low);
  }
  return (HashKey{high} << 64) | low;
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
