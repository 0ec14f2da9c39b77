// Resource providers: how the deployment engine creates, updates and deletes one resource of a
// type (AWS::SQS::Queue, AWS::Lambda::Function, ...) through the services' own operations, the
// way CloudFormation's resource handlers call the AWS APIs.
//
// Contract with the engine:
// - Providers are stateless; one instance per type serves every stack. The engine calls them
//   only on its deployment thread, and a provider may block there (service calls block; a
//   provider that waits for a resource to stabilise, such as a table becoming ACTIVE, polls).
// - Create returns the resource's state: its physical id (what Ref gives) and its attributes
//   (what Fn::GetAtt gives, by attribute name as the type documents it: "Arn", "QueueName").
//   The engine stores the state durably with the stack and hands it back on Update and Delete.
// - Update is called only when RequiresReplacement says no; otherwise the engine creates the
//   replacement first and deletes the old resource after the stack update succeeds (as AWS
//   does).
// - Delete of a resource that no longer exists succeeds.
// - Delete with an empty physical_id (and the name_suffix, request token and properties of the
//   create), only on a provider whose DeletesByName: a create the process died during, whose
//   outcome was never saved. The provider deletes the resource by the name the create gave it
//   (its name property, or GeneratedName with the same suffix); one that is not there succeeds.
// - Failures are Status values whose message is the handler's message as CloudFormation shows
//   it in the event's ResourceStatusReason (ServiceFailure builds one from a service's error);
//   the StatusCode picks the HandlerErrorCode (HandlerErrorCode below).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/result.h"

namespace tidepool::cloudformation {

// A service's error answer: AWS's code, message and HTTP status.
struct ServiceError {
  std::string code;
  std::string message;
  int http_status = 400;
};

// The calls providers make. The engine's implementation reaches this process's services
// in-process and blocks until they answer.
class ServiceCaller {
 public:
  virtual ~ServiceCaller() = default;

  // Calls `operation` of `service`, named as the SDKs' endpoint prefix: "sqs", "sns",
  // "kinesis", "dynamodb", "s3", "lambda", "states", "apigateway", "apigatewayv2" (HTTP APIs),
  // "logs", "iam". `input` is the operation's decoded input: every member under its model name
  // wherever the protocol binds it (REST URI labels, headers and query members included), blob
  // members as their raw bytes, a blob payload (S3 PutObject's Body) as its bytes. The answer
  // is the decoded output in the same form (a streamed payload read as text), or the service's
  // error (an unknown service or operation, or an input the model rejects, included).
  virtual std::variant<boost::json::object, ServiceError> Call(std::string_view service,
                                                               std::string_view operation,
                                                               boost::json::object input) = 0;
};

// One resource as the engine hands it to a provider.
struct ResourceRequest {
  std::string logical_id;
  std::string type;
  std::string stack_name;
  std::string stack_id;
  std::string account_id;
  std::string region;
  // The resource's Properties, every intrinsic evaluated (AWS::NoValue members removed).
  boost::json::object properties;
  // Update: the properties last applied. Empty on Create.
  boost::json::object previous_properties;
  // Update and Delete: the state Create (or the last Update) returned.
  std::string physical_id;
  boost::json::object attributes;
  // A token that is the same across retries of one operation on this resource (AWS's
  // ClientRequestToken / RequestToken), for idempotent creates.
  std::string request_token;
  // The random part of GeneratedName, chosen by the engine and saved before Create runs so that
  // the name is known if the create is interrupted. Empty: GeneratedName draws one.
  std::string name_suffix;
};

// What a provider returns for a resource it created or updated.
struct ResourceState {
  std::string physical_id;         // Ref
  boost::json::object attributes;  // Fn::GetAtt, by attribute name
};

class ResourceProvider {
 public:
  virtual ~ResourceProvider() = default;

  // Whether going from `before` to `after` needs a new resource: a property the type documents
  // as "Update requires: Replacement" changed (a name, a key schema, ...).
  virtual bool RequiresReplacement(const boost::json::object& before,
                                   const boost::json::object& after) const = 0;
  virtual Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const = 0;
  // In place: `r.properties` are the new properties; the returned state replaces the stored
  // one (the physical id stays the same).
  virtual Result<ResourceState> Update(ServiceCaller& services, const ResourceRequest& r) const = 0;
  virtual Status Delete(ServiceCaller& services, const ResourceRequest& r) const = 0;
  // Whether Delete finds a resource whose create was interrupted by its name (the contract
  // above); the engine does not call Delete without a physical id on the others.
  virtual bool DeletesByName() const { return false; }
};

// A resource type the engine can deploy.
struct ProviderEntry {
  std::string_view type;  // "AWS::SQS::Queue"
  const ResourceProvider* provider;
  // The attributes Fn::GetAtt may name (checked when a template is validated).
  std::span<const std::string_view> attributes;
};

// The provider of `type`; nullptr for a type tidepool does not deploy (the engine refuses the
// template: "Template format error: Unrecognized resource types: [...]").
const ProviderEntry* FindProvider(std::string_view type);
// Every deployable type, sorted by type (GetTemplateSummary, docs).
std::span<const ProviderEntry> AllProviders();

// The name CloudFormation gives a resource whose name property is absent:
// "<stack>-<logical id>-<13 random upper-case letters and digits>", the stack and logical id
// parts shortened so the whole fits `max_length`. `lower_case` for types whose names must be
// lower case (S3 buckets). The suffix is `r.name_suffix` when set, so the same request always
// gives the same name.
std::string GeneratedName(const ResourceRequest& r, size_t max_length, bool lower_case = false);
// A fresh random suffix for GeneratedName (13 upper-case letters and digits).
std::string NewNameSuffix();

// A service's error as a provider failure: the message is the service's, the StatusCode follows
// its code (…NotFound… → kNotFound, …AlreadyExists…/ResourceInUse/ResourceConflict →
// kAlreadyExists, Validation…/InvalidParameter… → kInvalidArgument, Throttling/TooManyRequests
// → kResourceExhausted, anything else kInternal).
Status ServiceFailure(const ServiceError& e);

// CloudFormation's HandlerErrorCode for a provider failure's StatusCode: NotFound,
// AlreadyExists, InvalidRequest, Throttling, GeneralServiceException.
std::string_view HandlerErrorCode(const Status& s);

// Calls `operation` and returns its output, or ServiceFailure of its error.
Result<boost::json::object> CallOrFail(ServiceCaller& services, std::string_view service,
                                       std::string_view operation, boost::json::object input);

}  // namespace tidepool::cloudformation
