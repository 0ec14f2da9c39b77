// The stored documents of the API Gateway keyspace (keyspace.h) and the helpers that read and
// shape them. Every record is a JSON object; the objects inside it are the model's output
// shapes as the management API returns them (RestApi, Resource, Method, Integration, Stage,
// Deployment, ApiKey, UsagePlan), so a Get replies the stored object as it is.
//
//   RestApiRecord    {"account","region","api": RestApi, "resources": {id: Resource},
//                     "stages": {name: Stage}, "authorizers": {id: Authorizer},
//                     "models": {name: Model}, "requestValidators": {id: RequestValidator},
//                     "gatewayResponses": {responseType: GatewayResponse (customized)}}
//   DeploymentRecord {"deployment": Deployment, "resources": {id: Resource},
//                     "authorizers", "models", "requestValidators", "gatewayResponses"}
//                    (the snapshot)
//   ApiKeyRecord     {"account","region","key": ApiKey (with its value)}
//   UsagePlanRecord  {"account","region","plan": UsagePlan, "keys": [key id...]}
//   UsageRecord      {"period": quota period index, "used": requests in it,
//                     "days": {"YYYY-MM-DD": requests}}
//
// New optional members need no format change; a record that does not decode is skipped by
// recovery.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/apigateway/apigateway_service.h"

namespace tidepool::apigateway {

std::string EncodeRecord(const boost::json::object& doc);
// Corruption when `bytes` is not a JSON object.
Result<boost::json::object> DecodeRecord(std::string_view bytes);

// The string member `key` of `o` ("" when absent or not a string).
std::string StringField(const boost::json::object& o, std::string_view key);
// The object member `key` of `o`, created (replacing a non-object) when absent.
boost::json::object& ObjectField(boost::json::object& o, std::string_view key);
// The object member `key` of `o`, or nullptr.
const boost::json::object* FindObject(const boost::json::object& o, std::string_view key);
boost::json::object* FindObject(boost::json::object& o, std::string_view key);

// Whether a record ({"account","region",...}) belongs to the caller's account and region.
bool OwnedByCaller(const boost::json::object& record, const protocol::Call& call);

// Copies the members of `input` named in `names` into `out` (those present).
void CopyMembers(const boost::json::object& input, std::initializer_list<std::string_view> names,
                 boost::json::object& out);

// A page of `items` as API Gateway pages lists: `limit` (default 25, at most 500) items from
// `position` (an opaque offset); sets "items" (or `list_name`) and "position" in `out` when
// more remain.
Status PageInto(const boost::json::object& input, std::vector<boost::json::value> items,
                boost::json::object& out, std::string_view list_name = "items");

// The checks of method_ops.cc, shared with the OpenAPI importer: what the invoke path does not
// honour is refused (BadRequest), templates must parse. `doc` is the RestApiRecord.
Status CheckMethodSupported(const boost::json::object& method, const boost::json::object& doc);
Status CheckTemplates(const boost::json::object& o, std::string_view member);
Status CheckIntegrationSupported(const boost::json::object& integration, int max_timeout_ms);

// The method of `doc` (a RestApiRecord) that `uses` picks, as "<VERB>:<path>"; nullopt when
// none does (model_ops.cc refuses to delete what a method refers to).
std::optional<std::string> MethodReferencing(
    const boost::json::object& doc, const std::function<bool(const boost::json::object&)>& uses);

// Adds the tags `given` (a tags input member; nullptr: none) to `tags`, checking each as AWS
// does (keys of 1-128 characters not starting with "aws:", values up to 256) and the total
// (at most 50); BadRequest otherwise (`tags` may then be partly changed). tag_ops.cc.
Status AddTags(const boost::json::object* given, boost::json::object& tags);

// The models API Gateway gives every new API: Empty and Error (model_ops.cc).
boost::json::object DefaultModels();

// A UsageRecord of `count`, and back (missing members read as none).
std::string EncodeUsage(const UsageCount& count);
UsageCount DecodeUsage(const boost::json::object& record);

// The deployment a DeploymentRecord describes, with its routes compiled.
DeploymentPtr BuildDeployment(const std::string& id, const boost::json::object& doc);

// The resources of `doc` (a RestApiRecord) with each path recomputed from parents and path
// parts; BadRequest for a cycle or a missing parent.
Status RecomputePaths(boost::json::object& resources);

}  // namespace tidepool::apigateway
