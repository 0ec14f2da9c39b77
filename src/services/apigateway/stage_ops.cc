// Deployments (snapshots of an API's resources) and stages (named pointers to a deployment
// with variables and method settings), and GetExport of a stage (openapi_export.h).
#include <boost/json.hpp>

#include "protocol/codec/yaml_writer.h"
#include "services/apigateway/access_log.h"
#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/documentation.h"
#include "services/apigateway/keyspace.h"
#include "services/apigateway/openapi_export.h"
#include "services/apigateway/patch.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// Method settings groups of UpdateStage paths "/<resource path>/<VERB>/<group>/<setting>".
struct SettingPath {
  std::string_view group;
  std::string_view setting;
  std::string_view member;  // MethodSetting's member
};
constexpr SettingPath kSettingPaths[] = {
    {"metrics", "enabled", "metricsEnabled"},
    {"logging", "loglevel", "loggingLevel"},
    {"logging", "dataTrace", "dataTraceEnabled"},
    {"throttling", "burstLimit", "throttlingBurstLimit"},
    {"throttling", "rateLimit", "throttlingRateLimit"},
    {"caching", "enabled", "cachingEnabled"},
    {"caching", "ttlInSeconds", "cacheTtlInSeconds"},
    {"caching", "dataEncrypted", "cacheDataEncrypted"},
    {"caching", "requireAuthorizationForCacheControl", "requireAuthorizationForCacheControl"},
    {"caching", "unauthorizedCacheControlHeaderStrategy", "unauthorizedCacheControlHeaderStrategy"},
};

// Rewrites a method-settings path to "/methodSettings/<key>/<member>", the key as the stage
// stores it ("*/*", "~1pets/GET"); other paths stay as they are.
std::string StagePatchPath(const std::string& path) {
  std::vector<std::string_view> raw;
  std::string_view rest = path;
  if (rest.empty() || rest[0] != '/') return path;
  rest.remove_prefix(1);
  while (true) {
    size_t slash = rest.find('/');
    raw.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (raw.size() != 4) return path;
  for (const SettingPath& sp : kSettingPaths) {
    if (raw[2] != sp.group || raw[3] != sp.setting) continue;
    std::string key;
    for (char c : raw[0]) key += c == '~' ? std::string("~0") : std::string(1, c);
    return "/methodSettings/" + key + "~1" + std::string(raw[1]) + "/" + std::string(sp.member);
  }
  return path;
}

// Refuses stage settings the invoke path does not honour (docs/differences.md).
Status CheckStageSupported(const json::object& stage) {
  if (const json::value* v = stage.if_contains("cacheClusterEnabled");
      v && v->is_bool() && v->get_bool()) {
    return BadRequest("tidepool does not support stage caches (cacheClusterEnabled) yet");
  }
  if (const json::object* settings = FindObject(stage, "accessLogSettings")) {
    if (Status s = CheckAccessLogSettings(*settings); !s.ok()) return s;
  }
  if (const json::object* settings = FindObject(stage, "methodSettings")) {
    for (const auto& kv : *settings) {
      const json::object* s = kv.value().if_object();
      if (s == nullptr) continue;
      if (const json::value* c = s->if_contains("cachingEnabled");
          c && c->is_bool() && c->get_bool()) {
        return BadRequest("tidepool does not support method caching yet");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

void ApiGatewayService::CreateDeployment(CallPtr call) {
  EditApiWith(
      call,
      [&](RestApi& api, json::object& doc, storage::WriteBatch& batch) -> Result<json::object> {
        const json::object& in = call->input();
        const json::object& resources = ObjectField(doc, "resources");
        bool any_method = false;
        for (const auto& kv : resources) {
          const json::object* methods = FindObject(kv.value().as_object(), "resourceMethods");
          if (methods == nullptr) continue;
          for (const auto& m : *methods) {
            any_method = true;
            if (!m.value().is_object() || !m.value().as_object().contains("methodIntegration")) {
              return BadRequest("No integration defined for method");
            }
          }
        }
        if (!any_method) return BadRequest("The REST API doesn't contain any methods");
        if (in.contains("cacheClusterEnabled") && in.at("cacheClusterEnabled") == true) {
          return BadRequest("tidepool does not support stage caches (cacheClusterEnabled) yet");
        }
        std::string id;
        do {
          id = NewId(6);
        } while (api.deployments.contains(id));
        json::object meta{{"id", id}, {"createdDate", Now()}};
        CopyMembers(in, {"description"}, meta);
        json::object record{{"deployment", meta},
                            {"resources", resources},
                            {"authorizers", ObjectField(doc, "authorizers")},
                            {"models", ObjectField(doc, "models")},
                            {"requestValidators", ObjectField(doc, "requestValidators")},
                            {"gatewayResponses", ObjectField(doc, "gatewayResponses")}};
        batch.Put(keyspace::DeploymentKey(api.id, id), EncodeRecord(record));
        api.deployments[id] = BuildDeployment(id, record);
        std::string stage_name = StringField(in, "stageName");
        if (!stage_name.empty()) {
          json::object& stage = ObjectField(ObjectField(doc, "stages"), stage_name);
          if (stage.empty()) {
            stage = json::object{
                {"stageName", stage_name},          {"createdDate", Now()},
                {"cacheClusterEnabled", false},     {"cacheClusterStatus", "NOT_AVAILABLE"},
                {"methodSettings", json::object()}, {"tracingEnabled", false}};
          }
          stage["deploymentId"] = id;
          stage["lastUpdatedDate"] = Now();
          if (in.contains("stageDescription")) stage["description"] = in.at("stageDescription");
          CopyMembers(in, {"variables", "canarySettings", "tracingEnabled"}, stage);
        }
        return meta;
      });
}

void ApiGatewayService::GetDeployment(CallPtr call) {
  ReadApiWith(call, [&](RestApi& api, json::object&) -> Result<json::object> {
    auto it = api.deployments.find(StringField(call->input(), "deploymentId"));
    if (it == api.deployments.end()) return NotFound("Invalid Deployment identifier specified");
    return it->second->meta;
  });
}

void ApiGatewayService::GetDeployments(CallPtr call) {
  ReadApiWith(call, [&](RestApi& api, json::object&) -> Result<json::object> {
    std::vector<json::value> items;
    for (const auto& [id, d] : api.deployments) items.push_back(d->meta);
    json::object out;
    if (Status s = PageInto(call->input(), std::move(items), out); !s.ok()) return s;
    return out;
  });
}

void ApiGatewayService::DeleteDeployment(CallPtr call) {
  EditApiWith(
      call,
      [&](RestApi& api, json::object& doc, storage::WriteBatch& batch) -> Result<json::object> {
        std::string id = StringField(call->input(), "deploymentId");
        if (!api.deployments.contains(id))
          return NotFound("Invalid Deployment identifier specified");
        for (const auto& kv : ObjectField(doc, "stages")) {
          if (kv.value().is_object() && StringField(kv.value().as_object(), "deploymentId") == id) {
            return BadRequest("Active stages pointing to this deployment must be moved or deleted");
          }
        }
        batch.Delete(keyspace::DeploymentKey(api.id, id));
        api.deployments.erase(id);
        return json::object();
      });
}

void ApiGatewayService::UpdateDeployment(CallPtr call) {
  EditApiWith(
      call, [&](RestApi& api, json::object&, storage::WriteBatch& batch) -> Result<json::object> {
        std::string id = StringField(call->input(), "deploymentId");
        auto it = api.deployments.find(id);
        if (it == api.deployments.end()) return NotFound("Invalid Deployment identifier specified");
        const Deployment& d = *it->second;
        json::object meta = d.meta;
        const auto& model = Model();
        if (Status s =
                ApplyPatch(model, model.FindShape("Deployment"), PatchOperationsOf(call->input()),
                           meta, {"id", "createdDate", "apiSummary"});
            !s.ok()) {
          return s;
        }
        json::object record{{"deployment", meta},
                            {"resources", d.resources},
                            {"authorizers", d.authorizers},
                            {"models", d.stored_models},
                            {"requestValidators", d.validators},
                            {"gatewayResponses", d.gateway_responses}};
        batch.Put(keyspace::DeploymentKey(api.id, id), EncodeRecord(record));
        it->second = BuildDeployment(id, record);
        return meta;
      });
}

void ApiGatewayService::CreateStage(CallPtr call) {
  EditApiWith(
      call, [&](RestApi& api, json::object& doc, storage::WriteBatch&) -> Result<json::object> {
        const json::object& in = call->input();
        std::string name = StringField(in, "stageName");
        json::object& stages = ObjectField(doc, "stages");
        if (stages.contains(name)) return Conflict("Stage already exists");
        if (!api.deployments.contains(StringField(in, "deploymentId"))) {
          return BadRequest("Invalid deployment identifier specified");
        }
        json::object stage{{"stageName", name},
                           {"createdDate", Now()},
                           {"lastUpdatedDate", Now()},
                           {"cacheClusterEnabled", false},
                           {"cacheClusterStatus", "NOT_AVAILABLE"},
                           {"methodSettings", json::object()},
                           {"tracingEnabled", false}};
        CopyMembers(
            in,
            {"deploymentId", "description", "cacheClusterEnabled", "cacheClusterSize", "variables",
             "documentationVersion", "canarySettings", "tracingEnabled", "tags"},
            stage);
        if (Status s = CheckStageSupported(stage); !s.ok()) return s;
        if (Status s = CheckStageDocumentationVersion(doc, stage); !s.ok()) return s;
        stages[name] = stage;
        return stage;
      });
}

void ApiGatewayService::GetStage(CallPtr call) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    const json::object* stage =
        FindObject(ObjectField(doc, "stages"), StringField(call->input(), "stageName"));
    if (stage == nullptr) return NotFound("Invalid Stage identifier specified");
    return *stage;
  });
}

void ApiGatewayService::GetStages(CallPtr call) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    std::string deployment = StringField(call->input(), "deploymentId");
    json::array items;
    for (const auto& kv : ObjectField(doc, "stages")) {
      if (!kv.value().is_object()) continue;
      if (!deployment.empty() &&
          StringField(kv.value().as_object(), "deploymentId") != deployment) {
        continue;
      }
      items.push_back(kv.value());
    }
    return json::object{{"item", std::move(items)}};
  });
}

void ApiGatewayService::UpdateStage(CallPtr call) {
  EditApiWith(call,
              [&](RestApi& api, json::object& doc, storage::WriteBatch&) -> Result<json::object> {
                json::object* stage =
                    FindObject(ObjectField(doc, "stages"), StringField(call->input(), "stageName"));
                if (stage == nullptr) return NotFound("Invalid Stage identifier specified");
                std::vector<PatchOperation> ops = PatchOperationsOf(call->input());
                for (PatchOperation& op : ops) op.path = StagePatchPath(op.path);
                const auto& model = Model();
                if (Status s = ApplyPatch(model, model.FindShape("Stage"), ops, *stage,
                                          {"stageName", "createdDate", "lastUpdatedDate"});
                    !s.ok()) {
                  return s;
                }
                if (!api.deployments.contains(StringField(*stage, "deploymentId"))) {
                  return BadRequest("Invalid deployment identifier specified");
                }
                if (Status s = CheckStageSupported(*stage); !s.ok()) return s;
                if (Status s = CheckStageDocumentationVersion(doc, *stage); !s.ok()) return s;
                if (std::string cert = StringField(*stage, "clientCertificateId");
                    !cert.empty() &&
                    !FindClientIdentity(cert, call->context().account_id, call->context().region)) {
                  return BadRequest("Invalid client certificate identifier specified");
                }
                (*stage)["lastUpdatedDate"] = Now();
                return *stage;
              });
}

void ApiGatewayService::DeleteStage(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    if (ObjectField(doc, "stages").erase(StringField(call->input(), "stageName")) == 0) {
      return NotFound("Invalid Stage identifier specified");
    }
    return json::object();
  });
}

void ApiGatewayService::FlushStageAuthorizersCache(CallPtr call) {
  ReadApiWith(call, [&](RestApi& api, json::object& doc) -> Result<json::object> {
    std::string stage = StringField(call->input(), "stageName");
    if (FindObject(ObjectField(doc, "stages"), stage) == nullptr) {
      return NotFound("Invalid Stage identifier specified");
    }
    auth_cache_.ForgetStage(api.id, stage);
    return json::object();
  });
}

void ApiGatewayService::FlushStageCache(CallPtr call) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    if (FindObject(ObjectField(doc, "stages"), StringField(call->input(), "stageName")) ==
        nullptr) {
      return NotFound("Invalid Stage identifier specified");
    }
    return json::object();
  });
}

void ApiGatewayService::GetExport(CallPtr call) {
  ReadApiWith(call, [&](RestApi& api, json::object& doc) -> Result<json::object> {
    const json::object& in = call->input();
    std::string type = StringField(in, "exportType");
    if (type != "oas30" && type != "swagger") {
      return BadRequest("tidepool exports oas30 and swagger only, not " + type);
    }
    std::string accepts = StringField(in, "accepts");
    const bool yaml = accepts == "application/yaml";
    if (!accepts.empty() && !yaml && accepts != "application/json" && accepts != "*/*") {
      return BadRequest("tidepool exports application/json and application/yaml only, not " +
                        accepts);
    }
    std::string stage_name = StringField(in, "stageName");
    const json::object* stage = FindObject(ObjectField(doc, "stages"), stage_name);
    if (stage == nullptr) return NotFound("Invalid stage identifier specified");
    auto deployment = api.deployments.find(StringField(*stage, "deploymentId"));
    if (deployment == api.deployments.end()) {
      return NotFound("Invalid Deployment identifier specified");
    }
    ExportOptions options;
    bool documentation_extension = false;
    options.swagger = type == "swagger";
    options.host = api.id + ".execute-api." + call->context().host;
    if (const json::object* params = FindObject(in, "parameters")) {
      std::string extensions = StringField(*params, "extensions");
      for (std::string_view word : {"integrations", "apigateway"}) {
        if (extensions.find(word) != std::string::npos) options.integrations = true;
      }
      options.validators = extensions.find("apigateway") != std::string::npos;
      documentation_extension = extensions.find("documentation") != std::string::npos;
      if (extensions.find("authorizers") != std::string::npos ||
          extensions.find("postman") != std::string::npos) {
        return BadRequest("tidepool does not export authorizers or postman extensions yet");
      }
    }
    json::object exported =
        ExportOpenApi(ObjectField(doc, "api"), *deployment->second, stage_name, options);
    // The stage's documentation version: its parts written into the document, and with the
    // "documentation" extension the x-amazon-apigateway-documentation member.
    if (std::string version = StringField(*stage, "documentationVersion"); !version.empty()) {
      if (const json::object* v = FindObject(ObjectField(doc, "documentationVersions"), version)) {
        if (const json::object* parts = FindObject(*v, "parts")) {
          ApplyDocumentationToExport(*parts, options.swagger, exported);
        }
        if (documentation_extension) {
          exported["x-amazon-apigateway-documentation"] = DocumentationExtension(*v);
        }
      }
    }
    const char* extension = yaml ? ".yaml\"" : ".json\"";
    return json::object{
        {"contentType", yaml ? "application/yaml" : "application/json"},
        {"contentDisposition",
         "attachment; filename=\"" + type + "_" + api.id + "_" + stage_name + extension},
        {"body", yaml ? protocol::yaml::WriteYaml(exported) : json::serialize(exported)}};
  });
}

}  // namespace tidepool::apigateway
