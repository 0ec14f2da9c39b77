// Reading the members of a CloudFormation request's decoded input (protocol/service.h value
// conventions). Header-only helpers shared by the service's handler files.
#pragma once

#include <boost/json/object.hpp>

#include <fmt/format.h>

#include <map>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "services/cloudformation/parameters.h"

namespace tidepool::cloudformation {

inline std::string InputString(const boost::json::object& in, std::string_view key) {
  const boost::json::value* v = in.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

inline bool InputBool(const boost::json::object& in, std::string_view key) {
  const boost::json::value* v = in.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

inline std::vector<std::string> InputStrings(const boost::json::object& in, std::string_view key) {
  std::vector<std::string> out;
  const boost::json::value* v = in.if_contains(key);
  if (v && v->is_array()) {
    for (const auto& e : v->get_array()) {
      if (e.is_string()) out.emplace_back(e.get_string());
    }
  }
  return out;
}

// Parameters: [{ParameterKey, ParameterValue, UsePreviousValue}] by key.
inline std::map<std::string, GivenParameter> InputParameters(const boost::json::object& in) {
  std::map<std::string, GivenParameter> out;
  const boost::json::value* v = in.if_contains("Parameters");
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& e : v->get_array()) {
    if (!e.is_object()) continue;
    const auto& p = e.get_object();
    GivenParameter g;
    if (p.contains("ParameterValue")) g.value = InputString(p, "ParameterValue");
    g.use_previous = InputBool(p, "UsePreviousValue");
    out[InputString(p, "ParameterKey")] = std::move(g);
  }
  return out;
}

// A stack or change set name (`member` as AWS names it: "stackName", "changeSetName").
inline Status CheckName(const std::string& name, std::string_view member) {
  static const std::regex kPattern("[a-zA-Z][-a-zA-Z0-9]*");
  if (name.size() > 128 || !std::regex_match(name, kPattern)) {
    return Status::InvalidArgument(
        fmt::format("1 validation error detected: Value '{}' at '{}' failed to satisfy constraint: "
                    "Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*",
                    name, member));
  }
  return Status::Ok();
}

}  // namespace tidepool::cloudformation
