#include "services/apigateway/documentation.h"

#include <re2/re2.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;

namespace {

enum class Takes : uint8_t { kNo, kOptional, kRequired };

// One row of the table in documentation.h.
struct LocationRule {
  std::string_view type;
  bool path;
  bool method;
  bool status_code;
  Takes name;
};

constexpr std::array<LocationRule, 12> kRules{{
    {"API", false, false, false, Takes::kNo},
    {"AUTHORIZER", false, false, false, Takes::kRequired},
    {"MODEL", false, false, false, Takes::kRequired},
    {"RESOURCE", true, false, false, Takes::kNo},
    {"METHOD", true, true, false, Takes::kNo},
    {"PATH_PARAMETER", true, true, false, Takes::kRequired},
    {"QUERY_PARAMETER", true, true, false, Takes::kRequired},
    {"REQUEST_HEADER", true, true, false, Takes::kRequired},
    {"REQUEST_BODY", true, true, false, Takes::kOptional},
    {"RESPONSE", true, true, true, Takes::kNo},
    {"RESPONSE_HEADER", true, true, true, Takes::kRequired},
    {"RESPONSE_BODY", true, true, true, Takes::kNo},
}};

const LocationRule* FindRule(std::string_view type) {
  for (const LocationRule& rule : kRules) {
    if (rule.type == type) return &rule;
  }
  return nullptr;
}

size_t RuleIndex(std::string_view type) {
  for (size_t i = 0; i < kRules.size(); ++i) {
    if (kRules[i].type == type) return i;
  }
  return kRules.size();
}

std::string EnumError(std::string_view member, std::string_view value) {
  std::string set;
  for (const LocationRule& rule : kRules) set += (set.empty() ? "" : ", ") + std::string(rule.type);
  return "1 validation error detected: Value '" + std::string(value) + "' at '" +
         std::string(member) + "' failed to satisfy constraint: Member must satisfy enum value " +
         "set: [" + set + "]";
}

// The member `key` of a location as text; BadRequest when present and not a string.
Result<std::string> LocationMember(const json::object& location, std::string_view key) {
  const json::value* v = location.if_contains(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) {
    return BadRequest("Invalid documentation part location: '" + std::string(key) +
                      "' must be a string");
  }
  return std::string(v->get_string());
}

std::optional<json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 64;
  json::value v = json::parse(text, ec, {}, options);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

bool Documented(const json::object& part) {
  auto props = ParseObject(StringField(part, "properties"));
  return props && !props->empty();
}

// Sets each member of `props` on `target`.
void SetMembers(const json::object& props, json::object& target) {
  for (const auto& kv : props) target[kv.key()] = kv.value();
}

std::string OperationKey(std::string_view method) {
  if (method == "ANY") return "x-amazon-apigateway-any-method";
  std::string out(method);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The operations of `paths` a location names (a `*` method: every operation of the path).
std::vector<json::object*> Operations(json::object& paths, const json::object& location) {
  std::vector<json::object*> out;
  json::object* item = FindObject(paths, StringField(location, "path"));
  if (item == nullptr) return out;
  std::string method = StringField(location, "method");
  for (auto& kv : *item) {
    if (!kv.value().is_object()) continue;
    if (method == "*" ? kv.key() != "parameters" : kv.key() == OperationKey(method)) {
      out.push_back(&kv.value().get_object());
    }
  }
  return out;
}

// The objects of `operation` a location below a method names.
std::vector<json::object*> Targets(json::object& operation, const json::object& location,
                                   bool swagger) {
  std::vector<json::object*> out;
  std::string type = StringField(location, "type");
  std::string name = StringField(location, "name");
  auto parameter = [&](std::string_view in, std::string_view wanted) {
    json::value* params = operation.if_contains("parameters");
    if (params == nullptr || !params->is_array()) return;
    for (json::value& p : params->get_array()) {
      if (!p.is_object()) continue;
      json::object& o = p.get_object();
      if (StringField(o, "in") == in && (wanted.empty() || StringField(o, "name") == wanted)) {
        out.push_back(&o);
      }
    }
  };
  if (type == "METHOD") {
    out.push_back(&operation);
  } else if (type == "PATH_PARAMETER") {
    parameter("path", name);
  } else if (type == "QUERY_PARAMETER") {
    parameter("query", name);
  } else if (type == "REQUEST_HEADER") {
    parameter("header", name);
  } else if (type == "REQUEST_BODY") {
    if (swagger) {
      parameter("body", "");
    } else if (json::object* body = FindObject(operation, "requestBody")) {
      out.push_back(body);
    }
  } else {  // RESPONSE, RESPONSE_HEADER, RESPONSE_BODY
    json::object* responses = FindObject(operation, "responses");
    if (responses == nullptr) return out;
    std::string code = StringField(location, "statusCode");
    for (auto& kv : *responses) {
      if (!kv.value().is_object() || (code != "*" && kv.key() != code)) continue;
      json::object& response = kv.value().get_object();
      if (type == "RESPONSE") {
        out.push_back(&response);
      } else if (type == "RESPONSE_HEADER") {
        json::object* headers = FindObject(response, "headers");
        if (json::object* header = headers ? FindObject(*headers, name) : nullptr) {
          out.push_back(header);
        }
      } else if (swagger) {
        if (json::object* schema = FindObject(response, "schema")) out.push_back(schema);
      } else if (json::object* content = FindObject(response, "content")) {
        for (auto& media : *content) {
          if (media.value().is_object()) out.push_back(&media.value().get_object());
        }
      }
    }
  }
  return out;
}

}  // namespace

Result<json::object> CanonicalDocumentationLocation(const json::value* location) {
  if (location == nullptr || !location->is_object()) {
    return BadRequest(
        "1 validation error detected: Value null at 'location' failed to satisfy constraint: "
        "Member must not be null");
  }
  const json::object& in = location->get_object();
  auto type = LocationMember(in, "type");
  if (!type.ok()) return type.status();
  if (type->empty()) {
    return BadRequest(
        "1 validation error detected: Value null at 'location.type' failed to satisfy "
        "constraint: Member must not be null");
  }
  const LocationRule* rule = FindRule(*type);
  if (rule == nullptr) return BadRequest(EnumError("location.type", *type));
  json::object out{{"type", *type}};
  struct Member {
    std::string_view key;
    bool takes;
    std::string_view fallback;
  };
  for (const Member& m : {Member{"path", rule->path, "/"}, Member{"method", rule->method, "*"},
                          Member{"statusCode", rule->status_code, "*"},
                          Member{"name", rule->name != Takes::kNo, ""}}) {
    auto value = LocationMember(in, m.key);
    if (!value.ok()) return value.status();
    if (!m.takes) {
      if (!value->empty()) {
        return BadRequest("Invalid documentation part location: '" + std::string(m.key) +
                          "' is not a valid field for type '" + *type + "'");
      }
      continue;
    }
    if (value->empty() && m.key == "name") {
      if (rule->name == Takes::kRequired) {
        return BadRequest("Invalid documentation part location: 'name' is required for type '" +
                          *type + "'");
      }
      continue;
    }
    out[m.key] = value->empty() ? std::string(m.fallback) : *value;
  }
  std::string path = StringField(out, "path");
  if (rule->path && (path.empty() || path.front() != '/')) {
    return BadRequest("Invalid documentation part location: invalid path '" + path + "'");
  }
  std::string code = StringField(out, "statusCode");
  if (rule->status_code && !RE2::FullMatch(code, R"([1-5]\d\d|\*)")) {
    return BadRequest("Invalid documentation part location: invalid statusCode '" + code + "'");
  }
  return out;
}

std::string DescribeDocumentationLocation(const json::object& location) {
  std::string out;
  for (std::string_view key : {"type", "path", "method", "statusCode", "name"}) {
    if (!location.contains(key)) continue;
    if (!out.empty()) out += ", ";
    out += std::string(key) + " '" + StringField(location, key) + "'";
  }
  return out;
}

Status CheckDocumentationProperties(const json::value* properties) {
  if (properties == nullptr || properties->is_null()) {
    return BadRequest(
        "1 validation error detected: Value null at 'properties' failed to satisfy constraint: "
        "Member must not be null");
  }
  if (!properties->is_string() || !ParseObject(properties->get_string())) {
    return BadRequest("Invalid documentation content specified: properties must be a JSON object");
  }
  return Status::Ok();
}

Result<DocumentationFilter> DocumentationFilterOf(const json::object& input) {
  DocumentationFilter f{StringField(input, "type"), StringField(input, "nameQuery"),
                        StringField(input, "path"), StringField(input, "locationStatus")};
  if (!f.type.empty() && FindRule(f.type) == nullptr) return BadRequest(EnumError("type", f.type));
  if (!f.location_status.empty() && f.location_status != "DOCUMENTED" &&
      f.location_status != "UNDOCUMENTED") {
    return BadRequest("1 validation error detected: Value '" + f.location_status +
                      "' at 'locationStatus' failed to satisfy constraint: Member must satisfy "
                      "enum value set: [DOCUMENTED, UNDOCUMENTED]");
  }
  return f;
}

bool DocumentationPartMatches(const json::object& part, const DocumentationFilter& filter) {
  const json::object* location = FindObject(part, "location");
  if (location == nullptr) return false;
  if (!filter.type.empty() && StringField(*location, "type") != filter.type) return false;
  if (!filter.path.empty() && StringField(*location, "path") != filter.path) return false;
  if (!filter.name_query.empty() &&
      StringField(*location, "name").find(filter.name_query) == std::string::npos) {
    return false;
  }
  if (filter.location_status == "DOCUMENTED") return Documented(part);
  if (filter.location_status == "UNDOCUMENTED") return !Documented(part);
  return true;
}

Result<ImportedDocumentation> ReadDocumentationExtension(const json::object& definition) {
  ImportedDocumentation out;
  const json::value* ext = definition.if_contains("x-amazon-apigateway-documentation");
  if (ext == nullptr) return out;
  if (!ext->is_object()) {
    return BadRequest("Invalid OpenAPI input: x-amazon-apigateway-documentation must be an object");
  }
  const json::object& doc = ext->get_object();
  if (const json::value* version = doc.if_contains("version")) {
    if (version->is_string()) {
      out.version = version->get_string();
    } else if (version->is_number()) {
      out.version = json::serialize(*version);
    }
  }
  const json::value* parts = doc.if_contains("documentationParts");
  if (parts == nullptr) return out;
  if (!parts->is_array()) {
    return BadRequest("Invalid OpenAPI input: documentationParts must be an array");
  }
  size_t index = 0;
  for (const json::value& p : parts->get_array()) {
    std::string where = "documentationParts[" + std::to_string(index++) + "]: ";
    if (!p.is_object()) {
      out.warnings.push_back(where + "a documentation part must be an object");
      continue;
    }
    auto location = CanonicalDocumentationLocation(p.get_object().if_contains("location"));
    if (!location.ok()) {
      out.warnings.push_back(where + location.status().message());
      continue;
    }
    const json::value* props = p.get_object().if_contains("properties");
    json::value text = props != nullptr && props->is_object() ? json::value(json::serialize(*props))
                       : props != nullptr                     ? *props
                                                              : json::value();
    if (Status s = CheckDocumentationProperties(&text); !s.ok()) {
      out.warnings.push_back(where + s.message());
      continue;
    }
    bool duplicate = std::any_of(out.parts.begin(), out.parts.end(), [&](const json::object& o) {
      return o.at("location") == json::value(*location);
    });
    if (duplicate) {
      out.warnings.push_back(where + "a part for location " +
                             DescribeDocumentationLocation(*location) +
                             " is already in the document");
      continue;
    }
    out.parts.push_back(json::object{{"location", std::move(*location)}, {"properties", text}});
  }
  return out;
}

std::vector<std::string> MergeDocumentationParts(json::object& parts,
                                                 const std::vector<json::object>& imported,
                                                 bool overwrite, std::string (*new_id)(size_t)) {
  if (overwrite) parts.clear();
  std::vector<std::string> ids;
  for (const json::object& part : imported) {
    std::string id;
    for (auto& kv : parts) {
      const json::object* existing = kv.value().if_object();
      if (existing != nullptr && existing->contains("location") &&
          existing->at("location") == part.at("location")) {
        id = kv.key();
        break;
      }
    }
    if (id.empty()) {
      do {
        id = new_id(6);
      } while (parts.contains(id));
    }
    json::object stored = part;
    stored["id"] = id;
    parts[id] = std::move(stored);
    ids.push_back(id);
  }
  return ids;
}

json::object DocumentationExtension(const json::object& version) {
  std::vector<json::object> parts;
  if (const json::object* stored = FindObject(version, "parts")) {
    for (const auto& kv : *stored) {
      if (kv.value().is_object()) parts.push_back(kv.value().get_object());
    }
  }
  auto key = [](const json::object& part) {
    const json::object* l = FindObject(part, "location");
    if (l == nullptr) return std::string();
    return std::string(1, static_cast<char>('a' + RuleIndex(StringField(*l, "type")))) +
           StringField(*l, "path") + '\0' + StringField(*l, "method") + '\0' +
           StringField(*l, "statusCode") + '\0' + StringField(*l, "name");
  };
  std::sort(parts.begin(), parts.end(),
            [&](const json::object& a, const json::object& b) { return key(a) < key(b); });
  json::array out_parts;
  for (const json::object& part : parts) {
    auto props = ParseObject(StringField(part, "properties"));
    json::object location;
    if (const json::object* l = FindObject(part, "location")) location = *l;
    out_parts.push_back(json::object{{"location", std::move(location)},
                                     {"properties", props ? *props : json::object()}});
  }
  json::object out{{"version", StringField(version, "version")}};
  if (const json::value* created = version.if_contains("createdDate")) {
    out["createdDate"] = *created;
  }
  out["documentationParts"] = std::move(out_parts);
  return out;
}

void ApplyDocumentationToExport(const json::object& parts, bool swagger, json::object& exported) {
  json::object& paths = ObjectField(exported, "paths");
  for (const auto& kv : parts) {
    const json::object* part = kv.value().if_object();
    const json::object* location = part ? FindObject(*part, "location") : nullptr;
    if (location == nullptr) continue;
    auto props = ParseObject(StringField(*part, "properties"));
    if (!props) continue;
    std::string type = StringField(*location, "type");
    if (type == "API") {
      json::object& info = ObjectField(exported, "info");
      for (const auto& p : *props) {
        if (p.key() == "info" && p.value().is_object()) {
          SetMembers(p.value().get_object(), info);
        } else {
          info[p.key()] = p.value();
        }
      }
    } else if (type == "MODEL") {
      json::object* schemas = swagger ? FindObject(exported, "definitions") : nullptr;
      if (!swagger) {
        json::object* components = FindObject(exported, "components");
        schemas = components ? FindObject(*components, "schemas") : nullptr;
      }
      json::object* schema =
          schemas ? FindObject(*schemas, StringField(*location, "name")) : nullptr;
      if (schema != nullptr) SetMembers(*props, *schema);
    } else if (type == "RESOURCE") {
      if (json::object* item = FindObject(paths, StringField(*location, "path"))) {
        SetMembers(*props, *item);
      }
    } else if (type != "AUTHORIZER") {
      for (json::object* operation : Operations(paths, *location)) {
        for (json::object* target : Targets(*operation, *location, swagger)) {
          SetMembers(*props, *target);
        }
      }
    }
  }
}

Status CheckStageDocumentationVersion(const json::object& doc, const json::object& stage) {
  const json::value* version = stage.if_contains("documentationVersion");
  if (version == nullptr || version->is_null() ||
      (version->is_string() && version->get_string().empty())) {
    return Status::Ok();
  }
  const json::object* versions = FindObject(doc, "documentationVersions");
  if (!version->is_string() || versions == nullptr || !versions->contains(version->get_string())) {
    return BadRequest("Invalid documentation version specified: " +
                      StringField(stage, "documentationVersion"));
  }
  return Status::Ok();
}

}  // namespace tidepool::apigateway
