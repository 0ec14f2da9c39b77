// HTTP APIs' management API: APIs (quick create), routes, integrations, stages, deployments.
// Update* calls carry the new member values (no patch operations in apigatewayv2).
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <array>

#include "protocol/model/models.h"
#include "services/apigateway/access_log.h"
#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/http_api_cors.h"
#include "services/apigateway/http_api_service.h"
#include "services/apigateway/http_exchange.h"
#include "services/apigateway/integration_uri.h"
#include "services/apigateway/keyspace.h"
#include "services/apigateway/records.h"
#include "services/write_path.h"
#include "storage/key_codec.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

struct HttpApiServiceTable {
  struct Entry {
    std::string_view operation;
    HttpApiService::Handler handler;
  };
  using S = HttpApiService;
  static constexpr std::array<Entry, 56> kEntries{{
      {"CreateApi", &S::CreateApi},
      {"CreateApiMapping", &S::CreateApiMapping},
      {"CreateAuthorizer", &S::CreateAuthorizer},
      {"CreateDeployment", &S::CreateDeployment},
      {"CreateDomainName", &S::CreateDomainName},
      {"CreateIntegration", &S::CreateIntegration},
      {"CreateRoute", &S::CreateRoute},
      {"CreateStage", &S::CreateStage},
      {"CreateVpcLink", &S::CreateVpcLink},
      {"DeleteAccessLogSettings", &S::DeleteAccessLogSettings},
      {"DeleteApi", &S::DeleteApi},
      {"DeleteApiMapping", &S::DeleteApiMapping},
      {"DeleteAuthorizer", &S::DeleteAuthorizer},
      {"DeleteCorsConfiguration", &S::DeleteCorsConfiguration},
      {"DeleteDeployment", &S::DeleteDeployment},
      {"DeleteDomainName", &S::DeleteDomainName},
      {"DeleteIntegration", &S::DeleteIntegration},
      {"DeleteRoute", &S::DeleteRoute},
      {"DeleteRouteRequestParameter", &S::DeleteRouteRequestParameter},
      {"DeleteRouteSettings", &S::DeleteRouteSettings},
      {"DeleteStage", &S::DeleteStage},
      {"DeleteVpcLink", &S::DeleteVpcLink},
      {"ExportApi", &S::ExportApi},
      {"GetApi", &S::GetApi},
      {"GetApiMapping", &S::GetApiMapping},
      {"GetApiMappings", &S::GetApiMappings},
      {"GetApis", &S::GetApis},
      {"GetAuthorizer", &S::GetAuthorizer},
      {"GetAuthorizers", &S::GetAuthorizers},
      {"GetDeployment", &S::GetDeployment},
      {"GetDeployments", &S::GetDeployments},
      {"GetDomainName", &S::GetDomainName},
      {"GetDomainNames", &S::GetDomainNames},
      {"GetIntegration", &S::GetIntegration},
      {"GetIntegrations", &S::GetIntegrations},
      {"GetRoute", &S::GetRoute},
      {"GetRoutes", &S::GetRoutes},
      {"GetStage", &S::GetStage},
      {"GetStages", &S::GetStages},
      {"GetTags", &S::GetTags},
      {"GetVpcLink", &S::GetVpcLink},
      {"GetVpcLinks", &S::GetVpcLinks},
      {"ImportApi", &S::ImportApi},
      {"ReimportApi", &S::ReimportApi},
      {"ResetAuthorizersCache", &S::ResetAuthorizersCache},
      {"TagResource", &S::TagResource},
      {"UntagResource", &S::UntagResource},
      {"UpdateApi", &S::UpdateApi},
      {"UpdateApiMapping", &S::UpdateApiMapping},
      {"UpdateAuthorizer", &S::UpdateAuthorizer},
      {"UpdateDeployment", &S::UpdateDeployment},
      {"UpdateDomainName", &S::UpdateDomainName},
      {"UpdateIntegration", &S::UpdateIntegration},
      {"UpdateRoute", &S::UpdateRoute},
      {"UpdateStage", &S::UpdateStage},
      {"UpdateVpcLink", &S::UpdateVpcLink},
  }};
  static HttpApiService::Handler Find(std::string_view operation) {
    auto it =
        std::lower_bound(kEntries.begin(), kEntries.end(), operation,
                         [](const Entry& e, std::string_view op) { return e.operation < op; });
    return (it != kEntries.end() && it->operation == operation) ? it->handler : nullptr;
  }
};

namespace {

constexpr HttpApiService::Collection kRoutes{"routes", "RouteId",
                                             "Invalid Route identifier specified"};
constexpr HttpApiService::Collection kIntegrations{"integrations", "IntegrationId",
                                                   "Invalid Integration identifier specified"};
constexpr HttpApiService::Collection kStages{"stages", "StageName",
                                             "Invalid stage identifier specified"};

std::string NewId(size_t n) { return NewGatewayId(n); }

}  // namespace

Status CheckRoute(const json::object& route, const json::object& doc) {
  std::string key = StringField(route, "RouteKey");
  if (key != "$default") {
    size_t space = key.find(' ');
    std::string path = space == std::string::npos ? "" : key.substr(space + 1);
    ResourceTree probe;
    if (space == std::string::npos || !probe.Add(path, "probe").ok()) {
      return BadRequest("Unable to create route " + key +
                        ". The route key must be '$default' or '<METHOD> <path>'.");
    }
  }
  std::string type = StringField(route, "AuthorizationType");
  if (type == "CUSTOM" || type == "JWT") {
    std::string id = StringField(route, "AuthorizerId");
    const json::object* authorizers = FindObject(doc, "authorizers");
    const json::object* authorizer = authorizers ? FindObject(*authorizers, id) : nullptr;
    if (authorizer == nullptr) return NotFound("Invalid authorizer identifier " + id);
    std::string kind = StringField(*authorizer, "AuthorizerType");
    if ((type == "JWT") != (kind == "JWT")) {
      return BadRequest("AuthorizationType " + type + " does not match the authorizer's type " +
                        kind);
    }
  } else if (!type.empty() && type != "NONE" && type != "AWS_IAM") {
    return BadRequest("tidepool does not support authorizationType " + type +
                      " on HTTP API routes yet");
  }
  if (route.contains("AuthorizationScopes") && type != "JWT") {
    if (const json::value* v = route.if_contains("AuthorizationScopes");
        v->is_array() && !v->get_array().empty()) {
      return BadRequest("AuthorizationScopes are supported for JWT authorizers only");
    }
  }
  std::string target = StringField(route, "Target");
  if (!target.empty()) {
    const json::object* integrations = FindObject(doc, "integrations");
    if (!target.starts_with("integrations/") || integrations == nullptr ||
        !integrations->contains(target.substr(13))) {
      return NotFound("Invalid integration target " + target);
    }
  }
  return Status::Ok();
}

Status CheckIntegration(const json::object& integration) {
  std::string type = StringField(integration, "IntegrationType");
  if (type == "HTTP_PROXY") {
    if (StringField(integration, "PayloadFormatVersion") != "1.0") {
      return BadRequest("HTTP_PROXY integrations support payload format version 1.0 only");
    }
    if (StringField(integration, "IntegrationMethod").empty()) {
      return BadRequest("IntegrationMethod is required for HTTP_PROXY integrations");
    }
    std::string uri = StringField(integration, "IntegrationUri");
    if (!ParseHttpUrl(uri).ok()) return BadRequest("Invalid IntegrationUri specified: " + uri);
    if (integration.contains("RequestParameters") || integration.contains("ResponseParameters")) {
      return BadRequest("tidepool does not map parameters of HTTP API integrations yet");
    }
    return Status::Ok();
  }
  if (type != "AWS_PROXY") {
    return BadRequest("tidepool does not support HTTP API integrations of type " + type + " yet");
  }
  if (integration.contains("IntegrationSubtype")) {
    return BadRequest("tidepool does not support AWS service integrations of HTTP APIs yet");
  }
  std::string version = StringField(integration, "PayloadFormatVersion");
  if (version != "1.0" && version != "2.0") {
    return BadRequest("Invalid PayloadFormatVersion: " + version);
  }
  std::string uri = StringField(integration, "IntegrationUri");
  if (!uri.starts_with("arn:aws:lambda:") && !ParseIntegrationUri(uri).ok()) {
    return BadRequest("Invalid IntegrationUri specified: " + uri);
  }
  return Status::Ok();
}

namespace {

Status CheckStage(const json::object& stage) {
  if (const json::object* settings = FindObject(stage, "AccessLogSettings")) {
    json::object rest_shape{{"destinationArn", StringField(*settings, "DestinationArn")},
                            {"format", StringField(*settings, "Format")}};
    return CheckAccessLogSettings(rest_shape);
  }
  return Status::Ok();
}

}  // namespace

HttpApiService::HttpApiService(storage::Store& store, storage::CommitQueue& commits,
                               const Clock& clock, boost::asio::io_context& io,
                               ApiGatewayOptions options)
    : store_(store), commits_(commits), clock_(clock), io_(io), options_(options), jwks_(io) {}

HttpApiService::~HttpApiService() = default;

const protocol::model::ServiceModel& HttpApiService::Model() const {
  return protocol::model::ApiGatewayV2Model();
}

void HttpApiService::Invoke(CallPtr call) {
  const Handler handler = HttpApiServiceTable::Find(call->operation().name);
  if (handler == nullptr) {
    return call->Fail(ToAwsError(
        BadRequest("tidepool does not implement " + std::string(call->operation().name) + " yet")));
  }
  (this->*handler)(std::move(call));
}

json::object HttpApiService::Health() const {
  std::shared_lock lock(registry_mu_);
  return json::object{{"status", "running"}, {"http_apis", apis_.size()}};
}

bool HttpApiService::Has(std::string_view api_id) const {
  std::shared_lock lock(registry_mu_);
  return apis_.contains(std::string(api_id));
}

namespace {

void Compile(HttpApi& api) {
  api.live = CompileHttpRoutes(ObjectField(api.doc, "routes"), ObjectField(api.doc, "integrations"),
                               ObjectField(api.doc, "authorizers"));
  api.deployed.clear();
  for (const auto& kv : ObjectField(api.doc, "deployments")) {
    const json::object& d = kv.value().as_object();
    json::object routes = d.contains("routes") ? d.at("routes").as_object() : json::object();
    json::object integrations =
        d.contains("integrations") ? d.at("integrations").as_object() : json::object();
    json::object authorizers =
        d.contains("authorizers") ? d.at("authorizers").as_object() : json::object();
    api.deployed[std::string(kv.key())] = CompileHttpRoutes(routes, integrations, authorizers);
  }
}

}  // namespace

Status HttpApiService::Recover() {
  if (Status s = vpc_links_.Recover(store_); !s.ok()) return s;
  std::string prefix = keyspace::HttpApiPrefix();
  return store_.Scan(prefix, storage::PrefixEnd(prefix),
                     [&](std::string_view key, std::string_view value) {
                       auto id = keyspace::ParseIdKey('h', key);
                       auto doc = DecodeRecord(value);
                       if (!id || !doc.ok()) {
                         spdlog::error("apigatewayv2: skipping an undecodable API record {}",
                                       storage::PrintableKey(key));
                         return true;
                       }
                       auto api = std::make_shared<HttpApi>();
                       api->id = *id;
                       api->account = StringField(*doc, "account");
                       api->region = StringField(*doc, "region");
                       api->doc = std::move(*doc);
                       Compile(*api);
                       apis_[*id] = std::move(api);
                       return true;
                     });
}

Result<HttpApiPtr> HttpApiService::FindApi(const protocol::Call& call,
                                           const std::string& id) const {
  std::shared_lock lock(registry_mu_);
  auto it = apis_.find(id);
  if (it == apis_.end() || it->second->account != call.context().account_id ||
      it->second->region != call.context().region) {
    return NotFound("Invalid API identifier specified " + id);
  }
  return it->second;
}

void HttpApiService::EditApi(CallPtr call, const DocEdit& edit) {
  EditApiById(call, StringField(call->input(), "ApiId"), edit);
}

void HttpApiService::ReadApi(CallPtr call, const DocEdit& read) {
  ReadApiById(call, StringField(call->input(), "ApiId"), read);
}

void HttpApiService::EditApiById(CallPtr call, const std::string& api_id, const DocEdit& edit) {
  auto api = FindApi(*call, api_id);
  if (!api.ok()) return call->Fail(ToAwsError(api.status()));
  std::lock_guard lock((*api)->mu);
  json::object doc = (*api)->doc;
  auto output = edit(**api, doc);
  if (!output.ok()) return call->Fail(ToAwsError(output.status()));
  storage::WriteBatch batch;
  batch.Put(keyspace::HttpApiKey((*api)->id), EncodeRecord(doc));
  (*api)->doc = std::move(doc);
  Compile(**api);
  services::SubmitForCall(
      commits_, std::move(batch), call,
      services::ReplyWhenCommitted(call, std::move(*output), &ToAwsError, "apigatewayv2"),
      &ToAwsError);
}

void HttpApiService::ReadApiById(CallPtr call, const std::string& api_id, const DocEdit& read) {
  auto api = FindApi(*call, api_id);
  if (!api.ok()) return call->Fail(ToAwsError(api.status()));
  Result<json::object> output = [&] {
    std::lock_guard lock((*api)->mu);
    return read(**api, (*api)->doc);
  }();
  if (!output.ok()) return call->Fail(ToAwsError(output.status()));
  call->Reply(std::move(*output));
}

json::object HttpApiService::NewApiOutput(const protocol::Call& call, const std::string& id) const {
  const json::object& in = call.input();
  json::object api{{"ApiId", id},
                   {"ApiEndpoint", "http://" + id + ".execute-api." + call.context().host},
                   {"ApiKeySelectionExpression", "$request.header.x-api-key"},
                   {"CreatedDate", static_cast<double>(clock_.NowMillis() / 1000)},
                   {"DisableExecuteApiEndpoint", false},
                   {"RouteSelectionExpression", "$request.method $request.path"}};
  CopyMembers(in,
              {"Name", "ProtocolType", "Description", "Version", "Tags", "CorsConfiguration",
               "DisableExecuteApiEndpoint", "ApiKeySelectionExpression"},
              api);
  return api;
}

void HttpApiService::CreateApi(CallPtr call) {
  const json::object& in = call->input();
  if (StringField(in, "ProtocolType") != "HTTP") {
    return call->Fail(ToAwsError(BadRequest("tidepool does not support WEBSOCKET APIs yet")));
  }
  if (const json::value* cors = in.if_contains("CorsConfiguration")) {
    if (!cors->is_object()) return call->Fail(ToAwsError(BadRequest("Invalid CorsConfiguration")));
    if (Status s = CheckCorsConfiguration(cors->get_object()); !s.ok()) {
      return call->Fail(ToAwsError(s));
    }
  }
  HttpApiPtr api = RegisterNewApi(*call);
  json::object out = NewApiOutput(*call, api->id);
  json::object doc = NewApiDocument(*api, out);
  // Quick create: Target makes a Lambda proxy integration (payload 2.0), or for a URL an HTTP
  // proxy (ANY, payload 1.0), a route (RouteKey, else $default) and the $default stage with
  // auto-deploy.
  if (std::string target = StringField(in, "Target"); !target.empty()) {
    std::string integration_id = NewId(7), route_id = NewId(7);
    const bool url = target.starts_with("http://") || target.starts_with("https://");
    json::object integration{{"IntegrationId", integration_id},
                             {"IntegrationType", url ? "HTTP_PROXY" : "AWS_PROXY"},
                             {"IntegrationMethod", url ? "ANY" : "POST"},
                             {"IntegrationUri", target},
                             {"PayloadFormatVersion", url ? "1.0" : "2.0"},
                             {"TimeoutInMillis", 30000},
                             {"ConnectionType", "INTERNET"},
                             {"ApiGatewayManaged", true}};
    if (Status s = CheckIntegration(integration); !s.ok()) {
      ForgetApi(api->id);
      return call->Fail(ToAwsError(s));
    }
    std::string key = StringField(in, "RouteKey");
    doc["integrations"].as_object()[integration_id] = integration;
    doc["routes"].as_object()[route_id] = json::object{{"RouteId", route_id},
                                                       {"RouteKey", key.empty() ? "$default" : key},
                                                       {"Target", "integrations/" + integration_id},
                                                       {"AuthorizationType", "NONE"},
                                                       {"ApiKeyRequired", false},
                                                       {"ApiGatewayManaged", true}};
    doc["stages"].as_object()["$default"] =
        json::object{{"StageName", "$default"},
                     {"AutoDeploy", true},
                     {"CreatedDate", static_cast<double>(clock_.NowMillis() / 1000)},
                     {"ApiGatewayManaged", true}};
  }
  CommitNewApi(call, api, std::move(doc), std::move(out));
}

HttpApiPtr HttpApiService::RegisterNewApi(const protocol::Call& call) {
  auto api = std::make_shared<HttpApi>();
  api->account = call.context().account_id;
  api->region = call.context().region;
  std::unique_lock lock(registry_mu_);
  do {
    api->id = NewId(10);
  } while (apis_.contains(api->id));
  apis_[api->id] = api;
  return api;
}

void HttpApiService::ForgetApi(const std::string& id) {
  std::unique_lock lock(registry_mu_);
  apis_.erase(id);
}

json::object HttpApiService::NewApiDocument(const HttpApi& api, const json::object& out) {
  return json::object{
      {"account", api.account},       {"region", api.region},           {"api", out},
      {"routes", json::object()},     {"integrations", json::object()}, {"stages", json::object()},
      {"deployments", json::object()}};
}

void HttpApiService::CommitNewApi(CallPtr call, const HttpApiPtr& api, json::object doc,
                                  json::object out) {
  std::lock_guard lock(api->mu);
  storage::WriteBatch batch;
  batch.Put(keyspace::HttpApiKey(api->id), EncodeRecord(doc));
  api->doc = std::move(doc);
  Compile(*api);
  services::SubmitForCall(
      commits_, std::move(batch), call,
      services::ReplyWhenCommitted(call, std::move(out), &ToAwsError, "apigatewayv2"), &ToAwsError);
}

void HttpApiService::GetApi(CallPtr call) {
  ReadApi(call, [](HttpApi&, json::object& doc) -> Result<json::object> {
    return ObjectField(doc, "api");
  });
}

void HttpApiService::GetApis(CallPtr call) {
  json::array items;
  std::vector<HttpApiPtr> apis;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [id, api] : apis_) {
      if (api->account == call->context().account_id && api->region == call->context().region) {
        apis.push_back(api);
      }
    }
  }
  for (const HttpApiPtr& api : apis) {
    std::lock_guard lock(api->mu);
    items.push_back(ObjectField(api->doc, "api"));
  }
  call->Reply(json::object{{"Items", std::move(items)}});
}

void HttpApiService::UpdateApi(CallPtr call) {
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    const json::object& in = call->input();
    if (in.contains("Target")) return BadRequest("tidepool does not support Target updates yet");
    json::object& api = ObjectField(doc, "api");
    if (const json::value* cors = in.if_contains("CorsConfiguration")) {
      if (!cors->is_object()) return BadRequest("Invalid CorsConfiguration");
      if (Status s = CheckCorsConfiguration(cors->get_object()); !s.ok()) return s;
    }
    CopyMembers(
        in, {"Name", "Description", "Version", "DisableExecuteApiEndpoint", "CorsConfiguration"},
        api);
    return api;
  });
}

void HttpApiService::DeleteCorsConfiguration(CallPtr call) {
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    ObjectField(doc, "api").erase("CorsConfiguration");
    return json::object();
  });
}

void HttpApiService::DeleteApi(CallPtr call) {
  auto api = FindApi(*call, StringField(call->input(), "ApiId"));
  if (!api.ok()) return call->Fail(ToAwsError(api.status()));
  {
    std::unique_lock lock(registry_mu_);
    apis_.erase((*api)->id);
  }
  storage::WriteBatch batch;
  batch.Delete(keyspace::HttpApiKey((*api)->id));
  services::SubmitForCall(commits_, std::move(batch), call,
                          services::ReplyWhenCommitted(call, {}, &ToAwsError, "apigatewayv2"),
                          &ToAwsError);
}

void HttpApiService::GetItem(CallPtr call, const Collection& c) {
  ReadApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    const json::object* item =
        FindObject(ObjectField(doc, c.name), StringField(call->input(), c.id_member));
    if (item == nullptr) return NotFound(std::string(c.not_found));
    return *item;
  });
}

void HttpApiService::GetItems(CallPtr call, const Collection& c) {
  ReadApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    json::array items;
    for (const auto& kv : ObjectField(doc, c.name)) items.push_back(kv.value());
    return json::object{{"Items", std::move(items)}};
  });
}

void HttpApiService::UpdateItem(
    CallPtr call, const Collection& c,
    const std::function<Status(const json::object&, const json::object&)>& check) {
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    json::object* item =
        FindObject(ObjectField(doc, c.name), StringField(call->input(), c.id_member));
    if (item == nullptr) return NotFound(std::string(c.not_found));
    for (const auto& kv : call->input()) {
      if (kv.key() != "ApiId" && kv.key() != c.id_member) (*item)[kv.key()] = kv.value();
    }
    if (Status s = check(*item, doc); !s.ok()) return s;
    return *item;
  });
}

void HttpApiService::DeleteItem(CallPtr call, const Collection& c) {
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    if (ObjectField(doc, c.name).erase(StringField(call->input(), c.id_member)) == 0) {
      return NotFound(std::string(c.not_found));
    }
    return json::object();
  });
}

void HttpApiService::CreateRoute(CallPtr call) {
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    const json::object& in = call->input();
    json::object route;
    CopyMembers(in,
                {"RouteKey", "Target", "AuthorizationType", "ApiKeyRequired", "OperationName",
                 "RequestParameters", "AuthorizerId", "AuthorizationScopes"},
                route);
    if (!route.contains("AuthorizationType")) route["AuthorizationType"] = "NONE";
    if (!route.contains("ApiKeyRequired")) route["ApiKeyRequired"] = false;
    if (Status s = CheckRoute(route, doc); !s.ok()) return s;
    json::object& routes = ObjectField(doc, "routes");
    for (const auto& kv : routes) {
      if (StringField(kv.value().as_object(), "RouteKey") == StringField(route, "RouteKey")) {
        return Conflict("Route with key " + StringField(route, "RouteKey") + " already exists");
      }
    }
    std::string id = NewId(7);
    route["RouteId"] = id;
    routes[id] = route;
    return route;
  });
}

void HttpApiService::GetRoute(CallPtr call) { GetItem(call, kRoutes); }
void HttpApiService::GetRoutes(CallPtr call) { GetItems(call, kRoutes); }
void HttpApiService::DeleteRoute(CallPtr call) { DeleteItem(call, kRoutes); }
void HttpApiService::UpdateRoute(CallPtr call) { UpdateItem(call, kRoutes, &CheckRoute); }

void HttpApiService::CreateIntegration(CallPtr call) {
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    const json::object& in = call->input();
    json::object integration{{"ConnectionType", "INTERNET"}, {"TimeoutInMillis", 30000}};
    CopyMembers(in,
                {"IntegrationType", "IntegrationUri", "IntegrationMethod", "PayloadFormatVersion",
                 "TimeoutInMillis", "Description", "IntegrationSubtype", "ConnectionType",
                 "RequestParameters"},
                integration);
    if (!integration.contains("PayloadFormatVersion")) {
      integration["PayloadFormatVersion"] =
          StringField(integration, "IntegrationType") == "HTTP_PROXY" ? "1.0" : "2.0";
    }
    if (Status s = CheckIntegration(integration); !s.ok()) return s;
    std::string id = NewId(7);
    integration["IntegrationId"] = id;
    ObjectField(doc, "integrations")[id] = integration;
    return integration;
  });
}

void HttpApiService::GetIntegration(CallPtr call) { GetItem(call, kIntegrations); }
void HttpApiService::GetIntegrations(CallPtr call) { GetItems(call, kIntegrations); }
void HttpApiService::DeleteIntegration(CallPtr call) { DeleteItem(call, kIntegrations); }
void HttpApiService::UpdateIntegration(CallPtr call) {
  UpdateItem(call, kIntegrations,
             [](const json::object& item, const json::object&) { return CheckIntegration(item); });
}

void HttpApiService::CreateStage(CallPtr call) {
  EditApi(call, [&](HttpApi& api, json::object& doc) -> Result<json::object> {
    const json::object& in = call->input();
    json::object stage{{"CreatedDate", static_cast<double>(clock_.NowMillis() / 1000)},
                       {"AutoDeploy", false}};
    CopyMembers(in,
                {"StageName", "AutoDeploy", "DeploymentId", "Description", "StageVariables", "Tags",
                 "AccessLogSettings", "DefaultRouteSettings", "RouteSettings"},
                stage);
    if (Status s = CheckStage(stage); !s.ok()) return s;
    std::string deployment = StringField(stage, "DeploymentId");
    if (!deployment.empty() && !api.deployed.contains(deployment)) {
      return NotFound("Invalid deployment identifier specified");
    }
    json::object& stages = ObjectField(doc, "stages");
    std::string name = StringField(stage, "StageName");
    if (stages.contains(name)) return Conflict("Stage " + name + " already exists");
    stages[name] = stage;
    return stage;
  });
}

void HttpApiService::GetStage(CallPtr call) { GetItem(call, kStages); }
void HttpApiService::GetStages(CallPtr call) { GetItems(call, kStages); }
void HttpApiService::DeleteStage(CallPtr call) { DeleteItem(call, kStages); }
void HttpApiService::UpdateStage(CallPtr call) {
  UpdateItem(call, kStages,
             [](const json::object& item, const json::object&) { return CheckStage(item); });
}

void HttpApiService::CreateDeployment(CallPtr call) {
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    const json::object& in = call->input();
    std::string id = NewId(6);
    json::object deployment{{"DeploymentId", id},
                            {"DeploymentStatus", "DEPLOYED"},
                            {"AutoDeployed", false},
                            {"CreatedDate", static_cast<double>(clock_.NowMillis() / 1000)}};
    CopyMembers(in, {"Description"}, deployment);
    ObjectField(doc, "deployments")[id] =
        json::object{{"deployment", deployment},
                     {"routes", ObjectField(doc, "routes")},
                     {"integrations", ObjectField(doc, "integrations")},
                     {"authorizers", ObjectField(doc, "authorizers")}};
    if (std::string stage = StringField(in, "StageName"); !stage.empty()) {
      json::object* s = FindObject(ObjectField(doc, "stages"), stage);
      if (s == nullptr) return NotFound("Invalid stage identifier specified");
      (*s)["DeploymentId"] = id;
    }
    return deployment;
  });
}

void HttpApiService::GetDeployments(CallPtr call) {
  ReadApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    json::array items;
    for (const auto& kv : ObjectField(doc, "deployments")) {
      items.push_back(kv.value().as_object().at("deployment"));
    }
    return json::object{{"Items", std::move(items)}};
  });
}

}  // namespace tidepool::apigateway
