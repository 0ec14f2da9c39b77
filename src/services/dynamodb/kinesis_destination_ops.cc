// Kinesis streaming destinations: Enable/Disable/Describe/UpdateKinesisStreamingDestination,
// and the change records a table with an ACTIVE destination stages for it (StageChange) and
// hands to the sink once its batch is durable (SubmitChanges). See kinesis_destination.h.
#include "services/dynamodb/kinesis_destination.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <utility>

#include "services/dynamodb/attribute_value.h"
#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/dynamodb/input.h"
#include "services/dynamodb/keyspace.h"

namespace tidepool::dynamodb {
using protocol::CallPtr;

std::string KinesisChangeRecord(std::string_view region, std::string_view table_name,
                                std::string_view event_id, int event, int64_t created_micros,
                                bool by_ttl, std::string_view precision, const json::object& keys,
                                const std::optional<json::object>& old_item,
                                const std::optional<json::object>& new_item) {
  static constexpr std::array<std::string_view, 4> kNames = {"", "INSERT", "MODIFY", "REMOVE"};
  size_t size = ItemSize(keys);
  json::object d{{"ApproximateCreationDateTime",
                  precision == "MICROSECOND" ? created_micros : created_micros / 1000},
                 {"ApproximateCreationDateTimePrecision", precision},
                 {"Keys", keys}};
  if (new_item) {
    size += ItemSize(*new_item);
    d["NewImage"] = *new_item;
  }
  if (old_item) {
    size += ItemSize(*old_item);
    d["OldImage"] = *old_item;
  }
  d["SizeBytes"] = static_cast<int64_t>(size);
  json::object record{{"awsRegion", region},
                      {"eventID", event_id},
                      {"eventName", kNames[static_cast<size_t>(event) & 3]},
                      {"userIdentity", nullptr},
                      {"recordFormat", "application/json"},
                      {"tableName", table_name},
                      {"dynamodb", std::move(d)},
                      {"eventSource", "aws:dynamodb"}};
  if (by_ttl) {
    record["userIdentity"] =
        json::object{{"type", "Service"}, {"principalId", "dynamodb.amazonaws.com"}};
  }
  return json::serialize(record);
}

void DynamoDbService::StageKinesisRecords(Table& t, const ItemChange& change, int event,
                                          int64_t created_micros, storage::WriteBatch& batch) {
  const json::object keys = t.KeyOf(change.new_item ? *change.new_item : *change.old_item);
  // The partition key spreads items over shards and keeps one item's changes in order.
  const std::string partition_key =
      fmt::format("{:016x}", std::hash<std::string>{}(change.key) ^ t.uid);
  const std::string event_id = fmt::format("{:016x}{:016x}", t.uid, t.next_version);
  for (const auto& d : t.kinesis_destinations) {
    if (d.status != "ACTIVE") continue;
    Table::KinesisRecord record{
        d.stream_arn, partition_key,
        KinesisChangeRecord(t.region, t.name, event_id, event, created_micros, change.by_ttl,
                            d.precision, keys, change.old_item, change.new_item),
        next_outbox_seq_.fetch_add(1)};
    // In the change's own batch: an acknowledged change's record is never lost.
    batch.Put(keyspace::KinesisOutboxKey(record.outbox_seq),
              json::serialize(json::object{{"account", t.account},
                                           {"region", t.region},
                                           {"stream", record.stream_arn},
                                           {"key", record.partition_key},
                                           {"data", record.data}}));
    t.kinesis_outbox.push_back(std::move(record));
  }
}

void DynamoDbService::PutKinesisRecord(KinesisChangeSink& sink, std::string_view account,
                                       std::string_view region, Table::KinesisRecord record) const {
  const uint64_t seq = record.outbox_seq;
  sink.Put(account, region, std::move(record.stream_arn), std::move(record.partition_key),
           std::move(record.data), [this, seq](bool) {
             storage::WriteBatch batch;
             batch.Delete(keyspace::KinesisOutboxKey(seq));
             Status s = commits_.Submit(std::move(batch), [](const Status& st) {
               if (!st.ok()) spdlog::warn("dynamodb: kinesis outbox delete: {}", st.ToString());
             });
             if (!s.ok()) spdlog::warn("dynamodb: kinesis outbox delete: {}", s.ToString());
           });
}

void DynamoDbService::SendKinesisRecords(const Table& t,
                                         const std::vector<Table::KinesisRecord>& records) const {
  KinesisChangeSink* sink = kinesis_sink_.load(std::memory_order_acquire);
  if (sink == nullptr) return;  // the outbox keeps them for a run that has one
  for (const auto& r : records) PutKinesisRecord(*sink, t.account, t.region, r);
}

void DynamoDbService::SetKinesisChangeSink(KinesisChangeSink* sink) {
  kinesis_sink_.store(sink);
  if (sink == nullptr) return;
  for (auto& [where, record] : std::exchange(recovered_outbox_, {})) {
    const size_t slash = where.find('/');
    PutKinesisRecord(*sink, where.substr(0, slash), where.substr(slash + 1), std::move(record));
  }
}

namespace {

Status NoSuchDestination(std::string_view stream_arn) {
  return Invalid(fmt::format(
      "Table is not configured with the Kinesis Data Streams destination: {}", stream_arn));
}

std::string_view Precision(const json::object& in, std::string_view member) {
  const json::object* config = InputObject(in, member);
  if (!config) return "MILLISECOND";
  return InputStringView(*config, "ApproximateCreationDateTimePrecision").value_or("MILLISECOND");
}

}  // namespace

void DynamoDbService::EnableKinesisStreamingDestination(CallPtr call) {
  const auto& in = call->input();
  auto resolved = ResolveTable(*call, *InputStringView(in, "TableName"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  std::shared_ptr<Table> t = std::move(resolved).value();
  const std::string stream_arn(*InputStringView(in, "StreamArn"));
  const std::string precision(Precision(in, "EnableKinesisStreamingConfiguration"));
  KinesisChangeSink* sink = kinesis_sink_.load(std::memory_order_acquire);
  if (sink == nullptr) {
    return call->Fail(ToAwsError(Invalid("Kinesis is not running in this tidepool")));
  }
  {
    std::lock_guard lock(t->mu);
    for (const auto& d : t->kinesis_destinations) {
      if (d.stream_arn == stream_arn && d.status == "ACTIVE") {
        return call->Fail(ToAwsError(Invalid(
            fmt::format("Table {} already has an enabled Kinesis Data Streams destination: {}",
                        t->name, stream_arn))));
      }
    }
  }
  sink->CheckStream(
      call->context().account_id, call->context().region, stream_arn,
      [this, call, t, stream_arn, precision](bool exists) {
        if (!exists) {
          return call->Fail(ToAwsError(
              DynamoStatus(DynamoError::kResourceNotFound,
                           fmt::format("Requested resource not found: Kinesis stream {} not found",
                                       stream_arn))));
        }
        std::lock_guard lock(t->mu);
        auto it = std::find_if(t->kinesis_destinations.begin(), t->kinesis_destinations.end(),
                               [&](const auto& d) { return d.stream_arn == stream_arn; });
        if (it == t->kinesis_destinations.end()) {
          t->kinesis_destinations.push_back({stream_arn, "ACTIVE", precision});
        } else {
          it->status = "ACTIVE", it->precision = precision;
        }
        CommitMeta(
            *t, call,
            json::object{{"TableName", t->name},
                         {"StreamArn", stream_arn},
                         {"DestinationStatus", "ENABLING"},
                         {"EnableKinesisStreamingConfiguration",
                          json::object{{"ApproximateCreationDateTimePrecision", precision}}}});
      });
}

void DynamoDbService::DisableKinesisStreamingDestination(CallPtr call) {
  const auto& in = call->input();
  auto resolved = ResolveTable(*call, *InputStringView(in, "TableName"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  Table& t = **resolved;
  const auto stream_arn = *InputStringView(in, "StreamArn");
  std::lock_guard lock(t.mu);
  auto it = std::find_if(t.kinesis_destinations.begin(), t.kinesis_destinations.end(),
                         [&](const auto& d) { return d.stream_arn == stream_arn; });
  if (it == t.kinesis_destinations.end() || it->status != "ACTIVE") {
    return call->Fail(ToAwsError(NoSuchDestination(stream_arn)));
  }
  it->status = "DISABLED";
  CommitMeta(t, call,
             json::object{{"TableName", t.name},
                          {"StreamArn", stream_arn},
                          {"DestinationStatus", "DISABLING"},
                          {"EnableKinesisStreamingConfiguration",
                           json::object{{"ApproximateCreationDateTimePrecision", it->precision}}}});
}

void DynamoDbService::UpdateKinesisStreamingDestination(CallPtr call) {
  const auto& in = call->input();
  auto resolved = ResolveTable(*call, *InputStringView(in, "TableName"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  Table& t = **resolved;
  const auto stream_arn = *InputStringView(in, "StreamArn");
  if (!InputObject(in, "UpdateKinesisStreamingConfiguration")) {
    return call->Fail(ToAwsError(Invalid("UpdateKinesisStreamingConfiguration must be provided")));
  }
  const std::string precision(Precision(in, "UpdateKinesisStreamingConfiguration"));
  std::lock_guard lock(t.mu);
  auto it = std::find_if(t.kinesis_destinations.begin(), t.kinesis_destinations.end(),
                         [&](const auto& d) { return d.stream_arn == stream_arn; });
  if (it == t.kinesis_destinations.end() || it->status != "ACTIVE") {
    return call->Fail(ToAwsError(NoSuchDestination(stream_arn)));
  }
  if (it->precision == precision) {
    return call->Fail(ToAwsError(Invalid(fmt::format(
        "Invalid Request: Precision is already set to the desired value of {} for this Kinesis "
        "Data Streams destination",
        precision))));
  }
  it->precision = precision;
  CommitMeta(t, call,
             json::object{{"TableName", t.name},
                          {"StreamArn", stream_arn},
                          {"DestinationStatus", "UPDATING"},
                          {"UpdateKinesisStreamingConfiguration",
                           json::object{{"ApproximateCreationDateTimePrecision", precision}}}});
}

void DynamoDbService::DescribeKinesisStreamingDestination(CallPtr call) {
  auto resolved = ResolveTable(*call, *InputStringView(call->input(), "TableName"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  Table& t = **resolved;
  std::lock_guard lock(t.mu);
  json::array destinations;
  for (const auto& d : t.kinesis_destinations) {
    destinations.push_back(json::object{{"StreamArn", d.stream_arn},
                                        {"DestinationStatus", d.status},
                                        {"ApproximateCreationDateTimePrecision", d.precision}});
  }
  call->Reply(json::object{{"TableName", t.name},
                           {"KinesisDataStreamDestinations", std::move(destinations)}});
}

}  // namespace tidepool::dynamodb
