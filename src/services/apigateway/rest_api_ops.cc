// RestApis and their resources.
#include <boost/json.hpp>

#include <map>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/keyspace.h"
#include "services/apigateway/openapi.h"
#include "services/apigateway/records.h"
#include "services/apigateway/resource_tree.h"
#include "services/write_path.h"
#include "storage/key_codec.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// The resource `call`'s resourceId names in `doc` (NotFound as AWS words it).
Result<json::object*> FindResource(json::object& doc, const protocol::Call& call) {
  json::object* r =
      FindObject(ObjectField(doc, "resources"), StringField(call.input(), "resourceId"));
  if (r == nullptr) return NotFound("Invalid Resource identifier specified");
  return r;
}

// A resource as GetResource(s) return it: methods summarized unless `embed` asks for them.
json::object ResourceView(const json::object& resource, bool embed_methods) {
  json::object out = resource;
  if (!embed_methods) {
    if (json::object* methods = FindObject(out, "resourceMethods")) {
      for (auto& kv : *methods) kv.value() = json::object();
    }
  }
  return out;
}

bool EmbedsMethods(const json::object& input) {
  const json::value* embed = input.if_contains("embed");
  if (embed == nullptr || !embed->is_array()) return false;
  for (const json::value& v : embed->get_array()) {
    if (v.is_string() && v.get_string() == "methods") return true;
  }
  return false;
}

Status CheckPathPart(std::string_view part) {
  if (part.empty() || part.find('/') != std::string_view::npos) {
    return BadRequest(
        "Resource's path part only allow a-zA-Z0-9._- and curly braces at the "
        "beginning and the end and an optional plus sign before the closing brace.");
  }
  ResourceTree probe;
  if (Status s = probe.Add("/" + std::string(part), "probe"); !s.ok()) {
    return BadRequest(
        "Resource's path part only allow a-zA-Z0-9._- and curly braces at the "
        "beginning and the end and an optional plus sign before the closing brace.");
  }
  return Status::Ok();
}

}  // namespace

void ApiGatewayService::CreateRestApi(CallPtr call) {
  const json::object& in = call->input();
  if (in.contains("cloneFrom")) {
    return Fail(call, BadRequest("tidepool does not support cloneFrom yet"));
  }
  auto api = std::make_shared<RestApi>();
  api->account = call->context().account_id;
  api->region = call->context().region;
  json::object out;
  CopyMembers(in,
              {"name", "description", "version", "binaryMediaTypes", "minimumCompressionSize",
               "policy", "tags", "disableExecuteApiEndpoint"},
              out);
  out["apiKeySource"] = in.contains("apiKeySource") ? in.at("apiKeySource") : "HEADER";
  if (StringField(out, "apiKeySource") == "AUTHORIZER") {
    return Fail(call, BadRequest("tidepool does not support apiKeySource AUTHORIZER yet"));
  }
  out["endpointConfiguration"] = in.contains("endpointConfiguration")
                                     ? in.at("endpointConfiguration")
                                     : json::object{{"types", json::array{"EDGE"}}};
  out["createdDate"] = Now();
  std::string root_id = NewId(10);
  out["rootResourceId"] = root_id;
  json::object doc{{"account", api->account}, {"region", api->region}};
  json::object resources;
  resources[root_id] = json::object{{"id", root_id}, {"path", "/"}};
  doc["resources"] = std::move(resources);
  doc["stages"] = json::object();
  doc["models"] = DefaultModels();
  CommitNewApi(std::move(api), std::move(doc), std::move(out), std::move(call));
}

void ApiGatewayService::CommitNewApi(RestApiPtr api, json::object doc, json::object out,
                                     CallPtr call) {
  {
    std::unique_lock lock(registry_mu_);
    do {
      api->id = NewId(10);
    } while (apis_.contains(api->id));
    out["id"] = api->id;
    doc["api"] = out;
    apis_[api->id] = api;
  }
  std::lock_guard lock(api->mu);
  CommitApi(*api, std::move(doc), call, std::move(out));
}

void ApiGatewayService::GetRestApi(CallPtr call) {
  ReadApi(call, [](json::object& doc) -> Result<json::object> { return ObjectField(doc, "api"); });
}

void ApiGatewayService::GetRestApis(CallPtr call) {
  std::vector<json::value> items;
  std::vector<RestApiPtr> apis;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [id, api] : apis_) {
      if (api->account == call->context().account_id && api->region == call->context().region) {
        apis.push_back(api);
      }
    }
  }
  for (const RestApiPtr& api : apis) {
    std::lock_guard lock(api->mu);
    items.push_back(ObjectField(api->doc, "api"));
  }
  json::object out;
  if (Status s = PageInto(call->input(), std::move(items), out); !s.ok()) return Fail(call, s);
  call->Reply(std::move(out));
}

void ApiGatewayService::UpdateRestApi(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    json::object& rest = ObjectField(doc, "api");
    if (Status s = Patch(*call, "RestApi", rest); !s.ok()) return s;
    if (StringField(rest, "apiKeySource") == "AUTHORIZER") {
      return BadRequest("tidepool does not support apiKeySource AUTHORIZER yet");
    }
    return rest;
  });
}

void ApiGatewayService::DeleteRestApi(CallPtr call) {
  auto api = FindApi(*call);
  if (!api.ok()) return Fail(call, api.status());
  {
    std::unique_lock lock(registry_mu_);
    apis_.erase((*api)->id);
  }
  std::lock_guard lock((*api)->mu);
  storage::WriteBatch batch;
  batch.Delete(keyspace::ApiKey((*api)->id));
  std::string deployments = keyspace::DeploymentPrefix((*api)->id);
  batch.DeleteRange(deployments, storage::PrefixEnd(deployments));
  (*api)->deployments.clear();
  services::SubmitForCall(commits_, std::move(batch), call,
                          services::ReplyWhenCommitted(call, {}, &ToAwsError, "apigateway"),
                          &ToAwsError);
}

void ApiGatewayService::CreateResource(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    const json::object& in = call->input();
    std::string part = StringField(in, "pathPart");
    if (Status s = CheckPathPart(part); !s.ok()) return s;
    json::object& resources = ObjectField(doc, "resources");
    std::string parent_id = StringField(in, "parentId");
    const json::object* parent = FindObject(resources, parent_id);
    if (parent == nullptr) return NotFound("Invalid Resource identifier specified");
    std::string parent_path = StringField(*parent, "path");
    for (const auto& kv : resources) {
      const json::object* r = kv.value().if_object();
      if (r && StringField(*r, "parentId") == parent_id && StringField(*r, "pathPart") == part) {
        return Conflict("Another resource with the same parent already has this name: " + part);
      }
    }
    std::string id;
    do {
      id = NewId(6);
    } while (resources.contains(id));
    json::object resource{{"id", id},
                          {"parentId", parent_id},
                          {"pathPart", part},
                          {"path", (parent_path == "/" ? "" : parent_path) + "/" + part}};
    resources[id] = resource;
    return resource;
  });
}

void ApiGatewayService::GetResource(CallPtr call) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    auto r = FindResource(doc, *call);
    if (!r.ok()) return r.status();
    return ResourceView(**r, EmbedsMethods(call->input()));
  });
}

void ApiGatewayService::GetResources(CallPtr call) {
  bool embed = EmbedsMethods(call->input());
  ReadList(call, "resources", [embed](const json::object& r) {
    return std::optional<json::value>(ResourceView(r, embed));
  });
}

void ApiGatewayService::UpdateResource(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto r = FindResource(doc, *call);
    if (!r.ok()) return r.status();
    if (!(*r)->contains("parentId")) return BadRequest("The root resource cannot be updated");
    if (Status s = Patch(*call, "Resource", **r); !s.ok()) return s;
    if (Status s = CheckPathPart(StringField(**r, "pathPart")); !s.ok()) return s;
    json::object& resources = ObjectField(doc, "resources");
    if (Status s = RecomputePaths(resources); !s.ok()) return s;
    return *FindObject(resources, StringField(call->input(), "resourceId"));
  });
}

void ApiGatewayService::DeleteResource(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto r = FindResource(doc, *call);
    if (!r.ok()) return r.status();
    if (!(*r)->contains("parentId")) return BadRequest("Cannot delete the root resource");
    json::object& resources = ObjectField(doc, "resources");
    // The resource and every descendant.
    std::vector<std::string> doomed{StringField(call->input(), "resourceId")};
    for (size_t i = 0; i < doomed.size(); ++i) {
      for (const auto& kv : resources) {
        const json::object* child = kv.value().if_object();
        if (child && StringField(*child, "parentId") == doomed[i]) doomed.emplace_back(kv.key());
      }
    }
    for (const std::string& id : doomed) resources.erase(id);
    return json::object();
  });
}

}  // namespace tidepool::apigateway

namespace tidepool::apigateway {
namespace {

namespace json = boost::json;

// Every imported method must be one the invoke path honours (see method_ops.cc).
Status CheckImported(const json::object& doc, int max_timeout_ms) {
  const json::object* resources = FindObject(doc, "resources");
  if (resources == nullptr) return Status::Ok();
  for (const auto& r : *resources) {
    const json::object* methods = FindObject(r.value().as_object(), "resourceMethods");
    if (methods == nullptr) continue;
    for (const auto& m : *methods) {
      const json::object& method = m.value().as_object();
      if (Status s = CheckMethodSupported(method, doc); !s.ok()) return s;
      const json::object* integration = FindObject(method, "methodIntegration");
      if (integration == nullptr) continue;
      if (Status s = CheckIntegrationSupported(*integration, max_timeout_ms); !s.ok()) return s;
      if (const json::object* responses = FindObject(*integration, "integrationResponses")) {
        for (const auto& ir : *responses) {
          if (Status s = CheckTemplates(ir.value().as_object(), "responseTemplates"); !s.ok()) {
            return s;
          }
        }
      }
    }
  }
  return Status::Ok();
}

// `failOnWarnings` refuses an import that has warnings.
Status CheckImportWarnings(const json::object& input, const std::vector<std::string>& warnings) {
  const json::value* fail_on = input.if_contains("failOnWarnings");
  if (fail_on == nullptr || !fail_on->is_bool() || !fail_on->get_bool() || warnings.empty()) {
    return Status::Ok();
  }
  std::string message = "Warnings found during import:";
  for (const std::string& w : warnings) message += " " + w + ";";
  return BadRequest(message);
}

}  // namespace

void ApiGatewayService::ImportRestApi(protocol::CallPtr call) {
  auto imported = ImportOpenApi(StringField(call->input(), "body"), &NewGatewayId);
  if (!imported.ok()) return Fail(call, imported.status());
  auto api = std::make_shared<RestApi>();
  api->account = call->context().account_id;
  api->region = call->context().region;
  json::object out = std::move(imported->api);
  out["apiKeySource"] = "HEADER";
  out["endpointConfiguration"] = json::object{{"types", json::array{"EDGE"}}};
  out["createdDate"] = Now();
  std::string root;
  for (const auto& kv : imported->resources) {
    if (!kv.value().as_object().contains("parentId")) root = std::string(kv.key());
  }
  out["rootResourceId"] = root;
  json::object models = DefaultModels();
  for (auto& kv : imported->models) models[kv.key()] = std::move(kv.value());
  json::object doc{{"account", api->account},
                   {"region", api->region},
                   {"resources", std::move(imported->resources)},
                   {"stages", json::object()},
                   {"models", std::move(models)},
                   {"requestValidators", std::move(imported->validators)}};
  if (Status s = CheckImported(doc, options_.default_timeout_ms); !s.ok()) return Fail(call, s);
  const std::vector<std::string>& warnings = imported->documentation.warnings;
  if (Status s = CheckImportWarnings(call->input(), warnings); !s.ok()) return Fail(call, s);
  MergeDocumentationParts(ObjectField(doc, "documentationParts"), imported->documentation.parts,
                          true, &NewGatewayId);
  if (!warnings.empty()) out["warnings"] = json::array(warnings.begin(), warnings.end());
  CommitNewApi(std::move(api), std::move(doc), std::move(out), std::move(call));
}

void ApiGatewayService::PutRestApi(protocol::CallPtr call) {
  auto imported = ImportOpenApi(StringField(call->input(), "body"), &NewGatewayId);
  if (!imported.ok()) return Fail(call, imported.status());
  std::string mode = StringField(call->input(), "mode");
  const std::vector<std::string>& warnings = imported->documentation.warnings;
  if (Status s = CheckImportWarnings(call->input(), warnings); !s.ok()) return Fail(call, s);
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    json::object& api = ObjectField(doc, "api");
    json::object& resources = ObjectField(doc, "resources");
    // The existing resources by path, so that imported paths keep their ids.
    std::map<std::string, std::string> by_path;
    for (const auto& kv : resources) {
      by_path[StringField(kv.value().as_object(), "path")] = std::string(kv.key());
    }
    std::map<std::string, std::string> renamed;  // imported id -> id kept
    json::object merged = mode == "merge" ? resources : json::object();
    // Imported resources in path order: parents before children.
    std::map<std::string, const json::object*> imported_by_path;
    for (const auto& kv : imported->resources) {
      imported_by_path[StringField(kv.value().as_object(), "path")] = &kv.value().as_object();
    }
    for (const auto& [path, r] : imported_by_path) {
      json::object resource = *r;
      std::string id = by_path.contains(path) ? by_path[path] : StringField(resource, "id");
      renamed[StringField(resource, "id")] = id;
      resource["id"] = id;
      if (resource.contains("parentId"))
        resource["parentId"] = renamed[StringField(resource, "parentId")];
      if (json::object* existing = FindObject(merged, id)) {
        if (const json::object* methods = FindObject(resource, "resourceMethods")) {
          for (const auto& m : *methods)
            ObjectField(*existing, "resourceMethods")[m.key()] = m.value();
        }
      } else {
        merged[id] = std::move(resource);
      }
    }
    resources = std::move(merged);
    // Models and validators: merge adds (and replaces by name), overwrite replaces them all.
    json::object& models = ObjectField(doc, "models");
    json::object& validators = ObjectField(doc, "requestValidators");
    if (mode != "merge") {
      models = DefaultModels();
      validators = json::object();
    }
    for (auto& kv : imported->models) models[kv.key()] = kv.value();
    for (auto& kv : imported->validators) validators[kv.key()] = kv.value();
    for (std::string_view member : {"description", "version", "binaryMediaTypes"}) {
      if (const json::value* v = imported->api.if_contains(member)) api[member] = *v;
    }
    if (mode != "merge" && imported->api.contains("name")) api["name"] = imported->api.at("name");
    api["rootResourceId"] = by_path.contains("/") ? by_path["/"] : renamed.begin()->second;
    if (Status s = CheckImported(doc, options_.default_timeout_ms); !s.ok()) return s;
    MergeDocumentationParts(ObjectField(doc, "documentationParts"), imported->documentation.parts,
                            mode != "merge", &NewGatewayId);
    json::object out = api;
    if (!warnings.empty()) out["warnings"] = json::array(warnings.begin(), warnings.end());
    return out;
  });
}

}  // namespace tidepool::apigateway
