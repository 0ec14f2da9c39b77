#include "protocol/codec/yaml_writer.h"

#include <boost/json.hpp>
#include <cctype>
#include <string_view>

#include "protocol/codec/yaml_scalar.h"

namespace tidepool::protocol::yaml {
namespace json = boost::json;
namespace {

bool IsYaml11Word(std::string_view s) {
  std::string lower;
  for (char c : s) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return lower == "yes" || lower == "no" || lower == "on" || lower == "off" || lower == "y" ||
         lower == "n" || lower == ".inf" || lower == "-.inf" || lower == "+.inf" || lower == ".nan";
}

// Whether `s` written plain would read back as this same string.
bool PlainIsSafe(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ' || s.back() == ':') return false;
  if (s == "<<") return false;  // plain, a mapping key "<<" would read back as a merge key
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos) {
    return false;
  }
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) return false;
  }
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) {
    return false;
  }
  return ResolvePlainScalar(s).is_string() && !IsYaml11Word(s);
}

void Scalar(const json::value& v, std::string& out) {
  if (v.is_string() && PlainIsSafe(v.get_string())) {
    out += v.get_string();
  } else if (v.is_object()) {
    out += "{}";
  } else if (v.is_array()) {
    out += "[]";
  } else {
    out += json::serialize(v);  // null, bools, numbers, and quoted strings as JSON writes them
  }
}

bool IsBlock(const json::value& v) {
  return (v.is_object() && !v.get_object().empty()) || (v.is_array() && !v.get_array().empty());
}

// Writes a non-empty container at `indent`; its first line starts where `out` stands when
// `inline_first` (after "- "), else on a new line's indent.
void Block(const json::value& v, size_t indent, bool inline_first, std::string& out) {
  bool first = true;
  auto pad = [&] {
    if (!(first && inline_first)) out.append(indent, ' ');
    first = false;
  };
  auto value_after = [&](const json::value& item) {
    if (IsBlock(item)) {
      out += '\n';
      Block(item, indent + 2, false, out);
      return;
    }
    out += ' ';
    Scalar(item, out);
    out += '\n';
  };
  if (v.is_object()) {
    for (const auto& member : v.get_object()) {
      pad();
      Scalar(json::value(member.key()), out);
      out += ':';
      value_after(member.value());
    }
    return;
  }
  for (const json::value& item : v.get_array()) {
    pad();
    out += '-';
    if (item.is_object() && !item.get_object().empty()) {
      out += ' ';
      Block(item, indent + 2, true, out);
    } else {
      value_after(item);
    }
  }
}

}  // namespace

std::string WriteYaml(const json::value& value) {
  std::string out;
  if (!IsBlock(value)) {
    Scalar(value, out);
    out += '\n';
    return out;
  }
  Block(value, 0, false, out);
  return out;
}

}  // namespace tidepool::protocol::yaml
