// AWS::ApiGateway::RestApi, Resource, Method, Deployment and Stage: a REST API as templates
// (and SAM's Api events: RestApi with Body + Deployment + Stage) define it.
#include "services/cloudformation/providers/serverless_apigateway.h"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <optional>
#include <vector>

namespace tidepool::cloudformation::serverless {
namespace json = boost::json;

json::object PatchOp(std::string_view op, std::string_view path, std::optional<std::string> value) {
  json::object patch{{"op", op}, {"path", path}};
  if (value) patch["value"] = *value;
  return patch;
}

Result<json::object> ApplyPatch(ServiceCaller& services, std::string_view operation,
                                json::object target, json::array patches) {
  if (patches.empty()) return json::object();
  target["patchOperations"] = std::move(patches);
  return CallOrFail(services, "apigateway", operation, std::move(target));
}

std::string JsonText(const json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

json::array ChangedPatches(
    const json::object& props, const json::object& before,
    std::initializer_list<std::pair<std::string_view, std::string_view>> paths) {
  json::array patches;
  for (auto [key, path] : paths) {
    if (!Changed(before, props, key)) continue;
    const json::value* v = props.if_contains(key);
    patches.push_back(PatchOp("replace", path, v ? JsonText(*v) : std::string()));
  }
  return patches;
}

namespace {

constexpr std::string_view kRestApiType = "AWS::ApiGateway::RestApi";

// --- AWS::ApiGateway::RestApi -----------------------------------------------------------------

}  // namespace

Result<std::string> OpenApiBody(ServiceCaller& services, const json::object& props,
                                std::string_view etag_member) {
  if (const json::value* body = props.if_contains("Body")) return JsonText(*body);
  const json::value* s3 = props.if_contains("BodyS3Location");
  if (s3 == nullptr || !s3->is_object()) return std::string();
  const json::object& location = s3->get_object();
  json::object in{{"Bucket", Str(location, "Bucket")}, {"Key", Str(location, "Key")}};
  if (location.contains("Version")) in["VersionId"] = Str(location, "Version");
  if (location.contains(etag_member)) in["IfMatch"] = Str(location, etag_member);
  TP_ASSIGN_OR_RETURN(json::object object, CallOrFail(services, "s3", "GetObject", std::move(in)));
  return Str(object, "Body");
}

namespace {

json::object ImportInput(const json::object& props, std::string body) {
  json::object in{{"body", std::move(body)}};
  if (props.contains("FailOnWarnings")) {
    in["failOnWarnings"] = BoolMember(props, "FailOnWarnings", false);
  }
  return in;
}

// The template's strings at `key` (a list), or nullopt when it does not give the list.
std::optional<std::vector<std::string>> StringList(const json::value* list) {
  if (list == nullptr || !list->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const json::value& v : list->get_array()) out.push_back(JsonText(v));
  return out;
}

// The endpoint types the template asks for: EndpointConfiguration.Types, else the import
// parameter endpointConfigurationTypes ("REGIONAL"); nullopt when neither is given.
std::optional<std::vector<std::string>> EndpointTypes(const json::object& props) {
  if (const json::value* e = props.if_contains("EndpointConfiguration"); e && e->is_object()) {
    return StringList(e->get_object().if_contains("Types"));
  }
  if (const json::value* p = props.if_contains("Parameters"); p && p->is_object()) {
    std::string types = Str(p->get_object(), "endpointConfigurationTypes");
    if (!types.empty()) return std::vector<std::string>{types};
  }
  return std::nullopt;
}

Status CheckRestApiProperties(const json::object& props) {
  if (const json::value* p = props.if_contains("Parameters"); p && p->is_object()) {
    for (const auto& [key, value] : p->get_object()) {
      if (key != "endpointConfigurationTypes") {
        return Unsupported(kRestApiType, "Parameters." + std::string(key),
                           ": only endpointConfigurationTypes is honoured");
      }
    }
  }
  if (const json::value* e = props.if_contains("EndpointConfiguration"); e && e->is_object()) {
    if (e->get_object().contains("VpcEndpointIds")) {
      return Unsupported(kRestApiType, "EndpointConfiguration.VpcEndpointIds");
    }
  }
  return Status::Ok();
}

// "/binaryMediaTypes/image~1png" style path of one list element.
std::string ElementPath(std::string_view list, std::string_view element) {
  std::string path = "/" + std::string(list) + "/";
  for (char c : element) {
    if (c == '~') {
      path += "~0";
    } else if (c == '/') {
      path += "~1";
    } else {
      path += c;
    }
  }
  return path;
}

// Patches that make the API's string list `path` ("binaryMediaTypes",
// "endpointConfiguration/types") hold `wanted`, given what it holds (`current`).
void ListPatches(std::string_view path, const json::value* current,
                 const std::vector<std::string>& wanted, json::array& patches) {
  std::vector<std::string> have = StringList(current).value_or(std::vector<std::string>{});
  for (const std::string& item : have) {
    if (std::find(wanted.begin(), wanted.end(), item) == wanted.end()) {
      patches.push_back(PatchOp("remove", ElementPath(path, item)));
    }
  }
  for (const std::string& item : wanted) {
    if (std::find(have.begin(), have.end(), item) == have.end()) {
      patches.push_back(PatchOp("add", ElementPath(path, item)));
    }
  }
}

// Makes the API's binary media types and endpoint types what the template says (an import
// takes them from the document, the template's properties win, as on AWS).
Status SyncListSettings(ServiceCaller& services, const std::string& id, const json::object& props) {
  auto media = StringList(props.if_contains("BinaryMediaTypes"));
  auto types = EndpointTypes(props);
  if (!media && !types) return Status::Ok();
  TP_ASSIGN_OR_RETURN(json::object api,
                      CallOrFail(services, "apigateway", "GetRestApi", {{"restApiId", id}}));
  json::array patches;
  if (media) ListPatches("binaryMediaTypes", api.if_contains("binaryMediaTypes"), *media, patches);
  if (types) {
    const json::value* endpoint = api.if_contains("endpointConfiguration");
    const json::value* current =
        endpoint && endpoint->is_object() ? endpoint->get_object().if_contains("types") : nullptr;
    ListPatches("endpointConfiguration/types", current, *types, patches);
  }
  return ApplyPatch(services, "UpdateRestApi", {{"restApiId", id}}, std::move(patches)).status();
}

// The settings CreateRestApi takes and UpdateRestApi patches.
json::array SettingsPatches(const json::object& props, const json::object& before) {
  return ChangedPatches(props, before,
                        {{"Name", "/name"},
                         {"Description", "/description"},
                         {"ApiKeySourceType", "/apiKeySource"},
                         {"MinimumCompressionSize", "/minimumCompressionSize"},
                         {"DisableExecuteApiEndpoint", "/disableExecuteApiEndpoint"},
                         {"Policy", "/policy"}});
}

std::string RestApiArn(const ResourceRequest& r, const std::string& id) {
  return "arn:aws:apigateway:" + r.region + "::/restapis/" + id;
}

Result<ResourceState> RestApiState(ServiceCaller& services, const std::string& id) {
  TP_ASSIGN_OR_RETURN(json::object resources, CallOrFail(services, "apigateway", "GetResources",
                                                         {{"restApiId", id}, {"limit", 500}}));
  std::string root;
  if (const json::value* items = resources.if_contains("items"); items && items->is_array()) {
    for (const json::value& item : items->get_array()) {
      if (item.is_object() && Str(item.get_object(), "path") == "/") {
        root = Str(item.get_object(), "id");
      }
    }
  }
  return ResourceState{id, {{"RestApiId", id}, {"RootResourceId", root}}};
}

Result<ResourceState> CreateRestApi(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  TP_RETURN_IF_ERROR(CheckRestApiProperties(props));
  TP_ASSIGN_OR_RETURN(std::string body, OpenApiBody(services, props, "ETag"));
  std::string id;
  if (!body.empty()) {
    TP_ASSIGN_OR_RETURN(json::object imported, CallOrFail(services, "apigateway", "ImportRestApi",
                                                          ImportInput(props, std::move(body))));
    id = Str(imported, "id");
    // Settings the template gives beside the body win over the document's.
    Status settled =
        ApplyPatch(services, "UpdateRestApi", {{"restApiId", id}}, SettingsPatches(props, {}))
            .status();
    if (settled.ok()) settled = SyncListSettings(services, id, props);
    if (settled.ok()) settled = SyncTags(services, kApiGatewayTags, RestApiArn(r, id), props, {});
    TP_RETURN_IF_ERROR(UndoOnFailure(settled, [&] {
      return CallIgnoringNotFound(services, "apigateway", "DeleteRestApi", {{"restApiId", id}});
    }));
  } else {
    if (Str(props, "Name").empty()) return Missing(kRestApiType, "Name");
    json::object in{{"name", Str(props, "Name")}};
    if (props.contains("Description")) in["description"] = Str(props, "Description");
    if (props.contains("ApiKeySourceType")) in["apiKeySource"] = Str(props, "ApiKeySourceType");
    if (const json::value* types = props.if_contains("BinaryMediaTypes")) {
      in["binaryMediaTypes"] = *types;
    }
    int64_t size = 0;
    if (IntMember(props, "MinimumCompressionSize", size)) in["minimumCompressionSize"] = size;
    if (props.contains("DisableExecuteApiEndpoint")) {
      in["disableExecuteApiEndpoint"] = BoolMember(props, "DisableExecuteApiEndpoint", false);
    }
    if (const json::value* policy = props.if_contains("Policy")) in["policy"] = JsonText(*policy);
    if (auto types = EndpointTypes(props)) {
      json::array list;
      for (const std::string& t : *types) list.emplace_back(t);
      in["endpointConfiguration"] = json::object{{"types", std::move(list)}};
    }
    if (props.contains("Tags")) in["tags"] = TagMap(props.if_contains("Tags"));
    TP_ASSIGN_OR_RETURN(json::object created,
                        CallOrFail(services, "apigateway", "CreateRestApi", std::move(in)));
    id = Str(created, "id");
  }
  return RestApiState(services, id);
}

Result<ResourceState> UpdateRestApi(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  const json::object& before = r.previous_properties;
  TP_RETURN_IF_ERROR(CheckRestApiProperties(props));
  const bool body_changed =
      Changed(before, props, "Body") || Changed(before, props, "BodyS3Location");
  if (body_changed) {
    TP_ASSIGN_OR_RETURN(std::string body, OpenApiBody(services, props, "ETag"));
    if (!body.empty()) {
      json::object in = ImportInput(props, std::move(body));
      in["restApiId"] = r.physical_id;
      in["mode"] = props.contains("Mode") ? Str(props, "Mode") : "overwrite";
      TP_RETURN_IF_ERROR(CallOrFail(services, "apigateway", "PutRestApi", std::move(in)).status());
    }
  }
  TP_RETURN_IF_ERROR(ApplyPatch(services, "UpdateRestApi", {{"restApiId", r.physical_id}},
                                // A put document resets them all: all again then.
                                SettingsPatches(props, body_changed ? json::object() : before))
                         .status());
  if (body_changed || Changed(before, props, "BinaryMediaTypes") ||
      Changed(before, props, "EndpointConfiguration") || Changed(before, props, "Parameters")) {
    TP_RETURN_IF_ERROR(SyncListSettings(services, r.physical_id, props));
  }
  TP_RETURN_IF_ERROR(
      SyncTags(services, kApiGatewayTags, RestApiArn(r, r.physical_id), props, before));
  return RestApiState(services, r.physical_id);
}

Status DeleteRestApi(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(services, "apigateway", "DeleteRestApi",
                              {{"restApiId", r.physical_id}});
}

constexpr std::string_view kRestApiProperties[] = {"ApiKeySourceType",
                                                   "BinaryMediaTypes",
                                                   "Body",
                                                   "BodyS3Location",
                                                   "Description",
                                                   "DisableExecuteApiEndpoint",
                                                   "EndpointConfiguration",
                                                   "FailOnWarnings",
                                                   "MinimumCompressionSize",
                                                   "Mode",
                                                   "Name",
                                                   "Parameters",
                                                   "Policy",
                                                   "Tags"};

// --- AWS::ApiGateway::Resource ----------------------------------------------------------------

Result<ResourceState> CreateResource(ServiceCaller& services, const ResourceRequest& r) {
  json::object in{{"restApiId", Str(r.properties, "RestApiId")},
                  {"parentId", Str(r.properties, "ParentId")},
                  {"pathPart", Str(r.properties, "PathPart")}};
  TP_ASSIGN_OR_RETURN(json::object created,
                      CallOrFail(services, "apigateway", "CreateResource", std::move(in)));
  std::string id = Str(created, "id");
  return ResourceState{id, {{"ResourceId", id}}};
}

Status DeleteResource(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(
      services, "apigateway", "DeleteResource",
      {{"restApiId", Str(r.properties, "RestApiId")}, {"resourceId", r.physical_id}});
}

constexpr std::string_view kResourceProperties[] = {"ParentId", "PathPart", "RestApiId"};

// --- AWS::ApiGateway::Deployment --------------------------------------------------------------

Result<ResourceState> CreateDeployment(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  json::object in{{"restApiId", Str(props, "RestApiId")}};
  if (props.contains("StageName")) in["stageName"] = Str(props, "StageName");
  if (props.contains("Description")) in["description"] = Str(props, "Description");
  TP_ASSIGN_OR_RETURN(json::object created,
                      CallOrFail(services, "apigateway", "CreateDeployment", std::move(in)));
  std::string id = Str(created, "id");
  return ResourceState{id, {{"DeploymentId", id}}};
}

Status DeleteDeployment(ServiceCaller& services, const ResourceRequest& r) {
  const std::string api = Str(r.properties, "RestApiId");
  // The stage StageName made goes with the deployment, as CloudFormation's handler deletes it,
  // unless another deployment took it over since.
  if (std::string stage = Str(r.properties, "StageName"); !stage.empty()) {
    auto current =
        CallOrFail(services, "apigateway", "GetStage", {{"restApiId", api}, {"stageName", stage}});
    if (current.ok() && Str(*current, "deploymentId") == r.physical_id) {
      TP_RETURN_IF_ERROR(CallIgnoringNotFound(services, "apigateway", "DeleteStage",
                                              {{"restApiId", api}, {"stageName", stage}}));
    }
  }
  return CallIgnoringNotFound(services, "apigateway", "DeleteDeployment",
                              {{"restApiId", api}, {"deploymentId", r.physical_id}});
}

constexpr std::string_view kDeploymentProperties[] = {"Description", "RestApiId", "StageName"};

// --- AWS::ApiGateway::Stage -------------------------------------------------------------------

// "/~1pets/GET" style prefix of a method setting's patch paths ("/*/*" for every method).
std::string MethodSettingPath(const json::object& setting) {
  std::string resource = Str(setting, "ResourcePath");
  std::string method = Str(setting, "HttpMethod");
  std::string escaped;
  if (resource.empty() || resource == "/*") {
    escaped = "*";
  } else {
    for (char c : resource) escaped += c == '/' ? "~1" : std::string(1, c);
  }
  return "/" + escaped + "/" + (method.empty() ? "*" : method);
}

constexpr std::pair<std::string_view, std::string_view> kMethodSettingPaths[] = {
    {"CacheDataEncrypted", "caching/dataEncrypted"},
    {"CacheTtlInSeconds", "caching/ttlInSeconds"},
    {"CachingEnabled", "caching/enabled"},
    {"DataTraceEnabled", "logging/dataTrace"},
    {"LoggingLevel", "logging/loglevel"},
    {"MetricsEnabled", "metrics/enabled"},
    {"ThrottlingBurstLimit", "throttling/burstLimit"},
    {"ThrottlingRateLimit", "throttling/rateLimit"},
};

// UpdateStage patches that make the stage's settings CreateStage does not take (access logs,
// method settings) and, on update, every changed setting, what the template says.
Result<json::array> StagePatches(const json::object& props, const json::object& before) {
  json::array patches;
  if (!before.empty()) {
    patches = ChangedPatches(props, before,
                             {{"DeploymentId", "/deploymentId"},
                              {"Description", "/description"},
                              {"TracingEnabled", "/tracingEnabled"},
                              {"CacheClusterEnabled", "/cacheClusterEnabled"},
                              {"CacheClusterSize", "/cacheClusterSize"},
                              {"DocumentationVersion", "/documentationVersion"},
                              {"ClientCertificateId", "/clientCertificateId"}});
    if (Changed(before, props, "Variables")) {
      json::object now = props.contains("Variables") && props.at("Variables").is_object()
                             ? props.at("Variables").get_object()
                             : json::object();
      if (const json::value* old = before.if_contains("Variables"); old && old->is_object()) {
        for (const auto& [k, v] : old->get_object()) {
          if (!now.contains(k))
            patches.push_back(PatchOp("remove", "/variables/" + std::string(k)));
        }
      }
      for (const auto& [k, v] : now) {
        patches.push_back(PatchOp("replace", "/variables/" + std::string(k), JsonText(v)));
      }
    }
  }
  if (Changed(before, props, "AccessLogSetting")) {
    const json::value* log = props.if_contains("AccessLogSetting");
    if (log && log->is_object()) {
      patches.push_back(PatchOp("replace", "/accessLogSettings/destinationArn",
                                Str(log->get_object(), "DestinationArn")));
      patches.push_back(
          PatchOp("replace", "/accessLogSettings/format", Str(log->get_object(), "Format")));
    } else {
      patches.push_back(PatchOp("remove", "/accessLogSettings"));
    }
  }
  if (Changed(before, props, "MethodSettings")) {
    const json::value* list = props.if_contains("MethodSettings");
    if (list && list->is_array()) {
      for (const json::value& s : list->get_array()) {
        if (!s.is_object()) continue;
        const json::object& setting = s.get_object();
        std::string prefix = MethodSettingPath(setting);
        for (const auto& [key, value] : setting) {
          if (key == "ResourcePath" || key == "HttpMethod") continue;
          auto it = std::find_if(
              std::begin(kMethodSettingPaths), std::end(kMethodSettingPaths),
              [&, name = std::string_view(key)](const auto& p) { return p.first == name; });
          if (it == std::end(kMethodSettingPaths)) {
            return Unsupported("AWS::ApiGateway::Stage", "MethodSettings." + std::string(key));
          }
          patches.push_back(
              PatchOp("replace", prefix + "/" + std::string(it->second), JsonText(value)));
        }
      }
    }
  }
  return patches;
}

std::string StageArn(const ResourceRequest& r, const std::string& api, const std::string& stage) {
  return "arn:aws:apigateway:" + r.region + "::/restapis/" + api + "/stages/" + stage;
}

Result<ResourceState> CreateStage(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  std::string api = Str(props, "RestApiId");
  std::string name = Str(props, "StageName");
  if (name.empty()) return Missing("AWS::ApiGateway::Stage", "StageName");
  TP_ASSIGN_OR_RETURN(json::array patches, StagePatches(props, {}));
  json::object in{{"restApiId", api}, {"stageName", name}};
  if (props.contains("DeploymentId")) in["deploymentId"] = Str(props, "DeploymentId");
  for (auto [from, to] :
       {std::pair{"Description", "description"}, std::pair{"CacheClusterSize", "cacheClusterSize"},
        std::pair{"DocumentationVersion", "documentationVersion"}}) {
    if (props.contains(from)) in[to] = Str(props, from);
  }
  for (auto [from, to] : {std::pair{"CacheClusterEnabled", "cacheClusterEnabled"},
                          std::pair{"TracingEnabled", "tracingEnabled"}}) {
    if (props.contains(from)) in[to] = BoolMember(props, from, false);
  }
  if (const json::value* vars = props.if_contains("Variables"); vars && vars->is_object()) {
    json::object variables;
    for (const auto& [k, v] : vars->get_object()) variables[k] = JsonText(v);
    in["variables"] = std::move(variables);
  }
  if (props.contains("Tags")) in["tags"] = TagMap(props.if_contains("Tags"));
  TP_RETURN_IF_ERROR(CallOrFail(services, "apigateway", "CreateStage", std::move(in)).status());
  if (props.contains("ClientCertificateId")) {
    patches.push_back(
        PatchOp("replace", "/clientCertificateId", Str(props, "ClientCertificateId")));
  }
  TP_RETURN_IF_ERROR(
      UndoOnFailure(ApplyPatch(services, "UpdateStage", {{"restApiId", api}, {"stageName", name}},
                               std::move(patches))
                        .status(),
                    [&] {
                      return CallIgnoringNotFound(services, "apigateway", "DeleteStage",
                                                  {{"restApiId", api}, {"stageName", name}});
                    }));
  return ResourceState{name, {}};
}

Result<ResourceState> UpdateStage(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  std::string api = Str(props, "RestApiId");
  TP_ASSIGN_OR_RETURN(json::array patches, StagePatches(props, r.previous_properties));
  TP_RETURN_IF_ERROR(ApplyPatch(services, "UpdateStage",
                                {{"restApiId", api}, {"stageName", r.physical_id}},
                                std::move(patches))
                         .status());
  TP_RETURN_IF_ERROR(SyncTags(services, kApiGatewayTags, StageArn(r, api, r.physical_id), props,
                              r.previous_properties));
  return ResourceState{r.physical_id, {}};
}

Status DeleteStage(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(
      services, "apigateway", "DeleteStage",
      {{"restApiId", Str(r.properties, "RestApiId")}, {"stageName", r.physical_id}});
}

constexpr std::string_view kStageProperties[] = {"AccessLogSetting",
                                                 "CacheClusterEnabled",
                                                 "CacheClusterSize",
                                                 "ClientCertificateId",
                                                 "DeploymentId",
                                                 "Description",
                                                 "DocumentationVersion",
                                                 "MethodSettings",
                                                 "RestApiId",
                                                 "StageName",
                                                 "Tags",
                                                 "TracingEnabled",
                                                 "Variables"};
constexpr std::string_view kStageReplaceOn[] = {"RestApiId", "StageName"};

constexpr TypeSpec kRestApiSpec{kRestApiType,   kRestApiProperties, {},
                                &CreateRestApi, &UpdateRestApi,     &DeleteRestApi};
constexpr TypeSpec kResourceSpec{"AWS::ApiGateway::Resource",
                                 kResourceProperties,
                                 {},
                                 &CreateResource,
                                 nullptr,
                                 &DeleteResource};
constexpr TypeSpec kDeploymentSpec{"AWS::ApiGateway::Deployment",
                                   kDeploymentProperties,
                                   {},
                                   &CreateDeployment,
                                   nullptr,
                                   &DeleteDeployment};
constexpr TypeSpec kStageSpec{"AWS::ApiGateway::Stage",
                              kStageProperties,
                              kStageReplaceOn,
                              &CreateStage,
                              &UpdateStage,
                              &DeleteStage};

}  // namespace

const SpecProvider kApiGatewayRestApi{kRestApiSpec};
const SpecProvider kApiGatewayResource{kResourceSpec};
const SpecProvider kApiGatewayDeployment{kDeploymentSpec};
const SpecProvider kApiGatewayStage{kStageSpec};

}  // namespace tidepool::cloudformation::serverless
