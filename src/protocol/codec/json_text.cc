#include "protocol/codec/json_text.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "protocol/codec/blob_base64.h"
#include "protocol/codec/swar.h"

namespace tidepool::protocol::json_text {

namespace {

// Whether any of the 8 bytes in `v` is a control byte (< 0x20), '"' or '\\'.
bool NeedsEscape(uint64_t v) {
  return swar::AnyBelow(v, 0x20) || swar::AnyEqual(v, '"') || swar::AnyEqual(v, '\\');
}

}  // namespace

void AppendString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Fast path: skip 8 bytes at a time while none needs escaping.
  size_t clean = 0;
  for (uint64_t v; clean + 8 <= s.size(); clean += 8) {
    std::memcpy(&v, s.data() + clean, 8);
    if (NeedsEscape(v)) break;
  }
  out += '"';
  size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (size_t i = clean; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void AppendStringSafe(std::string_view s, std::string& out) {
  std::string clean;
  clean.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<uint8_t>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<uint8_t>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len > 1) {
      uint32_t cp = c & (0x7F >> len);
      for (size_t k = 1; k < len; ++k) cp = cp << 6 | (static_cast<uint8_t>(s[i + k]) & 0x3F);
      static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (ok) {
      clean.append(s.data() + i, len);
      i += len;
    } else {
      clean += "\xEF\xBF\xBD";
      ++i;
    }
  }
  AppendString(clean, out);
}

void AppendDouble(double d, std::string& out, bool fixed) {
  if (!std::isfinite(d)) {
    out += '0';  // JSON has no NaN/Infinity; never produced by a correct handler
    return;
  }
  char buf[400];
  auto r = fixed && std::fabs(d) < 1e17
               ? std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed)
               : std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, r.ptr);
}

void AppendInt(int64_t n, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

void AppendEpochMillis(int64_t ms, std::string& out) {
  // The shortest decimal that reads back as ms / 1000.0 is that value's exact 3-decimal form
  // with trailing zeros dropped, while a double's spacing there is well under 0.0005: true for
  // any time from 1970 to 2242 (below 2^33 seconds). Anything else takes the general path.
  constexpr int64_t kLimit = (int64_t{1} << 33) * 1000;
  if (ms < 0 || ms >= kLimit) return AppendDouble(static_cast<double>(ms) / 1000.0, out, true);
  AppendInt(ms / 1000, out);
  int frac = static_cast<int>(ms % 1000);
  if (frac == 0) return;
  char digits[4] = {'.', static_cast<char>('0' + frac / 100),
                    static_cast<char>('0' + frac / 10 % 10), static_cast<char>('0' + frac % 10)};
  size_t n = 4;
  while (digits[n - 1] == '0') --n;
  out.append(digits, n);
}

void AppendBlob(std::string_view bytes, std::string& out) {
  out += '"';
  blob_base64::AppendEncoded(bytes, out);
  out += '"';
}

}  // namespace tidepool::protocol::json_text
