// TagResource, UntagResource and GetTags of the `apigateway` API. A resource is named by ARN:
//   arn:aws:apigateway:<region>::/restapis/<id>[/stages/<name>]
//   arn:aws:apigateway:<region>::/apikeys/<id> | /usageplans/<id> | /domainnames/<name>
//   arn:aws:apigateway:<region>::/clientcertificates/<id>
// Tags live in the resource's own output object ("tags"), so its Get returns them too, and are
// written with it (the API's, the key's, the plan's or the domain's record).
#include <boost/json.hpp>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/keyspace.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

struct TaggedResource {
  std::string kind;   // restapis, apikeys, usageplans, domainnames
  std::string id;     // the API's, key's or plan's id, or the domain name
  std::string stage;  // restapis only: "" for the API itself
};

Result<TaggedResource> ParseTaggedArn(std::string_view arn, std::string_view region) {
  const std::string prefix = "arn:aws:apigateway:" + std::string(region) + "::/";
  if (!arn.starts_with(prefix)) {
    return BadRequest("Invalid resource ARN (an API Gateway ARN of region " + std::string(region) +
                      " is expected): " + std::string(arn));
  }
  std::vector<std::string_view> parts;
  std::string_view rest = arn.substr(prefix.size());
  while (true) {
    size_t slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  for (std::string_view p : parts) {
    if (p.empty()) return BadRequest("Invalid resource ARN: " + std::string(arn));
  }
  TaggedResource r{std::string(parts[0]), parts.size() > 1 ? std::string(parts[1]) : "", ""};
  const bool known = r.kind == "restapis" || r.kind == "apikeys" || r.kind == "usageplans" ||
                     r.kind == "domainnames" || r.kind == "clientcertificates";
  if (known && parts.size() == 2) return r;
  if (r.kind == "restapis" && parts.size() == 4 && parts[2] == "stages") {
    r.stage = std::string(parts[3]);
    return r;
  }
  return BadRequest(
      "tidepool tags REST APIs, stages, API keys, usage plans, domain names and client "
      "certificates, not " +
      std::string(arn));
}

// Drops an emptied tag map from its holder (Get* then shows no `tags`, as before any tag).
void DropEmptyTags(json::object& holder) {
  if (const json::object* tags = FindObject(holder, "tags"); tags && tags->empty()) {
    holder.erase("tags");
  }
}

}  // namespace

Status AddTags(const json::object* given, json::object& tags) {
  if (given != nullptr) {
    for (const auto& kv : *given) {
      std::string_view k = kv.key();
      if (k.empty() || k.size() > 128 || k.starts_with("aws:")) {
        return BadRequest("Invalid tag key: '" + std::string(k) +
                          "' (1 to 128 characters, not starting with aws:)");
      }
      if (!kv.value().is_string() || kv.value().get_string().size() > 256) {
        return BadRequest("Invalid tag value for key '" + std::string(k) + "'");
      }
      tags[k] = kv.value();
    }
  }
  if (tags.size() > 50) return BadRequest("A resource can have at most 50 tags");
  return Status::Ok();
}

void ApiGatewayService::WithTags(CallPtr call, bool write, const TagChange& change) {
  auto resource = ParseTaggedArn(StringField(call->input(), "resourceArn"), call->context().region);
  if (!resource.ok()) return Fail(call, resource.status());
  auto apply = [&](json::object& holder) -> Result<json::object> {
    auto out = change(ObjectField(holder, "tags"));
    DropEmptyTags(holder);
    return out;
  };
  if (resource->kind == "domainnames") {
    constexpr std::string_view kNoDomain = "Invalid domain name identifier specified";
    auto edit = [&](json::object& record) { return apply(ObjectField(record, "domain")); };
    if (write) return domains_.Change(call, resource->id, false, kNoDomain, edit);
    return domains_.Read(call, resource->id, kNoDomain, edit);
  }
  if (resource->kind == "clientcertificates") {
    constexpr std::string_view kNoCertificate = "Invalid Client Certificate identifier specified";
    auto edit = [&](json::object& record) { return apply(ObjectField(record, "certificate")); };
    if (write)
      return client_certificates_.Change(call, resource->id, false, kNoCertificate, "", edit);
    return client_certificates_.Read(call, resource->id, kNoCertificate, edit);
  }
  if (resource->kind == "restapis") {
    RestApiPtr api = FindApiById(resource->id);
    if (!api || api->account != call->context().account_id ||
        api->region != call->context().region) {
      return Fail(call, NotFound("Invalid API identifier specified " + call->context().account_id +
                                 ":" + resource->id));
    }
    std::lock_guard lock(api->mu);
    json::object doc = api->doc;
    json::object* holder = resource->stage.empty()
                               ? &ObjectField(doc, "api")
                               : FindObject(ObjectField(doc, "stages"), resource->stage);
    if (holder == nullptr) return Fail(call, NotFound("Invalid stage identifier specified"));
    auto out = apply(*holder);
    if (!out.ok()) return Fail(call, out.status());
    if (!write) return call->Reply(std::move(*out));
    return CommitApi(*api, std::move(doc), call, std::move(*out));
  }
  const bool key = resource->kind == "apikeys";
  std::lock_guard lock(usage_mu_);
  auto& records = key ? api_keys_ : usage_plans_;
  auto it = records.find(resource->id);
  if (it == records.end() || !OwnedByCaller(it->second, *call)) {
    return Fail(call, NotFound(key ? "Invalid API Key identifier specified"
                                   : "Invalid Usage Plan ID specified"));
  }
  json::object record = it->second;
  auto out = apply(ObjectField(record, key ? "key" : "plan"));
  if (!out.ok()) return Fail(call, out.status());
  if (!write) return call->Reply(std::move(*out));
  storage::WriteBatch batch;
  batch.Put(key ? keyspace::KeyKey(it->first) : keyspace::PlanKey(it->first), EncodeRecord(record));
  it->second = std::move(record);
  CommitUsage(std::move(batch), call, std::move(*out));
}

void ApiGatewayService::TagResource(CallPtr call) {
  WithTags(call, true, [&](json::object& tags) -> Result<json::object> {
    if (Status s = AddTags(FindObject(call->input(), "tags"), tags); !s.ok()) return s;
    return json::object();
  });
}

void ApiGatewayService::UntagResource(CallPtr call) {
  WithTags(call, true, [&](json::object& tags) -> Result<json::object> {
    const json::value* keys = call->input().if_contains("tagKeys");
    if (keys != nullptr && keys->is_array()) {
      for (const json::value& k : keys->get_array()) {
        if (k.is_string()) tags.erase(k.get_string());
      }
    }
    return json::object();
  });
}

void ApiGatewayService::GetTags(CallPtr call) {
  WithTags(call, false, [](json::object& tags) -> Result<json::object> {
    return json::object{{"tags", tags}};
  });
}

}  // namespace tidepool::apigateway
