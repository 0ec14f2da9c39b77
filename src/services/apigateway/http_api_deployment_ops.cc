// HTTP APIs' deployments (GetDeployment, UpdateDeployment, DeleteDeployment) and tags
// (TagResource, UntagResource, GetTags on APIs and stages).
#include <boost/json.hpp>

#include <functional>
#include <utility>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/http_api_service.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// The deployment record ({"deployment", "routes", ...}) a call's DeploymentId names.
Result<json::object*> FindDeployment(const json::object& in, json::object& doc) {
  json::object* d = FindObject(ObjectField(doc, "deployments"), StringField(in, "DeploymentId"));
  if (d == nullptr) return NotFound("Invalid Deployment identifier specified");
  return d;
}

// A tagged resource: arn:aws:apigateway:<region>::/apis/<id>[/stages/<name>].
struct TaggedResource {
  std::string api_id;
  std::string stage;  // "" for the API itself
};

Result<TaggedResource> ParseResourceArn(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:apigateway:";
  size_t apis = arn.find("::/apis/");
  if (!arn.starts_with(kPrefix) || apis == std::string_view::npos) {
    return NotFound("tidepool tags HTTP APIs and their stages only, not " + std::string(arn));
  }
  std::string_view rest = arn.substr(apis + 8);
  TaggedResource out;
  out.api_id = std::string(rest.substr(0, rest.find('/')));
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view tail = rest.substr(slash);
    if (!tail.starts_with("/stages/") || tail.size() == 8) {
      return NotFound("tidepool tags HTTP APIs and their stages only, not " + std::string(arn));
    }
    out.stage = std::string(tail.substr(8));
  }
  return out;
}

// The object whose "Tags" member holds `resource`'s tags, in the API's document.
Result<json::object*> TagsHolder(const TaggedResource& resource, json::object& doc) {
  if (resource.stage.empty()) return &ObjectField(doc, "api");
  json::object* stage = FindObject(ObjectField(doc, "stages"), resource.stage);
  if (stage == nullptr) return NotFound("Invalid stage identifier specified");
  return stage;
}

// An edit of an API's document that applies `change` to `resource`'s tags.
std::function<Result<json::object>(HttpApi&, json::object&)> ChangeTags(
    TaggedResource resource, std::function<Status(json::object& tags)> change) {
  return [resource = std::move(resource), change = std::move(change)](
             HttpApi&, json::object& doc) -> Result<json::object> {
    auto holder = TagsHolder(resource, doc);
    if (!holder.ok()) return holder.status();
    if (Status s = change(ObjectField(**holder, "Tags")); !s.ok()) return s;
    return json::object();
  };
}

}  // namespace

void HttpApiService::GetDeployment(CallPtr call) {
  ReadApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    auto d = FindDeployment(call->input(), doc);
    if (!d.ok()) return d.status();
    return ObjectField(**d, "deployment");
  });
}

void HttpApiService::UpdateDeployment(CallPtr call) {
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    auto d = FindDeployment(call->input(), doc);
    if (!d.ok()) return d.status();
    json::object& deployment = ObjectField(**d, "deployment");
    CopyMembers(call->input(), {"Description"}, deployment);
    return deployment;
  });
}

void HttpApiService::DeleteDeployment(CallPtr call) {
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    if (auto d = FindDeployment(call->input(), doc); !d.ok()) return d.status();
    std::string id = StringField(call->input(), "DeploymentId");
    for (const auto& kv : ObjectField(doc, "stages")) {
      if (StringField(kv.value().as_object(), "DeploymentId") == id) {
        return BadRequest("Active stages pointing to this deployment must be moved or deleted");
      }
    }
    ObjectField(doc, "deployments").erase(id);
    return json::object();
  });
}

void HttpApiService::TagResource(CallPtr call) {
  auto resource = ParseResourceArn(StringField(call->input(), "ResourceArn"));
  if (!resource.ok()) return call->Fail(ToAwsError(resource.status()));
  EditApiById(call, resource->api_id, ChangeTags(*resource, [&](json::object& tags) -> Status {
                if (const json::object* given = FindObject(call->input(), "Tags")) {
                  for (const auto& kv : *given) tags[kv.key()] = kv.value();
                }
                if (tags.size() > 50) return BadRequest("A resource can have at most 50 tags");
                return Status::Ok();
              }));
}

void HttpApiService::UntagResource(CallPtr call) {
  auto resource = ParseResourceArn(StringField(call->input(), "ResourceArn"));
  if (!resource.ok()) return call->Fail(ToAwsError(resource.status()));
  EditApiById(call, resource->api_id, ChangeTags(*resource, [&](json::object& tags) -> Status {
                const json::value* keys = call->input().if_contains("TagKeys");
                if (keys && keys->is_array()) {
                  for (const json::value& k : keys->get_array()) {
                    if (k.is_string()) tags.erase(k.get_string());
                  }
                }
                return Status::Ok();
              }));
}

void HttpApiService::GetTags(CallPtr call) {
  auto resource = ParseResourceArn(StringField(call->input(), "ResourceArn"));
  if (!resource.ok()) return call->Fail(ToAwsError(resource.status()));
  ReadApiById(call, resource->api_id, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    auto holder = TagsHolder(*resource, doc);
    if (!holder.ok()) return holder.status();
    const json::object* tags = FindObject(**holder, "Tags");
    return json::object{{"Tags", tags ? *tags : json::object()}};
  });
}

}  // namespace tidepool::apigateway
