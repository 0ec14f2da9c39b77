#include "protocol/codec/json_scan.h"

#include <cstdint>
#include <cstring>

#include "protocol/codec/swar.h"

namespace tidepool::protocol {

namespace {

// Whether any of the 8 bytes in `v` is outside 0x20-0x7e or is a backslash.
bool HasUnprintableOrBackslash(uint64_t v) {
  return swar::AnyBelow(v, 0x20) || swar::AnyHigh(v) || swar::AnyEqual(v, 0x7f) ||
         swar::AnyEqual(v, '\\');
}

bool Printable(const char* s, size_t n) {
  size_t i = 0;
  for (uint64_t v; i + 8 <= n; i += 8) {
    std::memcpy(&v, s + i, 8);
    if (HasUnprintableOrBackslash(v)) return false;
  }
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7f || c == '\\') return false;
  }
  return true;
}

}  // namespace

bool JsonScan::UncheckedString(std::string_view* out) {
  if (!Consume('"')) return false;
  const void* quote = std::memchr(p_, '"', static_cast<size_t>(end_ - p_));
  if (quote == nullptr) return false;
  const auto n = static_cast<size_t>(static_cast<const char*>(quote) - p_);
  *out = std::string_view(p_, n);
  p_ += n + 1;
  return true;
}

bool JsonScan::String(std::string_view* out) {
  return UncheckedString(out) && Printable(out->data(), out->size());
}

bool JsonScan::SmallInt(int64_t* out) {
  SkipSpace();
  const char* p = p_;
  const bool negative = p != end_ && *p == '-';
  if (negative) ++p;
  const char* digits = p;
  int64_t value = 0;
  while (p != end_ && *p >= '0' && *p <= '9') {
    if (p - digits == 9) return false;
    value = value * 10 + (*p - '0');
    ++p;
  }
  const auto n = p - digits;
  if (n == 0 || (*digits == '0' && (n > 1 || negative))) return false;
  // A fraction or exponent would make it a double for the codec (which then truncates).
  if (p != end_ && (*p == '.' || *p == 'e' || *p == 'E')) return false;
  p_ = p;
  *out = negative ? -value : value;
  return true;
}

}  // namespace tidepool::protocol
