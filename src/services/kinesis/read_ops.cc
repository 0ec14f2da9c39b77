// Reads: GetShardIterator and GetRecords (SubscribeToShard is in subscribe_ops.cc).
//
// A read never takes the stream's lock while scanning: it snapshots what it needs from the
// shard (committed counter, closed state) under the lock, then scans the store up to the
// committed counter, so it can only ever return durable records.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <ctime>

#include "services/kinesis/input.h"
#include "services/kinesis/keyspace.h"
#include "services/kinesis/kinesis_errors.h"
#include "services/kinesis/kinesis_service.h"
#include "services/kinesis/record_replies.h"
#include "services/kinesis/sequence_number.h"
#include "services/kinesis/shard_iterator.h"
#include "services/kinesis/views.h"

namespace tidepool::kinesis {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr size_t kMaxGetRecordsBytes = 10 << 20;

// "Thu Jan 22 01:22:02 UTC 2015", as AWS prints times in iterator errors.
std::string AmzUtcString(int64_t micros) {
  const std::time_t secs = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
  return buf;
}

std::string MustSpecifyMessage(std::string_view type, bool has_sequence) {
  return fmt::format(
      "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
      "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
      "Request specified {} and {} StartingSequenceNumber.",
      type, has_sequence ? "also a" : "no");
}

// The arrival time of the first record at or after `counter`, if any (bounded by `end`).
Result<std::optional<int64_t>> ArrivalAtOrAfter(const storage::Store& store, uint64_t uid,
                                                uint32_t shard, uint64_t counter, uint64_t end) {
  std::optional<int64_t> arrival;
  Status st =
      store.Scan(keyspace::RecordKey(uid, shard, counter), keyspace::RecordKey(uid, shard, end),
                 [&](std::string_view key, std::string_view value) {
                   auto cursor = keyspace::RecordCursor::Open(key, value);
                   if (!cursor) return true;  // not ours; cannot happen in our range
                   cursor->SkipBefore(counter);
                   uint64_t at;
                   keyspace::RecordView r;
                   if (cursor->Next(&at, &r) && at < end) arrival = r.arrival_micros;
                   return false;
                 });
  if (!st.ok()) return st;
  return arrival;
}

}  // namespace

Result<uint64_t> KinesisService::StartingPosition(const Stream& stream, uint32_t index,
                                                  const Shard& shard, std::string_view type,
                                                  std::optional<std::string_view> starting,
                                                  std::optional<double> timestamp,
                                                  std::string_view operation) const {
  const bool by_sequence = type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER";
  if (by_sequence != starting.has_value() && type != "AT_TIMESTAMP") {
    return KinesisStatus(KinesisError::kInvalidArgument,
                         MustSpecifyMessage(type, starting.has_value()));
  }
  const int64_t now = clock_.NowMicros();
  const std::string shard_id = ShardIdOf(index);
  const uint64_t committed = shard.committed_counter.load(std::memory_order_acquire);
  uint64_t position = 0;
  if (by_sequence) {
    auto seq = SequenceNumber::Parse(*starting);
    const std::string invalid = fmt::format(
        "StartingSequenceNumber {} used in {} on shard {} in stream {} "
        "under account {} is invalid",
        *starting, operation, shard_id, stream.name, stream.account);
    if (!seq) return KinesisStatus(KinesisError::kInvalidArgument, invalid + ".");
    if (seq->shard_index != index) {
      return KinesisStatus(KinesisError::kInvalidArgument,
                           fmt::format("Invalid StartingSequenceNumber. It encodes {}, "
                                       "while it was used in a call to a shard with {}",
                                       ShardIdOf(seq->shard_index), shard_id));
    }
    if (seq->stream_tag != StreamTag(stream.uid)) {
      return KinesisStatus(KinesisError::kInvalidArgument,
                           invalid + " because it did not come from this stream.");
    }
    position = type == "AT_SEQUENCE_NUMBER" ? seq->counter : seq->counter + 1;
  } else if (type == "TRIM_HORIZON") {
    position = 0;
  } else if (type == "LATEST") {
    position = committed + 1;
  } else if (type == "AT_TIMESTAMP") {
    if (!timestamp) {
      return KinesisStatus(KinesisError::kInvalidArgument,
                           "Must specify timestampInMillis parameter for iterator of "
                           "type AT_TIMESTAMP. Current request has no timestamp "
                           "parameter.");
    }
    const auto ts_millis = static_cast<int64_t>(*timestamp * 1000.0);
    if (ts_millis > now / 1000) {
      return KinesisStatus(KinesisError::kInvalidArgument,
                           fmt::format("The timestampInMillis parameter cannot be "
                                       "greater than the currentTimestampInMillis. "
                                       "timestampInMillis: {}, "
                                       "currentTimestampInMillis: {}",
                                       ts_millis, now / 1000));
    }
    // Arrival times never decrease with the counter: binary search the first counter whose
    // first record at or after it arrived at or after the timestamp.
    const int64_t ts_micros = ts_millis * 1000;
    uint64_t lo = 0, hi = committed + 1;
    while (lo < hi) {
      const uint64_t mid = lo + (hi - lo) / 2;
      auto arrival = ArrivalAtOrAfter(store_, stream.uid, index, mid, committed + 1);
      if (!arrival.ok()) return arrival.status();
      if (!arrival->has_value() || **arrival >= ts_micros) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    position = lo;
  } else {
    return KinesisStatus(KinesisError::kInvalidArgument,
                         fmt::format("Invalid ShardIteratorType {}.", type));
  }
  return position;
}

void KinesisService::GetShardIterator(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  std::shared_ptr<Stream> stream = std::move(resolved).value();
  const auto& in = call->input();
  const std::string_view shard_text = InputStringView(in, "ShardId").value_or("");
  const std::string_view type = InputStringView(in, "ShardIteratorType").value_or("");
  const auto starting = InputStringView(in, "StartingSequenceNumber");
  const auto timestamp = InputDouble(in, "Timestamp");

  auto index = ParseShardId(shard_text);
  if (!index) {
    return Fail(call, KinesisStatus(KinesisError::kResourceNotFound,
                                    fmt::format("Could not find shard {} in stream {} under "
                                                "account {}.",
                                                shard_text, stream->name, stream->account)));
  }
  const std::string shard_id = ShardIdOf(*index);
  Shard* shard = nullptr;
  {
    std::lock_guard lock(stream->mu);
    if (*index < stream->shards.size()) shard = stream->shards[*index].get();
  }
  if (!shard) {
    return Fail(call, KinesisStatus(KinesisError::kResourceNotFound,
                                    fmt::format("Shard {} in stream {} under account {} does not "
                                                "exist",
                                                shard_id, stream->name, stream->account)));
  }
  const int64_t now = clock_.NowMicros();
  auto position =
      StartingPosition(*stream, *index, *shard, type, starting, timestamp, "GetShardIterator");
  if (!position.ok()) return Fail(call, position.status());
  ShardIterator it{stream->uid, *index, *position, now, stream->name};
  call->Reply(json::object{{"ShardIterator", it.Encode()}});
}

void KinesisService::GetRecords(CallPtr call) {
  const auto& in = call->input();
  std::string_view iterator_text = InputStringView(in, "ShardIterator").value_or("");
  // AWS accepts an iterator wrapped in double quotes (as shell scripts pass it on).
  if (iterator_text.size() >= 2 && iterator_text.front() == '"' && iterator_text.back() == '"') {
    iterator_text = iterator_text.substr(1, iterator_text.size() - 2);
  }
  auto it = ShardIterator::Decode(iterator_text);
  if (!it) {
    return Fail(call, KinesisStatus(KinesisError::kInvalidArgument, "Invalid ShardIterator."));
  }
  const int64_t now = clock_.NowMicros();
  const auto lifetime =
      std::chrono::duration_cast<std::chrono::microseconds>(options_.iterator_lifetime).count();
  if (now - it->created_micros > lifetime) {
    return Fail(call,
                KinesisStatus(KinesisError::kExpiredIterator,
                              fmt::format("Iterator expired. The iterator was created at time {} "
                                          "while right now it is {} which is further in the "
                                          "future than the tolerated delay of {} milliseconds.",
                                          AmzUtcString(it->created_micros), AmzUtcString(now),
                                          lifetime / 1000)));
  }
  const auto& ctx = call->context();
  std::shared_ptr<Stream> stream = FindStreamByUid(it->stream_uid);
  auto shard_not_found = [&] {  // formatted only when needed: GetRecords is a hot path
    return KinesisStatus(KinesisError::kResourceNotFound,
                         fmt::format("Shard {} in stream {} under account {} does not exist",
                                     ShardIdOf(it->shard_index), it->stream_name, ctx.account_id));
  };
  if (!stream || stream->name != it->stream_name || stream->account != ctx.account_id ||
      stream->region != ctx.region) {
    return Fail(call, shard_not_found());
  }
  if (auto arn = InputStringView(in, "StreamARN"); arn && *arn != stream->arn) {
    return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                    fmt::format("StreamARN {} does not match the stream of the "
                                                "ShardIterator.",
                                                *arn)));
  }
  const int64_t limit = InputInt(in, "Limit").value_or(10000);
  int64_t cutoff;
  bool closed;
  uint64_t ending_counter;
  Shard* shard;
  {
    std::lock_guard lock(stream->mu);
    if (it->shard_index >= stream->shards.size()) return Fail(call, shard_not_found());
    shard = stream->shards[it->shard_index].get();
    cutoff = now - int64_t{stream->retention_hours} * 3600 * 1'000'000;
    closed = !shard->open();
    ending_counter = shard->ending_counter;
  }
  const uint64_t committed = shard->committed_counter.load(std::memory_order_acquire);
  const uint64_t available = it->position <= committed ? committed - it->position + 1 : 0;
  GetRecordsReply reply(
      static_cast<size_t>(std::min<uint64_t>(available, std::max<int64_t>(limit, 0))));
  uint64_t next_position = it->position;
  int64_t last_arrival = 0;
  size_t bytes = 0;
  if (it->position <= committed) {
    Status st = store_.Scan(
        keyspace::RecordKey(stream->uid, it->shard_index, it->position),
        keyspace::RecordKey(stream->uid, it->shard_index, committed + 1),
        [&](std::string_view key, std::string_view value) {
          auto cursor = keyspace::RecordCursor::Open(key, value);
          if (!cursor) return true;  // not ours; cannot happen in our range
          cursor->SkipBefore(next_position);
          uint64_t counter;
          keyspace::RecordView record;
          while (cursor->Next(&counter, &record)) {
            if (counter > committed) return false;
            if (record.arrival_micros < cutoff) {  // expired, not trimmed yet
              next_position = counter + 1;
              continue;
            }
            const size_t size = record.data.size() + record.partition_key.size();
            if (reply.records() > 0 && bytes + size > kMaxGetRecordsBytes) return false;
            bytes += size;
            reply.AddRecord(SequenceNumber{StreamTag(stream->uid), it->shard_index, counter},
                            record.arrival_micros, record.data, record.partition_key,
                            record.encrypted);
            next_position = counter + 1;
            last_arrival = record.arrival_micros;
            if (static_cast<int64_t>(reply.records()) >= limit) return false;
          }
          return true;
        });
    if (!st.ok()) return Fail(call, st);
  }
  const bool caught_up = next_position > committed;
  const int64_t millis_behind = (caught_up || last_arrival == 0)
                                    ? int64_t{0}
                                    : std::max<int64_t>(0, (now - last_arrival) / 1000);
  if (closed && caught_up && next_position > ending_counter) {
    // The end of a closed shard: no NextShardIterator, but its children.
    json::array children;
    {
      std::lock_guard lock(stream->mu);
      children = ChildShardsView(*stream, *shard);
    }
    return call->ReplyEncoded(std::move(reply).FinishClosed(children, millis_behind));
  }
  call->ReplyEncoded(std::move(reply).Finish(
      ShardIterator{stream->uid, it->shard_index, next_position, now, stream->name}.Encode(),
      millis_behind));
}

Result<std::vector<std::pair<std::string, std::string>>> KinesisService::LatestPositions(
    std::string_view arn) const {
  std::shared_ptr<Stream> stream;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [uid, s] : streams_by_uid_) {
      if (s->arn == arn) stream = s;
    }
  }
  if (!stream) return Status::NotFound("Stream not found: " + std::string(arn));
  std::vector<std::pair<std::string, std::string>> out;
  std::lock_guard lock(stream->mu);
  for (const auto& shard : stream->shards) {
    const uint64_t committed = shard->committed_counter.load(std::memory_order_acquire);
    out.emplace_back(
        ShardIdOf(shard->index),
        committed == 0
            ? std::string()
            : SequenceNumber{StreamTag(stream->uid), shard->index, committed}.ToString());
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::vector<std::string>>>>
KinesisService::RecordSequenceNumbers(std::string_view arn) const {
  std::shared_ptr<Stream> stream;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [uid, s] : streams_by_uid_) {
      if (s->arn == arn) stream = s;
    }
  }
  if (!stream) return Status::NotFound("Stream not found: " + std::string(arn));
  std::vector<std::pair<uint32_t, uint64_t>> shards;  // index, committed counter
  int64_t cutoff;
  {
    std::lock_guard lock(stream->mu);
    cutoff = clock_.NowMicros() - int64_t{stream->retention_hours} * 3600 * 1'000'000;
    for (const auto& shard : stream->shards) {
      shards.emplace_back(shard->index, shard->committed_counter.load(std::memory_order_acquire));
    }
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& shard : shards) {
    const uint32_t index = shard.first;
    const uint64_t committed = shard.second;
    std::vector<std::string> seqs;
    Status st = store_.Scan(
        keyspace::RecordKey(stream->uid, index, 1),
        keyspace::RecordKey(stream->uid, index, committed + 1),
        [&](std::string_view key, std::string_view value) {
          auto cursor = keyspace::RecordCursor::Open(key, value);
          if (!cursor) return true;
          uint64_t counter;
          keyspace::RecordView record;
          while (cursor->Next(&counter, &record)) {
            if (counter > committed) return false;
            if (record.arrival_micros < cutoff) continue;
            seqs.push_back(SequenceNumber{StreamTag(stream->uid), index, counter}.ToString());
          }
          return true;
        });
    if (!st.ok()) return st;
    out.emplace_back(ShardIdOf(index), std::move(seqs));
  }
  return out;
}

}  // namespace tidepool::kinesis
