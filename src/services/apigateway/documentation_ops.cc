// Documentation parts and documentation versions of a REST API (documentation.h holds the
// rules). Both live in the API's record:
//
//   RestApiRecord."documentationParts"    {id: DocumentationPart}
//   RestApiRecord."documentationVersions" {version: {"version", "createdDate", "description",
//                                          "parts": {id: DocumentationPart} (the snapshot)}}
//
// A version is a snapshot of the parts when it was made; a stage's `documentationVersion`
// names one, and GetExport of that stage writes it (stage_ops.cc).
#include <boost/json.hpp>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/documentation.h"
#include "services/apigateway/openapi.h"
#include "services/apigateway/patch.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr std::string_view kNoPart = "Invalid Documentation part identifier specified";
constexpr std::string_view kNoVersion = "Invalid Documentation version identifier specified";

Result<json::object*> FindPart(json::object& doc, const protocol::Call& call) {
  json::object* part = FindObject(ObjectField(doc, "documentationParts"),
                                  StringField(call.input(), "documentationPartId"));
  if (part == nullptr) return NotFound(std::string(kNoPart));
  return part;
}

Result<json::object*> FindVersion(json::object& doc, const protocol::Call& call) {
  json::object* version = FindObject(ObjectField(doc, "documentationVersions"),
                                     StringField(call.input(), "documentationVersion"));
  if (version == nullptr) return NotFound(std::string(kNoVersion));
  return version;
}

// The DocumentationVersion output of a stored version (without its snapshot).
json::object VersionOutput(const json::object& version) {
  json::object out;
  CopyMembers(version, {"version", "createdDate", "description"}, out);
  return out;
}

}  // namespace

void ApiGatewayService::CreateDocumentationPart(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    const json::object& in = call->input();
    auto location = CanonicalDocumentationLocation(in.if_contains("location"));
    if (!location.ok()) return location.status();
    if (Status s = CheckDocumentationProperties(in.if_contains("properties")); !s.ok()) return s;
    json::object& parts = ObjectField(doc, "documentationParts");
    for (const auto& kv : parts) {
      const json::object* part = kv.value().if_object();
      if (part != nullptr && part->contains("location") &&
          part->at("location") == json::value(*location)) {
        return Conflict("Documentation part already exists for the specified location: " +
                        DescribeDocumentationLocation(*location) + ".");
      }
    }
    std::string id;
    do {
      id = NewId(6);
    } while (parts.contains(id));
    json::object part{
        {"id", id}, {"location", std::move(*location)}, {"properties", in.at("properties")}};
    parts[id] = part;
    return part;
  });
}

void ApiGatewayService::GetDocumentationPart(CallPtr call) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    auto part = FindPart(doc, *call);
    if (!part.ok()) return part.status();
    return **part;
  });
}

void ApiGatewayService::GetDocumentationParts(CallPtr call) {
  auto filter = DocumentationFilterOf(call->input());
  if (!filter.ok()) return Fail(call, filter.status());
  ReadList(call, "documentationParts", [&](const json::object& part) -> std::optional<json::value> {
    if (!DocumentationPartMatches(part, *filter)) return std::nullopt;
    return part;
  });
}

void ApiGatewayService::UpdateDocumentationPart(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto part = FindPart(doc, *call);
    if (!part.ok()) return part.status();
    const auto& model = Model();
    if (Status s = ApplyPatch(model, model.FindShape("DocumentationPart"),
                              PatchOperationsOf(call->input()), **part, {"id", "location"});
        !s.ok()) {
      return s;
    }
    if (Status s = CheckDocumentationProperties((*part)->if_contains("properties")); !s.ok()) {
      return s;
    }
    return **part;
  });
}

void ApiGatewayService::DeleteDocumentationPart(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto part = FindPart(doc, *call);
    if (!part.ok()) return part.status();
    ObjectField(doc, "documentationParts").erase(StringField(**part, "id"));
    return json::object();
  });
}

void ApiGatewayService::ImportDocumentationParts(CallPtr call) {
  const json::object& in = call->input();
  std::string mode = StringField(in, "mode");
  if (!mode.empty() && mode != "merge" && mode != "overwrite") {
    return Fail(call, BadRequest("1 validation error detected: Value '" + mode +
                                 "' at 'mode' failed to satisfy constraint: Member must satisfy "
                                 "enum value set: [merge, overwrite]"));
  }
  auto definition = ParseOpenApiDefinition(StringField(in, "body"));
  if (!definition.ok()) return Fail(call, definition.status());
  if (!definition->is_object()) {
    return Fail(call, BadRequest("Invalid OpenAPI input: expected an object"));
  }
  auto imported = ReadDocumentationExtension(definition->get_object());
  if (!imported.ok()) return Fail(call, imported.status());
  const json::value* fail_on = in.if_contains("failOnWarnings");
  if (fail_on != nullptr && fail_on->is_bool() && fail_on->get_bool() &&
      !imported->warnings.empty()) {
    std::string message = "Warnings found during import:";
    for (const std::string& w : imported->warnings) message += " " + w + ";";
    return Fail(call, BadRequest(message));
  }
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    std::vector<std::string> ids =
        MergeDocumentationParts(ObjectField(doc, "documentationParts"), imported->parts,
                                mode == "overwrite", &NewGatewayId);
    json::object out{{"ids", json::array(ids.begin(), ids.end())}};
    if (!imported->warnings.empty()) {
      out["warnings"] = json::array(imported->warnings.begin(), imported->warnings.end());
    }
    return out;
  });
}

void ApiGatewayService::CreateDocumentationVersion(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    const json::object& in = call->input();
    std::string name = StringField(in, "documentationVersion");
    if (name.empty()) {
      return BadRequest(
          "1 validation error detected: Value null at 'documentationVersion' failed to satisfy "
          "constraint: Member must not be null");
    }
    json::object& versions = ObjectField(doc, "documentationVersions");
    if (versions.contains(name)) return Conflict("Documentation version already exists");
    json::object* stage = nullptr;
    if (std::string stage_name = StringField(in, "stageName"); !stage_name.empty()) {
      stage = FindObject(ObjectField(doc, "stages"), stage_name);
      if (stage == nullptr) return NotFound("Invalid Stage identifier specified");
    }
    json::object version{{"version", name}, {"createdDate", Now()}};
    CopyMembers(in, {"description"}, version);
    version["parts"] = ObjectField(doc, "documentationParts");
    versions[name] = version;
    if (stage != nullptr) {
      (*stage)["documentationVersion"] = name;
      (*stage)["lastUpdatedDate"] = Now();
    }
    return VersionOutput(version);
  });
}

void ApiGatewayService::GetDocumentationVersion(CallPtr call) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    auto version = FindVersion(doc, *call);
    if (!version.ok()) return version.status();
    return VersionOutput(**version);
  });
}

void ApiGatewayService::GetDocumentationVersions(CallPtr call) {
  ReadList(call, "documentationVersions", [](const json::object& version) {
    return std::optional<json::value>(VersionOutput(version));
  });
}

void ApiGatewayService::UpdateDocumentationVersion(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto version = FindVersion(doc, *call);
    if (!version.ok()) return version.status();
    json::object out = VersionOutput(**version);
    const auto& model = Model();
    if (Status s = ApplyPatch(model, model.FindShape("DocumentationVersion"),
                              PatchOperationsOf(call->input()), out, {"version", "createdDate"});
        !s.ok()) {
      return s;
    }
    (*version)->erase("description");
    CopyMembers(out, {"description"}, **version);
    return out;
  });
}

void ApiGatewayService::DeleteDocumentationVersion(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto version = FindVersion(doc, *call);
    if (!version.ok()) return version.status();
    std::string name = StringField(**version, "version");
    for (const auto& kv : ObjectField(doc, "stages")) {
      if (kv.value().is_object() &&
          StringField(kv.value().get_object(), "documentationVersion") == name) {
        return Conflict("Cannot delete documentation version '" + name +
                        "', is referenced by stage: " + std::string(kv.key()));
      }
    }
    ObjectField(doc, "documentationVersions").erase(name);
    return json::object();
  });
}

}  // namespace tidepool::apigateway
