#include "services/apigateway/openapi.h"

#include <boost/json.hpp>

#include <cctype>
#include <map>

#include "protocol/codec/yaml_reader.h"
#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/documentation.h"
#include "services/apigateway/records.h"
#include "services/apigateway/resource_tree.h"

namespace tidepool::apigateway {
namespace json = boost::json;

const std::pair<std::string_view, std::string_view> kOpenApiOperations[8] = {
    {"get", "GET"},         {"put", "PUT"},
    {"post", "POST"},       {"delete", "DELETE"},
    {"patch", "PATCH"},     {"head", "HEAD"},
    {"options", "OPTIONS"}, {"x-amazon-apigateway-any-method", "ANY"},
};

namespace {

constexpr std::string_view kRefused[] = {
    "x-amazon-apigateway-policy",
    "x-amazon-apigateway-gateway-responses",
    "x-amazon-apigateway-minimum-compression-size",
};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The security schemes of the document (components.securitySchemes or securityDefinitions).
const json::object* SecuritySchemes(const json::object& doc) {
  if (const json::object* c = FindObject(doc, "components")) {
    if (const json::object* s = FindObject(*c, "securitySchemes")) return s;
  }
  return FindObject(doc, "securityDefinitions");
}

Result<json::object> Integration(const json::object& x) {
  json::object out;
  out["type"] = Upper(StringField(x, "type"));
  CopyMembers(x,
              {"uri", "requestTemplates", "requestParameters", "timeoutInMillis", "cacheNamespace",
               "cacheKeyParameters"},
              out);
  if (x.contains("httpMethod")) out["httpMethod"] = Upper(StringField(x, "httpMethod"));
  out["passthroughBehavior"] = x.contains("passthroughBehavior")
                                   ? Upper(StringField(x, "passthroughBehavior"))
                                   : std::string("WHEN_NO_MATCH");
  if (x.contains("contentHandling"))
    out["contentHandling"] = Upper(StringField(x, "contentHandling"));
  if (!out.contains("timeoutInMillis")) out["timeoutInMillis"] = 29000;
  if (x.contains("connectionType") && StringField(x, "connectionType") != "INTERNET") {
    return BadRequest("tidepool does not import VPC link integrations");
  }
  if (const json::object* responses = FindObject(x, "responses")) {
    json::object integration_responses;
    for (const auto& kv : *responses) {
      const json::object* r = kv.value().if_object();
      if (r == nullptr) return BadRequest("Invalid integration response " + std::string(kv.key()));
      json::object ir;
      std::string code = StringField(*r, "statusCode");
      if (code.empty()) return BadRequest("An integration response needs a statusCode");
      ir["statusCode"] = code;
      if (kv.key() != "default") ir["selectionPattern"] = kv.key();
      CopyMembers(*r, {"responseTemplates", "responseParameters"}, ir);
      integration_responses[code] = std::move(ir);
    }
    out["integrationResponses"] = std::move(integration_responses);
  }
  return out;
}

// What methods refer to: request validators by name (-> id), the default validator's name.
struct ImportContext {
  std::map<std::string, std::string> validator_ids;
  std::string default_validator;
};

// The model a schema object names ({"$ref": ".../<name>"}); "" for an inline schema.
std::string ModelOf(const json::object* schema) {
  std::string ref = schema ? StringField(*schema, "$ref") : std::string();
  size_t slash = ref.rfind('/');
  return slash == std::string::npos ? std::string() : ref.substr(slash + 1);
}

// `schema` with every "$ref" to "#/components/schemas/<name>" or "#/definitions/<name>" as a
// model URL.
json::value ModelRefs(const json::value& schema) {
  if (schema.is_array()) {
    json::array out;
    for (const json::value& v : schema.get_array()) out.push_back(ModelRefs(v));
    return out;
  }
  if (!schema.is_object()) return schema;
  json::object out;
  for (const auto& kv : schema.get_object()) {
    std::string_view ref;
    if (kv.value().is_string()) ref = kv.value().get_string();
    if (kv.key() == "$ref" &&
        (ref.starts_with("#/components/schemas/") || ref.starts_with("#/definitions/"))) {
      out["$ref"] = "https://apigateway.amazonaws.com/restapis/{restapi_id}/models/" +
                    std::string(ref.substr(ref.rfind('/') + 1));
    } else {
      out[kv.key()] = ModelRefs(kv.value());
    }
  }
  return out;
}

Result<json::object> Method(const json::object& op, std::string_view verb, const json::object& doc,
                            const json::value* path_parameters, const ImportContext& context) {
  json::object m{{"httpMethod", verb}, {"authorizationType", "NONE"}, {"apiKeyRequired", false}};
  if (op.contains("operationId")) m["operationName"] = op.at("operationId");
  json::object params;
  for (const json::value* list : {path_parameters, op.if_contains("parameters")}) {
    if (list == nullptr || !list->is_array()) continue;
    for (const json::value& p : list->get_array()) {
      const json::object* o = p.if_object();
      if (o == nullptr) continue;
      std::string in = StringField(*o, "in");
      if (in == "body") {
        std::string model = ModelOf(FindObject(*o, "schema"));
        if (!model.empty()) m["requestModels"] = json::object{{"application/json", model}};
      }
      if (in == "query") in = "querystring";
      if (in != "path" && in != "querystring" && in != "header") continue;
      const json::value* required = o->if_contains("required");
      params["method.request." + in + "." + StringField(*o, "name")] =
          required != nullptr && required->is_bool() && required->get_bool();
    }
  }
  if (!params.empty()) m["requestParameters"] = std::move(params);
  if (const json::object* body = FindObject(op, "requestBody")) {
    json::object models;
    if (const json::object* content = FindObject(*body, "content")) {
      for (const auto& kv : *content) {
        const json::object* media = kv.value().if_object();
        std::string model = ModelOf(media ? FindObject(*media, "schema") : nullptr);
        if (!model.empty()) models[kv.key()] = model;
      }
    }
    if (!models.empty()) m["requestModels"] = std::move(models);
  }
  std::string validator = op.contains("x-amazon-apigateway-request-validator")
                              ? StringField(op, "x-amazon-apigateway-request-validator")
                              : context.default_validator;
  if (!validator.empty()) {
    auto id = context.validator_ids.find(validator);
    if (id == context.validator_ids.end()) {
      return BadRequest("Invalid request validator name specified: " + validator);
    }
    m["requestValidatorId"] = id->second;
  }
  if (const json::value* security = op.if_contains("security"); security && security->is_array()) {
    const json::object* schemes = SecuritySchemes(doc);
    for (const json::value& requirement : security->get_array()) {
      if (!requirement.is_object()) continue;
      for (const auto& kv : requirement.get_object()) {
        const json::object* scheme = schemes ? FindObject(*schemes, kv.key()) : nullptr;
        if (scheme == nullptr)
          return BadRequest("Unknown security scheme " + std::string(kv.key()));
        if (scheme->contains("x-amazon-apigateway-authorizer")) {
          return BadRequest(
              "tidepool does not import authorizers (x-amazon-apigateway-authorizer) yet");
        }
        if (StringField(*scheme, "type") == "apiKey" && StringField(*scheme, "in") == "header" &&
            StringField(*scheme, "name") == "x-api-key") {
          m["apiKeyRequired"] = true;
        } else {
          return BadRequest("tidepool does not import the security scheme " +
                            std::string(kv.key()));
        }
      }
    }
  }
  if (const json::object* responses = FindObject(op, "responses")) {
    json::object method_responses;
    for (const auto& kv : *responses) {
      if (kv.key() == "default") continue;
      json::object mr{{"statusCode", kv.key()}};
      if (const json::object* r = kv.value().if_object()) {
        if (const json::object* headers = FindObject(*r, "headers")) {
          json::object rp;
          for (const auto& h : *headers)
            rp["method.response.header." + std::string(h.key())] = false;
          mr["responseParameters"] = std::move(rp);
        }
      }
      method_responses[kv.key()] = std::move(mr);
    }
    if (!method_responses.empty()) m["methodResponses"] = std::move(method_responses);
  }
  if (const json::object* x = FindObject(op, "x-amazon-apigateway-integration")) {
    auto integration = Integration(*x);
    if (!integration.ok()) return integration.status();
    m["methodIntegration"] = std::move(*integration);
  }
  return m;
}

}  // namespace

Result<json::value> ParseOpenApiDefinition(std::string_view body) {
  std::string_view trimmed = body.substr(std::min(body.size(), body.find_first_not_of(" \t\r\n")));
  if (!trimmed.starts_with('{')) {
    auto parsed = protocol::yaml::ParseYaml(body);
    if (!parsed.ok()) return BadRequest("Invalid OpenAPI input: " + parsed.status().message());
    return parsed;
  }
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 64;
  json::value parsed = json::parse(body, ec, {}, options);
  if (ec) return BadRequest("Invalid OpenAPI input: the body is not valid JSON");
  return parsed;
}

Result<ImportedApi> ImportOpenApi(std::string_view body, std::string (*new_id)(size_t)) {
  auto definition = ParseOpenApiDefinition(body);
  if (!definition.ok()) return definition.status();
  const json::value& parsed = *definition;
  if (!parsed.is_object()) return BadRequest("Invalid OpenAPI input: expected an object");
  const json::object& doc = parsed.get_object();
  if (!doc.contains("openapi") && !doc.contains("swagger")) {
    return BadRequest("Invalid OpenAPI input: neither 'openapi' nor 'swagger' is given");
  }
  for (std::string_view key : kRefused) {
    if (doc.contains(key))
      return BadRequest("tidepool does not import " + std::string(key) + " yet");
  }
  ImportedApi out;
  auto documentation = ReadDocumentationExtension(doc);
  if (!documentation.ok()) return documentation.status();
  out.documentation = std::move(*documentation);
  if (const json::object* info = FindObject(doc, "info")) {
    if (info->contains("title")) out.api["name"] = info->at("title");
    CopyMembers(*info, {"description", "version"}, out.api);
  }
  if (!out.api.contains("name")) return BadRequest("Invalid OpenAPI input: info.title is required");
  if (const json::value* types = doc.if_contains("x-amazon-apigateway-binary-media-types")) {
    out.api["binaryMediaTypes"] = *types;
  }
  if (const json::value* source = doc.if_contains("x-amazon-apigateway-api-key-source")) {
    if (!source->is_string() || Upper(source->get_string()) != "HEADER") {
      return BadRequest("tidepool does not import apiKeySource AUTHORIZER yet");
    }
  }
  // Resources: the root, then one per distinct path prefix.
  std::map<std::string, std::string> ids{{"/", new_id(10)}};
  out.resources[ids["/"]] = json::object{{"id", ids["/"]}, {"path", "/"}};
  auto resource_for = [&](const std::string& path) -> Result<json::object*> {
    ResourceTree probe;
    if (!probe.Add(path, "p").ok()) return BadRequest("Invalid path " + path);
    std::string prefix;
    std::string parent = ids["/"];
    size_t start = 1;
    while (start < path.size()) {
      size_t slash = path.find('/', start);
      std::string part = path.substr(start, slash == std::string::npos ? slash : slash - start);
      prefix += "/" + part;
      auto [it, added] = ids.emplace(prefix, "");
      if (added) {
        it->second = new_id(6);
        out.resources[it->second] = json::object{
            {"id", it->second}, {"parentId", parent}, {"pathPart", part}, {"path", prefix}};
      }
      parent = it->second;
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    return &out.resources[parent].as_object();
  };
  ImportContext context;
  if (const json::object* validators = FindObject(doc, "x-amazon-apigateway-request-validators")) {
    for (const auto& kv : *validators) {
      const json::object* v = kv.value().if_object();
      if (v == nullptr) return BadRequest("Invalid request validator " + std::string(kv.key()));
      std::string id = new_id(6);
      json::object validator{{"id", id},
                             {"name", kv.key()},
                             {"validateRequestBody", false},
                             {"validateRequestParameters", false}};
      CopyMembers(*v, {"validateRequestBody", "validateRequestParameters"}, validator);
      out.validators[id] = std::move(validator);
      context.validator_ids[std::string(kv.key())] = id;
    }
  }
  context.default_validator = StringField(doc, "x-amazon-apigateway-request-validator");
  const json::object* schemas = FindObject(doc, "definitions");
  if (const json::object* components = FindObject(doc, "components")) {
    schemas = FindObject(*components, "schemas");
  }
  if (schemas != nullptr) {
    for (const auto& kv : *schemas) {
      if (!kv.value().is_object()) return BadRequest("Invalid schema " + std::string(kv.key()));
      out.models[kv.key()] = json::object{{"id", new_id(6)},
                                          {"name", kv.key()},
                                          {"contentType", "application/json"},
                                          {"schema", json::serialize(ModelRefs(kv.value()))}};
    }
  }
  const json::object* paths = FindObject(doc, "paths");
  if (paths == nullptr) return out;
  for (const auto& kv : *paths) {
    const json::object* item = kv.value().if_object();
    if (item == nullptr) return BadRequest("Invalid path item " + std::string(kv.key()));
    auto resource = resource_for(std::string(kv.key()));
    if (!resource.ok()) return resource.status();
    for (auto [name, verb] : kOpenApiOperations) {
      const json::object* op = FindObject(*item, name);
      if (op == nullptr) continue;
      auto method = Method(*op, verb, doc, item->if_contains("parameters"), context);
      if (!method.ok()) return method.status();
      ObjectField(**resource, "resourceMethods")[verb] = std::move(*method);
    }
  }
  return out;
}

}  // namespace tidepool::apigateway
