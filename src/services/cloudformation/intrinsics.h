// Evaluation of a template's intrinsic functions and conditions, against a stack's parameter
// values, pseudo parameters and the resources created so far.
//
// Functions: Ref (parameters, pseudo parameters, resources), Fn::GetAtt (list or "A.B" form,
// the attribute may be a Ref), Fn::Sub (both forms, `${!Literal}`), Fn::Join, Fn::Select,
// Fn::Split, Fn::If, Fn::FindInMap (with the AWS::LanguageExtensions DefaultValue), Fn::Base64,
// Fn::GetAZs, Fn::ImportValue, Fn::Cidr (IPv4); in Conditions Fn::Equals, Fn::And, Fn::Or,
// Fn::Not and Condition; with the AWS::LanguageExtensions transform Fn::Length and
// Fn::ToJsonString. Fn::Transform (macros) and Fn::ForEach are refused.
//
// AWS::NoValue evaluates to "no value": an object member or list element that is no value is
// removed, as CloudFormation removes it.
//
// Errors are InvalidArgument with AWS's texts ("Template error: ..."). Thread-compatible: an
// Evaluator is used by one thread at a time.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "services/cloudformation/parameters.h"
#include "services/cloudformation/template.h"

namespace tidepool::cloudformation {

// The stack's pseudo parameters.
struct StackContext {
  std::string account_id = "000000000000";
  std::string region = "us-east-1";
  std::string stack_name;
  std::string stack_id;
  std::string partition = "aws";
  std::string url_suffix = "amazonaws.com";
  std::vector<std::string> notification_arns;
};

// What references to resources resolve to; the stack engine answers for the resources it has
// created (or, for a change set's preview, with placeholders).
class ResourceResolver {
 public:
  virtual ~ResourceResolver() = default;
  // What Ref of resource `logical_id` gives (usually its physical id).
  virtual Result<boost::json::value> Ref(const std::string& logical_id) const = 0;
  virtual Result<boost::json::value> GetAtt(const std::string& logical_id,
                                            const std::string& attribute) const = 0;
  // The value of the export `name` of any stack of the account and region.
  virtual Result<boost::json::value> ImportValue(const std::string& name) const = 0;
};

// An evaluated value; nullopt is AWS::NoValue.
using MaybeValue = std::optional<boost::json::value>;

class Evaluator {
 public:
  // `t` and `parameters` must outlive the evaluator. Evaluates every condition of the template
  // (see ok()).
  Evaluator(const Template& t, const ParameterValues& parameters, StackContext context);

  // The Conditions block's evaluation: an error when a condition is malformed or circular.
  const Status& conditions_status() const { return conditions_status_; }
  // The value of condition `name` (false for an unknown name; the template check reports it).
  bool Condition(const std::string& name) const;
  const std::map<std::string, bool>& conditions() const { return condition_values_; }
  // Whether resource (or output) with condition `name` exists: true for an empty name.
  bool Active(const std::string& condition) const {
    return condition.empty() || Condition(condition);
  }

  // Resources are resolved through `resolver` (null: any resource reference is an error).
  void set_resolver(const ResourceResolver* resolver) { resolver_ = resolver; }

  Result<MaybeValue> Evaluate(const boost::json::value& v) const;
  // A resource's Properties, evaluated (an empty object when it has none).
  Result<boost::json::object> Properties(const Resource& r) const;

 private:
  Result<MaybeValue> Call(std::string_view fn, const boost::json::value& arg,
                          bool in_condition) const;
  Result<MaybeValue> Eval(const boost::json::value& v, bool in_condition) const;
  Result<MaybeValue> RefOf(const std::string& name, bool in_condition) const;
  Result<MaybeValue> GetAtt(const boost::json::value& arg, bool in_condition) const;
  Result<MaybeValue> Sub(const boost::json::value& arg, bool in_condition) const;
  Result<MaybeValue> FindInMap(const boost::json::value& arg, bool in_condition) const;
  Result<bool> ConditionValue(const std::string& name) const;
  Result<bool> BoolOf(const boost::json::value& v) const;
  Result<std::string> StringArg(const boost::json::value& v, std::string_view fn,
                                bool in_condition) const;
  Result<boost::json::array> ListArg(const boost::json::value& v, std::string_view fn,
                                     bool in_condition) const;

  const Template& template_;
  const ParameterValues& parameters_;
  const StackContext context_;
  const ResourceResolver* resolver_ = nullptr;
  Status conditions_status_;
  mutable std::map<std::string, bool> condition_values_;  // filled as conditions evaluate
  mutable std::set<std::string> evaluating_;  // conditions being evaluated (cycle check)
};

// The text of a scalar as CloudFormation compares and joins it (strings as they are, numbers
// and booleans as YAML writes them); nullopt for objects, arrays and null.
std::optional<std::string> ScalarText(const boost::json::value& v);

}  // namespace tidepool::cloudformation
