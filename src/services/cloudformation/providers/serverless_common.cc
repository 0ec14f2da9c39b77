#include "services/cloudformation/providers/serverless_common.h"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <thread>

namespace tidepool::cloudformation::serverless {
namespace json = boost::json;

bool SpecProvider::RequiresReplacement(const json::object& before,
                                       const json::object& after) const {
  if (spec_.update == nullptr) return before != after;
  return std::any_of(spec_.replace_on.begin(), spec_.replace_on.end(),
                     [&](std::string_view key) { return Changed(before, after, key); });
}

Result<ResourceState> SpecProvider::Create(ServiceCaller& services,
                                           const ResourceRequest& r) const {
  TP_RETURN_IF_ERROR(CheckProperties(spec_.type, r.properties, spec_.properties));
  return spec_.create(services, r);
}

Result<ResourceState> SpecProvider::Update(ServiceCaller& services,
                                           const ResourceRequest& r) const {
  TP_RETURN_IF_ERROR(CheckProperties(spec_.type, r.properties, spec_.properties));
  if (spec_.update == nullptr) {
    return Status::Internal(std::string(spec_.type) + " is replaced, never updated in place");
  }
  return spec_.update(services, r);
}

Status SpecProvider::Delete(ServiceCaller& services, const ResourceRequest& r) const {
  if (r.physical_id.empty()) return Status::Ok();  // never created
  return spec_.remove(services, r);
}

Status CheckProperties(std::string_view type, const json::object& properties,
                       std::span<const std::string_view> honoured) {
  for (const auto& [key, value] : properties) {
    if (std::find(honoured.begin(), honoured.end(), std::string_view(key)) == honoured.end()) {
      return Unsupported(type, key);
    }
  }
  return Status::Ok();
}

Status Unsupported(std::string_view type, std::string_view name, std::string_view why) {
  return Status::InvalidArgument("Property " + std::string(name) + " of " + std::string(type) +
                                 " is not supported by tidepool" + std::string(why));
}

Status Missing(std::string_view type, std::string_view name) {
  return Status::InvalidArgument("Property " + std::string(name) + " of " + std::string(type) +
                                 " is required");
}

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return "";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64() || v->is_uint64() || v->is_double() || v->is_bool()) {
    return json::serialize(*v);
  }
  return "";
}

bool Changed(const json::object& a, const json::object& b, std::string_view key) {
  const json::value* x = a.if_contains(key);
  const json::value* y = b.if_contains(key);
  if (x == nullptr || y == nullptr) return x != y;
  return *x != *y;
}

void CopyMembers(const json::object& from, json::object& to,
                 std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (const json::value* v = from.if_contains(key)) to[key] = *v;
  }
}

bool IntMember(const json::object& o, std::string_view key, int64_t& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return false;
  if (v->is_int64()) {
    out = v->get_int64();
    return true;
  }
  if (v->is_uint64()) {
    out = static_cast<int64_t>(v->get_uint64());
    return true;
  }
  if (v->is_double()) {
    out = static_cast<int64_t>(v->get_double());
    return true;
  }
  if (v->is_string()) {
    const auto& s = v->get_string();
    if (s.empty()) return false;
    int64_t n = 0;
    size_t i = s[0] == '-' ? 1 : 0;
    if (i == s.size()) return false;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9' || n > (INT64_MAX - 9) / 10) return false;
      n = n * 10 + (s[i] - '0');
    }
    out = s[0] == '-' ? -n : n;
    return true;
  }
  return false;
}

void NestedIntMember(json::object& o, std::string_view outer, std::string_view inner) {
  json::value* v = o.if_contains(outer);
  if (v == nullptr || !v->is_object()) return;
  int64_t n = 0;
  if (IntMember(v->get_object(), inner, n)) v->get_object()[inner] = n;
}

bool BoolMember(const json::object& o, std::string_view key, bool fallback) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return fallback;
  if (v->is_bool()) return v->get_bool();
  if (v->is_string()) return v->get_string() == "true";
  return fallback;
}

json::object TagMap(const json::value* tags) {
  json::object out;
  if (tags != nullptr && tags->is_object()) {  // the map form (AWS::ApiGatewayV2 types)
    for (const auto& [key, value] : tags->get_object()) out[key] = Str(tags->get_object(), key);
    return out;
  }
  if (tags == nullptr || !tags->is_array()) return out;
  for (const json::value& tag : tags->get_array()) {
    if (!tag.is_object()) continue;
    out[Str(tag.get_object(), "Key")] = Str(tag.get_object(), "Value");
  }
  return out;
}

json::array TagList(const json::value* tags) {
  json::array out;
  for (const auto& [key, value] : TagMap(tags)) {
    out.push_back(json::object{{"key", key}, {"value", value}});
  }
  return out;
}

Status SyncTags(ServiceCaller& services, const TagOperations& ops, const std::string& arn,
                const json::object& props, const json::object& before) {
  json::object now = TagMap(props.if_contains("Tags"));
  json::object old = TagMap(before.if_contains("Tags"));
  json::array removed;
  for (const auto& [key, value] : old) {
    if (!now.contains(key)) removed.emplace_back(key);
  }
  if (!removed.empty()) {
    TP_RETURN_IF_ERROR(CallOrFail(services, ops.service, "UntagResource",
                                  {{ops.arn_member, arn}, {ops.keys_member, std::move(removed)}})
                           .status());
  }
  if (!now.empty() && now != old) {
    json::value tags =
        ops.as_list ? json::value(TagList(props.if_contains("Tags"))) : json::value(now);
    TP_RETURN_IF_ERROR(CallOrFail(services, ops.service, "TagResource",
                                  {{ops.arn_member, arn}, {ops.tags_member, std::move(tags)}})
                           .status());
  }
  return Status::Ok();
}

Status IgnoreNotFound(const Status& s) {
  return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
}

Status CallIgnoringNotFound(ServiceCaller& services, std::string_view service,
                            std::string_view operation, json::object input) {
  auto answer = services.Call(service, operation, std::move(input));
  const auto* e = std::get_if<ServiceError>(&answer);
  if (e == nullptr) return Status::Ok();
  // Step Functions says StateMachineDoesNotExist / ActivityDoesNotExist.
  if (e->code.find("DoesNotExist") != std::string::npos) return Status::Ok();
  return IgnoreNotFound(ServiceFailure(*e));
}

Status UndoOnFailure(Status status, const std::function<Status()>& undo) {
  if (!status.ok()) (void)undo();
  return status;
}

Status WaitUntil(const std::function<Result<bool>()>& ready, std::string_view what,
                 std::chrono::milliseconds limit, std::chrono::milliseconds interval) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    auto done = ready();
    if (!done.ok()) return done.status();
    if (*done) return Status::Ok();
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::FailedPrecondition(std::string(what) + " did not stabilize");
    }
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace tidepool::cloudformation::serverless
