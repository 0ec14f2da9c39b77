// On-demand backups (CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
// RestoreTableFromBackup) and point-in-time recovery settings (UpdateContinuousBackups,
// DescribeContinuousBackups, RestoreTableToPointInTime at the latest restorable time only).
//
// A backup copies the table's items, as committed plus the writes already acknowledged to be
// in flight (the table's pending overlay), into keyspace 'k' in one WriteBatch with its
// metadata: the backup is AVAILABLE once that batch is durable. A restore builds a new table
// from the backup's metadata (without stream, TTL, tags and PITR, as AWS does) and writes its
// items and index entries in one batch.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "services/dynamodb/backup.h"
#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/dynamodb/input.h"
#include "services/dynamodb/keyspace.h"
#include "services/write_path.h"
#include "storage/key_codec.h"

namespace tidepool::dynamodb {
using protocol::CallPtr;

namespace {

Status TableNotFoundByName(std::string_view name) {
  return DynamoStatus(DynamoError::kTableNotFound, fmt::format("Table not found: {}", name));
}

Status BackupNotFound(std::string_view arn) {
  return DynamoStatus(DynamoError::kBackupNotFound, fmt::format("Backup not found: {}", arn));
}

// `t`'s metadata as the store holds it: serialized and parsed again, so that numbers have the
// kinds Table::FromJson reads (the in-memory form holds unsigned ones).
json::object PersistedMeta(const Table& t) {
  return json::parse(json::serialize(t.ToJson())).as_object();
}

json::object ContinuousBackups(const Table& t, double now) {
  json::object pitr{{"PointInTimeRecoveryStatus", t.pitr_enabled ? "ENABLED" : "DISABLED"}};
  if (t.pitr_enabled) {
    pitr["EarliestRestorableDateTime"] =
        std::max(t.pitr_since, now - static_cast<double>(t.pitr_days) * 86400);
    pitr["LatestRestorableDateTime"] = now;
    pitr["RecoveryPeriodInDays"] = t.pitr_days;
  }
  return json::object{{"ContinuousBackupsStatus", "ENABLED"},
                      {"PointInTimeRecoveryDescription", std::move(pitr)}};
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> DynamoDbService::SnapshotItems(
    const Table& t) const {
  // Caller holds t.mu: no write can stage meanwhile; pending holds the acknowledged-to-come.
  const std::string prefix = keyspace::IndexPrefix(t.uid, 0);
  std::map<std::string, std::string> items;
  Status s = store_.Scan(prefix, storage::PrefixEnd(prefix),
                         [&](std::string_view key, std::string_view value) {
                           items.emplace(std::string(key.substr(prefix.size())), value);
                           return true;
                         });
  if (!s.ok()) return s;
  for (const auto& [key, pending] : t.pending) {
    if (!key.starts_with(prefix)) continue;
    std::string suffix = key.substr(prefix.size());
    if (pending.value) {
      items[suffix] = *pending.value;
    } else {
      items.erase(suffix);
    }
  }
  return std::vector<std::pair<std::string, std::string>>(items.begin(), items.end());
}

void DynamoDbService::CreateBackup(CallPtr call) {
  const auto& in = call->input();
  const auto table_name = *InputStringView(in, "TableName");
  auto resolved = ResolveTable(*call, table_name);
  if (!resolved.ok()) return call->Fail(ToAwsError(TableNotFoundByName(table_name)));
  std::shared_ptr<Table> t = std::move(resolved).value();
  auto b = std::make_shared<Backup>();
  b->account = call->context().account_id;
  b->region = call->context().region;
  b->name = std::string(*InputStringView(in, "BackupName"));
  const int64_t now = clock_.NowMicros();
  b->created = static_cast<double>(now / 1000) / 1000.0;
  storage::WriteBatch batch;
  {
    std::unique_lock lock(registry_mu_);
    b->uid = AllocateUidLocked(batch);
  }
  std::lock_guard lock(t->mu);
  b->arn = fmt::format("{}/backup/{:014}-{:08x}", t->arn, now / 1000,
                       static_cast<uint32_t>(b->uid * 2654435761u));
  b->table_meta = PersistedMeta(*t);
  b->table_name = t->name;
  b->table_arn = t->arn;
  b->table_id = t->table_id;
  b->table_created = t->created;
  auto items = SnapshotItems(*t);
  if (!items.ok()) return call->Fail(ToAwsError(items.status()));
  const std::string prefix = keyspace::BackupItemsPrefix(b->uid);
  for (auto& [suffix, bytes] : *items) {
    if (auto item = DecodeItem(bytes)) {
      b->item_count++;
      b->size_bytes += static_cast<int64_t>(ItemSize(*item));
    }
    batch.PutOwned(prefix + suffix, std::move(bytes));
  }
  batch.Put(keyspace::BackupKey(b->uid), json::serialize(b->ToJson()));
  {
    std::unique_lock reg(registry_mu_);
    backups_[b->arn] = b;
  }
  services::SubmitForCall(
      commits_, std::move(batch), call,
      services::ReplyWhenCommitted(call, json::object{{"BackupDetails", b->Details("AVAILABLE")}},
                                   &ToAwsError, "dynamodb"),
      &ToAwsError);
}

std::shared_ptr<const Backup> DynamoDbService::FindBackup(const protocol::Call& call,
                                                          std::string_view arn) const {
  std::shared_lock lock(registry_mu_);
  auto it = backups_.find(std::string(arn));
  if (it == backups_.end() || it->second->account != call.context().account_id ||
      it->second->region != call.context().region) {
    return nullptr;
  }
  return it->second;
}

void DynamoDbService::DescribeBackup(CallPtr call) {
  const auto arn = *InputStringView(call->input(), "BackupArn");
  auto b = FindBackup(*call, arn);
  if (!b) return call->Fail(ToAwsError(BackupNotFound(arn)));
  call->Reply(json::object{{"BackupDescription", b->Description("AVAILABLE")}});
}

void DynamoDbService::ListBackups(CallPtr call) {
  const auto& in = call->input();
  const auto table_name = InputStringView(in, "TableName");
  const int64_t limit = InputInt(in, "Limit").value_or(100);
  const auto start = InputStringView(in, "ExclusiveStartBackupArn");
  const auto type = InputStringView(in, "BackupType");
  const json::value* lower = in.if_contains("TimeRangeLowerBound");
  const json::value* upper = in.if_contains("TimeRangeUpperBound");
  std::vector<std::shared_ptr<const Backup>> all;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [arn, b] : backups_) {
      if (b->account != call->context().account_id || b->region != call->context().region) {
        continue;
      }
      if (table_name && b->table_name != *table_name) continue;
      if (type && *type == "SYSTEM") continue;  // only USER backups exist
      if (lower && lower->is_number() && b->created < lower->to_number<double>()) continue;
      if (upper && upper->is_number() && b->created > upper->to_number<double>()) continue;
      all.push_back(b);
    }
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a->created != b->created ? a->created < b->created : a->arn < b->arn;
  });
  json::array summaries;
  bool started = !start;
  std::string last;
  bool more = false;
  for (const auto& b : all) {
    if (!started) {
      started = b->arn == *start;
      continue;
    }
    if (static_cast<int64_t>(summaries.size()) == limit) {
      more = true;
      break;
    }
    summaries.push_back(b->Summary());
    last = b->arn;
  }
  json::object out{{"BackupSummaries", std::move(summaries)}};
  if (more) out["LastEvaluatedBackupArn"] = last;
  call->Reply(std::move(out));
}

void DynamoDbService::DeleteBackup(CallPtr call) {
  const auto arn = *InputStringView(call->input(), "BackupArn");
  std::shared_ptr<const Backup> b;
  {
    std::unique_lock lock(registry_mu_);
    auto it = backups_.find(std::string(arn));
    if (it == backups_.end() || it->second->account != call->context().account_id ||
        it->second->region != call->context().region) {
      return call->Fail(ToAwsError(BackupNotFound(arn)));
    }
    b = std::move(it->second);
    backups_.erase(it);
  }
  storage::WriteBatch batch;
  batch.Delete(keyspace::BackupKey(b->uid));
  const std::string items = keyspace::BackupItemsPrefix(b->uid);
  batch.DeleteRange(items, storage::PrefixEnd(items));
  services::SubmitForCall(commits_, std::move(batch), call,
                          services::ReplyWhenCommitted(
                              call, json::object{{"BackupDescription", b->Description("DELETED")}},
                              &ToAwsError, "dynamodb"),
                          &ToAwsError);
}

void DynamoDbService::RestoreTableFromBackup(CallPtr call) {
  const auto& in = call->input();
  const auto arn = *InputStringView(in, "BackupArn");
  auto b = FindBackup(*call, arn);
  if (!b) return call->Fail(ToAwsError(BackupNotFound(arn)));
  std::vector<std::pair<std::string, std::string>> items;
  const std::string prefix = keyspace::BackupItemsPrefix(b->uid);
  Status s = store_.Scan(prefix, storage::PrefixEnd(prefix),
                         [&](std::string_view key, std::string_view value) {
                           items.emplace_back(key.substr(prefix.size()), value);
                           return true;
                         });
  if (!s.ok()) return call->Fail(ToAwsError(s));
  json::object summary{{"SourceBackupArn", b->arn},
                       {"SourceTableArn", b->table_arn},
                       {"RestoreDateTime", clock_.NowSeconds()},
                       {"RestoreInProgress", false}};
  RestoreTable(std::move(call), b->table_meta, std::move(items), std::move(summary));
}

void DynamoDbService::RestoreTableToPointInTime(CallPtr call) {
  const auto& in = call->input();
  auto source_name = InputStringView(in, "SourceTableName");
  auto source_arn = InputStringView(in, "SourceTableArn");
  if (!source_name && !source_arn) {
    return call->Fail(
        ToAwsError(Invalid("One or more parameter values were invalid: Either SourceTableName or "
                           "SourceTableArn must be specified")));
  }
  const std::string_view source = source_arn ? *source_arn : *source_name;
  auto resolved = ResolveTable(*call, source);
  if (!resolved.ok()) return call->Fail(ToAwsError(TableNotFoundByName(source)));
  std::shared_ptr<Table> t = std::move(resolved).value();
  json::object meta;
  std::vector<std::pair<std::string, std::string>> items;
  {
    std::lock_guard lock(t->mu);
    if (!t->pitr_enabled) {
      return call->Fail(ToAwsError(DynamoStatus(
          DynamoError::kPointInTimeRecoveryUnavailable,
          fmt::format("Point in time recovery is not enabled for table '{}'", t->name))));
    }
    // tidepool keeps no history: only the latest restorable time (now) can be restored.
    const bool latest = InputBool(in, "UseLatestRestorableTime").value_or(false);
    const json::value* at = in.if_contains("RestoreDateTime");
    if (!latest && (!at || !at->is_number() ||
                    std::abs(at->to_number<double>() - clock_.NowSeconds()) > 1.0)) {
      return call->Fail(ToAwsError(
          DynamoStatus(DynamoError::kInvalidRestoreTime,
                       "tidepool restores a table to its latest restorable time only: set "
                       "UseLatestRestorableTime (it keeps no history of earlier states)")));
    }
    meta = PersistedMeta(*t);
    auto snapshot = SnapshotItems(*t);
    if (!snapshot.ok()) return call->Fail(ToAwsError(snapshot.status()));
    items = std::move(snapshot).value();
  }
  json::object summary{{"SourceTableArn", t->arn},
                       {"RestoreDateTime", clock_.NowSeconds()},
                       {"RestoreInProgress", false}};
  RestoreTable(std::move(call), meta, std::move(items), std::move(summary));
}

void DynamoDbService::RestoreTable(CallPtr call, const json::object& source_meta,
                                   std::vector<std::pair<std::string, std::string>> items,
                                   json::object restore_summary) {
  const auto& in = call->input();
  for (const char* unsupported : {"GlobalSecondaryIndexOverride", "LocalSecondaryIndexOverride"}) {
    if (in.contains(unsupported)) {
      return call->Fail(ToAwsError(Invalid(
          fmt::format("tidepool does not support {}: a restored table has the source's indexes",
                      unsupported))));
    }
  }
  const std::string name(*InputStringView(in, "TargetTableName"));
  auto t = std::make_shared<Table>();
  if (Status s = Table::FromJson(source_meta, t.get()); !s.ok()) {
    return call->Fail(ToAwsError(s));
  }
  t->account = call->context().account_id;
  t->region = call->context().region;
  t->name = name;
  t->arn = fmt::format("arn:aws:dynamodb:{}:{}:table/{}", t->region, t->account, name);
  t->created = clock_.NowSeconds();
  t->status = "ACTIVE";
  t->stream_enabled = false;
  t->stream_view_type.clear();
  t->stream_epoch = 0;
  t->stream_label.clear();
  t->stream_trim_seq = 1;
  t->tags.clear();
  t->ttl_attribute.clear();
  t->ttl_enabled = false;
  t->deletion_protection = false;
  t->pitr_enabled = false;
  t->kinesis_destinations.clear();
  t->restore_summary = std::move(restore_summary);
  if (auto billing = InputStringView(in, "BillingModeOverride")) {
    t->billing_mode = std::string(*billing);
    if (t->billing_mode == "PAY_PER_REQUEST") t->read_capacity = t->write_capacity = 0;
  }
  if (const auto* throughput = InputObject(in, "ProvisionedThroughputOverride")) {
    t->read_capacity = InputInt(*throughput, "ReadCapacityUnits").value_or(t->read_capacity);
    t->write_capacity = InputInt(*throughput, "WriteCapacityUnits").value_or(t->write_capacity);
  }
  storage::WriteBatch batch;
  if (!RegisterTable(t, batch)) {
    return call->Fail(ToAwsError(
        DynamoStatus(DynamoError::kTableAlreadyExists, "Table already exists: " + name)));
  }
  std::lock_guard lock(t->mu);
  const std::string prefix = keyspace::IndexPrefix(t->uid, 0);
  for (auto& [suffix, bytes] : items) {
    auto item = DecodeItem(bytes);
    if (!item) continue;
    std::string key = prefix + suffix;
    for (auto& [k, v] : t->IndexEntries(*item, key)) batch.PutOwned(std::move(k), std::move(v));
    t->item_count++;
    t->size_bytes += static_cast<int64_t>(ItemSize(*item));
    batch.PutOwned(std::move(key), std::move(bytes));
  }
  json::object description = t->Describe();
  description["TableStatus"] = "CREATING";
  CommitMeta(*t, call, json::object{{"TableDescription", std::move(description)}},
             std::move(batch));
}

void DynamoDbService::DescribeContinuousBackups(CallPtr call) {
  const auto name = *InputStringView(call->input(), "TableName");
  auto resolved = ResolveTable(*call, name);
  if (!resolved.ok()) return call->Fail(ToAwsError(TableNotFoundByName(name)));
  Table& t = **resolved;
  std::lock_guard lock(t.mu);
  call->Reply(
      json::object{{"ContinuousBackupsDescription", ContinuousBackups(t, clock_.NowSeconds())}});
}

void DynamoDbService::UpdateContinuousBackups(CallPtr call) {
  const auto& in = call->input();
  const auto name = *InputStringView(in, "TableName");
  auto resolved = ResolveTable(*call, name);
  if (!resolved.ok()) return call->Fail(ToAwsError(TableNotFoundByName(name)));
  Table& t = **resolved;
  const json::object& spec = *InputObject(in, "PointInTimeRecoverySpecification");
  const bool enable = *InputBool(spec, "PointInTimeRecoveryEnabled");
  const int64_t days = InputInt(spec, "RecoveryPeriodInDays").value_or(35);
  if (days < 1 || days > 35) {
    return call->Fail(
        ToAwsError(Invalid("1 validation error detected: Value '" + std::to_string(days) +
                           "' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to "
                           "satisfy constraint: Member must have value between 1 and 35")));
  }
  std::lock_guard lock(t.mu);
  if (enable && !t.pitr_enabled) t.pitr_since = clock_.NowSeconds();
  t.pitr_enabled = enable;
  t.pitr_days = days;
  CommitMeta(
      t, call,
      json::object{{"ContinuousBackupsDescription", ContinuousBackups(t, clock_.NowSeconds())}});
}

}  // namespace tidepool::dynamodb
