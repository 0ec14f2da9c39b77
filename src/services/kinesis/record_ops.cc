// Writes: PutRecord and PutRecords (the hot path).
//
// Under the stream's lock each record is routed to its open shard, takes the shard's next
// counter (its sequence number) and is added to one WriteBatch, which is submitted before the
// lock is released: commit order == sequence order. The reply (hand-encoded, see
// record_replies.h) is sent and the shards' committed counters (what readers may see) are
// updated in the commit completion.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/trace_log.h"
#include "services/kinesis/hash_key.h"
#include "services/kinesis/input.h"
#include "services/kinesis/keyspace.h"
#include "services/kinesis/kinesis_errors.h"
#include "services/kinesis/kinesis_service.h"
#include "services/kinesis/record_input.h"
#include "services/kinesis/record_replies.h"
#include "services/kinesis/sequence_number.h"

namespace tidepool::kinesis {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr size_t kMaxPutRecordsBytes = 5 << 20;

Result<HashKey> RecordHash(const RecordInput& record) {
  if (record.explicit_hash_key) {
    auto hash = ParseHashKey(*record.explicit_hash_key);
    if (!hash) {
      return KinesisStatus(KinesisError::kInvalidArgument,
                           fmt::format("Invalid ExplicitHashKey. ExplicitHashKey must be in the "
                                       "range: [0, 2^128-1]. Specified value was {}",
                                       *record.explicit_hash_key));
    }
    return *hash;
  }
  return PartitionKeyHash(record.partition_key);
}

Status CheckWritable(const Stream& stream) {
  if (stream.status == "ACTIVE" || stream.status == "UPDATING") return Status::Ok();
  return KinesisStatus(
      KinesisError::kResourceNotFound,
      fmt::format("Stream {} under account {} not found.", stream.name, stream.account));
}

Status CheckRecordSize(const Stream& stream, size_t data_bytes, size_t key_bytes) {
  const size_t limit = static_cast<size_t>(stream.max_record_size_kib) * 1024;
  if (data_bytes + key_bytes <= limit) return Status::Ok();
  return KinesisStatus(
      KinesisError::kValidation,
      fmt::format("1 validation error detected: Value at 'data' failed to satisfy constraint: "
                  "Member must have length less than or equal to {}",
                  limit - std::min(limit, key_bytes)));
}

std::string RateExceededMessage(const Stream& stream, const Shard& shard) {
  return fmt::format("Rate exceeded for shard {} in stream {} under account {}.",
                     ShardIdOf(shard.index), stream.name, stream.account);
}

// A traced write (X-Amzn-Trace-Id): the mapping that delivers the record continues its trace.
void RememberTrace(const Stream& stream, const std::string& sequence_number,
                   const std::string& header) {
  if (header.empty()) return;
  TraceLog::Global().Remember(RecordTraceKey(stream.arn, sequence_number), header);
  TraceLog::Global().Stamp(header, "kinesis.put", stream.name);
}

}  // namespace

void KinesisService::PutRecord(CallPtr call) {
  RecordsInput input;
  if (!ReadRecordsInput(*call, /*batch=*/false, &input)) return;
  auto resolved = ResolveStream(call->context(), input.stream_name, input.stream_arn);
  if (!resolved.ok()) return Fail(call, resolved.status());
  std::shared_ptr<Stream> stream = std::move(resolved).value();
  const RecordInput& record = input.records.front();
  const std::string_view data = record.data;
  const std::string_view partition_key = record.partition_key;
  auto hash = RecordHash(record);
  if (!hash.ok()) return Fail(call, hash.status());
  if (auto ordering = input.sequence_number_for_ordering) {
    // Counters only grow, so any valid number is already satisfied, and so is a number below
    // every sequence number ("0", as AWS accepts it); reject the others.
    const auto value = ParseHashKey(*ordering);
    const bool below_all = value && *value < SequenceNumber{}.Value();
    if (!below_all && !SequenceNumber::Parse(*ordering)) {
      return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                      fmt::format("ExclusiveMinimumSequenceNumber {} used in "
                                                  "PutRecord on stream {} under account {} is "
                                                  "invalid.",
                                                  *ordering, stream->name, stream->account)));
    }
  }
  const int64_t now = clock_.NowMicros();

  std::unique_lock lock(stream->mu);
  if (Status st = CheckWritable(*stream); !st.ok()) return Fail(call, st);
  if (Status st = CheckRecordSize(*stream, data.size(), partition_key.size()); !st.ok()) {
    return Fail(call, st);
  }
  Shard* shard = stream->Route(*hash);
  if (options_.throttle) {
    const double bytes = static_cast<double>(data.size() + partition_key.size());
    const auto byte_rate = static_cast<double>(options_.shard_write_bytes_per_second);
    const auto record_rate = static_cast<double>(options_.shard_write_records_per_second);
    if (!shard->write_bytes.TryTake(bytes, byte_rate, byte_rate, now) ||
        !shard->write_records.TryTake(1, record_rate, record_rate, now)) {
      return Fail(call, KinesisStatus(KinesisError::kProvisionedThroughputExceeded,
                                      RateExceededMessage(*stream, *shard)));
    }
  }
  const uint64_t counter = shard->next_counter++;
  const int64_t arrival = std::max(now, shard->last_arrival_micros);
  shard->last_arrival_micros = arrival;
  const bool encrypted = stream->encryption == "KMS";
  std::string value;
  keyspace::AppendRecordValue(&value, arrival, encrypted, partition_key, data);
  storage::WriteBatch batch;
  batch.PutOwned(keyspace::RecordKey(stream->uid, shard->index, counter), std::move(value));
  const std::string sequence_number =
      SequenceNumber{StreamTag(stream->uid), shard->index, counter}.ToString();
  RememberTrace(*stream, sequence_number, call->context().trace_header);
  protocol::EncodedJson out = PutRecordReply(ShardIdOf(shard->index), sequence_number, encrypted);
  Submit(std::move(batch), call,
         [this, call, stream, shard, counter, arrival,
          out = std::move(out)](const Status& st) mutable {
           if (!st.ok()) return Fail(call, st);
           shard->committed_arrival_micros.store(arrival, std::memory_order_relaxed);
           shard->committed_counter.store(counter, std::memory_order_release);
           NotifyRecordListeners(*stream, shard->index, counter);
           call->ReplyEncoded(std::move(out));
         });
}

void KinesisService::PutRecords(CallPtr call) {
  RecordsInput input;
  if (!ReadRecordsInput(*call, /*batch=*/true, &input)) return;
  auto resolved = ResolveStream(call->context(), input.stream_name, input.stream_arn);
  if (!resolved.ok()) return Fail(call, resolved.status());
  std::shared_ptr<Stream> stream = std::move(resolved).value();
  if (input.records.empty()) return Fail(call, Status::InvalidArgument("Records missing"));

  struct Planned {
    std::string_view data;
    std::string_view partition_key;
    HashKey hash;
  };
  std::vector<Planned> planned;
  planned.reserve(input.records.size());
  size_t total_bytes = 0;
  for (const RecordInput& record : input.records) {
    auto hash = RecordHash(record);
    if (!hash.ok()) return Fail(call, hash.status());
    planned.push_back({record.data, record.partition_key, *hash});
    total_bytes += record.data.size() + record.partition_key.size();
  }
  if (total_bytes > kMaxPutRecordsBytes) {
    return Fail(call,
                KinesisStatus(KinesisError::kInvalidArgument, "Records size exceeds 5 MB limit"));
  }
  const int64_t now = clock_.NowMicros();

  std::unique_lock lock(stream->mu);
  if (Status st = CheckWritable(*stream); !st.ok()) return Fail(call, st);
  for (const auto& p : planned) {
    if (Status st = CheckRecordSize(*stream, p.data.size(), p.partition_key.size()); !st.ok()) {
      return Fail(call, st);
    }
  }
  const bool encrypted = stream->encryption == "KMS";
  const auto byte_rate = static_cast<double>(options_.shard_write_bytes_per_second);
  const auto record_rate = static_cast<double>(options_.shard_write_records_per_second);
  struct ShardTip {
    Shard* shard;
    uint64_t counter;
    int64_t arrival;
    std::string shard_id;  // formatted once per request, not per record
    std::string block;     // the shard's records, stored as one entry (keyspace.h)
  };
  std::vector<ShardTip> tips;  // one entry per shard written, with its newest record
  PutRecordsReply reply(planned.size());
  for (const auto& p : planned) {
    Shard* shard = stream->Route(p.hash);
    if (options_.throttle &&
        (!shard->write_bytes.TryTake(static_cast<double>(p.data.size() + p.partition_key.size()),
                                     byte_rate, byte_rate, now) ||
         !shard->write_records.TryTake(1, record_rate, record_rate, now))) {
      reply.AddFailure("ProvisionedThroughputExceededException",
                       RateExceededMessage(*stream, *shard));
      continue;
    }
    const uint64_t counter = shard->next_counter++;
    const int64_t arrival = std::max(now, shard->last_arrival_micros);
    shard->last_arrival_micros = arrival;
    auto tip = std::find_if(tips.begin(), tips.end(),
                            [shard](const ShardTip& t) { return t.shard == shard; });
    if (tip == tips.end()) {
      tip = tips.insert(tips.end(), {shard, counter, arrival, ShardIdOf(shard->index), {}});
    } else {
      tip->counter = counter;
      tip->arrival = arrival;
    }
    keyspace::AppendToRecordBlock(&tip->block, arrival, encrypted, p.partition_key, p.data);
    const SequenceNumber seq{StreamTag(stream->uid), shard->index, counter};
    if (!call->context().trace_header.empty()) {
      RememberTrace(*stream, seq.ToString(), call->context().trace_header);
    }
    reply.AddSuccess(seq, tip->shard_id);
  }
  protocol::EncodedJson out = std::move(reply).Finish(encrypted);
  storage::WriteBatch batch;
  batch.Reserve(tips.size());
  for (auto& tip : tips) {  // moved into the batch, and in memory mode on into the store
    batch.PutOwned(keyspace::RecordKey(stream->uid, tip.shard->index, tip.counter),
                   keyspace::FinishRecordBlock(std::move(tip.block)));
  }
  if (batch.empty()) {
    lock.unlock();
    call->ReplyEncoded(std::move(out));
    return;
  }
  Submit(
      std::move(batch), call,
      [this, call, stream, tips = std::move(tips), out = std::move(out)](const Status& st) mutable {
        if (!st.ok()) return Fail(call, st);
        for (const auto& tip : tips) {
          tip.shard->committed_arrival_micros.store(tip.arrival, std::memory_order_relaxed);
          tip.shard->committed_counter.store(tip.counter, std::memory_order_release);
          NotifyRecordListeners(*stream, tip.shard->index, tip.counter);
        }
        call->ReplyEncoded(std::move(out));
      });
}

}  // namespace tidepool::kinesis
