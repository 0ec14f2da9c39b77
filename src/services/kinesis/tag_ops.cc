// Tags, in both API generations: AddTagsToStream / RemoveTagsFromStream / ListTagsForStream
// (by stream name or ARN) and TagResource / UntagResource / ListTagsForResource (by the ARN of a
// stream or a consumer). AWS allows at most 50 tags per resource.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <string_view>
#include <vector>

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

// The next code point of `text` from `*i` (UTF-8, which the JSON parser has validated);
// advances *i past it.
char32_t NextCodePoint(std::string_view text, size_t* i) {
  const auto lead = static_cast<unsigned char>(text[(*i)++]);
  int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
  char32_t c = extra == 0 ? lead : lead & (0x3F >> extra);
  for (; extra > 0 && *i < text.size(); --extra) {
    c = (c << 6) | (static_cast<unsigned char>(text[(*i)++]) & 0x3F);
  }
  return c;
}

// The characters AWS takes in Kinesis tag keys and values: letters and digits (ASCII, and the
// blocks U+00C0-U+1FFF and U+2C00-U+D7FF), the space and _ . / = + - @ : (and %, refused by a
// second check with another message).
bool TagCharacter(char32_t c) {
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_./=+-@:% ").find(static_cast<char>(c)) != std::string_view::npos;
  }
  return (c >= 0xC0 && c <= 0x1FFF) || (c >= 0x2C00 && c <= 0xD7FF);
}

// AWS's refusal of tag keys or values (`texts`) with characters it does not take; OK when
// there are none. `action` is "add tags to" or "remove tags from".
Status CheckTagCharacters(const std::vector<std::string_view>& texts, const Stream& stream,
                          std::string_view action) {
  bool percent = false;
  for (std::string_view text : texts) {
    for (size_t i = 0; i < text.size();) {
      const char32_t c = NextCodePoint(text, &i);
      if (!TagCharacter(c)) {
        return KinesisStatus(KinesisError::kInvalidArgument,
                             "Some tags contain invalid characters. Valid characters: Unicode "
                             "letters, digits, white space, _ . / = + - % @ :.");
      }
      percent |= c == '%';
    }
  }
  if (!percent) return Status::Ok();
  return KinesisStatus(
      KinesisError::kInvalidArgument,
      fmt::format("Failed to {} stream {} under account {} because some tags contained illegal "
                  "characters. The allowed characters are Unicode letters, white-spaces, "
                  "'_',',','/','=','+','-','@',':'.",
                  action, stream.name, stream.account));
}

std::vector<std::string_view> TagTexts(const json::object* tags) {
  std::vector<std::string_view> out;
  if (!tags) return out;
  for (const auto& [k, v] : *tags) {
    out.push_back(k);
    if (v.is_string()) out.push_back(v.get_string());
  }
  return out;
}

std::vector<std::string_view> TagTexts(const json::array* keys) {
  std::vector<std::string_view> out;
  if (!keys) return out;
  for (const auto& k : *keys) {
    if (k.is_string()) out.push_back(k.get_string());
  }
  return out;
}

}  // namespace

void KinesisService::AddTagsToStream(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& stream = *resolved;
  const json::object* tags = InputObject(call->input(), "Tags");
  if (Status st = CheckTagCharacters(TagTexts(tags), *stream, "add tags to"); !st.ok()) {
    return Fail(call, st);
  }
  std::lock_guard lock(stream->mu);
  if (!tags || !MergeTags(stream->tags, *tags)) return Fail(call, TooManyTags(*stream));
  CommitMeta(*stream, call, {});
}

void KinesisService::RemoveTagsFromStream(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& stream = *resolved;
  const json::array* keys = InputArray(call->input(), "TagKeys");
  if (Status st = CheckTagCharacters(TagTexts(keys), *stream, "remove tags from"); !st.ok()) {
    return Fail(call, st);
  }
  std::lock_guard lock(stream->mu);
  RemoveTags(stream->tags, keys);
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
  if (Status st = CheckTagCharacters(TagTexts(tags), *ref->stream, "add tags to"); !st.ok()) {
    return Fail(call, st);
  }
  std::lock_guard lock(ref->stream->mu);
  auto* target = TagsOf(*ref->stream, ref->consumer);
  if (!target) return Fail(call, ConsumerGone(*ref->stream, ref->consumer));
  if (!tags || !MergeTags(*target, *tags)) return Fail(call, TooManyTags(*ref->stream));
  CommitMeta(*ref->stream, call, {});
}

void KinesisService::UntagResource(CallPtr call) {
  auto ref = ResolveResourceArn(*call, InputStringView(call->input(), "ResourceARN").value_or(""));
  if (!ref.ok()) return Fail(call, ref.status());
  const json::array* keys = InputArray(call->input(), "TagKeys");
  if (Status st = CheckTagCharacters(TagTexts(keys), *ref->stream, "remove tags from"); !st.ok()) {
    return Fail(call, st);
  }
  std::lock_guard lock(ref->stream->mu);
  auto* target = TagsOf(*ref->stream, ref->consumer);
  if (!target) return Fail(call, ConsumerGone(*ref->stream, ref->consumer));
  RemoveTags(*target, keys);
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
