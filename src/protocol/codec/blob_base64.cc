#include "protocol/codec/blob_base64.h"

#include <cstdint>

#include "core/base64.h"
#include "protocol/codec/validate.h"

namespace tidepool::protocol::blob_base64 {
namespace {

constexpr std::string_view kLastCharError =
    "Invalid last non-pad Base64 character dectected";  // sic: AWS's spelling

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
    const bool pad = text[i] == '=';
    const bool bad = pad ? i + 1 < text.size() && text[i + 1] != '=' : Base64Value(text[i]) < 0;
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
    const size_t i = text.size() - 4;
    const int a = Base64Value(text[i]);  // -1 for '=' too
    const int b = Base64Value(text[i + 1]);
    const int c = Base64Value(text[i + 2]);
    const bool bad =
        a < 0 || b < 0 || (pad == 2 && (b & 0x0f) != 0) || (pad == 1 && (c & 0x03) != 0);
    if (bad) return Prefix(text) + std::string(kLastCharError);
  }
  return std::nullopt;
}

}  // namespace

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
  if (AppendBase64Decoded(text, out)) return std::nullopt;
  if (auto err = Diagnose(text)) return err;
  return Prefix(text) + std::string(kLastCharError);  // not canonical in some other way
}

}  // namespace tidepool::protocol::blob_base64
