// KinesisService: Amazon Kinesis Data Streams over the shared store.
//
// Kinds of state and where they live:
//   - stream metadata (shards, settings, consumers, tags, policies): one JSON value per stream
//     in the store (see keyspace.h, stream_codec.h) mirrored by a Stream object in memory;
//   - records: only in the store, one key per record, read with Store::Scan;
//   - per-shard counters and token buckets: in memory, rebuilt by Recover().
// State is namespaced by the caller's account and region (RequestContext).
//
// Durability: every change is one WriteBatch submitted to the CommitQueue while holding the
// stream's lock (so commit order == sequence order == metadata change order); the reply is
// sent from the completion, after the batch is durable. A record is readable by GetRecords
// only once its batch has committed.
//
// Thread-safety: all public methods may be called from any thread. Invoke never blocks on
// the disk. The service must outlive the CommitQueue's pending completions (Flush/Stop the
// queue before destroying it) and the io_context's pending timers (stop the io_context).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "protocol/service.h"
#include "services/kinesis/kinesis_options.h"
#include "services/kinesis/stream.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::kinesis {

// What a record listener learns: records up to `last_counter` of one shard are committed.
// Views are valid only during the call.
struct RecordsCommitted {
  uint64_t stream_uid;
  std::string_view stream_arn;
  uint32_t shard_index;
  uint64_t last_counter;  // counter part of the newest committed sequence number
};
using RecordListener = std::function<void(const RecordsCommitted&)>;

class KinesisService final : public protocol::Service {
 public:
  KinesisService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
                 boost::asio::io_context& io, KinesisOptions options);
  ~KinesisService() override;
  KinesisService(const KinesisService&) = delete;
  KinesisService& operator=(const KinesisService&) = delete;

  // Loads every stream, consumer, tag, policy and counter from the store. Call once, before
  // serving. Finishes transitions that were in flight at shutdown (CREATING/UPDATING become
  // ACTIVE, DELETING streams and consumers are removed) and starts the retention trimmer.
  Status Recover();

  std::string_view Name() const override { return "kinesis"; }
  const protocol::model::ServiceModel& Model() const override;
  void Invoke(protocol::CallPtr call) override;
  // PutRecord and PutRecords read their own bodies (record_input.h).
  bool TakesRawInput(const protocol::model::Operation& op) const override;
  boost::json::object Health() const override;

  // Record listeners (for event source mappings): `listener` runs as a commit
  // completion after each batch that appended records to a shard, once per shard and
  // batch. It must be cheap and must not block (post work elsewhere). Returns an id for
  // RemoveRecordListener. Thread-safe.
  uint64_t AddRecordListener(RecordListener listener);
  void RemoveRecordListener(uint64_t id);

  // For event source mappings: each shard of stream `arn` (open or closed) with the sequence
  // number of its newest committed record ("" for a shard without records). NotFound when
  // there is no such stream.
  Result<std::vector<std::pair<std::string, std::string>>> LatestPositions(
      std::string_view arn) const;

  // For reconciliation: the sequence numbers of every readable record (committed, within
  // retention) of stream `arn`, per shard, oldest first. NotFound when there is no such stream.
  Result<std::vector<std::pair<std::string, std::vector<std::string>>>> RecordSequenceNumbers(
      std::string_view arn) const;

  // Ends every SubscribeToShard event stream now (at shutdown, so that the server's drain
  // does not wait them out).
  void EndSubscriptions();

  // Deletes records older than their stream's retention period from the store (what the
  // background trimmer runs every options.trim_interval). Expired records are already
  // unreadable; this reclaims their space. Returns the number of records deleted.
  uint64_t TrimExpiredRecords();

 private:
  using Handler = void (KinesisService::*)(protocol::CallPtr);
  struct AccountSettings;
  friend struct KinesisServiceTable;

  // --- stream_ops.cc
  void CreateStream(protocol::CallPtr call);
  void DeleteStream(protocol::CallPtr call);
  void DescribeStream(protocol::CallPtr call);
  void DescribeStreamSummary(protocol::CallPtr call);
  void ListStreams(protocol::CallPtr call);
  void UpdateStreamMode(protocol::CallPtr call);
  void DescribeLimits(protocol::CallPtr call);
  // --- shard_ops.cc
  void ListShards(protocol::CallPtr call);
  void SplitShard(protocol::CallPtr call);
  void MergeShards(protocol::CallPtr call);
  void UpdateShardCount(protocol::CallPtr call);
  // --- record_ops.cc
  void PutRecord(protocol::CallPtr call);
  void PutRecords(protocol::CallPtr call);
  // --- read_ops.cc
  void GetShardIterator(protocol::CallPtr call);
  void GetRecords(protocol::CallPtr call);
  // The first record counter a read of shard `index` starting at ShardIteratorType `type`
  // (with `starting` sequence number or `timestamp`) returns, or AWS's error for them;
  // `operation` names the caller in those errors.
  Result<uint64_t> StartingPosition(const Stream& stream, uint32_t index, const Shard& shard,
                                    std::string_view type, std::optional<std::string_view> starting,
                                    std::optional<double> timestamp,
                                    std::string_view operation) const;
  // --- subscribe_ops.cc: enhanced fan-out
  void SubscribeToShard(protocol::CallPtr call);
  struct Subscription;
  // Records a SubscribeToShard call for `key` (consumer ARN + '\x1f' + shard id) at `now`;
  // LimitExceededException when the previous one was less than `interval` ago. Caller holds
  // subscriptions_mu_.
  Status CountSubscribeCall(const std::string& key, std::chrono::steady_clock::time_point now,
                            std::chrono::steady_clock::duration interval);
  // Pumps every subscription->tick until the subscription ends.
  void ArmTicker(const std::shared_ptr<Subscription>& subscription);
  // Posts one PumpSubscription unless one is pending already.
  void SchedulePump(const std::shared_ptr<Subscription>& subscription);
  // Pushes the shard's records the subscriber has not had yet as events (and, at the end of a
  // closed shard, the last event), or a heartbeat event when it has had nothing for a while.
  void PumpSubscription(const std::shared_ptr<Subscription>& subscription);
  // One pass of PumpSubscription; false once the subscription ended.
  bool PumpOnce(const std::shared_ptr<Subscription>& subscription);
  // Ends the event stream (when `end_body`) and forgets the subscription. Idempotent.
  void EndSubscription(const std::shared_ptr<Subscription>& subscription, bool end_body);
  // --- consumer_ops.cc
  void RegisterStreamConsumer(protocol::CallPtr call);
  void DeregisterStreamConsumer(protocol::CallPtr call);
  void DescribeStreamConsumer(protocol::CallPtr call);
  void ListStreamConsumers(protocol::CallPtr call);
  // --- tag_ops.cc
  void AddTagsToStream(protocol::CallPtr call);
  void ListTagsForStream(protocol::CallPtr call);
  void RemoveTagsFromStream(protocol::CallPtr call);
  void TagResource(protocol::CallPtr call);
  void UntagResource(protocol::CallPtr call);
  void ListTagsForResource(protocol::CallPtr call);
  // --- settings_ops.cc
  void IncreaseStreamRetentionPeriod(protocol::CallPtr call);
  void DecreaseStreamRetentionPeriod(protocol::CallPtr call);
  void StartStreamEncryption(protocol::CallPtr call);
  void StopStreamEncryption(protocol::CallPtr call);
  void EnableEnhancedMonitoring(protocol::CallPtr call);
  void DisableEnhancedMonitoring(protocol::CallPtr call);
  void UpdateMaxRecordSize(protocol::CallPtr call);
  void UpdateStreamWarmThroughput(protocol::CallPtr call);
  // --- policy_ops.cc
  void PutResourcePolicy(protocol::CallPtr call);
  void GetResourcePolicy(protocol::CallPtr call);
  void DeleteResourcePolicy(protocol::CallPtr call);
  void DescribeAccountSettings(protocol::CallPtr call);
  void UpdateAccountSettings(protocol::CallPtr call);

  // --- kinesis_service.cc: shared helpers
  static std::string RegistryKey(std::string_view account, std::string_view region,
                                 std::string_view name);
  std::shared_ptr<Stream> FindStream(std::string_view account, std::string_view region,
                                     std::string_view name) const;
  std::shared_ptr<Stream> FindStreamByUid(uint64_t uid) const;
  // The stream a call addresses through StreamName and/or StreamARN, with AWS's errors.
  Result<std::shared_ptr<Stream>> ResolveStream(const protocol::Call& call) const;
  // The same, from a StreamName and StreamARN already read from the input.
  Result<std::shared_ptr<Stream>> ResolveStream(const protocol::RequestContext& context,
                                                std::optional<std::string_view> name,
                                                std::optional<std::string_view> arn_text) const;
  // The stream (and consumer name, when the ARN is a consumer's) a resource ARN names.
  struct ResourceRef {
    std::shared_ptr<Stream> stream;
    std::string consumer;  // empty for the stream itself
  };
  Result<ResourceRef> ResolveResourceArn(const protocol::Call& call, std::string_view arn) const;
  std::vector<std::shared_ptr<Stream>> StreamsOf(std::string_view account,
                                                 std::string_view region) const;
  int64_t OpenShardsOf(std::string_view account, std::string_view region) const;

  // Persists `stream`'s metadata (caller holds stream.mu) plus `extra`, then replies
  // `output` to `call` once durable.
  void CommitMeta(Stream& stream, protocol::CallPtr call, boost::json::object output,
                  storage::WriteBatch extra = {});
  // Submits `batch`; `done` runs once durable (or with the error). Returns false and fails
  // `call` when the queue refuses the batch.
  bool Submit(storage::WriteBatch batch, protocol::CallPtr call,
              std::function<void(const Status&)> done);
  // After options.transition_delay, moves the stream from its current transitional status
  // to ACTIVE (or removes it when DELETING), unless another transition started meanwhile.
  void ScheduleTransition(std::shared_ptr<Stream> stream);
  void FinishTransition(const std::shared_ptr<Stream>& stream, uint64_t transition);
  void ScheduleConsumerTransition(std::shared_ptr<Stream> stream, std::string consumer);
  void FinishConsumerTransition(const std::shared_ptr<Stream>& stream, const std::string& consumer);
  // Removes the stream from the registry and deletes its metadata and records.
  void EraseStream(const std::shared_ptr<Stream>& stream, protocol::CallPtr call);
  void NotifyRecordListeners(const Stream& stream, uint32_t shard_index, uint64_t counter);
  void ScheduleTrim();
  static void Fail(const protocol::CallPtr& call, const Status& status);

  storage::Store& store_;
  storage::CommitQueue& commits_;
  const Clock& clock_;
  boost::asio::io_context& io_;
  const KinesisOptions options_;
  // Timers check this before touching the service (they may fire after destruction).
  std::shared_ptr<std::atomic<bool>> alive_;

  mutable std::shared_mutex registry_mu_;
  std::unordered_map<std::string, std::shared_ptr<Stream>> streams_;  // by RegistryKey
  std::unordered_map<uint64_t, std::shared_ptr<Stream>> streams_by_uid_;
  uint64_t next_uid_ = 1;  // guarded by registry_mu_

  struct AccountSettings {
    std::string status = "DISABLED";
    double started_at = 0, ended_at = 0, earliest_end_at = 0;  // epoch seconds, 0 = unset
  };
  std::mutex settings_mu_;
  std::unordered_map<std::string, AccountSettings> account_settings_;  // by RegistryKey(a,r,"")

  // Live SubscribeToShard calls by consumer ARN + '\x1f' + shard id (AWS allows one each);
  // the registry owns them until EndSubscription.
  std::mutex subscriptions_mu_;
  std::unordered_map<std::string, std::shared_ptr<Subscription>> subscriptions_;
  // When each consumer and shard (same keys) last called SubscribeToShard, refused calls
  // included: AWS allows one call per second each. Guarded by subscriptions_mu_; entries older
  // than the window are dropped when the map grows.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> subscribe_calls_;

  std::mutex listeners_mu_;
  using ListenerList = std::vector<std::pair<uint64_t, RecordListener>>;
  std::shared_ptr<const ListenerList> listeners_;  // guarded by listeners_mu_
  std::atomic<bool> has_listeners_{false};
  uint64_t next_listener_id_ = 1;  // guarded by listeners_mu_
};

}  // namespace tidepool::kinesis
