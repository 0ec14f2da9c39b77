#include "services/apigateway/openapi_export.h"

#include <boost/json.hpp>

#include <map>

#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// `schema` with every "$ref" to ".../models/<name>" pointing at `prefix` + name.
json::value RewriteRefs(const json::value& schema, std::string_view prefix) {
  if (schema.is_array()) {
    json::array out;
    for (const json::value& v : schema.get_array()) out.push_back(RewriteRefs(v, prefix));
    return out;
  }
  if (!schema.is_object()) return schema;
  json::object out;
  for (const auto& kv : schema.get_object()) {
    if (kv.key() == "$ref" && kv.value().is_string()) {
      std::string_view ref = kv.value().get_string();
      size_t at = ref.rfind("/models/");
      out["$ref"] = at == std::string_view::npos
                        ? std::string(ref)
                        : std::string(prefix) + std::string(ref.substr(at + 8));
    } else {
      out[kv.key()] = RewriteRefs(kv.value(), prefix);
    }
  }
  return out;
}

json::object Parameter(std::string_view name, std::string_view in, bool required, bool swagger) {
  json::object p{{"name", name}, {"in", in}, {"required", required || in == "path"}};
  if (swagger) {
    p["type"] = "string";
  } else {
    p["schema"] = json::object{{"type", "string"}};
  }
  return p;
}

json::object IntegrationExtension(const json::object& integration) {
  json::object x;
  x["type"] = Lower(StringField(integration, "type"));
  CopyMembers(integration,
              {"uri", "httpMethod", "requestTemplates", "requestParameters", "passthroughBehavior",
               "timeoutInMillis", "contentHandling", "cacheNamespace", "cacheKeyParameters"},
              x);
  if (const json::object* responses = FindObject(integration, "integrationResponses")) {
    json::object out;
    for (const auto& kv : *responses) {
      const json::object* r = kv.value().if_object();
      if (r == nullptr) continue;
      json::object response{{"statusCode", StringField(*r, "statusCode")}};
      CopyMembers(*r, {"responseTemplates", "responseParameters", "contentHandling"}, response);
      std::string pattern = StringField(*r, "selectionPattern");
      out[pattern.empty() ? std::string("default") : pattern] = std::move(response);
    }
    x["responses"] = std::move(out);
  }
  return x;
}

json::object Operation(const json::object& method, const Deployment& d,
                       const ExportOptions& options, bool* uses_key) {
  const bool swagger = options.swagger;
  const std::string schemas = swagger ? "#/definitions/" : "#/components/schemas/";
  json::object op;
  if (std::string id = StringField(method, "operationName"); !id.empty()) op["operationId"] = id;
  json::array parameters;
  if (const json::object* params = FindObject(method, "requestParameters")) {
    constexpr std::pair<std::string_view, std::string_view> kSources[] = {
        {"method.request.path.", "path"},
        {"method.request.querystring.", "query"},
        {"method.request.header.", "header"}};
    for (const auto& kv : *params) {
      for (auto [prefix, in] : kSources) {
        if (!kv.key().starts_with(prefix)) continue;
        bool required = kv.value().is_bool() && kv.value().get_bool();
        parameters.push_back(Parameter(kv.key().substr(prefix.size()), in, required, swagger));
      }
    }
  }
  if (const json::object* models = FindObject(method, "requestModels")) {
    json::object content;
    for (const auto& kv : *models) {
      if (!kv.value().is_string()) continue;
      json::object ref{{"$ref", schemas + std::string(kv.value().get_string())}};
      if (swagger) {
        parameters.push_back(json::object{{"in", "body"},
                                          {"name", kv.value().get_string()},
                                          {"required", true},
                                          {"schema", std::move(ref)}});
        break;  // Swagger 2.0 has one body parameter
      }
      content[kv.key()] = json::object{{"schema", std::move(ref)}};
    }
    if (!content.empty())
      op["requestBody"] = json::object{{"content", std::move(content)}, {"required", true}};
  }
  if (!parameters.empty()) op["parameters"] = std::move(parameters);
  json::object responses;
  if (const json::object* method_responses = FindObject(method, "methodResponses")) {
    for (const auto& kv : *method_responses) {
      const json::object* r = kv.value().if_object();
      if (r == nullptr) continue;
      json::object response{{"description", std::string(kv.key()) + " response"}};
      if (const json::object* params = FindObject(*r, "responseParameters")) {
        json::object headers;
        for (const auto& p : *params) {
          constexpr std::string_view kHeader = "method.response.header.";
          if (!p.key().starts_with(kHeader)) continue;
          headers[p.key().substr(kHeader.size())] =
              swagger ? json::object{{"type", "string"}}
                      : json::object{{"schema", json::object{{"type", "string"}}}};
        }
        if (!headers.empty()) response["headers"] = std::move(headers);
      }
      if (const json::object* models = FindObject(*r, "responseModels")) {
        json::object content;
        for (const auto& m : *models) {
          if (!m.value().is_string()) continue;
          json::object ref{{"$ref", schemas + std::string(m.value().get_string())}};
          if (swagger) {
            response["schema"] = std::move(ref);
            break;
          }
          content[m.key()] = json::object{{"schema", std::move(ref)}};
        }
        if (!content.empty()) response["content"] = std::move(content);
      }
      responses[kv.key()] = std::move(response);
    }
  }
  op["responses"] = std::move(responses);
  if (const json::value* k = method.if_contains("apiKeyRequired");
      k && k->is_bool() && k->get_bool()) {
    op["security"] = json::array{json::object{{"api_key", json::array()}}};
    *uses_key = true;
  }
  if (options.validators) {
    const json::object* v = FindObject(d.validators, StringField(method, "requestValidatorId"));
    if (v != nullptr) op["x-amazon-apigateway-request-validator"] = StringField(*v, "name");
  }
  if (options.integrations) {
    if (const json::object* integration = FindObject(method, "methodIntegration")) {
      op["x-amazon-apigateway-integration"] = IntegrationExtension(*integration);
    }
  }
  return op;
}

}  // namespace

json::object ExportOpenApi(const json::object& api, const Deployment& d, const std::string& stage,
                           const ExportOptions& options) {
  json::object doc;
  json::object info{{"title", StringField(api, "name")}};
  CopyMembers(api, {"description"}, info);
  std::string version = StringField(api, "version");
  info["version"] = version.empty() ? std::string("1.0") : version;
  if (options.swagger) {
    doc["swagger"] = "2.0";
    doc["info"] = std::move(info);
    doc["host"] = options.host;
    doc["basePath"] = "/" + stage;
    doc["schemes"] = json::array{"http"};
  } else {
    doc["openapi"] = "3.0.1";
    doc["info"] = std::move(info);
    doc["servers"] = json::array{
        json::object{{"url", "http://" + options.host + "/{basePath}"},
                     {"variables", json::object{{"basePath", json::object{{"default", stage}}}}}}};
  }
  std::map<std::string, json::object> paths;  // sorted by path
  bool uses_key = false;
  for (const auto& kv : d.resources) {
    const json::object* r = kv.value().if_object();
    const json::object* methods = r ? FindObject(*r, "resourceMethods") : nullptr;
    if (methods == nullptr || methods->empty()) continue;
    json::object& item = paths[StringField(*r, "path")];
    for (const auto& m : *methods) {
      if (!m.value().is_object()) continue;
      std::string verb = m.key() == "ANY" ? "x-amazon-apigateway-any-method" : Lower(m.key());
      item[verb] = Operation(m.value().get_object(), d, options, &uses_key);
    }
  }
  json::object out_paths;
  for (auto& [path, item] : paths) out_paths[path] = std::move(item);
  doc["paths"] = std::move(out_paths);
  json::object schemas;
  const std::string prefix = options.swagger ? "#/definitions/" : "#/components/schemas/";
  for (const auto& kv : d.models) {
    if (kv.value().is_object()) schemas[kv.key()] = RewriteRefs(kv.value(), prefix);
  }
  json::object key_scheme{{"type", "apiKey"}, {"name", "x-api-key"}, {"in", "header"}};
  if (options.swagger) {
    if (!schemas.empty()) doc["definitions"] = std::move(schemas);
    if (uses_key) doc["securityDefinitions"] = json::object{{"api_key", std::move(key_scheme)}};
  } else {
    json::object components;
    if (!schemas.empty()) components["schemas"] = std::move(schemas);
    if (uses_key) components["securitySchemes"] = json::object{{"api_key", std::move(key_scheme)}};
    if (!components.empty()) doc["components"] = std::move(components);
  }
  if (options.validators && !d.validators.empty()) {
    json::object validators;
    for (const auto& kv : d.validators) {
      const json::object* v = kv.value().if_object();
      if (v == nullptr) continue;
      json::object entry;
      CopyMembers(*v, {"validateRequestBody", "validateRequestParameters"}, entry);
      validators[StringField(*v, "name")] = std::move(entry);
    }
    doc["x-amazon-apigateway-request-validators"] = std::move(validators);
  }
  return doc;
}

}  // namespace tidepool::apigateway
