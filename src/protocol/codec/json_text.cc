#include "protocol/codec/json_text.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/base64.h"
#include "protocol/codec/swar.h"

namespace tidepool::protocol::json_text {

namespace {

// Whether any of the 8 bytes in `v` is a control byte (< 0x20), '"' or '\\'.
bool NeedsEscape(uint64_t v) {
  return swar::AnyBelow(v, 0x20) || swar::AnyEqual(v, '"') || swar::AnyEqual(v, '\\');
}

// Writes the JSON escape of `c` (a byte that needs one) at `p`; returns the end. At most 6.
char* WriteEscape(unsigned char c, char* p) {
  static constexpr char kHex[] = "0123456789abcdef";
  *p++ = '\\';
  switch (c) {
    case '"':
    case '\\':
      *p++ = static_cast<char>(c);
      return p;
    case '\n':
      *p++ = 'n';
      return p;
    case '\r':
      *p++ = 'r';
      return p;
    case '\t':
      *p++ = 't';
      return p;
    case '\b':
      *p++ = 'b';
      return p;
    case '\f':
      *p++ = 'f';
      return p;
    default:
      std::memcpy(p, "u00", 3);
      p[3] = kHex[c >> 4];
      p[4] = kHex[c & 15];
      return p + 5;
  }
}

bool NeedsEscapeByte(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// How many leading bytes of `s` need no escaping, 8 at a time (a lower bound: it stops at
// the first word holding one).
size_t CleanPrefix(std::string_view s) {
  size_t clean = 0;
  for (uint64_t v; clean + 8 <= s.size(); clean += 8) {
    std::memcpy(&v, s.data() + clean, 8);
    if (NeedsEscape(v)) break;
  }
  return clean;
}

}  // namespace

void AppendString(std::string_view s, std::string& out) {
  const size_t clean = CleanPrefix(s);
  out += '"';
  size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (size_t i = clean; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (!NeedsEscapeByte(c)) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    char escape[6];
    out.append(escape, WriteEscape(c, escape));
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

char* WriteString(std::string_view s, char* p) {
  const size_t clean = CleanPrefix(s);
  *p++ = '"';
  std::memcpy(p, s.data(), clean);
  p += clean;
  for (size_t i = clean; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (NeedsEscapeByte(c)) {
      p = WriteEscape(c, p);
    } else {
      *p++ = static_cast<char>(c);
    }
  }
  *p++ = '"';
  return p;
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

char* WriteEpochMillis(int64_t ms, char* p) {
  // The shortest decimal that reads back as ms / 1000.0 is that value's exact 3-decimal form
  // with trailing zeros dropped, while a double's spacing there is well under 0.0005: true for
  // any time from 1970 to 2242 (below 2^33 seconds). Anything else takes the general path.
  constexpr int64_t kLimit = (int64_t{1} << 33) * 1000;
  if (ms < 0 || ms >= kLimit) {
    std::string general;
    AppendDouble(static_cast<double>(ms) / 1000.0, general, true);  // |ms/1000| < 1e16: short
    std::memcpy(p, general.data(), general.size());
    return p + general.size();
  }
  p = std::to_chars(p, p + 20, ms / 1000).ptr;
  int frac = static_cast<int>(ms % 1000);
  if (frac == 0) return p;
  char digits[4] = {'.', static_cast<char>('0' + frac / 100),
                    static_cast<char>('0' + frac / 10 % 10), static_cast<char>('0' + frac % 10)};
  size_t n = 4;
  while (digits[n - 1] == '0') --n;
  std::memcpy(p, digits, n);
  return p + n;
}

void AppendEpochMillis(int64_t ms, std::string& out) {
  char buf[kMaxEpochMillisChars];
  out.append(buf, WriteEpochMillis(ms, buf));
}

void AppendBlob(std::string_view bytes, std::string& out) {
  out += '"';
  AppendBase64(bytes, out);
  out += '"';
}

}  // namespace tidepool::protocol::json_text
