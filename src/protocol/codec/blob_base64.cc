#include "protocol/codec/blob_base64.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "protocol/codec/validate.h"

namespace tidepool::protocol::blob_base64 {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kInvalid = 0xff;
constexpr uint8_t kPad = 0xfe;
constexpr std::string_view kLastCharError =
    "Invalid last non-pad Base64 character dectected";  // sic: AWS's spelling

constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<uint8_t>(i);
  t['='] = kPad;
  return t;
}
constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

std::string Prefix(std::string_view text) {
  std::string m = "'";
  m += text;
  m += "' can not be converted to a Blob: ";
  return m;
}

// The exact error for invalid `text` (length already a multiple of 4), or nullopt when
// `text` is canonical base64 after all.
std::optional<std::string> Diagnose(std::string_view text) {
  // Characters outside the alphabet, or '=' followed by anything but '=', come first.
  for (size_t i = 0; i < text.size(); ++i) {
    uint8_t v = kDecode[static_cast<uint8_t>(text[i])];
    bool bad = v == kInvalid || (v == kPad && i + 1 < text.size() && text[i + 1] != '=');
    if (bad) {
      // The whole UTF-8 sequence of the offending character, as Java prints the char.
      size_t len = 1;
      while (i + len < text.size() && len < 4 &&
             (static_cast<uint8_t>(text[i + len]) & 0xC0) == 0x80 &&
             static_cast<uint8_t>(text[i]) >= 0xC0) {
        ++len;
      }
      return Prefix(text) + "Invalid Base64 character: '" + std::string(text.substr(i, len)) + "'";
    }
  }
  size_t pad = 0;
  while (pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  if (pad > 2) return Prefix(text) + std::string(kLastCharError);
  if (pad > 0 && text.size() >= 4) {
    size_t i = text.size() - 4;
    uint32_t a = kDecode[static_cast<uint8_t>(text[i])];
    uint32_t b = kDecode[static_cast<uint8_t>(text[i + 1])];
    uint32_t c = kDecode[static_cast<uint8_t>(text[i + 2])];
    bool bad =
        a == kPad || b == kPad || (pad == 2 && (b & 0x0f) != 0) || (pad == 1 && (c & 0x03) != 0);
    if (bad) return Prefix(text) + std::string(kLastCharError);
  }
  return std::nullopt;
}

}  // namespace

bool AppendDecoded(std::string_view text, std::string& out) {
  if (text.size() % 4 != 0) return false;
  if (text.empty()) return true;
  const size_t pad = text.back() == '=' ? (text[text.size() - 2] == '=' ? 2 : 1) : 0;
  const size_t start = out.size();
  out.resize(start + text.size() / 4 * 3 - pad);
  const auto* in = reinterpret_cast<const uint8_t*>(text.data());
  char* o = out.data() + start;
  const size_t full = text.size() - (pad > 0 ? 4 : 0);
  uint32_t invalid = 0;  // any lookup >= 64 (outside the alphabet, or '=') sets bits 6-7
  for (size_t i = 0; i < full; i += 4) {
    uint32_t a = kDecode[in[i]], b = kDecode[in[i + 1]], c = kDecode[in[i + 2]],
             d = kDecode[in[i + 3]];
    invalid |= a | b | c | d;
    uint32_t n = a << 18 | b << 12 | c << 6 | d;
    *o++ = static_cast<char>(n >> 16);
    *o++ = static_cast<char>(n >> 8);
    *o++ = static_cast<char>(n);
  }
  if (pad > 0) {
    uint32_t a = kDecode[in[full]], b = kDecode[in[full + 1]];
    uint32_t c = pad == 1 ? kDecode[in[full + 2]] : 0;
    invalid |= a | b | c;
    // Canonical encodings leave the unused low bits of the last character zero.
    if ((pad == 2 && (b & 0x0f) != 0) || (pad == 1 && (c & 0x03) != 0)) invalid |= 0xc0;
    *o++ = static_cast<char>(a << 2 | b >> 4);
    if (pad == 1) *o++ = static_cast<char>((b & 0x0f) << 4 | c >> 2);
  }
  return (invalid & 0xc0) == 0;
}

std::optional<std::string> Decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0) {
    // Java counts UTF-16 code units, not bytes.
    size_t units = validate::Utf16Length(text);
    if (units % 4 != 0) {
      return Prefix(text) + "Base64 encoded length is expected a multiple of 4 bytes but found: " +
             std::to_string(units);
    }
    if (auto err = Diagnose(text)) return err;  // non-ASCII: an invalid character
    return Prefix(text) + std::string(kLastCharError);
  }
  if (AppendDecoded(text, out)) return std::nullopt;
  if (auto err = Diagnose(text)) return err;
  return Prefix(text) + std::string(kLastCharError);  // not canonical in some other way
}

// Every 12-bit group as its two base64 characters: three input bytes take two lookups.
constexpr std::array<std::array<char, 2>, 4096> kPairs = [] {
  std::array<std::array<char, 2>, 4096> t{};
  for (size_t i = 0; i < t.size(); ++i) t[i] = {kAlphabet[i >> 6], kAlphabet[i & 63]};
  return t;
}();

void AppendEncoded(std::string_view bytes, std::string& out) {
  size_t start = out.size();
  out.resize(start + (bytes.size() + 2) / 3 * 4);
  char* p = out.data() + start;
  const auto* in = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = in[i] << 16 | in[i + 1] << 8 | in[i + 2];
    std::memcpy(p, kPairs[n >> 12].data(), 2);
    std::memcpy(p + 2, kPairs[n & 4095].data(), 2);
    p += 4;
  }
  if (i + 1 == bytes.size()) {
    uint32_t n = in[i] << 16;
    *p++ = kAlphabet[n >> 18];
    *p++ = kAlphabet[(n >> 12) & 63];
    *p++ = '=';
    *p++ = '=';
  } else if (i + 2 == bytes.size()) {
    uint32_t n = in[i] << 16 | in[i + 1] << 8;
    *p++ = kAlphabet[n >> 18];
    *p++ = kAlphabet[(n >> 12) & 63];
    *p++ = kAlphabet[(n >> 6) & 63];
    *p++ = '=';
  }
}

}  // namespace tidepool::protocol::blob_base64
