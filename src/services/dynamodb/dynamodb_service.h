// DynamoDbService: Amazon DynamoDB over the shared store; DynamoDbStreamsService: the
// DynamoDB Streams API over the same tables (a second protocol::Service, its own model).
//
// Kinds of state and where they live:
//   - table metadata: one JSON value per table in the store (keyspace.h 't'), mirrored by a
//     Table object in memory (table.h);
//   - items and secondary index entries: only in the store, read with Get/Scan;
//   - stream records: only in the store, written in the same WriteBatch as their item.
// State is namespaced by the caller's account and region (RequestContext).
//
// Durability: every change is one WriteBatch submitted to the CommitQueue while holding the
// table's lock; the reply is sent from the completion, after the batch is durable. Reads
// (GetItem, Query, Scan) see committed data only.
//
// Thread-safety: all public methods may be called from any thread. Invoke never blocks on the
// disk. The service must outlive the CommitQueue's pending completions.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "protocol/service.h"
#include "services/dynamodb/backup.h"
#include "services/dynamodb/expression.h"
#include "services/dynamodb/partiql.h"
#include "services/dynamodb/table.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::dynamodb {

// What a stream listener learns: records up to `last_seq` of a table's stream are committed.
struct StreamRecordsCommitted {
  uint64_t table_uid;
  std::string_view stream_arn;
  uint64_t last_seq;
};
using StreamListener = std::function<void(const StreamRecordsCommitted&)>;

struct DynamoDbOptions {
  // An AWS period of 1 s takes time_scale seconds: stream retention (24 h) and shard
  // iterator lifetime (15 min).
  double time_scale = 1.0;
};

class DynamoDbService final : public protocol::Service {
 public:
  DynamoDbService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
                  DynamoDbOptions options = {});
  ~DynamoDbService() override;
  DynamoDbService(const DynamoDbService&) = delete;
  DynamoDbService& operator=(const DynamoDbService&) = delete;

  // Loads every table from the store and recounts items. Call once, before serving.
  Status Recover();

  // Every `interval`, deletes the items whose TTL attribute has passed (DeleteExpiredItems),
  // until the service is destroyed. The io_context must outlive the service or be stopped.
  void StartTtlSweeper(boost::asio::io_context& io, std::chrono::milliseconds interval);
  // One sweep: deletes up to 1,000 expired items per table with TTL enabled, as the DynamoDB
  // service principal (their stream records carry its userIdentity). Returns the count.
  uint64_t DeleteExpiredItems();
  // Deletes the stream records older than 24 h (times time_scale) of every table, as the
  // same sweep does once a second. Returns the count.
  uint64_t TrimStreamRecords();
  // An AWS period of `seconds`, in microseconds, times the options' time_scale.
  int64_t ScaledMicros(double seconds) const {
    return static_cast<int64_t>(seconds * 1e6 * options_.time_scale);
  }

  std::string_view Name() const override { return "dynamodb"; }
  const protocol::model::ServiceModel& Model() const override;
  void Invoke(protocol::CallPtr call) override;
  boost::json::object Health() const override;

  // Stream listeners (for event source mappings): run as a commit completion after each
  // batch that appended stream records, once per table and batch. Must be cheap and must not
  // block. Thread-safe.
  uint64_t AddStreamListener(StreamListener listener);
  void RemoveStreamListener(uint64_t id);
  // Where Kinesis streaming destinations send change records; null (the default): none can
  // be enabled. The sink must outlive the service. Thread-safe.
  // Hands the sink the change records a previous run left in the outbox (Recover found them).
  void SetKinesisChangeSink(KinesisChangeSink* sink);

  // For DynamoDbStreamsService.
  std::shared_ptr<Table> FindTable(std::string_view account, std::string_view region,
                                   std::string_view name) const;
  std::vector<std::shared_ptr<Table>> TablesOf(std::string_view account,
                                               std::string_view region) const;
  storage::Store& store() const { return store_; }
  const Clock& clock() const { return clock_; }

 private:
  using Handler = void (DynamoDbService::*)(protocol::CallPtr);
  friend struct DynamoDbServiceTable;

  // --- table_ops.cc
  void CreateTable(protocol::CallPtr call);
  void DescribeTable(protocol::CallPtr call);
  void ListTables(protocol::CallPtr call);
  void DeleteTable(protocol::CallPtr call);
  void UpdateTable(protocol::CallPtr call);
  void TagResource(protocol::CallPtr call);
  void UntagResource(protocol::CallPtr call);
  void ListTagsOfResource(protocol::CallPtr call);
  void DescribeTimeToLive(protocol::CallPtr call);
  void UpdateTimeToLive(protocol::CallPtr call);
  void DescribeLimits(protocol::CallPtr call);
  void DescribeEndpoints(protocol::CallPtr call);
  // --- item_ops.cc
  void PutItem(protocol::CallPtr call);
  void GetItem(protocol::CallPtr call);
  void UpdateItem(protocol::CallPtr call);
  void DeleteItem(protocol::CallPtr call);
  // --- query_ops.cc
  void Query(protocol::CallPtr call);
  void Scan(protocol::CallPtr call);
  // --- batch_ops.cc
  void BatchGetItem(protocol::CallPtr call);
  void BatchWriteItem(protocol::CallPtr call);
  // --- transaction_ops.cc
  void TransactGetItems(protocol::CallPtr call);
  void TransactWriteItems(protocol::CallPtr call);
  // --- partiql_ops.cc
  void ExecuteStatement(protocol::CallPtr call);
  void BatchExecuteStatement(protocol::CallPtr call);
  void ExecuteTransaction(protocol::CallPtr call);
  // One PartiQL statement (a request's Statement, Parameters...) as a JSON-API operation.
  struct PlannedStatement {
    PartiqlStatement::Kind kind;
    std::string table, operation;
    json::object input;
    bool full_key = false;  // SELECT: WHERE names the whole primary key by equality
    json::object key;       // that key (and a write's)
    // SELECT: the items read are reshaped by ProjectItem along these (empty: as read).
    std::vector<ProjectedPath> nested_projection;
  };
  Result<PlannedStatement> PlanStatement(const protocol::Call& call, const json::object& request);
  using InternalOutcome = std::variant<json::object, protocol::AwsError>;
  // Runs `operation` of this service with `input` (decoded, as the codec would give it) on
  // behalf of `call`'s caller; `done` runs once with the handler's output or error.
  void RunInternal(const protocol::Call& call, std::string_view operation, json::object input,
                   std::function<void(InternalOutcome)> done);
  // --- kinesis_destination_ops.cc
  void EnableKinesisStreamingDestination(protocol::CallPtr call);
  void DisableKinesisStreamingDestination(protocol::CallPtr call);
  void DescribeKinesisStreamingDestination(protocol::CallPtr call);
  void UpdateKinesisStreamingDestination(protocol::CallPtr call);
  // --- backup_ops.cc
  void CreateBackup(protocol::CallPtr call);
  void DescribeBackup(protocol::CallPtr call);
  void ListBackups(protocol::CallPtr call);
  void DeleteBackup(protocol::CallPtr call);
  void RestoreTableFromBackup(protocol::CallPtr call);
  void RestoreTableToPointInTime(protocol::CallPtr call);
  void DescribeContinuousBackups(protocol::CallPtr call);
  void UpdateContinuousBackups(protocol::CallPtr call);
  // The table's items (key after IndexPrefix(uid, 0), encoding), committed and pending, in
  // key order. Caller holds t.mu.
  Result<std::vector<std::pair<std::string, std::string>>> SnapshotItems(const Table& t) const;
  std::shared_ptr<const Backup> FindBackup(const protocol::Call& call, std::string_view arn) const;
  // Creates table TargetTableName (from `call`'s input) from a table's metadata and items,
  // without its stream, TTL, tags and PITR, and replies its description once durable.
  void RestoreTable(protocol::CallPtr call, const json::object& source_meta,
                    std::vector<std::pair<std::string, std::string>> items,
                    json::object restore_summary);

 public:
  // One planned change of one item (item_ops.cc).
  struct ItemChange {
    std::string key;  // store key
    std::optional<json::object> old_item, new_item;
    bool by_ttl = false;  // a deletion by the TTL sweeper
  };

 private:
  // Adds `change` to `batch`: the item, its index entries and (when the table has a stream
  // and the item changed) its stream record; records the pending state. Caller holds t.mu.
  // Returns whether a stream record was added.
  bool StageChange(Table& t, const ItemChange& change, storage::WriteBatch& batch,
                   std::vector<std::pair<std::string, uint64_t>>& versions);
  // Adds `change`'s record for each ACTIVE Kinesis destination of `t` to t.kinesis_outbox.
  // Caller holds t.mu. `event`: a StreamEvent.
  void StageKinesisRecords(Table& t, const ItemChange& change, int event, int64_t created_micros,
                           storage::WriteBatch& batch);
  void SendKinesisRecords(const Table& t, const std::vector<Table::KinesisRecord>& records) const;
  // Submits `batch` for `tables` (each locked by the caller), and runs `done` once durable,
  // after clearing the tables' pending entries and waking stream listeners.
  void SubmitChanges(
      std::vector<std::pair<std::shared_ptr<Table>, std::vector<std::pair<std::string, uint64_t>>>>
          staged,
      std::vector<std::pair<std::shared_ptr<Table>, uint64_t>> streamed, storage::WriteBatch batch,
      protocol::CallPtr call, std::function<void(const Status&)> done);
  // Stages `change` (caller holds t->mu) and submits it alone; replies `output` once durable.
  void CommitItemChange(const std::shared_ptr<Table>& t, const ItemChange& change,
                        protocol::CallPtr call, json::object output);
  // Persists `t`'s metadata plus `extra`, then replies `output` once durable. Caller holds t.mu.
  void CommitMeta(Table& t, protocol::CallPtr call, json::object output,
                  storage::WriteBatch extra = {});

  // The next keyspace uid (tables and backups share the counter); adds the persisted counter
  // to `batch`. Caller holds registry_mu_.
  uint64_t AllocateUidLocked(storage::WriteBatch& batch);
  // Gives new table `t` a uid and table id and registers it; false when its name is taken.
  bool RegisterTable(const std::shared_ptr<Table>& t, storage::WriteBatch& batch);
  static std::string RegistryKey(std::string_view account, std::string_view region,
                                 std::string_view name);
  // The ACTIVE table a call names by TableName (or a table ARN), with AWS's errors.
  Result<std::shared_ptr<Table>> ResolveTable(const protocol::Call& call,
                                              std::string_view table_name) const;
  Result<std::shared_ptr<Table>> ResolveArn(const protocol::Call& call, std::string_view arn) const;
  void NotifyStreamListeners(const Table& t, uint64_t last_seq);

  storage::Store& store_;
  storage::CommitQueue& commits_;
  const Clock& clock_;
  const DynamoDbOptions options_;

  // Timers check this before touching the service (they may fire after destruction).
  std::shared_ptr<std::atomic<bool>> alive_;
  std::shared_ptr<std::function<void()>> ttl_rearm_;  // the TTL sweeper's next arming

  mutable std::shared_mutex registry_mu_;
  std::unordered_map<std::string, std::shared_ptr<Table>> tables_;  // by RegistryKey
  uint64_t next_uid_ = 1;                                           // guarded by registry_mu_
  std::unordered_map<std::string, std::shared_ptr<const Backup>> backups_;  // by ARN, same

  std::mutex listeners_mu_;
  using ListenerList = std::vector<std::pair<uint64_t, StreamListener>>;
  std::shared_ptr<const ListenerList> listeners_;  // guarded by listeners_mu_
  std::atomic<bool> has_listeners_{false};
  std::atomic<KinesisChangeSink*> kinesis_sink_{nullptr};
  // Kinesis destination outbox (keyspace 'o'): the next record's seq, and the records
  // Recover found, until a sink is set.
  std::atomic<uint64_t> next_outbox_seq_{1};
  std::vector<std::pair<std::string, Table::KinesisRecord>> recovered_outbox_;  // account/region
  // Sends `record` of account/region to the sink; deletes its outbox record when done.
  void PutKinesisRecord(KinesisChangeSink& sink, std::string_view account, std::string_view region,
                        Table::KinesisRecord record) const;
  uint64_t next_listener_id_ = 1;  // guarded by listeners_mu_

  // TransactWriteItems idempotency (transaction_ops.cc): token -> the request it belongs to.
  struct TransactionToken {
    std::string fingerprint;  // the request without its token, serialized
    int64_t expiry_micros = 0;
    bool in_progress = false;  // its transaction has not completed yet
  };
  std::mutex tokens_mu_;
  std::unordered_map<std::string, TransactionToken> tokens_;
  // Ends a token's reservation: kept (no longer in progress) when its transaction
  // committed, forgotten otherwise.
  void ReleaseTransactionToken(const std::string& token, bool committed);
  class TokenReservation;
  // Ids of TransactWriteItems requests, for Table::transacting.
  std::atomic<uint64_t> next_transaction_id_{1};
};

class DynamoDbStreamsService final : public protocol::Service {
 public:
  explicit DynamoDbStreamsService(DynamoDbService& tables) : tables_(tables) {}
  std::string_view Name() const override { return "dynamodbstreams"; }
  const protocol::model::ServiceModel& Model() const override;
  void Invoke(protocol::CallPtr call) override;
  boost::json::object Health() const override;

  // For event source mappings: each shard of stream `arn` with the sequence number of its
  // newest record ("" for a shard without records). NotFound when there is no such stream.
  Result<std::vector<std::pair<std::string, std::string>>> LatestPositions(
      std::string_view arn) const;

 private:
  void ListStreams(protocol::CallPtr call);
  void DescribeStream(protocol::CallPtr call);
  void GetShardIterator(protocol::CallPtr call);
  void GetRecords(protocol::CallPtr call);
  Result<std::shared_ptr<Table>> ResolveStream(std::string_view arn) const;

  DynamoDbService& tables_;
};

}  // namespace tidepool::dynamodb
