// Tags, in both API generations: AddTagsToStream / RemoveTagsFromStream / ListTagsForStream
// (by stream name or ARN) and TagResource / UntagResource / ListTagsForResource (by the ARN of a
// stream or a consumer). AWS allows at most 50 tags per resource.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/kinesis/input.h"
#include "services/kinesis/kinesis_errors.h"
#include "services/kinesis/kinesis_service.h"

namespace tidepool::kinesis {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr size_t kMaxTags = 50;

// Merges `tags` into `target` unless the result would exceed kMaxTags.
bool MergeTags(std::map<std::string, std::string>& target, const json::object& tags) {
  size_t added = 0;
  for (const auto& [k, v] : tags) added += !target.contains(std::string(k));
  if (target.size() + added > kMaxTags) return false;
  for (const auto& [k, v] : tags) {
    if (v.is_string()) target[std::string(k)] = std::string(v.get_string());
  }
  return true;
}

void RemoveTags(std::map<std::string, std::string>& target, const json::array* keys) {
  if (!keys) return;
  for (const auto& k : *keys) {
    if (k.is_string()) target.erase(std::string(k.get_string()));
  }
}

// Requires stream.mu. The tag map of the stream or of one of its consumers; nullptr when the
// consumer went away since the ARN was resolved.
std::map<std::string, std::string>* TagsOf(Stream& stream, const std::string& consumer) {
  if (consumer.empty()) return &stream.tags;
  auto it = stream.consumers.find(consumer);
  return it == stream.consumers.end() ? nullptr : &it->second.tags;
}

Status ConsumerGone(const Stream& stream, const std::string& consumer) {
  return KinesisStatus(KinesisError::kResourceNotFound,
                       fmt::format("Consumer {} under stream {} under account {} not found.",
                                   consumer, stream.name, stream.account));
}

json::array TagList(const std::map<std::string, std::string>& tags) {
  json::array out;
  for (const auto& [k, v] : tags) out.emplace_back(json::object{{"Key", k}, {"Value", v}});
  return out;
}

Status TooManyTags(const Stream& stream) {
  return KinesisStatus(KinesisError::kInvalidArgument,
                       fmt::format("Failed to add tags to stream {} under account {} because a "
                                   "given stream cannot have more than {} tags associated with "
                                   "it.",
                                   stream.name, stream.account, kMaxTags));
}

}  // namespace

void KinesisService::AddTagsToStream(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& stream = *resolved;
  const json::object* tags = InputObject(call->input(), "Tags");
  std::lock_guard lock(stream->mu);
  if (!tags || !MergeTags(stream->tags, *tags)) return Fail(call, TooManyTags(*stream));
  CommitMeta(*stream, call, {});
}

void KinesisService::RemoveTagsFromStream(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& stream = *resolved;
  std::lock_guard lock(stream->mu);
  RemoveTags(stream->tags, InputArray(call->input(), "TagKeys"));
  CommitMeta(*stream, call, {});
}

void KinesisService::ListTagsForStream(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& stream = *resolved;
  const auto& in = call->input();
  const int64_t limit = InputInt(in, "Limit").value_or(10);
  const std::string after(InputStringView(in, "ExclusiveStartTagKey").value_or(""));
  std::lock_guard lock(stream->mu);
  json::array tags;
  bool more = false;
  for (auto it = after.empty() ? stream->tags.begin() : stream->tags.upper_bound(after);
       it != stream->tags.end(); ++it) {
    if (static_cast<int64_t>(tags.size()) == limit) {
      more = true;
      break;
    }
    tags.emplace_back(json::object{{"Key", it->first}, {"Value", it->second}});
  }
  call->Reply(json::object{{"Tags", std::move(tags)}, {"HasMoreTags", more}});
}

void KinesisService::TagResource(CallPtr call) {
  auto ref = ResolveResourceArn(*call, InputStringView(call->input(), "ResourceARN").value_or(""));
  if (!ref.ok()) return Fail(call, ref.status());
  const json::object* tags = InputObject(call->input(), "Tags");
  std::lock_guard lock(ref->stream->mu);
  auto* target = TagsOf(*ref->stream, ref->consumer);
  if (!target) return Fail(call, ConsumerGone(*ref->stream, ref->consumer));
  if (!tags || !MergeTags(*target, *tags)) return Fail(call, TooManyTags(*ref->stream));
  CommitMeta(*ref->stream, call, {});
}

void KinesisService::UntagResource(CallPtr call) {
  auto ref = ResolveResourceArn(*call, InputStringView(call->input(), "ResourceARN").value_or(""));
  if (!ref.ok()) return Fail(call, ref.status());
  std::lock_guard lock(ref->stream->mu);
  auto* target = TagsOf(*ref->stream, ref->consumer);
  if (!target) return Fail(call, ConsumerGone(*ref->stream, ref->consumer));
  RemoveTags(*target, InputArray(call->input(), "TagKeys"));
  CommitMeta(*ref->stream, call, {});
}

void KinesisService::ListTagsForResource(CallPtr call) {
  auto ref = ResolveResourceArn(*call, InputStringView(call->input(), "ResourceARN").value_or(""));
  if (!ref.ok()) return Fail(call, ref.status());
  std::lock_guard lock(ref->stream->mu);
  const auto* target = TagsOf(*ref->stream, ref->consumer);
  if (!target) return Fail(call, ConsumerGone(*ref->stream, ref->consumer));
  call->Reply(json::object{{"Tags", TagList(*target)}});
}

}  // namespace tidepool::kinesis
