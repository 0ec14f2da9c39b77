// A CloudFormation template: parsed (JSON or YAML with the short-form tags) and checked for
// the structure AWS checks before it creates anything (ValidateTemplate, CreateStack,
// CreateChangeSet). The engine that evaluates it is intrinsics.h; the order of creation is
// dependencies.h; parameter values are parameters.h.
//
// Errors are InvalidArgument with AWS's ValidationError texts ("Template format error: ...").
// Pure and thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tidepool::cloudformation {

// AWS's limit on a template body passed inline (TemplateBody); TemplateURL allows 1 MB.
inline constexpr size_t kMaxTemplateBodyBytes = 51'200;
inline constexpr size_t kMaxTemplateUrlBytes = 1'000'000;
inline constexpr size_t kMaxResources = 500;
inline constexpr size_t kMaxParameters = 200;
inline constexpr size_t kMaxOutputs = 200;

struct Resource {
  std::string logical_id;
  std::string type;                        // "AWS::SQS::Queue"
  boost::json::value properties;           // an object, or null when absent
  std::vector<std::string> depends_on;     // DependsOn, as written
  std::string condition;                   // Condition, empty for none
  std::string deletion_policy = "Delete";  // Delete | Retain | Snapshot | RetainExceptOnCreate
  std::string update_replace_policy = "Delete";
  boost::json::value metadata;  // Metadata, null when absent
};

struct Output {
  std::string logical_id;
  boost::json::value value;
  std::string description;
  boost::json::value export_name;  // Export.Name (may be an intrinsic), null when absent
  std::string condition;
};

struct Template {
  std::string format_version;  // AWSTemplateFormatVersion, empty when absent
  std::string description;
  std::vector<std::string> transforms;  // Transform, as a list
  boost::json::object metadata;
  boost::json::object parameters;  // declarations, by name (see parameters.h)
  boost::json::object mappings;
  boost::json::object conditions;
  std::vector<Resource> resources;  // in the template's order
  std::vector<Output> outputs;
  boost::json::object original;  // the whole document (GetTemplate, a transform's input)

  const Resource* FindResource(std::string_view logical_id) const;
  bool HasTransform(std::string_view name) const;
};

// Parses a template body: JSON when it starts with '{' (after white space), YAML otherwise.
Result<boost::json::value> ParseTemplateBody(std::string_view body);

// Checks the structure of a parsed document and returns it as a Template. Does not resolve
// references (dependencies.h does, against the resources and parameters found here).
Result<Template> ReadTemplate(boost::json::value document);

// ParseTemplateBody then ReadTemplate.
Result<Template> ParseTemplate(std::string_view body);

// A template error, with AWS's prefix: "Template format error: <message>".
Status TemplateFormatError(std::string_view message);
// A template evaluation error: "Template error: <message>".
Status TemplateError(std::string_view message);

}  // namespace tidepool::cloudformation
