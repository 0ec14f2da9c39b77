// A stack's parameter values: the values given (CreateStack's Parameters, or an update's, with
// UsePreviousValue) checked against the template's declarations as CloudFormation checks them.
//
// Types: String, Number, List<Number>, CommaDelimitedList, the AWS-specific types
// (AWS::EC2::VPC::Id, List<AWS::EC2::Subnet::Id>, AWS::SSM::Parameter::Name, ...), which are
// strings or lists of strings locally. AWS::SSM::Parameter::Value<...> types are refused:
// tidepool serves no Systems Manager parameters.
//
// Errors are InvalidArgument with AWS's ValidationError texts. Pure and thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/result.h"
#include "services/cloudformation/template.h"

namespace tidepool::cloudformation {

struct GivenParameter {
  std::optional<std::string> value;  // ParameterValue
  bool use_previous = false;         // UsePreviousValue
};

struct ParameterValues {
  // By name: a string for scalar types, an array of strings for list types (what Ref gives).
  boost::json::object values;
  // The value as given or defaulted, as DescribeStacks shows it (lists comma-joined).
  std::map<std::string, std::string> text;
  std::set<std::string> no_echo;  // parameters declared NoEcho: shown as "****"
};

// Resolves every declared parameter from `given` (by name), falling back to the previous
// stack's value for UsePreviousValue and to the declaration's Default. `previous` is empty for
// a new stack.
Result<ParameterValues> ResolveParameters(const Template& t,
                                          const std::map<std::string, GivenParameter>& given,
                                          const std::map<std::string, std::string>& previous = {});

// True when `type` is a list type (its Ref is a list).
bool IsListParameterType(std::string_view type);

}  // namespace tidepool::cloudformation
