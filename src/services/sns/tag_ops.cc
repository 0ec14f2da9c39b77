// Tags on topics: TagResource / UntagResource / ListTagsForResource. AWS allows at most 50
// tags per topic and refuses duplicated keys in one request.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/sns/input.h"
#include "services/sns/sns_errors.h"
#include "services/sns/sns_service.h"

namespace tidepool::sns {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr size_t kMaxTags = 50;

Status ResourceMissing() {
  return SnsStatus(SnsError::kResourceNotFound, "Resource does not exist");
}

}  // namespace

void SnsService::TagResource(CallPtr call) {
  const auto& in = call->input();
  auto topic = FindTopic(InputStringView(in, "ResourceArn").value_or(""));
  if (!topic) return Fail(call, ResourceMissing());
  std::map<std::string, std::string> tags;
  if (const auto* list = InputArray(in, "Tags")) {
    for (const auto& t : *list) {
      const auto* o = t.if_object();
      if (!o) continue;
      std::string key(InputStringView(*o, "Key").value_or(""));
      if (!tags.emplace(key, std::string(InputStringView(*o, "Value").value_or(""))).second) {
        return Fail(call, InvalidParameter("Invalid parameter: Duplicated keys are not allowed."));
      }
    }
  }
  std::lock_guard lock(topic->mu);
  size_t added = 0;
  for (const auto& [k, v] : tags) added += !topic->tags.contains(k);
  if (topic->tags.size() + added > kMaxTags) {
    return Fail(call, SnsStatus(SnsError::kTagLimitExceeded,
                                "Could not complete request: tag quota of per resource exceeded"));
  }
  for (auto& [k, v] : tags) topic->tags[k] = v;
  CommitTopic(*topic, call, {});
}

void SnsService::UntagResource(CallPtr call) {
  const auto& in = call->input();
  auto topic = FindTopic(InputStringView(in, "ResourceArn").value_or(""));
  if (!topic) return Fail(call, ResourceMissing());
  std::lock_guard lock(topic->mu);
  if (const auto* keys = InputArray(in, "TagKeys")) {
    for (const auto& k : *keys) {
      if (k.is_string()) topic->tags.erase(std::string(k.get_string()));
    }
  }
  CommitTopic(*topic, call, {});
}

void SnsService::ListTagsForResource(CallPtr call) {
  auto topic = FindTopic(InputStringView(call->input(), "ResourceArn").value_or(""));
  if (!topic) return Fail(call, ResourceMissing());
  std::lock_guard lock(topic->mu);
  json::array tags;
  for (const auto& [k, v] : topic->tags) tags.emplace_back(json::object{{"Key", k}, {"Value", v}});
  call->Reply(json::object{{"Tags", std::move(tags)}});
}

}  // namespace tidepool::sns
