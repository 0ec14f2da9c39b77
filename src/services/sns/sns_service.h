// SnsService: Amazon SNS topics, subscriptions and publishing over the shared store.
//
// Kinds of state and where they live (key grammar in keyspace.h):
//   - topics with their attributes, tags and subscriptions: one JSON value per topic,
//     mirrored by a Topic in memory (topic.h, topic_codec.h);
//   - FIFO SequenceNumber counters and 5-minute deduplication records: stored, mirrored;
//   - the outbox: one entry per (published message, matching subscription) and per
//     subscription confirmation message, only in the store; the delivery engine
//     (src/engine/sns_delivery.h) delivers and deletes them.
// State is namespaced by the caller's account and region (RequestContext).
//
// SNS never calls another service. Publish writes the message's outbox entries in the same
// WriteBatch that accepts it, submitted while holding the topic's lock, and replies once that
// batch is durable; outbox listeners are then told of the new entries (where the commit
// queue runs completions). At-least-once: an entry stays in the store until CompleteDelivery.
//
// Thread-safety: all public methods may be called from any thread; Invoke never blocks on
// the disk. The service must outlive the CommitQueue's pending completions (Flush/Stop the
// queue before destroying it).
#pragma once

#include <boost/json/object.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "protocol/service.h"
#include "services/sns/delivery.h"
#include "services/sns/sns_options.h"
#include "services/sns/topic.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::sns {

using DeliveryPtr = std::shared_ptr<const Delivery>;
// Told of outbox entries that just became durable, in outbox order. Runs where the commit
// queue runs completions (an io thread in `tidepool serve`): must be cheap and must not block.
using OutboxListener = std::function<void(const std::vector<DeliveryPtr>&)>;

// Completion of a delivery staged into a publish's batch: runs once, with the batch's commit
// status, where the commit queue runs completions.
using StagedDelivery = std::function<void(const Status&)>;

// Queues of this process that a publish writes to inside its own batch, so the message is in
// the queue as soon as the publish is durable: one commit on the way from Publish to a
// receiver instead of two (outbox entry, then the queue's own send). Implemented by the engine.
class InlineQueueDelivery {
 public:
  virtual ~InlineQueueDelivery() = default;
  // Stages delivery `d` (protocol sqs, a standard topic) into `batch` and returns its
  // completion, or nullptr, staging nothing, when `d` must take the outbox (no such queue,
  // a FIFO queue, a message the queue would refuse): the delivery engine then retries it or
  // sends it to the subscription's dead-letter queue as usual. Called under the topic's lock.
  virtual StagedDelivery Stage(const Delivery& d, storage::WriteBatch* batch) = 0;
};

class SnsService final : public protocol::Service {
 public:
  SnsService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
             SnsOptions options);
  ~SnsService() override;
  SnsService(const SnsService&) = delete;
  SnsService& operator=(const SnsService&) = delete;

  // Loads every topic, subscription, FIFO counter and deduplication record from the store.
  // Call once, before serving.
  Status Recover();

  std::string_view Name() const override { return "sns"; }
  const protocol::model::ServiceModel& Model() const override;
  void Invoke(protocol::CallPtr call) override;
  boost::json::object Health() const override;

  // --- The outbox, for the delivery engine.
  uint64_t AddOutboxListener(OutboxListener listener);
  void RemoveOutboxListener(uint64_t id);
  // The outbox entries in the store with a seq in [first, last], in outbox order, at most
  // `limit` of them (the delivery engine reads the outbox a page at a time: entries left by
  // a previous run, and entries it had no room for). Thread-safe.
  Result<std::vector<DeliveryPtr>> LoadOutbox(uint64_t first = 0, uint64_t last = UINT64_MAX,
                                              size_t limit = SIZE_MAX) const;
  // The highest outbox seq handed out so far (0: none): entries written before the delivery
  // engine started listening have seqs up to this.
  uint64_t LastOutboxSeq() const { return next_outbox_seq_.load() - 1; }
  // Deletes outbox entry `seq` (its target accepted it, or it went to a dead-letter queue,
  // or it is dropped). `done` runs once the delete is durable, as a commit completion.
  void CompleteDelivery(uint64_t seq, std::function<void(const Status&)> done);
  // Whether the subscription still exists (deliveries to a subscription that was removed
  // are dropped, as AWS does).
  bool SubscriptionExists(std::string_view subscription_arn) const;
  // Where publishes write deliveries to queues of this process directly (see
  // InlineQueueDelivery); null, the default, sends every delivery through the outbox. Set
  // before serving; `queues` must outlive the service's use of it.
  void SetInlineQueueDelivery(InlineQueueDelivery* queues) { inline_queues_ = queues; }

 private:
  using Handler = void (SnsService::*)(protocol::CallPtr);
  friend struct SnsServiceTable;
  struct PublishRequest;
  struct PublishResult;

  // --- topic_ops.cc
  void CreateTopic(protocol::CallPtr call);
  void DeleteTopic(protocol::CallPtr call);
  void ListTopics(protocol::CallPtr call);
  void GetTopicAttributes(protocol::CallPtr call);
  void SetTopicAttributes(protocol::CallPtr call);
  void AddPermission(protocol::CallPtr call);
  void RemovePermission(protocol::CallPtr call);
  void GetDataProtectionPolicy(protocol::CallPtr call);
  void PutDataProtectionPolicy(protocol::CallPtr call);
  // --- tag_ops.cc
  void TagResource(protocol::CallPtr call);
  void UntagResource(protocol::CallPtr call);
  void ListTagsForResource(protocol::CallPtr call);
  // --- subscription_ops.cc
  void Subscribe(protocol::CallPtr call);
  void ConfirmSubscription(protocol::CallPtr call);
  void Unsubscribe(protocol::CallPtr call);
  void ListSubscriptions(protocol::CallPtr call);
  void ListSubscriptionsByTopic(protocol::CallPtr call);
  void GetSubscriptionAttributes(protocol::CallPtr call);
  void SetSubscriptionAttributes(protocol::CallPtr call);
  // --- publish_ops.cc
  void Publish(protocol::CallPtr call);
  void PublishBatch(protocol::CallPtr call);

  // --- sns_service.cc: registry, commits, listeners
  std::shared_ptr<Topic> FindTopic(std::string_view arn) const;
  std::vector<std::shared_ptr<Topic>> TopicsOf(std::string_view account,
                                               std::string_view region) const;
  // The topic `arn` names, with AWS's errors (malformed ARN, other region, not found).
  Result<std::shared_ptr<Topic>> ResolveTopic(const protocol::Call& call,
                                              std::string_view arn) const;
  // The subscription `arn` names and its topic (NotFound "Subscription does not exist").
  Result<std::pair<std::shared_ptr<Topic>, std::shared_ptr<Subscription>>> ResolveSubscription(
      std::string_view arn) const;
  // Base URL for links in messages ("http://<Host>" or options.public_endpoint).
  std::string PublicEndpoint(const protocol::Call& call) const;
  // Persists `topic` (caller holds topic.mu) plus `extra`; replies `output` once durable and
  // then tells outbox listeners of `deliveries`.
  void CommitTopic(Topic& topic, protocol::CallPtr call, boost::json::object output,
                   storage::WriteBatch extra = {}, std::vector<DeliveryPtr> deliveries = {});
  // Submits `batch`; once durable replies `output` (when there is a call) and then tells
  // outbox listeners of `deliveries`. Failures fail the call, or are logged without one.
  // `staged` deliveries complete with the commit's status before the reply.
  void SubmitAndNotify(storage::WriteBatch batch, protocol::CallPtr call,
                       boost::json::object output, std::vector<DeliveryPtr> deliveries,
                       std::vector<StagedDelivery> staged = {});
  // Submits `batch`; `done` runs once durable (or with the error). Returns false and fails
  // `call` when the queue refuses the batch.
  bool Submit(storage::WriteBatch batch, protocol::CallPtr call,
              std::function<void(const Status&)> done);
  void NotifyOutbox(const std::vector<DeliveryPtr>& deliveries);
  uint64_t NextOutboxSeq() { return next_outbox_seq_.fetch_add(1); }
  static void Fail(const protocol::CallPtr& call, const Status& status);

  // --- subscription_ops.cc
  // Validates one subscription attribute as Subscribe (prefix "Invalid parameter:
  // Attributes Reason: ") or SetSubscriptionAttributes ("Invalid parameter: ") does.
  Status ValidateSubscriptionAttribute(const Topic& topic, const Subscription& sub,
                                       std::string_view name, std::string_view value,
                                       bool subscribe_call) const;

  // --- publish_ops.cc
  Result<PublishRequest> ParsePublish(const boost::json::object& in, const Topic& topic,
                                      size_t batch_position) const;
  // Accepts `requests` on `topic` (caller holds topic.mu): deduplicates FIFO messages,
  // fans out to matching subscriptions into `batch` and `deliveries` (outbox entries), or
  // `staged` (deliveries an InlineQueueDelivery wrote into `batch`).
  std::vector<PublishResult> AcceptLocked(Topic& topic, std::vector<PublishRequest>& requests,
                                          const std::string& endpoint, storage::WriteBatch* batch,
                                          std::vector<DeliveryPtr>* deliveries,
                                          std::vector<StagedDelivery>* staged);

  storage::Store& store_;
  storage::CommitQueue& commits_;
  const Clock& clock_;
  const SnsOptions options_;

  mutable std::shared_mutex registry_mu_;
  std::map<std::string, std::shared_ptr<Topic>> topics_;  // by ARN (sorted: ListTopics order)

  std::atomic<uint64_t> next_outbox_seq_{1};
  InlineQueueDelivery* inline_queues_ = nullptr;

  std::mutex listeners_mu_;
  using ListenerList = std::vector<std::pair<uint64_t, OutboxListener>>;
  std::shared_ptr<const ListenerList> listeners_;  // guarded by listeners_mu_
  uint64_t next_listener_id_ = 1;                  // guarded by listeners_mu_
};

}  // namespace tidepool::sns
