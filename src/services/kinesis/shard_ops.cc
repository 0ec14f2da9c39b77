// Shards: ListShards and resharding (SplitShard, MergeShards, UpdateShardCount).
//
// Resharding closes parent shards (they get an EndingSequenceNumber and take no more
// writes) and appends children created at the same instant, which is unique per stream (see
// ReshardTime) so that GetRecords can find a closed shard's children by creation time and
// hash range. The new layout is visible at once; the stream shows UPDATING for
// options.transition_delay.
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

// Requires stream.mu. Later than every shard creation of the stream.
int64_t ReshardTime(const Stream& stream, int64_t now) {
  for (const auto& s : stream.shards) now = std::max(now, s->created_micros + 1);
  return now;
}

void CloseShard(Shard& shard, int64_t now) {
  shard.closed_micros = now;
  shard.ending_counter = shard.next_counter - 1;
}

void AddShard(Stream& stream, HashKey start, HashKey end, std::optional<uint32_t> parent,
              std::optional<uint32_t> adjacent_parent, int64_t now) {
  auto shard = std::make_unique<Shard>();
  shard->index = static_cast<uint32_t>(stream.shards.size());
  shard->start_hash = start;
  shard->end_hash = end;
  shard->parent = parent;
  shard->adjacent_parent = adjacent_parent;
  shard->created_micros = now;
  stream.shards.push_back(std::move(shard));
}

Status NotActive(const Stream& stream) {
  return KinesisStatus(KinesisError::kResourceInUse,
                       fmt::format("Stream {} under account {} not ACTIVE, instead in state {}",
                                   stream.name, stream.account, stream.status));
}

Status ShardNotFound(const Stream& stream, std::string_view shard) {
  return KinesisStatus(KinesisError::kResourceNotFound,
                       fmt::format("Could not find shard {} in stream {} under account {}.", shard,
                                   stream.name, stream.account));
}

// Requires stream.mu. The shard a request names, or AWS's not-found error.
Result<Shard*> FindShard(const Stream& stream, std::string_view text) {
  auto index = ParseShardId(text);
  if (!index) return ShardNotFound(stream, text);
  if (*index >= stream.shards.size()) return ShardNotFound(stream, ShardIdOf(*index));
  return stream.shards[*index].get();
}

Status AlreadyResharded(const Stream& stream, const Shard& shard, std::string_view verb) {
  return KinesisStatus(KinesisError::kInvalidArgument,
                       fmt::format("Shard {} in stream {} under account {} has already been "
                                   "merged or split, and thus is not eligible for {}.",
                                   ShardIdOf(shard.index), stream.name, stream.account, verb));
}

// Requires stream.mu. Whether `shard` was open at `t` (a shard created with the stream counts
// as open since the beginning of time).
bool OpenAt(const Stream& stream, const Shard& shard, int64_t t) {
  const bool created = shard.created_micros <= t || shard.created_micros == stream.created_micros;
  return created && (!shard.closed_micros || *shard.closed_micros > t);
}

}  // namespace

void KinesisService::ListShards(CallPtr call) {
  const auto& in = call->input();
  const int64_t now = clock_.NowMicros();
  const auto token_text = InputStringView(in, "NextToken");
  std::shared_ptr<Stream> stream;
  std::optional<uint32_t> after;
  std::string filter_type;
  std::string filter_shard;
  std::optional<double> filter_ts;
  if (const auto* filter = InputObject(in, "ShardFilter")) {
    filter_type = std::string(InputStringView(*filter, "Type").value_or(""));
    filter_shard = std::string(InputStringView(*filter, "ShardId").value_or(""));
    filter_ts = InputDouble(*filter, "Timestamp");
  }
  if (token_text) {
    if (in.contains("StreamName") || in.contains("StreamARN")) {
      return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                      "NextToken and StreamName cannot be provided together."));
    }
    if (in.contains("ExclusiveStartShardId")) {
      return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                      "NextToken and ExclusiveStartShardId cannot be provided "
                                      "together."));
    }
    auto token = NextToken::Decode(*token_text);
    uint64_t uid = 0;
    uint32_t last = 0;
    char type_buf[32] = {0};
    if (!token || token->kind != 'h' ||
        std::sscanf(token->payload.c_str(), "%lu/%u/%31[A-Z_]", &uid, &last, type_buf) < 2) {
      return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                      fmt::format("Invalid NextToken: {}", *token_text)));
    }
    if (now - token->created_micros > kNextTokenLifetimeMicros) {
      return Fail(call, KinesisStatus(KinesisError::kExpiredNextToken,
                                      fmt::format("NextToken {} has expired.", *token_text)));
    }
    stream = FindStreamByUid(uid);
    if (!stream || stream->account != call->context().account_id) {
      return Fail(call, KinesisStatus(KinesisError::kResourceNotFound,
                                      "The stream of the NextToken no longer exists."));
    }
    after = last;
  } else {
    auto resolved = ResolveStream(*call);
    if (!resolved.ok()) return Fail(call, resolved.status());
    stream = std::move(resolved).value();
    if (auto start = InputStringView(in, "ExclusiveStartShardId")) {
      after = ParseShardId(*start).value_or(UINT32_MAX);
    }
  }
  if (filter_type == "AFTER_SHARD_ID" && filter_shard.empty()) {
    return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                    "ShardId must be supplied in a ShardFilter with a Type of "
                                    "AFTER_SHARD_ID"));
  }
  if ((filter_type == "AT_TIMESTAMP" || filter_type == "FROM_TIMESTAMP") && !filter_ts) {
    return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                    "Timestamp must be supplied in a ShardFilter with a Type of "
                                    "FROM_TIMESTAMP or AT_TIMESTAMP"));
  }
  const int64_t max_results = InputInt(in, "MaxResults").value_or(1000);

  std::lock_guard lock(stream->mu);
  if (auto created = InputDouble(in, "StreamCreationTimestamp")) {
    if (static_cast<int64_t>(*created * 1000) != stream->created_micros / 1000) {
      return Fail(call, KinesisStatus(KinesisError::kResourceNotFound,
                                      fmt::format("Stream {} under account {} not found.",
                                                  stream->name, stream->account)));
    }
  }
  const int64_t horizon = now - int64_t{stream->retention_hours} * 3600 * 1'000'000;
  const int64_t ts_micros = filter_ts ? static_cast<int64_t>(*filter_ts * 1e6) : 0;
  // Read only for AFTER_SHARD_ID.
  const uint32_t filter_after =
      filter_type == "AFTER_SHARD_ID" ? ParseShardId(filter_shard).value_or(UINT32_MAX) : 0;
  auto selected = [&](const Shard& s) {
    if (filter_type.empty()) return true;
    if (filter_type == "AFTER_SHARD_ID") return s.index > filter_after;
    if (filter_type == "AT_LATEST") return s.open();
    if (filter_type == "AT_TRIM_HORIZON") return OpenAt(*stream, s, horizon);
    if (filter_type == "FROM_TRIM_HORIZON") return !s.closed_micros || *s.closed_micros > horizon;
    if (filter_type == "AT_TIMESTAMP") return OpenAt(*stream, s, ts_micros);
    if (filter_type == "FROM_TIMESTAMP") return !s.closed_micros || *s.closed_micros > ts_micros;
    return true;
  };
  json::array shards;
  std::optional<uint32_t> last;
  bool more = false;
  for (const auto& shard : stream->shards) {
    if (after && shard->index <= *after) continue;
    if (!selected(*shard)) continue;
    if (static_cast<int64_t>(shards.size()) == max_results) {
      more = true;
      break;
    }
    shards.emplace_back(ShardView(*stream, *shard));
    last = shard->index;
  }
  json::object out{{"Shards", std::move(shards)}};
  if (more) {
    out["NextToken"] =
        NextToken{'h', now, fmt::format("{}/{}/{}", stream->uid, *last, filter_type)}.Encode();
  }
  call->Reply(std::move(out));
}

void KinesisService::SplitShard(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  std::shared_ptr<Stream> stream = std::move(resolved).value();
  const auto& in = call->input();
  const std::string_view new_start_text = InputStringView(in, "NewStartingHashKey").value_or("");
  const int64_t open_in_account = OpenShardsOf(stream->account, stream->region);
  std::lock_guard lock(stream->mu);
  auto found = FindShard(*stream, InputStringView(in, "ShardToSplit").value_or(""));
  if (!found.ok()) return Fail(call, found.status());
  Shard* shard = *found;
  if (open_in_account + 1 > options_.shard_limit) {
    return Fail(call,
                KinesisStatus(KinesisError::kLimitExceeded,
                              fmt::format("This request would exceed the shard limit for the "
                                          "account {} in {}. Current shard count for the "
                                          "account: {}. Limit: {}. Number of additional shards "
                                          "that would have resulted from this request: 1.",
                                          stream->account, stream->region, open_in_account,
                                          options_.shard_limit)));
  }
  auto new_start = ParseHashKey(new_start_text);
  if (!new_start || *new_start <= shard->start_hash + 1 || *new_start >= shard->end_hash) {
    return Fail(call,
                KinesisStatus(KinesisError::kInvalidArgument,
                              fmt::format("NewStartingHashKey {} used in SplitShard() on shard {} "
                                          "in stream {} under account {} is not both greater "
                                          "than one plus the shard's StartingHashKey {} and less "
                                          "than the shard's EndingHashKey {}.",
                                          new_start_text, ShardIdOf(shard->index), stream->name,
                                          stream->account, FormatHashKey(shard->start_hash),
                                          FormatHashKey(shard->end_hash))));
  }
  if (stream->status != "ACTIVE") return Fail(call, NotActive(*stream));
  if (!shard->open()) return Fail(call, AlreadyResharded(*stream, *shard, "splitting"));
  const int64_t now = ReshardTime(*stream, clock_.NowMicros());
  CloseShard(*shard, now);
  const HashKey start = shard->start_hash, end = shard->end_hash;
  const uint32_t parent = shard->index;
  AddShard(*stream, start, *new_start - 1, parent, std::nullopt, now);
  AddShard(*stream, *new_start, end, parent, std::nullopt, now);
  stream->RebuildOpenShards();
  if (options_.transition_delay.count() > 0) {
    stream->status = "UPDATING";
    ++stream->transition;
    ScheduleTransition(stream);
  }
  CommitMeta(*stream, call, {});
}

void KinesisService::MergeShards(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  std::shared_ptr<Stream> stream = std::move(resolved).value();
  const auto& in = call->input();
  std::lock_guard lock(stream->mu);
  auto first = FindShard(*stream, InputStringView(in, "ShardToMerge").value_or(""));
  if (!first.ok()) return Fail(call, first.status());
  auto second = FindShard(*stream, InputStringView(in, "AdjacentShardToMerge").value_or(""));
  if (!second.ok()) return Fail(call, second.status());
  Shard* a = *first;
  Shard* b = *second;
  // AWS wants them in hash key order: AdjacentShardToMerge's range right after ShardToMerge's.
  const bool adjacent = a->end_hash != kMaxHashKey && a->end_hash + 1 == b->start_hash;
  if (!adjacent || !a->open() || !b->open()) {
    return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                    fmt::format("Shards {} and {} in stream {} under account {} "
                                                "are not an adjacent pair of shards eligible for "
                                                "merging",
                                                ShardIdOf(a->index), ShardIdOf(b->index),
                                                stream->name, stream->account)));
  }
  if (stream->status != "ACTIVE") return Fail(call, NotActive(*stream));
  const int64_t now = ReshardTime(*stream, clock_.NowMicros());
  CloseShard(*a, now);
  CloseShard(*b, now);
  AddShard(*stream, a->start_hash, b->end_hash, a->index, b->index, now);
  stream->RebuildOpenShards();
  if (options_.transition_delay.count() > 0) {
    stream->status = "UPDATING";
    ++stream->transition;
    ScheduleTransition(stream);
  }
  CommitMeta(*stream, call, {});
}

void KinesisService::UpdateShardCount(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  std::shared_ptr<Stream> stream = std::move(resolved).value();
  const int64_t target = InputInt(call->input(), "TargetShardCount").value_or(0);
  const int64_t open_in_account = OpenShardsOf(stream->account, stream->region);
  std::lock_guard lock(stream->mu);
  if (stream->status != "ACTIVE") return Fail(call, NotActive(*stream));
  const int64_t open = stream->OpenShardCount();
  const std::string counts =
      fmt::format("Current open shard count: {}, Target shard count: {}", open, target);
  if (target > options_.shard_limit || open_in_account - open + target > options_.shard_limit) {
    return Fail(call, KinesisStatus(KinesisError::kLimitExceeded,
                                    fmt::format("Target shard count or number of open shards "
                                                "cannot be greater than {}. {}",
                                                options_.shard_limit, counts)));
  }
  if (target > open * 2) {
    return Fail(call, KinesisStatus(KinesisError::kLimitExceeded,
                                    "UpdateShardCount cannot scale up over double your current "
                                    "open shard count. " +
                                        counts));
  }
  if (target * 2 < open) {
    return Fail(call, KinesisStatus(KinesisError::kLimitExceeded,
                                    "UpdateShardCount cannot scale down below half your current "
                                    "open shard count. " +
                                        counts));
  }
  json::object out{{"StreamName", stream->name},
                   {"CurrentShardCount", open},
                   {"TargetShardCount", target},
                   {"StreamARN", stream->arn}};
  if (target != open) {
    const int64_t now = ReshardTime(*stream, clock_.NowMicros());
    std::vector<Shard*> parents = stream->open_shards;  // ordered by start hash
    for (Shard* p : parents) CloseShard(*p, now);
    // Each new shard names the old shards holding its first and last hash keys as parents.
    auto holder = [&](HashKey h) {
      auto it = std::upper_bound(parents.begin(), parents.end(), h,
                                 [](HashKey x, const Shard* s) { return x < s->start_hash; });
      return (*(it - 1))->index;
    };
    for (const auto& [start, end] : SplitHashRange(0, kMaxHashKey, static_cast<uint32_t>(target))) {
      const uint32_t parent = holder(start), last = holder(end);
      AddShard(*stream, start, end, parent,
               last != parent ? std::optional<uint32_t>(last) : std::nullopt, now);
    }
    stream->RebuildOpenShards();
    stream->shard_count_updates.push_back(now);
    if (options_.transition_delay.count() > 0) {
      stream->status = "UPDATING";
      ++stream->transition;
      ScheduleTransition(stream);
    }
  }
  CommitMeta(*stream, call, std::move(out));
}

}  // namespace tidepool::kinesis
