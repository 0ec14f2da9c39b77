// DynamoDbStreamsService: ListStreams, DescribeStream, GetShardIterator, GetRecords. A table's
// stream (one epoch per StreamSpecification enabled) has one shard whose records are stored
// under keyspace 's' in sequence order.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <chrono>

#include "core/arn.h"
#include "protocol/model/models.h"
#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/dynamodb/input.h"
#include "services/dynamodb/keyspace.h"
#include "services/dynamodb/stream_record.h"
#include "storage/key_codec.h"

namespace tidepool::dynamodb {
using protocol::CallPtr;

namespace {

std::string ShardId(const Table& t) {
  return fmt::format("shardId-{:020}-{:08x}", t.uid, t.stream_epoch);
}
std::string SequenceNumber(uint64_t seq) { return fmt::format("{:021}", seq); }

std::string IsoTime(uint64_t micros) {
  const auto tp = std::chrono::system_clock::time_point(std::chrono::microseconds(micros));
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::seconds>(tp));
}

std::optional<uint64_t> ParseU64(std::string_view s) {
  uint64_t v;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// A shard iterator: "arn|shard|seq|issued micros". It expires 15 minutes after it was issued.
std::string ShardIterator(std::string_view arn, std::string_view shard, uint64_t seq,
                          int64_t issued) {
  return fmt::format("{}|{}|{}|{}", arn, shard, seq, issued);
}
constexpr double kIteratorLifetimeSeconds = 15 * 60;

Status Trimmed() {
  return DynamoStatus(DynamoError::kTrimmedDataAccess,
                      "The operation attempted to read past the oldest stream record in a shard.");
}

Status StreamNotFound(std::string_view arn) {
  return DynamoStatus(DynamoError::kResourceNotFound,
                      fmt::format("Requested resource not found: Stream: {} not found", arn));
}

json::array KeySchemaJson(const Table& t) {
  json::array a;
  a.push_back(json::object{{"AttributeName", t.hash.name}, {"KeyType", "HASH"}});
  if (t.range) a.push_back(json::object{{"AttributeName", t.range->name}, {"KeyType", "RANGE"}});
  return a;
}

}  // namespace

const protocol::model::ServiceModel& DynamoDbStreamsService::Model() const {
  return protocol::model::DynamoDbStreamsModel();
}

json::object DynamoDbStreamsService::Health() const { return json::object{{"status", "running"}}; }

void DynamoDbStreamsService::Invoke(CallPtr call) {
  const std::string_view op = call->operation().name;
  if (op == "ListStreams") return ListStreams(std::move(call));
  if (op == "DescribeStream") return DescribeStream(std::move(call));
  if (op == "GetShardIterator") return GetShardIterator(std::move(call));
  if (op == "GetRecords") return GetRecords(std::move(call));
  call->Fail({"UnknownOperationException",
              fmt::format("tidepool does not implement the DynamoDB Streams operation {}", op),
              400,
              true,
              {}});
}

Result<std::shared_ptr<Table>> DynamoDbStreamsService::ResolveStream(
    std::string_view arn_text) const {
  auto arn = Arn::Parse(arn_text);
  if (!arn || arn->service != "dynamodb" || !arn->resource.starts_with("table/")) {
    return Invalid(fmt::format("Invalid StreamArn: {}", arn_text));
  }
  std::string_view rest = std::string_view(arn->resource).substr(6);
  const size_t slash = rest.find("/stream/");
  if (slash == std::string_view::npos)
    return Invalid(fmt::format("Invalid StreamArn: {}", arn_text));
  auto t = tables_.FindTable(arn->account, arn->region, rest.substr(0, slash));
  if (!t) return StreamNotFound(arn_text);
  std::lock_guard lock(t->mu);
  if (t->stream_epoch == 0 || t->StreamArn() != arn_text) return StreamNotFound(arn_text);
  return t;
}

Result<std::vector<std::pair<std::string, std::string>>> DynamoDbStreamsService::LatestPositions(
    std::string_view arn) const {
  auto resolved = ResolveStream(arn);
  if (!resolved.ok()) return resolved.status();
  Table& t = **resolved;
  std::lock_guard lock(t.mu);
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back(ShardId(t), t.next_stream_seq > 1 ? SequenceNumber(t.next_stream_seq - 1) : "");
  return out;
}

void DynamoDbStreamsService::ListStreams(CallPtr call) {
  const auto& in = call->input();
  const auto table_name = InputStringView(in, "TableName");
  const int64_t limit = InputInt(in, "Limit").value_or(100);
  const auto start = InputStringView(in, "ExclusiveStartStreamArn");
  json::array streams;
  bool started = !start;
  std::string last;
  bool more = false;
  for (const auto& t : tables_.TablesOf(call->context().account_id, call->context().region)) {
    if (table_name && t->name != *table_name) continue;
    std::lock_guard lock(t->mu);
    if (t->stream_epoch == 0) continue;
    const std::string arn = t->StreamArn();
    if (!started) {
      started = arn == *start;
      continue;
    }
    if (static_cast<int64_t>(streams.size()) == limit) {
      more = true;
      break;
    }
    streams.push_back(
        json::object{{"StreamArn", arn}, {"TableName", t->name}, {"StreamLabel", t->stream_label}});
    last = arn;
  }
  json::object out{{"Streams", std::move(streams)}};
  if (more) out["LastEvaluatedStreamArn"] = last;
  call->Reply(std::move(out));
}

void DynamoDbStreamsService::DescribeStream(CallPtr call) {
  const auto arn = *InputStringView(call->input(), "StreamArn");
  auto resolved = ResolveStream(arn);
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  Table& t = **resolved;
  std::lock_guard lock(t.mu);
  json::object range{{"StartingSequenceNumber", SequenceNumber(t.stream_trim_seq)}};
  if (!t.stream_enabled) range["EndingSequenceNumber"] = SequenceNumber(t.next_stream_seq - 1);
  json::array shards;
  shards.push_back(
      json::object{{"ShardId", ShardId(t)}, {"SequenceNumberRange", std::move(range)}});
  json::object d{{"StreamArn", t.StreamArn()},
                 {"StreamLabel", t.stream_label},
                 {"StreamStatus", t.stream_enabled ? "ENABLED" : "DISABLED"},
                 {"StreamViewType", t.stream_view_type},
                 {"CreationRequestDateTime", t.created},
                 {"TableName", t.name},
                 {"KeySchema", KeySchemaJson(t)},
                 {"Shards", std::move(shards)}};
  call->Reply(json::object{{"StreamDescription", std::move(d)}});
}

void DynamoDbStreamsService::GetShardIterator(CallPtr call) {
  const auto& in = call->input();
  const auto arn = *InputStringView(in, "StreamArn");
  auto resolved = ResolveStream(arn);
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  Table& t = **resolved;
  std::lock_guard lock(t.mu);
  const auto shard = *InputStringView(in, "ShardId");
  if (shard != ShardId(t)) {
    return call->Fail(ToAwsError(
        DynamoStatus(DynamoError::kResourceNotFound,
                     fmt::format("Requested resource not found: Shard does not exist"))));
  }
  const auto type = *InputStringView(in, "ShardIteratorType");
  uint64_t seq = t.stream_trim_seq;
  if (type == "LATEST") {
    seq = t.next_stream_seq;
  } else if (type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER") {
    auto text = InputStringView(in, "SequenceNumber");
    auto n = text ? ParseU64(*text) : std::nullopt;
    if (!n) {
      return call->Fail(
          ToAwsError(Invalid("Invalid SequenceNumber for ShardIteratorType " + std::string(type) +
                             ": " + std::string(text.value_or("null")))));
    }
    seq = type == "AT_SEQUENCE_NUMBER" ? *n : *n + 1;
    if (seq < t.stream_trim_seq) return call->Fail(ToAwsError(Trimmed()));
  }
  call->Reply(
      json::object{{"ShardIterator", ShardIterator(arn, shard, seq, tables_.clock().NowMicros())}});
}

void DynamoDbStreamsService::GetRecords(CallPtr call) {
  const auto& in = call->input();
  std::string_view iterator = *InputStringView(in, "ShardIterator");
  const size_t issued_bar = iterator.rfind('|');
  auto issued = issued_bar == std::string_view::npos ? std::nullopt
                                                     : ParseU64(iterator.substr(issued_bar + 1));
  if (!issued) return call->Fail(ToAwsError(Invalid("Invalid ShardIterator")));
  iterator = iterator.substr(0, issued_bar);
  const int64_t now = tables_.clock().NowMicros();
  if (static_cast<int64_t>(*issued) + tables_.ScaledMicros(kIteratorLifetimeSeconds) < now) {
    return call->Fail(ToAwsError(DynamoStatus(
        DynamoError::kExpiredIterator, "Iterator expired. The iterator was created at time " +
                                           IsoTime(*issued) + " while right now it is " +
                                           IsoTime(static_cast<uint64_t>(now)) + ".")));
  }
  const size_t last_bar = iterator.rfind('|');
  const size_t shard_bar = last_bar == std::string_view::npos || last_bar == 0
                               ? std::string_view::npos
                               : iterator.rfind('|', last_bar - 1);
  auto seq =
      last_bar == std::string_view::npos ? std::nullopt : ParseU64(iterator.substr(last_bar + 1));
  if (shard_bar == std::string_view::npos || !seq) {
    return call->Fail(ToAwsError(Invalid("Invalid ShardIterator")));
  }
  const std::string_view arn = iterator.substr(0, shard_bar);
  const std::string_view shard = iterator.substr(shard_bar + 1, last_bar - shard_bar - 1);
  auto resolved = ResolveStream(arn);
  if (!resolved.ok()) {
    return call->Fail(ToAwsError(DynamoStatus(
        DynamoError::kExpiredIterator, "Iterator expired: the stream or shard no longer exists")));
  }
  Table& t = **resolved;
  uint64_t uid, epoch, trim_seq;
  bool enabled;
  std::string view, region;
  {
    std::lock_guard lock(t.mu);
    if (shard != ShardId(t)) {
      return call->Fail(ToAwsError(DynamoStatus(DynamoError::kExpiredIterator,
                                                "Iterator expired: the shard no longer exists")));
    }
    uid = t.uid;
    epoch = t.stream_epoch;
    trim_seq = t.stream_trim_seq;
    enabled = t.stream_enabled;
    view = t.stream_view_type;
    region = t.region;
  }
  if (*seq < trim_seq) return call->Fail(ToAwsError(Trimmed()));
  const int64_t limit = InputInt(in, "Limit").value_or(1000);
  json::array records;
  uint64_t next = *seq;
  const std::string end = storage::PrefixEnd(keyspace::StreamEpochPrefix(uid, epoch));
  Status s = tables_.store().Scan(
      keyspace::StreamRecordKey(uid, static_cast<uint32_t>(epoch), *seq), end,
      [&](std::string_view key, std::string_view value) {
        auto n = keyspace::ParseStreamSeq(key);
        auto r = DecodeStreamRecord(value);
        if (!n) return true;
        next = *n + 1;
        if (!r) {
          spdlog::error("dynamodb: skipping undecodable stream record {} of table uid {}", *n, uid);
          return true;
        }
        static constexpr std::array<std::string_view, 4> kNames = {"", "INSERT", "MODIFY",
                                                                   "REMOVE"};
        size_t size = ItemSize(r->keys);
        json::object d{
            {"ApproximateCreationDateTime", static_cast<double>(r->created_micros / 1000000)},
            {"Keys", r->keys},
            {"SequenceNumber", SequenceNumber(*n)},
            {"StreamViewType", view}};
        if (r->new_image) {
          size += ItemSize(*r->new_image);
          d["NewImage"] = std::move(*r->new_image);
        }
        if (r->old_image) {
          size += ItemSize(*r->old_image);
          d["OldImage"] = std::move(*r->old_image);
        }
        d["SizeBytes"] = static_cast<int64_t>(size);
        json::object record{
            {"eventID", fmt::format("{:016x}{:016x}", uid * 0x9E3779B97F4A7C15ull + epoch, *n)},
            {"eventName", kNames[static_cast<int>(r->event)]},
            {"eventVersion", "1.1"},
            {"eventSource", "aws:dynamodb"},
            {"awsRegion", region},
            {"dynamodb", std::move(d)}};
        if (r->by_ttl) {
          record["userIdentity"] =
              json::object{{"Type", "Service"}, {"PrincipalId", "dynamodb.amazonaws.com"}};
        }
        records.push_back(std::move(record));
        return static_cast<int64_t>(records.size()) < limit;
      });
  if (!s.ok()) return call->Fail(ToAwsError(s));
  json::object out{{"Records", std::move(records)}};
  if (enabled || !out["Records"].get_array().empty()) {
    out["NextShardIterator"] = ShardIterator(arn, shard, next, now);
  }
  call->Reply(std::move(out));
}

}  // namespace tidepool::dynamodb
