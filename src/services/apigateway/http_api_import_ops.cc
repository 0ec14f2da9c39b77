// ImportApi, ReimportApi and ExportApi of HTTP APIs: OpenAPI 3.0 definitions read and written
// by http_api_import.h, checked as the Create* calls check their items.
#include <boost/json.hpp>

#include <set>

#include "protocol/codec/yaml_writer.h"
#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/http_api_cors.h"
#include "services/apigateway/http_api_import.h"
#include "services/apigateway/http_api_service.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// The imported definition read from a call's Body and Basepath, every item checked as
// CreateApi/CreateRoute/CreateIntegration/CreateAuthorizer check theirs. FailOnWarnings needs
// nothing: the importer refuses what it does not build, so there are no warnings.
Result<ImportedHttpApi> ReadDefinition(const json::object& in) {
  auto imported =
      ImportHttpApi(StringField(in, "Body"), StringField(in, "Basepath"), &NewGatewayId);
  if (!imported.ok()) return imported.status();
  if (const json::object* cors = FindObject(imported->api, "CorsConfiguration")) {
    if (Status s = CheckCorsConfiguration(*cors); !s.ok()) return s;
  }
  for (const auto& kv : imported->authorizers) {
    if (Status s = CheckHttpAuthorizer(kv.value().as_object()); !s.ok()) return s;
  }
  for (const auto& kv : imported->integrations) {
    if (Status s = CheckIntegration(kv.value().as_object()); !s.ok()) return s;
  }
  json::object refs{{"integrations", imported->integrations},
                    {"authorizers", imported->authorizers}};
  std::set<std::string> keys;
  for (const auto& kv : imported->routes) {
    const json::object& route = kv.value().as_object();
    if (Status s = CheckRoute(route, refs); !s.ok()) return s;
    if (!keys.insert(StringField(route, "RouteKey")).second) {
      return Conflict("Route with key " + StringField(route, "RouteKey") + " already exists");
    }
  }
  return imported;
}

// Replaces the definition in `doc` (an API's document) by `imported`; stages and deployments
// stay.
void InstallDefinition(ImportedHttpApi&& imported, json::object& doc) {
  json::object& api = ObjectField(doc, "api");
  for (std::string_view member : {"Name", "Description", "Version", "CorsConfiguration"}) {
    api.erase(member);
  }
  for (auto& kv : imported.api) api[kv.key()] = std::move(kv.value());
  doc["routes"] = std::move(imported.routes);
  doc["integrations"] = std::move(imported.integrations);
  doc["authorizers"] = std::move(imported.authorizers);
}

}  // namespace

void HttpApiService::ImportApi(CallPtr call) {
  auto imported = ReadDefinition(call->input());
  if (!imported.ok()) return call->Fail(ToAwsError(imported.status()));
  HttpApiPtr api = RegisterNewApi(*call);
  json::object out = NewApiOutput(*call, api->id);
  out["ProtocolType"] = "HTTP";
  json::object doc = NewApiDocument(*api, out);
  InstallDefinition(std::move(*imported), doc);
  out = ObjectField(doc, "api");
  CommitNewApi(call, api, std::move(doc), std::move(out));
}

void HttpApiService::ReimportApi(CallPtr call) {
  auto imported = ReadDefinition(call->input());
  if (!imported.ok()) return call->Fail(ToAwsError(imported.status()));
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    InstallDefinition(std::move(*imported), doc);
    return ObjectField(doc, "api");
  });
}

void HttpApiService::ExportApi(CallPtr call) {
  ReadApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    const json::object& in = call->input();
    if (std::string spec = StringField(in, "Specification"); spec != "OAS30") {
      return BadRequest("Invalid specification " + spec + ". Valid values are OAS30.");
    }
    std::string type = StringField(in, "OutputType");
    if (type != "JSON" && type != "YAML") {
      return BadRequest("Invalid outputType " + type + ". Valid values are JSON and YAML.");
    }
    if (in.contains("ExportVersion") && StringField(in, "ExportVersion") != "1.0") {
      return BadRequest("Invalid exportVersion. The only supported version is 1.0.");
    }
    const json::value* include = in.if_contains("IncludeExtensions");
    const bool extensions = include == nullptr || !include->is_bool() || include->get_bool();
    const json::object& api = ObjectField(doc, "api");
    std::string url = StringField(api, "ApiEndpoint");
    // The stage's deployed definition (the current one for auto-deploy), else the current one.
    const json::object* definition = &doc;
    if (std::string name = StringField(in, "StageName"); !name.empty()) {
      const json::object* stage = FindObject(ObjectField(doc, "stages"), name);
      if (stage == nullptr) return NotFound("Invalid stage identifier specified");
      if (name != "$default") url += "/" + name;
      const json::value* auto_deploy = stage->if_contains("AutoDeploy");
      if (!(auto_deploy && auto_deploy->is_bool() && auto_deploy->get_bool())) {
        const json::object* deployed =
            FindObject(ObjectField(doc, "deployments"), StringField(*stage, "DeploymentId"));
        if (deployed == nullptr) return NotFound("The stage " + name + " has no deployment");
        definition = deployed;
      }
    }
    auto member = [definition](std::string_view name) {
      const json::object* o = FindObject(*definition, name);
      return o ? *o : json::object();
    };
    json::object exported = ExportHttpApi(api, member("routes"), member("integrations"),
                                          member("authorizers"), url, extensions);
    return json::object{
        {"body", type == "YAML" ? protocol::yaml::WriteYaml(exported) : json::serialize(exported)}};
  });
}

}  // namespace tidepool::apigateway
