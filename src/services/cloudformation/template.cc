#include "services/cloudformation/template.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <set>

#include "protocol/codec/yaml_reader.h"

namespace tidepool::cloudformation {

namespace json = boost::json;

namespace {

constexpr std::string_view kSections[] = {"AWSTemplateFormatVersion",
                                          "Description",
                                          "Metadata",
                                          "Parameters",
                                          "Rules",
                                          "Mappings",
                                          "Conditions",
                                          "Transform",
                                          "Resources",
                                          "Outputs",
                                          "Hooks"};

constexpr std::string_view kResourceKeys[] = {"Type",      "Properties",     "DependsOn",
                                              "Condition", "DeletionPolicy", "UpdateReplacePolicy",
                                              "Metadata",  "CreationPolicy", "UpdatePolicy",
                                              "Version",   "Description"};

bool IsAlphanumeric(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

std::string StringOr(const json::object& o, std::string_view key, std::string fallback = {}) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : fallback;
}

Result<std::vector<std::string>> DependsOn(const json::value& v, const std::string& id) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.emplace_back(v.get_string());
  } else if (v.is_array()) {
    for (const auto& e : v.get_array()) {
      if (!e.is_string())
        return TemplateFormatError("DependsOn of " + id + " must be a string or a list of strings");
      out.emplace_back(e.get_string());
    }
  } else {
    return TemplateFormatError("DependsOn of " + id + " must be a string or a list of strings");
  }
  return out;
}

Status CheckPolicy(const std::string& value, const std::string& id, bool deletion) {
  static const std::set<std::string> kPolicies = {"Delete", "Retain", "Snapshot",
                                                  "RetainExceptOnCreate"};
  if (kPolicies.count(value) != 0 && (deletion || value != "RetainExceptOnCreate")) return {};
  return TemplateFormatError("Unrecognized " +
                             std::string(deletion ? "DeletionPolicy" : "UpdateReplacePolicy") +
                             " " + value + " for resource " + id);
}

Result<Resource> ReadResource(const std::string& id, const json::value& v) {
  if (!IsAlphanumeric(id) || id.size() > 255)
    return TemplateFormatError("Resource name " + id + " is non alphanumeric.");
  if (!v.is_object()) return TemplateFormatError("Every Resources member must be an object.");
  const json::object& o = v.get_object();
  Resource r;
  r.logical_id = id;
  const json::value* type = o.if_contains("Type");
  if (type == nullptr)
    return TemplateFormatError("Every Resources object must contain a Type member.");
  if (!type->is_string() || type->get_string().empty())
    return TemplateFormatError("Every Type member must be a string.");
  r.type = std::string(type->get_string());
  for (const auto& [key, _] : o) {
    if (std::find(std::begin(kResourceKeys), std::end(kResourceKeys), key) ==
        std::end(kResourceKeys))
      return TemplateFormatError("Invalid template resource property '" + std::string(key) + "'");
  }
  if (const json::value* p = o.if_contains("Properties"); p != nullptr) {
    if (!p->is_object() && !p->is_null())
      return TemplateFormatError("Every Properties member of " + id + " must be an object.");
    r.properties = *p;
  }
  if (const json::value* d = o.if_contains("DependsOn"); d != nullptr) {
    TP_ASSIGN_OR_RETURN(r.depends_on, DependsOn(*d, id));
  }
  if (const json::value* c = o.if_contains("Condition"); c != nullptr) {
    if (!c->is_string()) return TemplateFormatError("Condition of " + id + " must be a string");
    r.condition = std::string(c->get_string());
  }
  r.deletion_policy = StringOr(o, "DeletionPolicy", "Delete");
  if (Status s = CheckPolicy(r.deletion_policy, id, true); !s.ok()) return s;
  r.update_replace_policy = StringOr(o, "UpdateReplacePolicy", "Delete");
  if (Status s = CheckPolicy(r.update_replace_policy, id, false); !s.ok()) return s;
  if (const json::value* m = o.if_contains("Metadata"); m != nullptr) r.metadata = *m;
  return r;
}

Result<Output> ReadOutput(const std::string& id, const json::value& v) {
  if (!IsAlphanumeric(id) || id.size() > 255)
    return TemplateFormatError("Output name " + id + " is non alphanumeric.");
  if (!v.is_object()) return TemplateFormatError("Every Outputs member must be an object.");
  const json::object& o = v.get_object();
  Output out;
  out.logical_id = id;
  const json::value* value = o.if_contains("Value");
  if (value == nullptr)
    return TemplateFormatError("Every Outputs member must contain a Value object");
  out.value = *value;
  out.description = StringOr(o, "Description");
  out.condition = StringOr(o, "Condition");
  if (const json::value* e = o.if_contains("Export"); e != nullptr) {
    const json::value* name = e->is_object() ? e->get_object().if_contains("Name") : nullptr;
    if (name == nullptr)
      return TemplateFormatError("Output " + id +
                                 " is malformed. The Name field of every Export "
                                 "member must be specified and consist only of alphanumeric "
                                 "characters, colons, or hyphens.");
    out.export_name = *name;
  }
  return out;
}

Result<json::object> ObjectSection(const json::object& doc, std::string_view name) {
  const json::value* v = doc.if_contains(name);
  if (v == nullptr || v->is_null()) return json::object{};
  if (!v->is_object())
    return TemplateFormatError("Every " + std::string(name) + " member must be an object.");
  return v->get_object();
}

}  // namespace

Status TemplateFormatError(std::string_view message) {
  return Status::InvalidArgument("Template format error: " + std::string(message));
}

Status TemplateError(std::string_view message) {
  return Status::InvalidArgument("Template error: " + std::string(message));
}

const Resource* Template::FindResource(std::string_view logical_id) const {
  for (const auto& r : resources) {
    if (r.logical_id == logical_id) return &r;
  }
  return nullptr;
}

bool Template::HasTransform(std::string_view name) const {
  return std::find(transforms.begin(), transforms.end(), name) != transforms.end();
}

Result<json::value> ParseTemplateBody(std::string_view body) {
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && body[first] == '{') {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec) return TemplateFormatError("JSON not well-formed. (" + ec.message() + ")");
    return v;
  }
  protocol::yaml::YamlOptions options;
  options.on_tag = protocol::yaml::CloudFormationShortForm;
  auto parsed = protocol::yaml::ParseYaml(body, options);
  if (!parsed.ok())
    return TemplateFormatError("YAML not well-formed. (" + parsed.status().message() + ")");
  return std::move(parsed).value();
}

Result<Template> ReadTemplate(json::value document) {
  if (!document.is_object()) return TemplateFormatError("template is not a JSON or YAML object");
  const json::object& doc = document.get_object();
  // A transform (SAM's Globals) may add sections of its own; its output is checked again.
  const bool transformed = doc.contains("Transform");
  std::vector<std::string> unknown;
  for (const auto& [key, _] : doc) {
    if (!transformed &&
        std::find(std::begin(kSections), std::end(kSections), key) == std::end(kSections))
      unknown.emplace_back(key);
  }
  if (!unknown.empty()) {
    std::sort(unknown.begin(), unknown.end());
    std::string list;
    for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
    return TemplateFormatError("Invalid template property or properties [" + list + "]");
  }
  Template t;
  if (const json::value* v = doc.if_contains("AWSTemplateFormatVersion"); v != nullptr) {
    t.format_version = v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
    if (t.format_version != "2010-09-09")
      return TemplateFormatError("Unsupported AWSTemplateFormatVersion " + t.format_version +
                                 ": the only version is 2010-09-09");
  }
  if (const json::value* v = doc.if_contains("Description"); v != nullptr) {
    if (!v->is_string()) return TemplateFormatError("Every Description member must be a string.");
    t.description = std::string(v->get_string());
    if (t.description.size() > 1024)
      return TemplateFormatError("Template description is longer than 1024 characters");
  }
  if (const json::value* v = doc.if_contains("Transform"); v != nullptr) {
    if (v->is_string()) {
      t.transforms.emplace_back(v->get_string());
    } else if (v->is_array()) {
      for (const auto& e : v->get_array()) {
        if (!e.is_string()) return TemplateFormatError("Every Transform member must be a string.");
        t.transforms.emplace_back(e.get_string());
      }
    } else {
      return TemplateFormatError("Transform must be a string or a list of strings.");
    }
  }
  TP_ASSIGN_OR_RETURN(t.metadata, ObjectSection(doc, "Metadata"));
  TP_ASSIGN_OR_RETURN(t.parameters, ObjectSection(doc, "Parameters"));
  TP_ASSIGN_OR_RETURN(t.mappings, ObjectSection(doc, "Mappings"));
  TP_ASSIGN_OR_RETURN(t.conditions, ObjectSection(doc, "Conditions"));
  if (t.parameters.size() > kMaxParameters)
    return TemplateFormatError("Parameter count " + std::to_string(t.parameters.size()) +
                               " is greater than max allowed " + std::to_string(kMaxParameters));
  for (const auto& [name, decl] : t.parameters) {
    if (!IsAlphanumeric(name))
      return TemplateFormatError("Parameter name " + std::string(name) + " is non alphanumeric.");
    if (!decl.is_object() || !decl.get_object().contains("Type"))
      return TemplateFormatError("Every Parameters object must contain a Type member.");
  }
  for (const auto& [name, map] : t.mappings) {
    if (!map.is_object())
      return TemplateFormatError("Every Mappings member " + std::string(name) + " must be a map");
    for (const auto& [key, level] : map.get_object()) {
      if (!level.is_object())
        return TemplateFormatError("Every Mappings attribute must be a String or a List.");
    }
  }
  const json::value* resources = doc.if_contains("Resources");
  // A template with a transform may get its resources from the transform (SAM's Globals only
  // is not enough, but the check is the transform's once it has run).
  if ((resources == nullptr || !resources->is_object() || resources->get_object().empty()) &&
      t.transforms.empty())
    return TemplateFormatError("At least one Resources member must be defined.");
  if (resources != nullptr && !resources->is_object())
    return TemplateFormatError("Every Resources member must be an object.");
  if (resources != nullptr) {
    if (resources->get_object().size() > kMaxResources)
      return TemplateFormatError(
          "Number of resources, " + std::to_string(resources->get_object().size()) +
          ", is greater than maximum allowed, " + std::to_string(kMaxResources));
    for (const auto& [id, r] : resources->get_object()) {
      TP_ASSIGN_OR_RETURN(Resource resource, ReadResource(std::string(id), r));
      t.resources.push_back(std::move(resource));
    }
  }
  TP_ASSIGN_OR_RETURN(json::object outputs, ObjectSection(doc, "Outputs"));
  if (outputs.size() > kMaxOutputs)
    return TemplateFormatError("Output count " + std::to_string(outputs.size()) +
                               " is greater than max allowed " + std::to_string(kMaxOutputs));
  for (const auto& [id, o] : outputs) {
    TP_ASSIGN_OR_RETURN(Output out, ReadOutput(std::string(id), o));
    t.outputs.push_back(std::move(out));
  }
  t.original = doc;
  return t;
}

Result<Template> ParseTemplate(std::string_view body) {
  TP_ASSIGN_OR_RETURN(json::value doc, ParseTemplateBody(body));
  return ReadTemplate(std::move(doc));
}

}  // namespace tidepool::cloudformation
