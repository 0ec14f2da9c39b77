// Deleting one setting of an HTTP API's stage or route (DeleteAccessLogSettings,
// DeleteRouteSettings, DeleteRouteRequestParameter) and forgetting a stage's cached Lambda
// authorizer results (ResetAuthorizersCache). A missing stage, route, route setting or
// parameter is NotFoundException, as on AWS.
#include <boost/json.hpp>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/http_api_service.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr std::string_view kNoStage = "Invalid stage identifier specified";

Result<json::object*> FindStage(json::object& doc, const protocol::Call& call) {
  json::object* stage =
      FindObject(ObjectField(doc, "stages"), StringField(call.input(), "StageName"));
  if (stage == nullptr) return NotFound(std::string(kNoStage));
  return stage;
}

// Removes member `key` of the object member `member` of `holder`; NotFound `missing` when
// there is no such entry.
Status EraseEntry(json::object& holder, std::string_view member, std::string_view key,
                  std::string_view missing) {
  json::object* entries = FindObject(holder, member);
  if (entries == nullptr || entries->erase(key) == 0) return NotFound(std::string(missing));
  if (entries->empty()) holder.erase(member);
  return Status::Ok();
}

}  // namespace

void HttpApiService::DeleteAccessLogSettings(CallPtr call) {
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    auto stage = FindStage(doc, *call);
    if (!stage.ok()) return stage.status();
    (*stage)->erase("AccessLogSettings");
    return json::object();
  });
}

void HttpApiService::DeleteRouteSettings(CallPtr call) {
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    auto stage = FindStage(doc, *call);
    if (!stage.ok()) return stage.status();
    std::string key = StringField(call->input(), "RouteKey");
    if (Status s = EraseEntry(**stage, "RouteSettings", key,
                              "Unable to find route settings for route key " + key);
        !s.ok()) {
      return s;
    }
    return json::object();
  });
}

void HttpApiService::DeleteRouteRequestParameter(CallPtr call) {
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    json::object* route =
        FindObject(ObjectField(doc, "routes"), StringField(call->input(), "RouteId"));
    if (route == nullptr) return NotFound("Invalid Route identifier specified");
    std::string key = StringField(call->input(), "RequestParameterKey");
    if (Status s = EraseEntry(*route, "RequestParameters", key,
                              "Invalid request parameter key specified: " + key);
        !s.ok()) {
      return s;
    }
    return json::object();
  });
}

void HttpApiService::ResetAuthorizersCache(CallPtr call) {
  ReadApi(call, [&](HttpApi& api, json::object& doc) -> Result<json::object> {
    auto stage = FindStage(doc, *call);
    if (!stage.ok()) return stage.status();
    auth_cache_.ForgetStage(api.id, StringField(call->input(), "StageName"));
    return json::object();
  });
}

}  // namespace tidepool::apigateway
