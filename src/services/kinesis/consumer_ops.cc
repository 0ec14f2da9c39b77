// Enhanced fan-out consumers: RegisterStreamConsumer, DeregisterStreamConsumer,
// DescribeStreamConsumer, ListStreamConsumers. Consumers are recorded in the stream's
// metadata; reading through them is SubscribeToShard (subscribe_ops.cc).
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/kinesis/input.h"
#include "services/kinesis/kinesis_errors.h"
#include "services/kinesis/kinesis_service.h"
#include "services/kinesis/next_token.h"
#include "services/kinesis/views.h"

namespace tidepool::kinesis {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr size_t kMaxConsumersPerStream = 20;
constexpr size_t kMaxTags = 50;

json::object ConsumerView(const Stream& stream, const Consumer& c) {
  return json::object{{"ConsumerName", c.name},
                      {"ConsumerARN", stream.ConsumerArn(c)},
                      {"ConsumerStatus", c.status},
                      {"ConsumerCreationTimestamp", TimestampValue(c.created_micros)}};
}

Status ConsumerNotFound(const Stream& stream, std::string_view consumer) {
  return KinesisStatus(KinesisError::kResourceNotFound,
                       fmt::format("Consumer {} under stream {} under account {} not found.",
                                   consumer, stream.name, stream.account));
}

}  // namespace

// The stream and consumer name a Deregister/Describe call addresses: ConsumerARN, or
// StreamARN + ConsumerName.
static Result<std::pair<std::shared_ptr<Stream>, std::string>> ResolveConsumer(
    const protocol::Call& call,
    const std::function<Result<std::shared_ptr<Stream>>()>& resolve_stream,
    const std::function<Result<std::pair<std::shared_ptr<Stream>, std::string>>(std::string_view)>&
        resolve_arn) {
  const auto& in = call.input();
  if (auto arn = InputStringView(in, "ConsumerARN")) return resolve_arn(*arn);
  auto name = InputStringView(in, "ConsumerName");
  if (!name || !in.contains("StreamARN")) {
    return KinesisStatus(KinesisError::kInvalidArgument,
                         "Either ConsumerARN or both ConsumerName and StreamARN must be "
                         "provided.");
  }
  auto stream = resolve_stream();
  if (!stream.ok()) return stream.status();
  return std::make_pair(std::move(stream).value(), std::string(*name));
}

void KinesisService::RegisterStreamConsumer(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  std::shared_ptr<Stream> stream = std::move(resolved).value();
  const auto& in = call->input();
  const std::string name(InputStringView(in, "ConsumerName").value_or(""));
  std::lock_guard lock(stream->mu);
  if (stream->status != "ACTIVE" && stream->status != "UPDATING") {
    return Fail(call, KinesisStatus(KinesisError::kResourceInUse,
                                    fmt::format("Stream {} under account {} not ACTIVE, instead "
                                                "in state {}",
                                                stream->name, stream->account, stream->status)));
  }
  if (stream->consumers.contains(name)) {
    return Fail(call, KinesisStatus(KinesisError::kResourceInUse,
                                    fmt::format("Consumer {} under stream {} already exists for "
                                                "account {}.",
                                                name, stream->name, stream->account)));
  }
  if (stream->consumers.size() >= kMaxConsumersPerStream) {
    return Fail(call,
                KinesisStatus(KinesisError::kLimitExceeded,
                              fmt::format("Stream {} under account {} already has the "
                                          "maximum of {} registered consumers.",
                                          stream->name, stream->account, kMaxConsumersPerStream)));
  }
  Consumer c;
  if (const auto* tags = InputObject(in, "Tags")) {
    if (tags->size() > kMaxTags) {
      return Fail(
          call, KinesisStatus(KinesisError::kInvalidArgument,
                              fmt::format("A resource cannot have more than {} tags.", kMaxTags)));
    }
    for (const auto& [k, v] : *tags) {
      if (v.is_string()) c.tags[std::string(k)] = std::string(v.get_string());
    }
  }
  c.name = name;
  c.created_micros = clock_.NowMicros();
  const bool delayed = options_.transition_delay.count() > 0;
  c.status = delayed ? "CREATING" : "ACTIVE";
  json::object out{{"Consumer", ConsumerView(*stream, c)}};
  stream->consumers.emplace(name, std::move(c));
  CommitMeta(*stream, call, std::move(out));
  if (delayed) ScheduleConsumerTransition(stream, name);
}

void KinesisService::DeregisterStreamConsumer(CallPtr call) {
  auto target = ResolveConsumer(
      *call, [&] { return ResolveStream(*call); },
      [&](std::string_view arn) -> Result<std::pair<std::shared_ptr<Stream>, std::string>> {
        auto ref = ResolveResourceArn(*call, arn);
        if (!ref.ok()) return ref.status();
        return std::make_pair(ref->stream, ref->consumer);
      });
  if (!target.ok()) return Fail(call, target.status());
  auto& [stream, name] = *target;
  std::lock_guard lock(stream->mu);
  auto it = stream->consumers.find(name);
  if (it == stream->consumers.end() || it->second.status == "DELETING") {
    return Fail(call, ConsumerNotFound(*stream, name));
  }
  if (options_.transition_delay.count() > 0) {
    it->second.status = "DELETING";
    ScheduleConsumerTransition(stream, name);
  } else {
    stream->consumers.erase(it);
  }
  CommitMeta(*stream, call, {});
}

void KinesisService::DescribeStreamConsumer(CallPtr call) {
  auto target = ResolveConsumer(
      *call, [&] { return ResolveStream(*call); },
      [&](std::string_view arn) -> Result<std::pair<std::shared_ptr<Stream>, std::string>> {
        auto ref = ResolveResourceArn(*call, arn);
        if (!ref.ok()) return ref.status();
        return std::make_pair(ref->stream, ref->consumer);
      });
  if (!target.ok()) return Fail(call, target.status());
  auto& [stream, name] = *target;
  std::lock_guard lock(stream->mu);
  auto it = stream->consumers.find(name);
  if (it == stream->consumers.end()) return Fail(call, ConsumerNotFound(*stream, name));
  json::object d = ConsumerView(*stream, it->second);
  d["StreamARN"] = stream->arn;
  call->Reply(json::object{{"ConsumerDescription", std::move(d)}});
}

void KinesisService::ListStreamConsumers(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  std::shared_ptr<Stream> stream = std::move(resolved).value();
  const auto& in = call->input();
  const int64_t now = clock_.NowMicros();
  const int64_t max_results = InputInt(in, "MaxResults").value_or(100);
  std::string after;
  if (auto token_text = InputStringView(in, "NextToken")) {
    auto token = NextToken::Decode(*token_text);
    const std::string prefix = fmt::format("{}/", stream->uid);
    if (!token || token->kind != 'c' || !token->payload.starts_with(prefix)) {
      return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                      fmt::format("Invalid NextToken: {}", *token_text)));
    }
    if (now - token->created_micros > kNextTokenLifetimeMicros) {
      return Fail(call, KinesisStatus(KinesisError::kExpiredNextToken,
                                      fmt::format("NextToken {} has expired.", *token_text)));
    }
    after = token->payload.substr(prefix.size());
  }
  std::lock_guard lock(stream->mu);
  if (auto created = InputDouble(in, "StreamCreationTimestamp")) {
    if (static_cast<int64_t>(*created * 1000) != stream->created_micros / 1000) {
      return Fail(call, KinesisStatus(KinesisError::kResourceNotFound,
                                      fmt::format("Stream {} under account {} not found.",
                                                  stream->name, stream->account)));
    }
  }
  json::array consumers;
  std::string last;
  bool more = false;
  for (auto it = after.empty() ? stream->consumers.begin() : stream->consumers.upper_bound(after);
       it != stream->consumers.end(); ++it) {
    if (static_cast<int64_t>(consumers.size()) == max_results) {
      more = true;
      break;
    }
    consumers.emplace_back(ConsumerView(*stream, it->second));
    last = it->first;
  }
  json::object out{{"Consumers", std::move(consumers)}};
  if (more)
    out["NextToken"] = NextToken{'c', now, fmt::format("{}/{}", stream->uid, last)}.Encode();
  call->Reply(std::move(out));
}

}  // namespace tidepool::kinesis
