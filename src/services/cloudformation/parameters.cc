#include "services/cloudformation/parameters.h"

#include <re2/re2.h>

#include <boost/json/serialize.hpp>

#include <charconv>
#include <cstdlib>
#include <vector>

namespace tidepool::cloudformation {

namespace json = boost::json;

namespace {

// A declaration's attribute as text (numbers and booleans written as YAML gives them).
std::optional<std::string> Text(const json::object& decl, std::string_view key) {
  const json::value* v = decl.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "true" : "false";
  return json::serialize(*v);
}

std::optional<double> Number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string copy(s);
  char* end = nullptr;
  double d = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  return d;
}

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool KnownType(std::string_view type) {
  if (type == "String" || type == "Number" || type == "List<Number>" ||
      type == "CommaDelimitedList" || type == "AWS::SSM::Parameter::Name")
    return true;
  if (type.starts_with("AWS::EC2::") || type.starts_with("AWS::Route53::")) return true;
  if (type.starts_with("List<AWS::EC2::") || type.starts_with("List<AWS::Route53::")) return true;
  return false;
}

Status Violation(const std::string& name, const json::object& decl, const std::string& what) {
  if (auto c = Text(decl, "ConstraintDescription"); c.has_value())
    return Status::InvalidArgument("Parameter '" + name + "' failed to satisfy constraint: " + *c);
  return Status::InvalidArgument("Parameter '" + name + "' " + what);
}

// Checks one element (a scalar, or one member of a list) against the declaration.
Status CheckValue(const std::string& name, const json::object& decl, std::string_view type,
                  const std::string& value) {
  const bool numeric = type == "Number" || type == "List<Number>";
  if (numeric && !Number(value).has_value())
    return Status::InvalidArgument("Parameter '" + name + "' must be a number.");
  if (const json::value* allowed = decl.if_contains("AllowedValues");
      allowed != nullptr && allowed->is_array()) {
    bool found = false;
    for (const auto& a : allowed->get_array()) {
      std::string text = a.is_string() ? std::string(a.get_string()) : json::serialize(a);
      if (text == value || (numeric && Number(text) == Number(value))) found = true;
    }
    if (!found) return Violation(name, decl, "must be one of AllowedValues");
  }
  if (auto pattern = Text(decl, "AllowedPattern"); pattern.has_value()) {
    re2::RE2 re(*pattern);
    if (!re.ok())
      return Status::InvalidArgument("Template format error: AllowedPattern of '" + name +
                                     "' is not a valid regular expression");
    if (!re2::RE2::FullMatch(value, re))
      return Violation(name, decl, "must match pattern " + *pattern);
  }
  if (auto min = Text(decl, "MinLength"); min && Number(*min) && value.size() < *Number(*min))
    return Violation(name, decl, "must contain at least " + *min + " characters");
  if (auto max = Text(decl, "MaxLength"); max && Number(*max) && value.size() > *Number(*max))
    return Violation(name, decl, "must contain at most " + *max + " characters");
  if (numeric) {
    const double v = *Number(value);
    if (auto min = Text(decl, "MinValue"); min && Number(*min) && v < *Number(*min))
      return Violation(name, decl, "must be a number not less than " + *min);
    if (auto max = Text(decl, "MaxValue"); max && Number(*max) && v > *Number(*max))
      return Violation(name, decl, "must be a number not greater than " + *max);
  }
  return {};
}

}  // namespace

bool IsListParameterType(std::string_view type) {
  return type == "CommaDelimitedList" || type.starts_with("List<");
}

Result<ParameterValues> ResolveParameters(const Template& t,
                                          const std::map<std::string, GivenParameter>& given,
                                          const std::map<std::string, std::string>& previous) {
  std::string undeclared;
  for (const auto& [name, _] : given) {
    if (!t.parameters.contains(name)) undeclared += (undeclared.empty() ? "" : ", ") + name;
  }
  if (!undeclared.empty())
    return Status::InvalidArgument("Parameters: [" + undeclared + "] do not exist in the template");
  // The declarations first (a template error), then the values.
  for (const auto& [key, d] : t.parameters) {
    const std::string type = Text(d.get_object(), "Type").value_or("");
    if (type.starts_with("AWS::SSM::Parameter::Value<"))
      return Status::InvalidArgument("Parameter '" + std::string(key) + "' has type " + type +
                                     ", which tidepool cannot resolve: it serves no Systems "
                                     "Manager parameters");
    if (!KnownType(type)) return TemplateFormatError("Unrecognized parameter type: " + type);
  }
  ParameterValues out;
  std::string missing;
  for (const auto& [key, d] : t.parameters) {
    const std::string name(key);
    const json::object& decl = d.get_object();
    const std::string type = Text(decl, "Type").value_or("");
    std::optional<std::string> value;
    if (auto g = given.find(name); g != given.end()) {
      if (g->second.use_previous) {
        auto p = previous.find(name);
        if (p == previous.end())
          return Status::InvalidArgument("Invalid input for parameter key " + name +
                                         ". Cannot specify usePreviousValue as true for a "
                                         "parameter key not in the previous template");
        value = p->second;
      } else {
        value = g->second.value;
      }
    }
    if (!value.has_value()) value = Text(decl, "Default");
    if (!value.has_value()) {
      missing += (missing.empty() ? "" : ", ") + name;
      continue;
    }
    if (Text(decl, "NoEcho") == "true") out.no_echo.insert(name);
    out.text[name] = *value;
    if (IsListParameterType(type)) {
      json::array list;
      for (auto& e : SplitCommas(*value)) {
        if (Status s = CheckValue(name, decl, type, e); !s.ok()) return s;
        list.emplace_back(e);
      }
      out.values[name] = std::move(list);
    } else {
      if (Status s = CheckValue(name, decl, type, *value); !s.ok()) return s;
      out.values[name] = *value;
    }
  }
  if (!missing.empty())
    return Status::InvalidArgument("Parameters: [" + missing + "] must have values");
  return out;
}

}  // namespace tidepool::cloudformation
