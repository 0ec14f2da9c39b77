#include "services/apigateway/http_api_import.h"

#include <boost/json.hpp>

#include <map>
#include <set>
#include <utility>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/openapi.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;

namespace {

constexpr std::string_view kIntegrationsRef = "#/components/x-amazon-apigateway-integrations/";
constexpr std::string_view kExtensionPrefix = "x-amazon-apigateway-";

// One member of an extension object and the member of the apigatewayv2 shape it becomes.
struct MemberName {
  std::string_view openapi;
  std::string_view api;
};

// x-amazon-apigateway-integration ("type" handled apart: lower case in OpenAPI).
constexpr MemberName kIntegrationMembers[] = {
    {"uri", "IntegrationUri"},
    {"httpMethod", "IntegrationMethod"},
    {"payloadFormatVersion", "PayloadFormatVersion"},
    {"connectionType", "ConnectionType"},
    {"timeoutInMillis", "TimeoutInMillis"},
    {"description", "Description"},
};

// x-amazon-apigateway-authorizer ("type" and "identitySource" handled apart).
constexpr MemberName kAuthorizerMembers[] = {
    {"authorizerUri", "AuthorizerUri"},
    {"authorizerPayloadFormatVersion", "AuthorizerPayloadFormatVersion"},
    {"authorizerResultTtlInSeconds", "AuthorizerResultTtlInSeconds"},
    {"enableSimpleResponses", "EnableSimpleResponses"},
    {"authorizerCredentials", "AuthorizerCredentialsArn"},
};

constexpr MemberName kJwtMembers[] = {{"issuer", "Issuer"}, {"audience", "Audience"}};

constexpr MemberName kCorsMembers[] = {
    {"allowOrigins", "AllowOrigins"},   {"allowCredentials", "AllowCredentials"},
    {"exposeHeaders", "ExposeHeaders"}, {"maxAge", "MaxAge"},
    {"allowMethods", "AllowMethods"},   {"allowHeaders", "AllowHeaders"},
};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// `from`'s members renamed by `names` (OpenAPI -> API shape, or back with `to_api` false).
// Importing, a member outside `names` and `handled` is refused, naming `where`.
template <size_t N>
Result<json::object> Rename(const json::object& from, const MemberName (&names)[N], bool to_api,
                            std::initializer_list<std::string_view> handled,
                            std::string_view where) {
  json::object out;
  for (const auto& kv : from) {
    bool known = false;
    for (const MemberName& n : names) {
      if (kv.key() == (to_api ? n.openapi : n.api)) {
        out[to_api ? n.api : n.openapi] = kv.value();
        known = true;
      }
    }
    for (std::string_view h : handled) known = known || kv.key() == h;
    if (!known && to_api) {
      return BadRequest("tidepool does not import " + std::string(where) + "." +
                        std::string(kv.key()) + " yet");
    }
  }
  return out;
}

// Refuses every x-amazon-apigateway-* member of `o` but `allowed`.
Status RefuseExtensions(const json::object& o, std::initializer_list<std::string_view> allowed,
                        std::string_view where) {
  for (const auto& kv : o) {
    if (!kv.key().starts_with(kExtensionPrefix)) continue;
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || kv.key() == a;
    if (!ok) {
      return BadRequest("tidepool does not import " + std::string(kv.key()) + " (in " +
                        std::string(where) + ") yet");
    }
  }
  return Status::Ok();
}

// The base path of servers[0].url ("" or "/a/b"), its {variables} replaced by their defaults.
std::string ServerBasePath(const json::object& doc) {
  const json::value* servers = doc.if_contains("servers");
  if (servers == nullptr || !servers->is_array() || servers->get_array().empty()) return "";
  const json::object* server = servers->get_array()[0].if_object();
  if (server == nullptr) return "";
  std::string url = StringField(*server, "url");
  if (size_t scheme = url.find("://"); scheme != std::string::npos) {
    size_t slash = url.find('/', scheme + 3);
    url = slash == std::string::npos ? "" : url.substr(slash);
  }
  const json::object* variables = FindObject(*server, "variables");
  std::string out;
  for (size_t i = 0; i < url.size(); ++i) {
    size_t close = url[i] == '{' ? url.find('}', i) : std::string::npos;
    if (close == std::string::npos) {
      out += url[i];
      continue;
    }
    const json::object* v =
        variables ? FindObject(*variables, url.substr(i + 1, close - i - 1)) : nullptr;
    if (v != nullptr) out += StringField(*v, "default");
    i = close;
  }
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (!out.empty() && out[0] != '/') out = "/" + out;
  return out;
}

// What the route paths get in front of them for `basepath`.
Result<std::string> PathPrefix(const json::object& doc, std::string_view basepath) {
  if (basepath.empty() || basepath == "ignore") return std::string();
  std::string base = ServerBasePath(doc);
  if (basepath == "prepend") return base;
  if (basepath == "split") {
    size_t second = base.find('/', 1);
    return second == std::string::npos ? std::string() : base.substr(second);
  }
  return BadRequest("Invalid basepath " + std::string(basepath) +
                    ". Valid values are ignore, prepend and split.");
}

Result<json::object> ImportIntegration(const json::object& x) {
  auto out = Rename(x, kIntegrationMembers, true, {"type"}, "x-amazon-apigateway-integration");
  if (!out.ok()) return out.status();
  (*out)["IntegrationType"] = Upper(StringField(x, "type"));
  if (!out->contains("ConnectionType")) (*out)["ConnectionType"] = "INTERNET";
  if (StringField(*out, "ConnectionType") != "INTERNET") {
    return BadRequest("tidepool does not import VPC link integrations yet");
  }
  if (!out->contains("TimeoutInMillis")) (*out)["TimeoutInMillis"] = 30000;
  if (!out->contains("PayloadFormatVersion")) {
    (*out)["PayloadFormatVersion"] =
        StringField(*out, "IntegrationType") == "HTTP_PROXY" ? "1.0" : "2.0";
  }
  if (const json::value* v = out->if_contains("IntegrationMethod"); v && v->is_string()) {
    (*out)["IntegrationMethod"] = Upper(v->get_string());
  }
  return out;
}

Result<json::object> ImportAuthorizer(std::string_view name, const json::object& x) {
  auto out = Rename(x, kAuthorizerMembers, true, {"type", "identitySource", "jwtConfiguration"},
                    "x-amazon-apigateway-authorizer");
  if (!out.ok()) return out.status();
  (*out)["Name"] = name;
  std::string type = Lower(StringField(x, "type"));
  if (type != "jwt" && type != "request") {
    return BadRequest("tidepool does not import authorizers of type " + type +
                      " (jwt and request only)");
  }
  (*out)["AuthorizerType"] = type == "jwt" ? "JWT" : "REQUEST";
  json::array sources;
  if (const json::value* s = x.if_contains("identitySource")) {
    if (s->is_array()) {
      sources = s->get_array();
    } else if (s->is_string()) {
      std::string_view all = s->get_string();
      while (!all.empty()) {
        size_t comma = all.find(',');
        std::string_view one = all.substr(0, comma);
        while (one.starts_with(' ')) one.remove_prefix(1);
        while (one.ends_with(' ')) one.remove_suffix(1);
        if (!one.empty()) sources.emplace_back(one);
        all = comma == std::string_view::npos ? "" : all.substr(comma + 1);
      }
    }
  }
  if (!sources.empty()) (*out)["IdentitySource"] = std::move(sources);
  if (const json::object* jwt = FindObject(x, "jwtConfiguration")) {
    auto config = Rename(*jwt, kJwtMembers, true, {}, "jwtConfiguration");
    if (!config.ok()) return config.status();
    (*out)["JwtConfiguration"] = std::move(*config);
  }
  return out;
}

// The state of one import: what routes refer to, made once.
class HttpImport {
 public:
  HttpImport(const json::object& doc, std::string (*new_id)(size_t)) : doc_(doc), new_id_(new_id) {}

  // The integration id of an operation's x-amazon-apigateway-integration (a $ref made once).
  Result<std::string> Integration(const json::object& x, ImportedHttpApi& out) {
    std::string ref = StringField(x, "$ref");
    if (!ref.empty()) {
      if (auto it = by_ref_.find(ref); it != by_ref_.end()) return it->second;
      const json::object* components = FindObject(doc_, "components");
      const json::object* all =
          components ? FindObject(*components, "x-amazon-apigateway-integrations") : nullptr;
      const json::object* target =
          ref.starts_with(kIntegrationsRef) && all
              ? FindObject(*all, std::string_view(ref).substr(kIntegrationsRef.size()))
              : nullptr;
      if (target == nullptr) return BadRequest("Unresolvable integration reference " + ref);
      auto id = Add(*target, out);
      if (id.ok()) by_ref_[ref] = *id;
      return id;
    }
    return Add(x, out);
  }

  // Sets `route`'s authorization from the security requirements `security` (an array).
  Status Authorize(const json::value& security, json::object& route, ImportedHttpApi& out) {
    if (!security.is_array()) return BadRequest("Invalid security requirement");
    for (const json::value& requirement : security.get_array()) {
      const json::object* r = requirement.if_object();
      if (r == nullptr) return BadRequest("Invalid security requirement");
      for (const auto& kv : *r) {
        if (route.contains("AuthorizationType") && route.at("AuthorizationType") != "NONE") {
          return BadRequest("tidepool imports one security scheme per route");
        }
        auto kind = Scheme(kv.key(), out);
        if (!kind.ok()) return kind.status();
        if (kind->first == "AWS_IAM") {
          route["AuthorizationType"] = "AWS_IAM";
          continue;
        }
        route["AuthorizerId"] = kind->second;
        route["AuthorizationType"] = kind->first == "JWT" ? "JWT" : "CUSTOM";
        if (kv.value().is_array() && !kv.value().get_array().empty()) {
          route["AuthorizationScopes"] = kv.value();
        }
      }
    }
    return Status::Ok();
  }

 private:
  Result<std::string> Add(const json::object& x, ImportedHttpApi& out) {
    auto integration = ImportIntegration(x);
    if (!integration.ok()) return integration.status();
    std::string id = new_id_(7);
    (*integration)["IntegrationId"] = id;
    out.integrations[id] = std::move(*integration);
    return id;
  }

  // The authorization of security scheme `name`: ("AWS_IAM", "") or (authorizer type, id).
  Result<std::pair<std::string, std::string>> Scheme(std::string_view name, ImportedHttpApi& out) {
    if (auto it = schemes_.find(std::string(name)); it != schemes_.end()) return it->second;
    const json::object* components = FindObject(doc_, "components");
    const json::object* all = components ? FindObject(*components, "securitySchemes") : nullptr;
    const json::object* scheme = all ? FindObject(*all, name) : nullptr;
    if (scheme == nullptr) return BadRequest("Unknown security scheme " + std::string(name));
    std::pair<std::string, std::string> kind;
    if (Lower(StringField(*scheme, "x-amazon-apigateway-authtype")) == "awssigv4") {
      kind = {"AWS_IAM", ""};
    } else if (const json::object* x = FindObject(*scheme, "x-amazon-apigateway-authorizer")) {
      auto authorizer = ImportAuthorizer(name, *x);
      if (!authorizer.ok()) return authorizer.status();
      std::string id = new_id_(6);
      (*authorizer)["AuthorizerId"] = id;
      kind = {StringField(*authorizer, "AuthorizerType"), id};
      out.authorizers[id] = std::move(*authorizer);
    } else {
      return BadRequest("tidepool does not import the security scheme " + std::string(name) +
                        " (no x-amazon-apigateway-authorizer)");
    }
    schemes_[std::string(name)] = kind;
    return kind;
  }

  const json::object& doc_;
  std::string (*new_id_)(size_t);
  std::map<std::string, std::string> by_ref_;
  std::map<std::string, std::pair<std::string, std::string>> schemes_;
};

Status CheckDocument(const json::object& doc) {
  if (doc.contains("swagger") || !doc.contains("openapi")) {
    return BadRequest("Invalid OpenAPI input: HTTP APIs import OpenAPI 3.0 definitions only");
  }
  if (Status s = RefuseExtensions(
          doc, {"x-amazon-apigateway-cors", "x-amazon-apigateway-importexport-version"}, "/");
      !s.ok()) {
    return s;
  }
  if (const json::value* v = doc.if_contains("x-amazon-apigateway-importexport-version");
      v && !(v->is_string() && v->get_string() == "1.0")) {
    return BadRequest("Unsupported x-amazon-apigateway-importexport-version (1.0 only)");
  }
  if (const json::object* components = FindObject(doc, "components")) {
    if (Status s =
            RefuseExtensions(*components, {"x-amazon-apigateway-integrations"}, "components");
        !s.ok()) {
      return s;
    }
    if (const json::object* schemes = FindObject(*components, "securitySchemes")) {
      for (const auto& kv : *schemes) {
        const json::object* scheme = kv.value().if_object();
        if (scheme == nullptr) return BadRequest("Invalid security scheme");
        if (Status s = RefuseExtensions(
                *scheme, {"x-amazon-apigateway-authorizer", "x-amazon-apigateway-authtype"},
                kv.key());
            !s.ok()) {
          return s;
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ImportedHttpApi> ImportHttpApi(std::string_view body, std::string_view basepath,
                                      std::string (*new_id)(size_t)) {
  auto definition = ParseOpenApiDefinition(body);
  if (!definition.ok()) return definition.status();
  const json::object* doc = definition->if_object();
  if (doc == nullptr) return BadRequest("Invalid OpenAPI input: expected an object");
  if (Status s = CheckDocument(*doc); !s.ok()) return s;
  auto prefix = PathPrefix(*doc, basepath);
  if (!prefix.ok()) return prefix.status();
  ImportedHttpApi out;
  if (const json::object* info = FindObject(*doc, "info")) {
    if (info->contains("title")) out.api["Name"] = info->at("title");
    if (info->contains("description")) out.api["Description"] = info->at("description");
    if (const json::value* v = info->if_contains("version"); v && v->is_string()) {
      out.api["Version"] = *v;
    }
  }
  if (StringField(out.api, "Name").empty()) {
    return BadRequest("Invalid OpenAPI input: info.title is required");
  }
  if (const json::object* cors = FindObject(*doc, "x-amazon-apigateway-cors")) {
    auto config = Rename(*cors, kCorsMembers, true, {}, "x-amazon-apigateway-cors");
    if (!config.ok()) return config.status();
    out.api["CorsConfiguration"] = std::move(*config);
  }
  HttpImport import(*doc, new_id);
  const json::object* paths = FindObject(*doc, "paths");
  if (paths == nullptr) return out;
  for (const auto& path : *paths) {
    const json::object* item = path.value().if_object();
    if (item == nullptr) return BadRequest("Invalid path item " + std::string(path.key()));
    if (Status s = RefuseExtensions(*item, {"x-amazon-apigateway-any-method"}, path.key());
        !s.ok()) {
      return s;
    }
    for (auto [name, verb] : kOpenApiOperations) {
      const json::object* op = FindObject(*item, name);
      if (op == nullptr) continue;
      if (Status s = RefuseExtensions(*op, {"x-amazon-apigateway-integration"},
                                      std::string(path.key()) + " " + std::string(name));
          !s.ok()) {
        return s;
      }
      json::object route{{"AuthorizationType", "NONE"}, {"ApiKeyRequired", false}};
      if (path.key() == "/$default") {
        if (verb != "ANY") return BadRequest("/$default takes x-amazon-apigateway-any-method only");
        route["RouteKey"] = "$default";
      } else {
        route["RouteKey"] = std::string(verb) + " " + *prefix + std::string(path.key());
      }
      if (op->contains("operationId")) route["OperationName"] = op->at("operationId");
      if (const json::object* x = FindObject(*op, "x-amazon-apigateway-integration")) {
        auto id = import.Integration(*x, out);
        if (!id.ok()) return id.status();
        route["Target"] = "integrations/" + *id;
      }
      const json::value* security = op->if_contains("security");
      if (security == nullptr) security = doc->if_contains("security");
      if (security != nullptr) {
        if (Status s = import.Authorize(*security, route, out); !s.ok()) return s;
      }
      std::string id = new_id(7);
      route["RouteId"] = id;
      out.routes[id] = std::move(route);
    }
  }
  return out;
}

namespace {

// The path parameters of an OpenAPI path ("{id}", "{proxy+}" -> "id", "proxy+").
json::array PathParameters(std::string_view path) {
  json::array out;
  for (size_t open = path.find('{'); open != std::string_view::npos;
       open = path.find('{', open + 1)) {
    size_t close = path.find('}', open);
    if (close == std::string_view::npos) break;
    out.push_back(json::object{{"name", path.substr(open + 1, close - open - 1)},
                               {"in", "path"},
                               {"required", true},
                               {"schema", json::object{{"type", "string"}}}});
  }
  return out;
}

json::object ExportScheme(const json::object& authorizer, bool extensions) {
  const bool jwt = StringField(authorizer, "AuthorizerType") == "JWT";
  json::object scheme =
      jwt ? json::object{{"type", "oauth2"}, {"flows", json::object()}}
          : json::object{{"type", "apiKey"}, {"name", "Unused"}, {"in", "header"}};
  if (!extensions) return scheme;
  json::object x = *Rename(authorizer, kAuthorizerMembers, false, {}, "");
  x["type"] = jwt ? "jwt" : "request";
  if (const json::value* sources = authorizer.if_contains("IdentitySource");
      sources && sources->is_array()) {
    std::string joined;
    for (const json::value& s : sources->get_array()) {
      if (!s.is_string()) continue;
      joined += (joined.empty() ? "" : ",") + std::string(s.get_string());
    }
    x["identitySource"] = joined;
  }
  if (const json::object* config = FindObject(authorizer, "JwtConfiguration")) {
    x["jwtConfiguration"] = *Rename(*config, kJwtMembers, false, {}, "");
  }
  scheme["x-amazon-apigateway-authorizer"] = std::move(x);
  return scheme;
}

}  // namespace

json::object ExportHttpApi(const json::object& api, const json::object& routes,
                           const json::object& integrations, const json::object& authorizers,
                           const std::string& server_url, bool extensions) {
  json::object info{{"title", StringField(api, "Name")}};
  if (api.contains("Description")) info["description"] = api.at("Description");
  info["version"] = api.contains("Version") ? api.at("Version") : json::value("1.0");
  json::object doc{{"openapi", "3.0.1"},
                   {"info", std::move(info)},
                   {"servers", json::array{json::object{{"url", server_url}}}}};
  json::object paths;
  json::object schemes;
  // Routes in route-key order, so that an export does not depend on the ids.
  std::map<std::string, const json::object*> by_key;
  for (const auto& kv : routes) {
    if (const json::object* r = kv.value().if_object()) by_key[StringField(*r, "RouteKey")] = r;
  }
  for (const auto& [key, route] : by_key) {
    std::string verb = "ANY", path = "/$default";
    if (key != "$default") {
      verb = key.substr(0, key.find(' '));
      path = key.substr(key.find(' ') + 1);
    }
    std::string name = verb == "ANY" ? "x-amazon-apigateway-any-method" : Lower(verb);
    if (name == "x-amazon-apigateway-any-method" && !extensions) continue;
    json::object op{
        {"responses",
         json::object{{"default", json::object{{"description", "Default response for " + key}}}}}};
    if (json::array params = PathParameters(path); !params.empty()) {
      op["parameters"] = std::move(params);
    }
    if (route->contains("OperationName")) op["operationId"] = route->at("OperationName");
    std::string type = StringField(*route, "AuthorizationType");
    const json::object* authorizer = FindObject(authorizers, StringField(*route, "AuthorizerId"));
    if (type == "AWS_IAM") {
      schemes["sigv4"] =
          json::object{{"type", "apiKey"}, {"name", "Authorization"}, {"in", "header"}};
      if (extensions) {
        schemes["sigv4"].as_object()["x-amazon-apigateway-authtype"] = "awsSigv4";
      }
      op["security"] = json::array{json::object{{"sigv4", json::array()}}};
    } else if ((type == "JWT" || type == "CUSTOM") && authorizer != nullptr) {
      std::string scheme = StringField(*authorizer, "Name");
      schemes[scheme] = ExportScheme(*authorizer, extensions);
      const json::value* scopes = route->if_contains("AuthorizationScopes");
      op["security"] = json::array{json::object{
          {scheme, scopes && scopes->is_array() ? *scopes : json::value(json::array())}}};
    }
    std::string target = StringField(*route, "Target");
    const json::object* integration =
        target.starts_with("integrations/") ? FindObject(integrations, target.substr(13)) : nullptr;
    if (integration != nullptr && extensions) {
      json::object x = *Rename(*integration, kIntegrationMembers, false, {}, "");
      x["type"] = Lower(StringField(*integration, "IntegrationType"));
      op["x-amazon-apigateway-integration"] = std::move(x);
    }
    ObjectField(paths, path)[name] = std::move(op);
  }
  doc["paths"] = std::move(paths);
  if (!schemes.empty()) {
    doc["components"] = json::object{{"securitySchemes", std::move(schemes)}};
  }
  if (extensions) {
    if (const json::object* cors = FindObject(api, "CorsConfiguration")) {
      doc["x-amazon-apigateway-cors"] = *Rename(*cors, kCorsMembers, false, {}, "");
    }
    doc["x-amazon-apigateway-importexport-version"] = "1.0";
  }
  return doc;
}

}  // namespace tidepool::apigateway
