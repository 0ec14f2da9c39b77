#include "protocol/codec/yaml_scalar.h"

#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace tidepool::protocol::yaml {
namespace json = boost::json;
namespace {

bool AllDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                               : (c >= '0' && c < static_cast<char>('0' + base));
    if (!ok) return false;
  }
  return true;
}

// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool IsDecimalFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!AllDigits(s.substr(i), 10)) return false;
    return true;
  }
  return i == s.size();
}

json::value Integer(std::string_view digits, int base, bool negative, std::string_view text) {
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return json::value(std::strtod(std::string(text).c_str(), nullptr));
  }
  if (!negative) {
    if (magnitude <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(magnitude);
    return magnitude;
  }
  if (magnitude <= static_cast<uint64_t>(INT64_MAX) + 1) {
    return static_cast<int64_t>(0 - magnitude);
  }
  return json::value(-static_cast<double>(magnitude));
}

}  // namespace

json::value ResolvePlainScalar(std::string_view text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (text.starts_with("0x") && AllDigits(text.substr(2), 16)) {
    return Integer(text.substr(2), 16, false, text);
  }
  if (text.starts_with("0o") && AllDigits(text.substr(2), 8)) {
    return Integer(text.substr(2), 8, false, text);
  }
  std::string_view unsigned_part = text;
  const bool negative = text[0] == '-';
  if (text[0] == '-' || text[0] == '+') unsigned_part.remove_prefix(1);
  if (AllDigits(unsigned_part, 10)) return Integer(unsigned_part, 10, negative, text);
  if (IsDecimalFloat(text)) {
    double d = std::strtod(std::string(text).c_str(), nullptr);
    if (std::isfinite(d)) return json::value(d);  // "1e999" stays text, as JSON has no inf
  }
  return json::value(text);
}

}  // namespace tidepool::protocol::yaml
