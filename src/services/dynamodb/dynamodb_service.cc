#include "services/dynamodb/dynamodb_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <utility>

#include "core/arn.h"
#include "protocol/model/models.h"
#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/keyspace.h"
#include "services/dynamodb/stream_record.h"
#include "services/write_path.h"
#include "storage/key_codec.h"

namespace tidepool::dynamodb {
using protocol::CallPtr;

// The registration table: every operation tidepool implements, name -> handler. Operations of
// the model missing here answer UnknownOperationException naming the operation.
struct DynamoDbServiceTable {
  struct Entry {
    std::string_view operation;
    DynamoDbService::Handler handler;
  };
  static constexpr std::array<Entry, 37> kEntries{{
      {"BatchExecuteStatement", &DynamoDbService::BatchExecuteStatement},
      {"BatchGetItem", &DynamoDbService::BatchGetItem},
      {"BatchWriteItem", &DynamoDbService::BatchWriteItem},
      {"CreateBackup", &DynamoDbService::CreateBackup},
      {"CreateTable", &DynamoDbService::CreateTable},
      {"DeleteBackup", &DynamoDbService::DeleteBackup},
      {"DeleteItem", &DynamoDbService::DeleteItem},
      {"DeleteTable", &DynamoDbService::DeleteTable},
      {"DescribeBackup", &DynamoDbService::DescribeBackup},
      {"DescribeContinuousBackups", &DynamoDbService::DescribeContinuousBackups},
      {"DescribeEndpoints", &DynamoDbService::DescribeEndpoints},
      {"DescribeKinesisStreamingDestination",
       &DynamoDbService::DescribeKinesisStreamingDestination},
      {"DescribeLimits", &DynamoDbService::DescribeLimits},
      {"DescribeTable", &DynamoDbService::DescribeTable},
      {"DescribeTimeToLive", &DynamoDbService::DescribeTimeToLive},
      {"DisableKinesisStreamingDestination", &DynamoDbService::DisableKinesisStreamingDestination},
      {"EnableKinesisStreamingDestination", &DynamoDbService::EnableKinesisStreamingDestination},
      {"ExecuteStatement", &DynamoDbService::ExecuteStatement},
      {"ExecuteTransaction", &DynamoDbService::ExecuteTransaction},
      {"GetItem", &DynamoDbService::GetItem},
      {"ListBackups", &DynamoDbService::ListBackups},
      {"ListTables", &DynamoDbService::ListTables},
      {"ListTagsOfResource", &DynamoDbService::ListTagsOfResource},
      {"PutItem", &DynamoDbService::PutItem},
      {"Query", &DynamoDbService::Query},
      {"RestoreTableFromBackup", &DynamoDbService::RestoreTableFromBackup},
      {"RestoreTableToPointInTime", &DynamoDbService::RestoreTableToPointInTime},
      {"Scan", &DynamoDbService::Scan},
      {"TagResource", &DynamoDbService::TagResource},
      {"TransactGetItems", &DynamoDbService::TransactGetItems},
      {"TransactWriteItems", &DynamoDbService::TransactWriteItems},
      {"UntagResource", &DynamoDbService::UntagResource},
      {"UpdateContinuousBackups", &DynamoDbService::UpdateContinuousBackups},
      {"UpdateItem", &DynamoDbService::UpdateItem},
      {"UpdateKinesisStreamingDestination", &DynamoDbService::UpdateKinesisStreamingDestination},
      {"UpdateTable", &DynamoDbService::UpdateTable},
      {"UpdateTimeToLive", &DynamoDbService::UpdateTimeToLive},
  }};

  static DynamoDbService::Handler Find(std::string_view operation) {
    auto it =
        std::lower_bound(kEntries.begin(), kEntries.end(), operation,
                         [](const Entry& e, std::string_view op) { return e.operation < op; });
    return (it != kEntries.end() && it->operation == operation) ? it->handler : nullptr;
  }
};

DynamoDbService::DynamoDbService(storage::Store& store, storage::CommitQueue& commits,
                                 const Clock& clock, DynamoDbOptions options)
    : store_(store),
      commits_(commits),
      clock_(clock),
      options_(options),
      alive_(std::make_shared<std::atomic<bool>>(true)),
      listeners_(std::make_shared<const ListenerList>()) {}

DynamoDbService::~DynamoDbService() { alive_->store(false); }

const protocol::model::ServiceModel& DynamoDbService::Model() const {
  return protocol::model::DynamoDbModel();
}

void DynamoDbService::Invoke(CallPtr call) {
  const Handler handler = DynamoDbServiceTable::Find(call->operation().name);
  if (handler == nullptr) {
    call->Fail({"UnknownOperationException",
                fmt::format("tidepool does not implement the DynamoDB operation {}",
                            call->operation().name),
                400,
                true,
                {}});
    return;
  }
  (this->*handler)(std::move(call));
}

json::object DynamoDbService::Health() const {
  std::shared_lock lock(registry_mu_);
  return json::object{{"status", "running"}, {"tables", tables_.size()}};
}

std::string DynamoDbService::RegistryKey(std::string_view account, std::string_view region,
                                         std::string_view name) {
  std::string key;
  key.reserve(account.size() + region.size() + name.size() + 2);
  key.append(account).push_back('\x1f');
  key.append(region).push_back('\x1f');
  key.append(name);
  return key;
}

uint64_t DynamoDbService::AllocateUidLocked(storage::WriteBatch& batch) {
  const uint64_t uid = next_uid_++;
  std::string next;
  storage::AppendU64BE(&next, next_uid_);
  batch.Put(keyspace::NextUidKey(), next);
  return uid;
}

bool DynamoDbService::RegisterTable(const std::shared_ptr<Table>& t, storage::WriteBatch& batch) {
  std::unique_lock lock(registry_mu_);
  const std::string key = RegistryKey(t->account, t->region, t->name);
  if (tables_.contains(key)) return false;
  t->uid = AllocateUidLocked(batch);
  t->table_id = fmt::format("{:08x}-0000-4000-8000-{:012x}",
                            static_cast<uint32_t>(t->uid * 2654435761u), t->uid);
  tables_.emplace(key, t);
  return true;
}

std::shared_ptr<Table> DynamoDbService::FindTable(std::string_view account, std::string_view region,
                                                  std::string_view name) const {
  const std::string key = RegistryKey(account, region, name);
  std::shared_lock lock(registry_mu_);
  auto it = tables_.find(key);
  return it == tables_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Table>> DynamoDbService::TablesOf(std::string_view account,
                                                              std::string_view region) const {
  std::vector<std::shared_ptr<Table>> out;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [key, t] : tables_) {
      if (t->account == account && t->region == region) out.push_back(t);
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->name < b->name; });
  return out;
}

Result<std::shared_ptr<Table>> DynamoDbService::ResolveTable(const protocol::Call& call,
                                                             std::string_view table_name) const {
  if (table_name.starts_with("arn:")) return ResolveArn(call, table_name);
  auto t = FindTable(call.context().account_id, call.context().region, table_name);
  if (!t) return TableNotFound();
  return t;
}

Result<std::shared_ptr<Table>> DynamoDbService::ResolveArn(const protocol::Call& call,
                                                           std::string_view arn_text) const {
  auto arn = Arn::Parse(arn_text);
  if (!arn || arn->service != "dynamodb" || !arn->resource.starts_with("table/")) {
    return Invalid(fmt::format("Invalid TableArn: {}", arn_text));
  }
  std::string_view name = std::string_view(arn->resource).substr(6);
  name = name.substr(0, name.find('/'));
  (void)call;
  auto t = FindTable(arn->account, arn->region, name);
  if (!t) {
    return DynamoStatus(
        DynamoError::kResourceNotFound,
        fmt::format("Requested resource not found: ResourcArn: {} not found", arn_text));
  }
  return t;
}

bool DynamoDbService::StageChange(Table& t, const ItemChange& change, storage::WriteBatch& batch,
                                  std::vector<std::pair<std::string, uint64_t>>& versions) {
  const uint64_t version = t.next_version++;
  if (change.old_item) {
    for (auto& [k, v] : t.IndexEntries(*change.old_item, change.key)) batch.Delete(k);
    t.size_bytes -= static_cast<int64_t>(ItemSize(*change.old_item));
  }
  Table::Pending pending{std::nullopt, version};
  if (change.new_item) {
    std::string bytes = EncodeItem(*change.new_item);
    for (auto& [k, v] : t.IndexEntries(*change.new_item, change.key)) {
      batch.PutOwned(std::move(k), std::move(v));
    }
    pending.value = bytes;
    batch.PutOwned(change.key, std::move(bytes));
    t.size_bytes += static_cast<int64_t>(ItemSize(*change.new_item));
  } else {
    batch.Delete(change.key);
  }
  t.item_count += (change.new_item ? 1 : 0) - (change.old_item ? 1 : 0);
  t.pending[change.key] = std::move(pending);
  versions.emplace_back(change.key, version);

  if (!t.stream_enabled && t.kinesis_destinations.empty()) return false;
  if (!change.old_item && !change.new_item) return false;
  if (change.old_item && change.new_item && ItemsEqual(*change.old_item, *change.new_item)) {
    return false;  // a write that changes nothing has no stream record
  }
  StreamRecord r;
  r.event = !change.old_item   ? StreamEvent::kInsert
            : !change.new_item ? StreamEvent::kRemove
                               : StreamEvent::kModify;
  r.created_micros = clock_.NowMicros();
  if (!t.kinesis_destinations.empty()) {
    StageKinesisRecords(t, change, static_cast<int>(r.event), r.created_micros, batch);
  }
  if (!t.stream_enabled) return false;
  r.by_ttl = change.by_ttl;
  r.keys = t.KeyOf(change.new_item ? *change.new_item : *change.old_item);
  const std::string& view = t.stream_view_type;
  if ((view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES") && change.new_item) {
    r.new_image = *change.new_item;
  }
  if ((view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES") && change.old_item) {
    r.old_image = *change.old_item;
  }
  batch.PutOwned(keyspace::StreamRecordKey(t.uid, t.stream_epoch, t.next_stream_seq++),
                 EncodeStreamRecord(r));
  return true;
}

void DynamoDbService::SubmitChanges(
    std::vector<std::pair<std::shared_ptr<Table>, std::vector<std::pair<std::string, uint64_t>>>>
        staged,
    std::vector<std::pair<std::shared_ptr<Table>, uint64_t>> streamed, storage::WriteBatch batch,
    CallPtr call, std::function<void(const Status&)> done) {
  // Caller holds every staged table's lock: their outboxes hold this batch's records only.
  std::vector<std::pair<std::shared_ptr<Table>, std::vector<Table::KinesisRecord>>> kinesis;
  for (const auto& [table, versions] : staged) {
    if (!table->kinesis_outbox.empty()) {
      kinesis.emplace_back(table, std::exchange(table->kinesis_outbox, {}));
    }
  }
  auto completion = [this, staged = std::move(staged), streamed = std::move(streamed),
                     kinesis = std::move(kinesis), done = std::move(done)](const Status& st) {
    for (const auto& [table, versions] : staged) {
      std::lock_guard lock(table->mu);
      for (const auto& [key, version] : versions) {
        auto it = table->pending.find(key);
        if (it != table->pending.end() && it->second.version == version) table->pending.erase(it);
      }
    }
    if (st.ok() && has_listeners_.load(std::memory_order_acquire)) {
      for (const auto& [table, last_seq] : streamed) NotifyStreamListeners(*table, last_seq);
    }
    if (st.ok()) {
      for (const auto& [table, records] : kinesis) SendKinesisRecords(*table, records);
    }
    done(st);
  };
  services::SubmitForCall(commits_, std::move(batch), call, std::move(completion), &ToAwsError);
}

void DynamoDbService::CommitMeta(Table& t, CallPtr call, json::object output,
                                 storage::WriteBatch extra) {
  storage::WriteBatch batch = std::move(extra);
  batch.Put(keyspace::TableKey(t.uid), json::serialize(t.ToJson()));
  services::SubmitForCall(
      commits_, std::move(batch), call,
      services::ReplyWhenCommitted(call, std::move(output), &ToAwsError, "dynamodb"), &ToAwsError);
}

uint64_t DynamoDbService::AddStreamListener(StreamListener listener) {
  std::lock_guard lock(listeners_mu_);
  auto next = std::make_shared<ListenerList>(*listeners_);
  const uint64_t id = next_listener_id_++;
  next->emplace_back(id, std::move(listener));
  listeners_ = std::move(next);
  has_listeners_.store(true, std::memory_order_release);
  return id;
}

void DynamoDbService::RemoveStreamListener(uint64_t id) {
  std::lock_guard lock(listeners_mu_);
  auto next = std::make_shared<ListenerList>(*listeners_);
  std::erase_if(*next, [id](const auto& e) { return e.first == id; });
  has_listeners_.store(!next->empty(), std::memory_order_release);
  listeners_ = std::move(next);
}

void DynamoDbService::NotifyStreamListeners(const Table& t, uint64_t last_seq) {
  std::shared_ptr<const ListenerList> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  std::string arn;
  {
    std::lock_guard lock(const_cast<Table&>(t).mu);
    arn = t.StreamArn();
  }
  const StreamRecordsCommitted event{t.uid, arn, last_seq};
  for (const auto& [id, listener] : *listeners) listener(event);
}

}  // namespace tidepool::dynamodb
