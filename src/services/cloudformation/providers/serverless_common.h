// What the serverless providers (serverless_*.cc) share: a provider built from a declarative
// description of its type (the properties it honours, those whose change needs a replacement,
// its create/update/delete functions), and small helpers for reading properties and waiting.
//
// A property a description does not list is refused when a resource is created or updated
// ("Property X of AWS::T::Y is not supported by tidepool"), so that nothing a template asks for
// is dropped silently.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "services/cloudformation/provider.h"

namespace tidepool::cloudformation::serverless {

using CreateFn = Result<ResourceState> (*)(ServiceCaller&, const ResourceRequest&);
using DeleteFn = Status (*)(ServiceCaller&, const ResourceRequest&);

// One type's behaviour. `update` null: every change of a property replaces the resource.
struct TypeSpec {
  std::string_view type;
  std::span<const std::string_view> properties;  // honoured; any other is refused
  std::span<const std::string_view> replace_on;  // "Update requires: Replacement"
  CreateFn create;
  CreateFn update;
  DeleteFn remove;
};

class SpecProvider : public ResourceProvider {
 public:
  explicit constexpr SpecProvider(const TypeSpec& spec) : spec_(spec) {}
  bool RequiresReplacement(const boost::json::object& before,
                           const boost::json::object& after) const override;
  Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const override;
  Result<ResourceState> Update(ServiceCaller& services, const ResourceRequest& r) const override;
  Status Delete(ServiceCaller& services, const ResourceRequest& r) const override;

 private:
  const TypeSpec& spec_;
};

// InvalidArgument naming the first property of `properties` not in `honoured`.
Status CheckProperties(std::string_view type, const boost::json::object& properties,
                       std::span<const std::string_view> honoured);
// InvalidArgument: "Property <name> of <type> is not supported by tidepool<why>".
Status Unsupported(std::string_view type, std::string_view name, std::string_view why = "");
// InvalidArgument: "Property <name> of <type> is required".
Status Missing(std::string_view type, std::string_view name);

// The string member `key` of `o` ("" when absent or not a string); numbers are written out, as
// CloudFormation passes every scalar through templates as text or numbers interchangeably.
std::string Str(const boost::json::object& o, std::string_view key);
// Whether the member `key` differs between `a` and `b` (absence included).
bool Changed(const boost::json::object& a, const boost::json::object& b, std::string_view key);
// Copies the members `keys` of `from` that are present into `to`.
void CopyMembers(const boost::json::object& from, boost::json::object& to,
                 std::initializer_list<std::string_view> keys);
// A template's integer property (numbers or their text, as templates give them).
bool IntMember(const boost::json::object& o, std::string_view key, int64_t& out);
// `o` with its member `outer`.`inner` made an integer when it is an integer's text (nested
// numbers such as EphemeralStorage.Size, ScalingConfig.MaximumConcurrency).
void NestedIntMember(boost::json::object& o, std::string_view outer, std::string_view inner);
// CloudFormation's boolean properties arrive as true/false or "true"/"false".
bool BoolMember(const boost::json::object& o, std::string_view key, bool fallback);
// A template's Tags list [{"Key":k,"Value":v}] as a map {k: v} (Lambda, API Gateway); a Tags
// map (AWS::ApiGatewayV2 types) as it is, values as text.
boost::json::object TagMap(const boost::json::value* tags);

// How a service's TagResource/UntagResource name their members.
struct TagOperations {
  std::string_view service;      // "lambda"
  std::string_view arn_member;   // "Resource"
  std::string_view tags_member;  // "Tags"
  std::string_view keys_member;  // "TagKeys"
  bool as_list = false;          // tags as [{"key","value"}] (Step Functions), else a map
};
// Makes the tags of `arn` what the template's Tags say after they were `before`'s: untags the
// keys removed, tags the rest when anything changed.
Status SyncTags(ServiceCaller& services, const TagOperations& ops, const std::string& arn,
                const boost::json::object& props, const boost::json::object& before);
// The template's Tags as Step Functions' [{"key","value"}].
boost::json::array TagList(const boost::json::value* tags);

// A service call's failure, or Ok when the service answered that the resource does not exist
// (…NotFound…, …DoesNotExist): Delete's tolerance of resources already gone.
Status IgnoreNotFound(const Status& s);
Status CallIgnoringNotFound(ServiceCaller& services, std::string_view service,
                            std::string_view operation, boost::json::object input);

// `status` when it is OK; otherwise first undoes a half-made Create with `undo` (best effort:
// the engine knows no physical id for a failed Create, so nothing else would delete it) and
// returns `status`, the failure CloudFormation shows.
Status UndoOnFailure(Status status, const std::function<Status()>& undo);

// Polls `ready` (every `interval`, up to `limit`) until it answers true or fails; the
// providers' wait for a resource AWS's handler waits for. FailedPrecondition when the limit
// passes.
Status WaitUntil(const std::function<Result<bool>()>& ready, std::string_view what,
                 std::chrono::milliseconds limit = std::chrono::seconds(60),
                 std::chrono::milliseconds interval = std::chrono::milliseconds(50));

}  // namespace tidepool::cloudformation::serverless
