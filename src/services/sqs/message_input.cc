#include "services/sqs/message_input.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cstring>

#include "core/encoding.h"
#include "services/sqs/sqs_errors.h"

namespace tidepool::sqs {
namespace json = boost::json;
namespace {

constexpr size_t kMaxAttributes = 10;
constexpr size_t kMaxAttributeName = 256;

bool AllowedCodePoint(uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// Decodes one UTF-8 sequence at *i; false on malformed input.
bool NextCodePoint(std::string_view s, size_t* i, uint32_t* out) {
  const auto b0 = static_cast<uint8_t>(s[*i]);
  int len = 0;
  uint32_t c = 0;
  if (b0 < 0x80) {
    *out = b0;
    ++*i;
    return true;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, c = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, c = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, c = b0 & 0x07;
  } else {
    return false;
  }
  if (*i + len > s.size()) return false;
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<uint8_t>(s[*i + k]);
    if ((b & 0xC0) != 0x80) return false;
    c = (c << 6) | (b & 0x3F);
  }
  *i += len;
  *out = c;
  return true;
}

Status Invalid(std::string message) {
  return SqsStatus(SqsError::kInvalidParameterValue, std::move(message));
}

bool ValidAttributeName(std::string_view name) {
  if (name.empty() || name.size() > kMaxAttributeName) return false;
  if (name.front() == '.' || name.back() == '.') return false;
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.starts_with("aws.") || lower.starts_with("amazon.")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    // Non-ASCII letters (UTF-8 bytes >= 0x80) are accepted, as by AWS's SDK-side checks.
    const auto u = static_cast<unsigned char>(c);
    const bool ok = std::isalnum(u) || u >= 0x80 || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
    if (c == '.' && i > 0 && name[i - 1] == '.') return false;
  }
  return true;
}

// A number as SQS accepts it: optional sign, digits with at most one '.', optional exponent.
bool ValidNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  bool dot = false;
  for (; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      ++digits;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (digits == 0 || digits > 38) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp = 0;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

std::string_view StringMember(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return {};
  return v->get_string();
}

Result<MessageAttribute> ParseOne(std::string_view name, const json::value& value,
                                  std::string_view what) {
  const auto* o = value.if_object();
  if (!o) return Invalid(fmt::format("The {} attribute '{}' is malformed.", what, name));
  MessageAttribute a;
  a.name = std::string(name);
  a.data_type = std::string(StringMember(*o, "DataType"));
  if (a.data_type.empty()) {
    return Invalid(
        fmt::format("The {} attribute '{}' must contain non-empty attribute type.", what, name));
  }
  TP_RETURN_IF_ERROR(CheckMessageCharacters(a.data_type));
  const std::string_view base = std::string_view(a.data_type).substr(0, a.data_type.find('.'));
  const bool has_string = o->contains("StringValue");
  const bool has_binary = o->contains("BinaryValue");
  const auto* slist = o->if_contains("StringListValues");
  const auto* blist = o->if_contains("BinaryListValues");
  const bool has_slist = slist && slist->is_array() && !slist->get_array().empty();
  const bool has_blist = blist && blist->is_array() && !blist->get_array().empty();
  if (has_slist || has_blist) {
    return Invalid(fmt::format(
        "The {} attribute '{}' uses StringListValues or BinaryListValues, which are reserved "
        "for future use.",
        what, name));
  }
  if (base == "String" || base == "Number") {
    if (!has_string || StringMember(*o, "StringValue").empty()) {
      return Invalid(fmt::format(
          "The {} attribute '{}' must contain a non-empty message attribute value for message "
          "attribute type '{}'.",
          what, name, base));
    }
    a.transport = 1;
    a.value = std::string(StringMember(*o, "StringValue"));
    TP_RETURN_IF_ERROR(CheckMessageCharacters(a.value));
    if (base == "Number" && !ValidNumber(a.value)) {
      return Invalid(fmt::format("Can't cast the value of message ({}) attribute '{}' to a number.",
                                 what, name));
    }
  } else if (base == "Binary") {
    if (!has_binary || StringMember(*o, "BinaryValue").empty()) {
      return Invalid(fmt::format(
          "The {} attribute '{}' must contain a non-empty message attribute value for message "
          "attribute type 'Binary'.",
          what, name));
    }
    a.transport = 2;
    a.value = std::string(StringMember(*o, "BinaryValue"));
  } else {
    return Invalid(fmt::format(
        "The type of {} attribute '{}' is invalid. You must use only the following supported "
        "type prefixes: Binary, Number, String.",
        what, name));
  }
  return a;
}

}  // namespace

Status CheckMessageCharacters(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    // Printable ASCII, the common case, needs no decoding: 8 bytes at a time while every byte
    // is in [0x20, 0x80) (no high bit in the bytes nor in the bytes minus 0x20; a byte below
    // 0x20 borrows, which sets its high bit).
    if (i + 8 <= text.size()) {
      constexpr uint64_t kOnes = 0x0101010101010101ULL;
      constexpr uint64_t kHigh = 0x8080808080808080ULL;
      uint64_t v = 0;
      std::memcpy(&v, text.data() + i, 8);
      if ((((v - kOnes * 0x20) | v) & kHigh) == 0) {
        i += 8;
        continue;
      }
    }
    const auto b = static_cast<uint8_t>(text[i]);
    if (b >= 0x20 && b < 0x80) {
      ++i;
      continue;
    }
    uint32_t c = 0;
    if (!NextCodePoint(text, &i, &c) || !AllowedCodePoint(c)) {
      return SqsStatus(SqsError::kInvalidMessageContents,
                       "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | "
                       "#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
    }
  }
  return Status::Ok();
}

Result<MessageAttributes> ParseMessageAttributes(const json::object& map) {
  if (map.size() > kMaxAttributes) {
    return Invalid(
        fmt::format("Number of message attributes [{}] exceeds the allowed maximum [{}].",
                    map.size(), kMaxAttributes));
  }
  MessageAttributes out;
  out.reserve(map.size());
  for (const auto& [key, value] : map) {
    const std::string_view name = key;
    if (!ValidAttributeName(name)) {
      return Invalid(fmt::format("Message (user) attribute name '{}' is invalid.", name));
    }
    TP_ASSIGN_OR_RETURN(MessageAttribute a, ParseOne(name, value, "message (user)"));
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Result<MessageAttributes> ParseSystemAttributes(const json::object& map) {
  MessageAttributes out;
  for (const auto& [key, value] : map) {
    const std::string_view name = key;
    if (name != "AWSTraceHeader") {
      return Invalid(fmt::format("Message system attribute name '{}' is invalid.", name));
    }
    TP_ASSIGN_OR_RETURN(MessageAttribute a, ParseOne(name, value, "message system"));
    if (a.data_type != "String") {
      return Invalid("The message system attribute 'AWSTraceHeader' must be of type String.");
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::string Md5OfAttributes(const MessageAttributes& attributes) {
  std::string buf;
  auto put = [&buf](std::string_view s) {
    const auto n = static_cast<uint32_t>(s.size());
    const char b[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 8), static_cast<char>(n)};
    buf.append(b, 4);
    buf.append(s);
  };
  for (const auto& a : attributes) {
    put(a.name);
    put(a.data_type);
    buf.push_back(static_cast<char>(a.transport));
    if (a.transport <= 2) {
      put(a.value);
    } else {
      for (const auto& v : a.values) put(v);
    }
  }
  return HexEncode(Md5(buf));
}

std::string Md5Hex(std::string_view data) { return HexEncode(Md5(data)); }

MessageAttributes SelectAttributes(const MessageAttributes& all, const json::array* names) {
  MessageAttributes out;
  if (!names || names->empty() || all.empty()) return out;
  for (const auto& a : all) {
    for (const auto& n : *names) {
      if (!n.is_string()) continue;
      const std::string_view want = n.get_string();
      bool match = false;
      if (want == "All" || want == ".*") {
        match = true;
      } else if (want.size() > 2 && want.ends_with(".*")) {
        match = std::string_view(a.name).starts_with(want.substr(0, want.size() - 1));
      } else {
        match = want == a.name;
      }
      if (match) {
        out.push_back(a);
        break;
      }
    }
  }
  return out;
}

}  // namespace tidepool::sqs
