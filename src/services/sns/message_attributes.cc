#include "services/sns/message_attributes.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdlib>

#include "services/sns/sns_errors.h"

namespace tidepool::sns {
namespace json = boost::json;

namespace {

Status ValueInvalid(std::string message) {
  return SnsStatus(SnsError::kInvalidParameterValue, std::move(message));
}

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

Status CheckName(std::string_view name) {
  if (name.size() > 256) {
    return ValueInvalid("Length of message attribute name must be less than 256 bytes.");
  }
  if (name.empty()) return ValueInvalid("The message attribute name can not be empty.");
  if (name.front() == '.') {
    return ValueInvalid("Invalid message attribute name starting with character '.' was found.");
  }
  if (name.back() == '.') {
    return ValueInvalid("Invalid message attribute name ending with character '.' was found.");
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!NameChar(c)) {
      return ValueInvalid(fmt::format(
          "Invalid non-alphanumeric character '#x{:X}' was found in the message attribute name. "
          "Can only include alphanumeric characters, hyphens, underscores, or dots.",
          static_cast<unsigned char>(c)));
    }
    if (c == '.' && i > 0 && name[i - 1] == '.') {
      return ValueInvalid("Message attribute name can not have successive '.' character.");
    }
  }
  return Status::Ok();
}

bool ValidType(std::string_view t) {
  for (std::string_view base : {"String", "Number", "Binary"}) {
    if (t == base) return true;
    if (t.size() > base.size() + 1 && t.starts_with(base) && t[base.size()] == '.') return true;
  }
  return false;
}

}  // namespace

Result<std::vector<DeliveryAttribute>> ParseMessageAttributes(const json::object* attributes,
                                                              size_t batch_position) {
  std::vector<DeliveryAttribute> out;
  if (!attributes) return out;
  for (const auto& [name_key, value] : *attributes) {
    const std::string_view name = name_key;
    TP_RETURN_IF_ERROR(CheckName(name));
    const json::object* attr = value.if_object();
    const json::value* type_v = attr ? attr->if_contains("DataType") : nullptr;
    if (!type_v || !type_v->is_string()) {
      const std::string at =
          batch_position > 0
              ? fmt::format(
                    "publishBatchRequestEntries.{}.member.messageAttributes.{}.member."
                    "dataType",
                    batch_position, name)
              : fmt::format("messageAttributes.{}.member.dataType", name);
      return SnsStatus(SnsError::kValidationError,
                       fmt::format("1 validation error detected: Value null at '{}' failed to "
                                   "satisfy constraint: Member must not be null",
                                   at));
    }
    const std::string_view type = type_v->get_string();
    if (!ValidType(type)) {
      return ValueInvalid(
          fmt::format("The message attribute '{}' has an invalid message attribute type, the set "
                      "of supported type prefixes is Binary, Number, and String.",
                      name));
    }
    const json::value* sv = attr->if_contains("StringValue");
    const json::value* bv = attr->if_contains("BinaryValue");
    if (!sv && !bv) {
      return ValueInvalid(fmt::format(
          "The message attribute '{}' must contain non-empty message attribute value for message "
          "attribute type '{}'.",
          name, type));
    }
    const bool binary = type.starts_with("Binary");
    const json::value* v = binary ? bv : sv;
    if (!v || !v->is_string()) {
      return ValueInvalid(
          fmt::format("The message attribute '{}' with type '{}' must use field '{}'.", name, type,
                      binary ? "Binary" : "String"));
    }
    const std::string_view text = v->get_string();
    if (text.empty()) {
      return ValueInvalid(fmt::format(
          "The message attribute '{}' must contain non-empty message attribute value for message "
          "attribute type '{}'.",
          name, type));
    }
    if (type.starts_with("Number")) {
      const std::string s(text);
      char* end = nullptr;
      std::strtod(s.c_str(), &end);
      if (end == s.c_str() || *end != '\0') {
        return ValueInvalid(
            fmt::format("Could not cast message attribute '{}' value to number.", name));
      }
    }
    out.push_back({std::string(name), std::string(type), std::string(text), binary});
  }
  std::sort(out.begin(), out.end(),
            [](const DeliveryAttribute& a, const DeliveryAttribute& b) { return a.name < b.name; });
  return out;
}

size_t AttributesSize(const std::vector<DeliveryAttribute>& attributes) {
  size_t n = 0;
  for (const auto& a : attributes) n += a.name.size() + a.data_type.size() + a.value.size();
  return n;
}

}  // namespace tidepool::sns
