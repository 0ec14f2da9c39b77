#include "services/apigateway/records.h"

#include <spdlog/spdlog.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <random>

#include "services/apigateway/apigateway_errors.h"

namespace tidepool::apigateway {
namespace json = boost::json;

std::string NewGatewayId(size_t length) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id(length, 'a');
  for (char& c : id) c = kChars[rng() % 36];
  return id;
}

std::string EncodeRecord(const json::object& doc) { return json::serialize(doc); }

Result<json::object> DecodeRecord(std::string_view bytes) {
  boost::system::error_code ec;
  json::value v = json::parse(bytes, ec);
  if (ec || !v.is_object()) return Status::Corruption("not a JSON object");
  return std::move(v.get_object());
}

std::string StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

json::object& ObjectField(json::object& o, std::string_view key) {
  json::value& v = o[key];
  if (!v.is_object()) v = json::object();
  return v.get_object();
}

const json::object* FindObject(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr ? v->if_object() : nullptr;
}

json::object* FindObject(json::object& o, std::string_view key) {
  json::value* v = o.if_contains(key);
  return v != nullptr ? v->if_object() : nullptr;
}

bool OwnedByCaller(const json::object& record, const protocol::Call& call) {
  return StringField(record, "account") == call.context().account_id &&
         StringField(record, "region") == call.context().region;
}

void CopyMembers(const json::object& input, std::initializer_list<std::string_view> names,
                 json::object& out) {
  for (std::string_view name : names) {
    if (const json::value* v = input.if_contains(name)) out[name] = *v;
  }
}

Status PageInto(const json::object& input, std::vector<json::value> items, json::object& out,
                std::string_view list_name) {
  int64_t limit = 25;
  if (const json::value* v = input.if_contains("limit"); v != nullptr && v->is_int64()) {
    limit = v->get_int64();
    if (limit < 1 || limit > 500) {
      return BadRequest("1 validation error detected: Value '" + std::to_string(limit) +
                        "' at 'limit' failed to satisfy constraint: Member must have value "
                        "between 1 and 500");
    }
  }
  size_t start = 0;
  std::string position = StringField(input, "position");
  if (!position.empty()) {
    auto [p, ec] = std::from_chars(position.data(), position.data() + position.size(), start);
    if (ec != std::errc() || p != position.data() + position.size()) {
      return BadRequest("Invalid position parameter");
    }
  }
  json::array page;
  size_t end = std::min(items.size(), start + static_cast<size_t>(limit));
  for (size_t i = start; i < end; ++i) page.push_back(std::move(items[i]));
  out[list_name] = std::move(page);
  if (end < items.size()) out["position"] = std::to_string(end);
  return Status::Ok();
}

std::string EncodeUsage(const UsageCount& count) {
  json::object days;
  for (const auto& [day, n] : count.by_day) days[day] = n;
  return json::serialize(
      json::object{{"period", count.period}, {"used", count.used}, {"days", std::move(days)}});
}

UsageCount DecodeUsage(const json::object& record) {
  UsageCount count;
  if (const json::value* p = record.if_contains("period"); p && p->is_int64()) {
    count.period = p->get_int64();
  }
  if (const json::value* u = record.if_contains("used"); u && u->is_int64()) {
    count.used = u->get_int64();
  }
  if (const json::object* days = FindObject(record, "days")) {
    for (const auto& kv : *days) {
      if (kv.value().is_int64()) count.by_day[kv.key()] = kv.value().get_int64();
    }
  }
  return count;
}

std::optional<std::string> MethodReferencing(const json::object& doc,
                                             const std::function<bool(const json::object&)>& uses) {
  const json::object* resources = FindObject(doc, "resources");
  if (resources == nullptr) return std::nullopt;
  for (const auto& r : *resources) {
    const json::object* resource = r.value().if_object();
    const json::object* methods = resource ? FindObject(*resource, "resourceMethods") : nullptr;
    if (methods == nullptr) continue;
    for (const auto& m : *methods) {
      if (m.value().is_object() && uses(m.value().get_object())) {
        return std::string(m.key()) + ":" + StringField(*resource, "path");
      }
    }
  }
  return std::nullopt;
}

DeploymentPtr BuildDeployment(const std::string& id, const json::object& doc) {
  auto d = std::make_shared<Deployment>();
  d->id = id;
  if (const json::object* meta = FindObject(doc, "deployment")) d->meta = *meta;
  if (const json::object* resources = FindObject(doc, "resources")) d->resources = *resources;
  if (const json::object* authorizers = FindObject(doc, "authorizers")) {
    d->authorizers = *authorizers;
  }
  if (const json::object* models = FindObject(doc, "models")) {
    d->stored_models = *models;
    for (const auto& kv : *models) {
      const json::object* model = kv.value().if_object();
      boost::system::error_code ec;
      json::value schema = json::parse(model ? StringField(*model, "schema") : "", ec);
      d->models[kv.key()] = ec ? json::value() : std::move(schema);
    }
  }
  if (const json::object* v = FindObject(doc, "requestValidators")) d->validators = *v;
  if (const json::object* g = FindObject(doc, "gatewayResponses")) d->gateway_responses = *g;
  for (const auto& kv : d->resources) {
    const json::object* r = kv.value().if_object();
    if (r == nullptr) continue;
    if (Status s = d->routes.Add(StringField(*r, "path"), std::string(kv.key())); !s.ok()) {
      spdlog::warn("apigateway: deployment {}: resource {} not routable: {}", id,
                   std::string(kv.key()), s.message());
    }
  }
  return d;
}

Status RecomputePaths(json::object& resources) {
  for (auto& kv : resources) {
    json::object* r = kv.value().if_object();
    if (r == nullptr) continue;
    std::vector<std::string> parts;
    json::object* at = r;
    size_t hops = 0;
    while (at != nullptr && at->contains("parentId")) {
      if (++hops > resources.size()) return BadRequest("Resource hierarchy has a cycle");
      parts.push_back(StringField(*at, "pathPart"));
      json::object* parent = FindObject(resources, StringField(*at, "parentId"));
      if (parent == nullptr) return NotFound("Invalid Resource identifier specified");
      at = parent;
    }
    std::string path;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) path += "/" + *it;
    (*r)["path"] = path.empty() ? "/" : path;
  }
  return Status::Ok();
}

}  // namespace tidepool::apigateway
