// Stream lifecycle and description: CreateStream, DeleteStream, DescribeStream,
// DescribeStreamSummary, ListStreams, UpdateStreamMode, DescribeLimits.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/kinesis/input.h"
#include "services/kinesis/keyspace.h"
#include "services/kinesis/kinesis_errors.h"
#include "services/kinesis/kinesis_service.h"
#include "services/kinesis/next_token.h"
#include "services/kinesis/stream_codec.h"
#include "services/kinesis/views.h"
#include "storage/key_codec.h"

namespace tidepool::kinesis {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr int kMaxTagsPerResource = 50;
constexpr uint32_t kOnDemandInitialShards = 4;

Status ShardLimitError(std::string_view account, std::string_view region, int64_t current,
                       int32_t limit, int64_t additional) {
  return KinesisStatus(
      KinesisError::kLimitExceeded,
      fmt::format("This request would exceed the shard limit for the account {} in {}. Current "
                  "shard count for the account: {}. Limit: {}. Number of additional shards that "
                  "would have resulted from this request: {}. Refer to the AWS Service Limits "
                  "page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) "
                  "for current limits and how to request higher limits.",
                  account, region, current, limit, additional));
}

}  // namespace

void KinesisService::CreateStream(CallPtr call) {
  const auto& in = call->input();
  const auto& ctx = call->context();
  const std::string name(InputStringView(in, "StreamName").value_or(""));
  const auto shard_count_in = InputInt(in, "ShardCount");
  // Without a ShardCount or a StreamModeDetails, AWS now creates an on-demand stream.
  std::string mode = shard_count_in ? "PROVISIONED" : "ON_DEMAND";
  if (const auto* details = InputObject(in, "StreamModeDetails")) {
    mode = std::string(InputStringView(*details, "StreamMode").value_or("PROVISIONED"));
  }
  const auto warm = InputInt(in, "WarmThroughputMiBps");
  const auto max_record_kib = InputInt(in, "MaxRecordSizeInKiB");
  uint32_t shard_count = 0;
  if (mode == "ON_DEMAND") {
    if (shard_count_in) {
      return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                      "ShardCount cannot be specified for a stream in ON_DEMAND "
                                      "mode."));
    }
    shard_count = kOnDemandInitialShards;
  } else {
    if (!shard_count_in) {
      return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                      "ShardCount is required for a stream in PROVISIONED "
                                      "mode."));
    }
    if (warm) {
      return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                      "WarmThroughputMiBps can only be set on an ON_DEMAND "
                                      "stream."));
    }
    if (*shard_count_in > options_.shard_limit) {
      return Fail(call, ShardLimitError(ctx.account_id, ctx.region,
                                        OpenShardsOf(ctx.account_id, ctx.region),
                                        options_.shard_limit, *shard_count_in));
    }
    shard_count = static_cast<uint32_t>(*shard_count_in);
  }
  std::map<std::string, std::string> tags;
  if (const auto* tag_map = InputObject(in, "Tags")) {
    if (tag_map->size() > kMaxTagsPerResource) {
      return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                      fmt::format("Failed to create stream {} under account {} "
                                                  "because a given stream cannot have more "
                                                  "than {} tags associated with it.",
                                                  name, ctx.account_id, kMaxTagsPerResource)));
    }
    for (const auto& [k, v] : *tag_map) {
      if (v.is_string()) tags[std::string(k)] = std::string(v.get_string());
    }
  }
  const int64_t open_shards = OpenShardsOf(ctx.account_id, ctx.region);
  if (open_shards + shard_count > options_.shard_limit) {
    return Fail(call, ShardLimitError(ctx.account_id, ctx.region, open_shards, options_.shard_limit,
                                      shard_count));
  }
  if (mode == "ON_DEMAND") {
    int on_demand = 0;
    for (const auto& s : StreamsOf(ctx.account_id, ctx.region)) {
      std::lock_guard lock(s->mu);
      on_demand += s->mode == "ON_DEMAND";
    }
    if (on_demand >= options_.on_demand_stream_limit) {
      return Fail(call, KinesisStatus(KinesisError::kLimitExceeded,
                                      fmt::format("This request would exceed the on-demand "
                                                  "stream limit of {} for the account {} in {}.",
                                                  options_.on_demand_stream_limit, ctx.account_id,
                                                  ctx.region)));
    }
  }

  const int64_t now = clock_.NowMicros();
  std::shared_ptr<Stream> stream;
  std::unique_lock<std::mutex> stream_lock;
  {
    std::unique_lock lock(registry_mu_);
    const std::string key = RegistryKey(ctx.account_id, ctx.region, name);
    if (streams_.contains(key)) {
      return Fail(call, KinesisStatus(KinesisError::kResourceInUse,
                                      fmt::format("Stream {} under account {} already exists.",
                                                  name, ctx.account_id)));
    }
    const uint64_t uid = next_uid_++;
    stream = std::make_shared<Stream>(uid, ctx.account_id, ctx.region, name);
    stream_lock = std::unique_lock(stream->mu);
    streams_[key] = stream;
    streams_by_uid_[uid] = stream;
  }
  stream->created_micros = now;
  stream->status = options_.transition_delay.count() > 0 ? "CREATING" : "ACTIVE";
  stream->mode = mode;
  stream->tags = std::move(tags);
  if (warm) stream->warm_throughput_mibps = static_cast<int32_t>(*warm);
  if (max_record_kib) stream->max_record_size_kib = static_cast<int32_t>(*max_record_kib);
  uint32_t index = 0;
  for (const auto& [start, end] : SplitHashRange(0, kMaxHashKey, shard_count)) {
    auto shard = std::make_unique<Shard>();
    shard->index = index++;
    shard->start_hash = start;
    shard->end_hash = end;
    shard->created_micros = now;
    stream->shards.push_back(std::move(shard));
  }
  stream->RebuildOpenShards();
  ++stream->transition;
  storage::WriteBatch batch;
  std::string next_uid;
  storage::AppendU64BE(&next_uid, stream->uid + 1);
  batch.Put(keyspace::NextUidKey(), next_uid);
  CommitMeta(*stream, call, {}, std::move(batch));
  if (stream->status == "CREATING") ScheduleTransition(stream);
}

void KinesisService::DeleteStream(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  std::shared_ptr<Stream> stream = std::move(resolved).value();
  const bool enforce = InputBool(call->input(), "EnforceConsumerDeletion").value_or(false);
  std::unique_lock lock(stream->mu);
  if (stream->status == "DELETING") {
    return Fail(call, KinesisStatus(KinesisError::kResourceNotFound,
                                    fmt::format("Stream {} under account {} not found.",
                                                stream->name, stream->account)));
  }
  if (!stream->consumers.empty() && !enforce) {
    return Fail(call,
                KinesisStatus(KinesisError::kResourceInUse,
                              fmt::format("Stream {} under account {} has registered consumers. "
                                          "Deregister them or set EnforceConsumerDeletion.",
                                          stream->name, stream->account)));
  }
  if (options_.transition_delay.count() == 0) {
    stream->status = "DELETING";
    lock.unlock();
    EraseStream(stream, call);
    return;
  }
  stream->status = "DELETING";
  ++stream->transition;
  CommitMeta(*stream, call, {});
  ScheduleTransition(stream);
}

void KinesisService::DescribeStream(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  const auto& stream = *resolved;
  const auto& in = call->input();
  const int64_t limit = InputInt(in, "Limit").value_or(100);
  std::optional<uint32_t> after;
  if (auto start = InputStringView(in, "ExclusiveStartShardId")) {
    after = ParseShardId(*start);
    if (!after) after = UINT32_MAX;  // nothing sorts after an unreadable id
  }
  std::lock_guard lock(stream->mu);
  json::array shards;
  bool more = false;
  if (stream->status != "CREATING") {
    for (const auto& shard : stream->shards) {
      if (after && shard->index <= *after) continue;
      if (static_cast<int64_t>(shards.size()) == limit) {
        more = true;
        break;
      }
      shards.emplace_back(ShardView(*stream, *shard));
    }
  }
  json::object d{{"StreamName", stream->name},
                 {"StreamARN", stream->arn},
                 {"StreamStatus", stream->status},
                 {"StreamModeDetails", StreamModeView(*stream)},
                 {"Shards", std::move(shards)},
                 {"HasMoreShards", more},
                 {"RetentionPeriodHours", stream->retention_hours},
                 {"StreamCreationTimestamp", TimestampValue(stream->created_micros)},
                 {"EnhancedMonitoring", EnhancedMonitoringView(*stream)},
                 {"EncryptionType", stream->encryption}};
  if (stream->encryption == "KMS") d["KeyId"] = stream->key_id;
  call->Reply(json::object{{"StreamDescription", std::move(d)}});
}

void KinesisService::DescribeStreamSummary(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  const auto& stream = *resolved;
  std::lock_guard lock(stream->mu);
  json::object d{{"StreamName", stream->name},
                 {"StreamARN", stream->arn},
                 {"StreamStatus", stream->status},
                 {"StreamModeDetails", StreamModeView(*stream)},
                 {"RetentionPeriodHours", stream->retention_hours},
                 {"StreamCreationTimestamp", TimestampValue(stream->created_micros)},
                 {"EnhancedMonitoring", EnhancedMonitoringView(*stream)},
                 {"EncryptionType", stream->encryption},
                 {"OpenShardCount", static_cast<int64_t>(stream->OpenShardCount())},
                 {"ConsumerCount", static_cast<int64_t>(stream->consumers.size())},
                 {"MaxRecordSizeInKiB", stream->max_record_size_kib}};
  if (stream->encryption == "KMS") d["KeyId"] = stream->key_id;
  if (stream->warm_throughput_mibps) {
    d["WarmThroughput"] = json::object{{"TargetMiBps", *stream->warm_throughput_mibps},
                                       {"CurrentMiBps", *stream->warm_throughput_mibps}};
  }
  call->Reply(json::object{{"StreamDescriptionSummary", std::move(d)}});
}

void KinesisService::ListStreams(CallPtr call) {
  const auto& in = call->input();
  const int64_t limit = InputInt(in, "Limit").value_or(100);
  std::string after(InputStringView(in, "ExclusiveStartStreamName").value_or(""));
  const int64_t now = clock_.NowMicros();
  if (auto token_text = InputStringView(in, "NextToken")) {
    auto token = NextToken::Decode(*token_text);
    if (!token || token->kind != 's') {
      return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                      fmt::format("Invalid NextToken: {}", *token_text)));
    }
    if (now - token->created_micros > kNextTokenLifetimeMicros) {
      return Fail(call, KinesisStatus(KinesisError::kExpiredNextToken,
                                      fmt::format("NextToken {} has expired.", *token_text)));
    }
    after = token->payload;
  }
  json::array names, summaries;
  bool more = false;
  std::string last;
  for (const auto& s : StreamsOf(call->context().account_id, call->context().region)) {
    if (!after.empty() && s->name <= after) continue;
    if (static_cast<int64_t>(names.size()) == limit) {
      more = true;
      break;
    }
    std::lock_guard lock(s->mu);
    names.emplace_back(s->name);
    summaries.emplace_back(
        json::object{{"StreamName", s->name},
                     {"StreamARN", s->arn},
                     {"StreamStatus", s->status},
                     {"StreamModeDetails", StreamModeView(*s)},
                     {"StreamCreationTimestamp", TimestampValue(s->created_micros)}});
    last = s->name;
  }
  json::object out{{"StreamNames", std::move(names)},
                   {"HasMoreStreams", more},
                   {"StreamSummaries", std::move(summaries)}};
  if (more) out["NextToken"] = NextToken{'s', now, last}.Encode();
  call->Reply(std::move(out));
}

void KinesisService::UpdateStreamMode(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  const auto& stream = *resolved;
  const auto& in = call->input();
  std::string mode = "PROVISIONED";
  if (const auto* details = InputObject(in, "StreamModeDetails")) {
    mode = std::string(InputStringView(*details, "StreamMode").value_or("PROVISIONED"));
  }
  const auto warm = InputInt(in, "WarmThroughputMiBps");
  if (warm && mode != "ON_DEMAND") {
    return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                    "WarmThroughputMiBps can only be set on an ON_DEMAND "
                                    "stream."));
  }
  std::lock_guard lock(stream->mu);
  if (stream->status != "ACTIVE") {
    return Fail(call, KinesisStatus(KinesisError::kResourceInUse,
                                    fmt::format("Stream {} under account {} not ACTIVE, instead "
                                                "in state {}",
                                                stream->name, stream->account, stream->status)));
  }
  stream->mode = mode;
  if (mode == "ON_DEMAND") {
    if (warm) stream->warm_throughput_mibps = static_cast<int32_t>(*warm);
  } else {
    stream->warm_throughput_mibps.reset();
  }
  if (options_.transition_delay.count() > 0) {
    stream->status = "UPDATING";
    ++stream->transition;
    ScheduleTransition(stream);
  }
  CommitMeta(*stream, call, {});
}

void KinesisService::DescribeLimits(CallPtr call) {
  const auto& ctx = call->context();
  int64_t open = 0, on_demand = 0;
  for (const auto& s : StreamsOf(ctx.account_id, ctx.region)) {
    std::lock_guard lock(s->mu);
    open += s->OpenShardCount();
    on_demand += s->mode == "ON_DEMAND";
  }
  call->Reply(json::object{{"ShardLimit", options_.shard_limit},
                           {"OpenShardCount", open},
                           {"OnDemandStreamCount", on_demand},
                           {"OnDemandStreamCountLimit", options_.on_demand_stream_limit}});
}

}  // namespace tidepool::kinesis
