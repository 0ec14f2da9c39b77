// SqsService: Amazon SQS (standard and FIFO queues) over the shared store.
//
// Kinds of state and where they live (key grammar in keyspace.h):
//   - queue settings and tags: one JSON value per queue, mirrored by a Queue in memory;
//   - messages: one immutable binary record per message plus, once received, a small state
//     record (visibility deadline as absolute wall-clock time, receive count, receipt
//     generation); in memory every message has an index entry (Queue::messages, ~200 bytes),
//     and its body + attributes stay cached up to SqsOptions::payload_cache_bytes for all
//     queues together; beyond the cap they are read back from the store on receive;
//   - FIFO deduplication windows (5 minutes) and message move tasks: stored records mirrored
//     in memory; ReceiveRequestAttemptIds and parked long polls: memory only.
// State is namespaced by the caller's account and region (RequestContext).
//
// Durability: every change is one WriteBatch submitted to the CommitQueue while holding the
// queue's lock (both queues' locks when a message moves between queues), so commit order is
// state order; replies are sent from the completion, after the batch is durable. A sent
// message enters the queue's indexes (becomes receivable) only in its batch's completion.
// Receives write the new receipt generation, receive count and deadline before replying.
// Recover() rebuilds everything from the store.
//
// Long polling: a ReceiveMessage that finds nothing parks a Waiter on the queue (no thread
// blocks) with an asio timer for its end (or for the next delayed / in-flight message's
// visibility time, whichever comes first; a change that makes a message visible sooner, such as
// a delayed send or a shorter visibility timeout, re-arms the timers). A send to a standard queue
// hands its messages to the oldest parked waiter inside its own batch (HandOffLocked), so both are
// answered after one commit; otherwise a send's commit completion serves parked waiters at once.
//
// Thread-safety: all public methods may be called from any thread; Invoke never blocks on the
// disk. The service must outlive the CommitQueue's pending completions (Flush/Stop the queue
// before destroying it) and the io_context's pending handlers (stop the io_context).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <atomic>
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
#include "services/sqs/message.h"
#include "services/sqs/move_task.h"
#include "services/sqs/queue.h"
#include "services/sqs/sqs_options.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::sqs {

// A message sent by tidepool itself (the engine: SNS subscriptions, S3 notifications,
// Lambda destinations...), with the same rules as SendMessage.
struct InternalMessage {
  std::string body;
  MessageAttributes attributes;  // any order; at most 10, AWS's name and type rules
  std::string group_id;          // FIFO queues: required
  std::string dedup_id;          // FIFO queues without content-based deduplication: required
  int32_t delay_seconds = -1;    // -1: the queue's DelaySeconds
  std::string trace_header;      // AWSTraceHeader system attribute, empty for none
  std::string sender_id;         // SenderId attribute (e.g. the SNS service principal's id)
};

// What a message listener learns: `count` messages just became receivable in the queue.
// Views are valid only during the call.
struct MessagesAvailable {
  std::string_view queue_arn;
  size_t count;
};
using MessageListener = std::function<void(const MessagesAvailable&)>;

class ReceiveMessageReply;

class SqsService final : public protocol::Service {
 public:
  SqsService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
             boost::asio::io_context& io, SqsOptions options);
  ~SqsService() override;
  SqsService(const SqsService&) = delete;
  SqsService& operator=(const SqsService&) = delete;

  // Loads every queue, message, dedup window and move task from the store. Call once, before
  // serving. Resumes RUNNING move tasks and starts the retention sweeper.
  Status Recover();

  std::string_view Name() const override { return "sqs"; }
  const protocol::model::ServiceModel& Model() const override;
  void Invoke(protocol::CallPtr call) override;
  // SendMessage, SendMessageBatch, ReceiveMessage and DeleteMessage: their handlers read a
  // plain body themselves (message_scan.h) and decode any other through DecodeForReply, which
  // tells them that the call came over the JSON protocol.
  bool TakesRawInput(const protocol::model::Operation& op) const override;
  boost::json::object Health() const override;
  // Every queue's message counts (GetQueueAttributes' ApproximateNumberOf*), by ARN: the
  // queue depths of /_tidepool/metrics. Takes each queue's lock briefly.
  struct QueueDepth {
    std::string arn;
    uint64_t visible = 0, in_flight = 0, delayed = 0;
  };
  std::vector<QueueDepth> Depths() const;

  // Sends `message` to the queue named by `queue_arn` with SendMessage's rules (FIFO group
  // and deduplication, delay, size limit, character rules). `done` runs once, with the
  // message id once the message is durable (a FIFO duplicate gets the original's id), or
  // with the error (QueueDoesNotExist, InvalidParameterValue, InvalidMessageContents...;
  // turn it into an AwsError with sqs::ToAwsError). `done` may run on the calling thread
  // (validation errors) or as a commit completion: keep it short.
  void SendInternal(std::string_view queue_arn, InternalMessage message,
                    std::function<void(Result<std::string>)> done);

  // Writes `message` to the standard queue `queue_arn` inside `batch`, another service's
  // write (an SNS publish), as SendInternal would write it, including the hand-off to a
  // parked long poll. Returns the completion to call exactly once with that batch's commit
  // status: the message becomes receivable (or answers the poll) once it is durable. Returns
  // nullptr, staging nothing, when SendInternal must be used instead: no such queue, a FIFO
  // queue (its order and deduplication need the queue's own commit order), or a message
  // SendInternal would reject. Messages staged this way may commit out of seq order with
  // the queue's other sends, which a standard queue allows. A PurgeQueue that commits
  // between staging and `batch` keeps the message (it was sent after the purge); a
  // DeleteQueue that does leaves its record under the deleted queue's uid, which no queue
  // reuses and recovery skips.
  std::function<void(const Status&)> StageInternal(std::string_view queue_arn,
                                                   InternalMessage message,
                                                   storage::WriteBatch* batch);

  // Message listeners (for event source mappings): `listener` runs as a commit
  // completion whenever messages become receivable because a send committed or a
  // ChangeMessageVisibility set a timeout of 0. Messages that become visible when a delay or
  // visibility timeout ends are not announced (a consumer learns of them by its own timer or
  // by a long poll). Must be cheap and must not block. Returns an id for
  // RemoveMessageListener. Thread-safe.
  uint64_t AddMessageListener(MessageListener listener);
  void RemoveMessageListener(uint64_t id);

  // Deletes messages older than their queue's retention period (what the sweeper runs every
  // options.retention_sweep_interval). Returns the number deleted.
  uint64_t SweepExpiredMessages();

  // Answers every parked long poll at once with no messages (AWS may end a long poll early),
  // so a graceful shutdown need not wait out their timers. Polls that arrive later park as
  // usual. Thread-safe.
  void EndLongPolls();

 private:
  using Handler = void (SqsService::*)(protocol::CallPtr);
  friend struct SqsServiceTable;
  struct SendInput;
  struct SendResult;
  struct QueueLocks;

  // --- queue_ops.cc
  void CreateQueue(protocol::CallPtr call);
  void GetQueueUrl(protocol::CallPtr call);
  void ListQueues(protocol::CallPtr call);
  void DeleteQueue(protocol::CallPtr call);
  void PurgeQueue(protocol::CallPtr call);
  void GetQueueAttributes(protocol::CallPtr call);
  void SetQueueAttributes(protocol::CallPtr call);
  void ListDeadLetterSourceQueues(protocol::CallPtr call);
  // --- tag_ops.cc
  void TagQueue(protocol::CallPtr call);
  void UntagQueue(protocol::CallPtr call);
  void ListQueueTags(protocol::CallPtr call);
  void AddPermission(protocol::CallPtr call);
  void RemovePermission(protocol::CallPtr call);
  // --- send_ops.cc
  void SendMessage(protocol::CallPtr call);
  void SendMessageBatch(protocol::CallPtr call);
  // --- receive_ops.cc
  void ReceiveMessage(protocol::CallPtr call);
  // --- delete_ops.cc
  void DeleteMessage(protocol::CallPtr call);
  void DeleteMessageBatch(protocol::CallPtr call);
  void ChangeMessageVisibility(protocol::CallPtr call);
  void ChangeMessageVisibilityBatch(protocol::CallPtr call);
  // --- move_task_ops.cc
  void StartMessageMoveTask(protocol::CallPtr call);
  void ListMessageMoveTasks(protocol::CallPtr call);
  void CancelMessageMoveTask(protocol::CallPtr call);

  // A visibility timeout of `seconds`, in microseconds, times options_.time_scale.
  int64_t VisibilityMicros(int64_t seconds) const {
    return static_cast<int64_t>(static_cast<double>(seconds) * 1e6 * options_.time_scale);
  }

  // --- sqs_service.cc: registry, URLs, commits, listeners
  static std::string RegistryKey(std::string_view account, std::string_view region,
                                 std::string_view name);
  std::shared_ptr<Queue> FindQueue(std::string_view account, std::string_view region,
                                   std::string_view name) const;
  std::shared_ptr<Queue> FindQueueByArn(std::string_view arn) const;
  std::vector<std::shared_ptr<Queue>> QueuesOf(std::string_view account,
                                               std::string_view region) const;
  // The queue a call's QueueUrl names (path /<account>/<name>, or
  // /queue/<region>/<account>/<name> for a queue outside the default region; the host is
  // ignored).
  Result<std::shared_ptr<Queue>> ResolveQueue(const protocol::Call& call) const;
  // The same for a QueueUrl the handler read itself (a scanned raw body).
  Result<std::shared_ptr<Queue>> ResolveQueue(const protocol::Call& call,
                                              std::string_view url) const;
  std::string QueueUrl(const protocol::Call& call, const Queue& q) const;
  // Locks `q` and, when it has a redrive policy whose target exists, the target too.
  QueueLocks LockWithDlq(const std::shared_ptr<Queue>& q) const;
  // Submits `batch`; `done` runs once durable (or with the error). Returns false and fails
  // `call` when the queue refuses the batch.
  bool Submit(storage::WriteBatch batch, protocol::CallPtr call,
              std::function<void(const Status&)> done);
  // Persists q's settings (caller holds q.mu) plus `extra`; replies `output` once durable.
  void CommitMeta(Queue& q, protocol::CallPtr call, boost::json::object output,
                  storage::WriteBatch extra = {});
  void NotifyListeners(const Queue& q, size_t count);
  // Payload cache accounting: keeps m.payload when the cap allows, else drops it.
  void CachePayload(Message& m, std::shared_ptr<const MessagePayload> payload);
  void UncachePayload(Message& m);
  // The payload of `m`, from the cache or the store (caller holds the queue's lock).
  std::shared_ptr<const MessagePayload> LoadPayload(const Queue& q, const Message& m) const;
  // Erases a message from `q` (caller holds q.mu) and adds its deletes to `batch`.
  void EraseMessage(Queue& q, std::map<uint64_t, Message>::iterator it, storage::WriteBatch* batch);
  // Moves a message from `from` to `to` (caller holds both locks): erases it from `from`,
  // writes it to `to` with a new seq and receive count 0; the returned message is to be
  // inserted into `to` after `batch` commits (IndexCommitted).
  Message MoveMessage(Queue& from, std::map<uint64_t, Message>::iterator it, Queue& to,
                      std::string dlq_source_arn, int64_t now, storage::WriteBatch* batch);
  // Inserts committed messages into `q` (skipping purged ones and deleted queues), serves
  // parked long polls (or re-arms them for what becomes visible later) and tells listeners
  // (also of `made_visible` messages that a visibility change made receivable). Runs in
  // commit completions.
  void IndexCommitted(const std::shared_ptr<Queue>& q, std::vector<Message> messages,
                      size_t made_visible = 0);
  static void Fail(const protocol::CallPtr& call, const Status& status);

  // --- send_ops.cc
  Result<SendInput> ParseSendInput(const boost::json::object& in, const protocol::Call& call) const;
  // The same for a body and DelaySeconds a scan read (no other members).
  Result<SendInput> PlainSendInput(std::string_view body, std::optional<int64_t> delay,
                                   const protocol::Call& call) const;
  // Checks the queue-specific rules, stages every valid input under q's lock and commits
  // them in one batch; `done` gets one result per input, in order, once durable.
  void SendMessages(const std::shared_ptr<Queue>& q, std::vector<SendInput> inputs,
                    std::function<void(std::vector<SendResult>)> done);
  // SendMessages' staging, into `batch` with q->mu held by `lock`; returns the completion
  // to run with the batch's commit status.
  std::function<void(const Status&)> StageSends(const std::shared_ptr<Queue>& q,
                                                std::vector<SendInput> inputs,
                                                std::function<void(std::vector<SendResult>)> done,
                                                storage::WriteBatch* batch,
                                                std::unique_lock<std::mutex>& lock);
  // An InternalMessage checked as SendMessage's input would be, for queue `q`.
  Result<SendInput> InternalSendInput(const Queue& q, InternalMessage message) const;

  // --- receive_ops.cc
  // Receives for `request` from `q` (locks held by the caller via LockWithDlq): marks the
  // chosen messages in flight, moves those past maxReceiveCount to `dlq`, commits, and
  // replies from the completion. Returns false, without replying, when nothing was
  // received and `allow_empty` is false.
  bool TryReceiveLocked(const std::shared_ptr<Queue>& q, Queue* dlq,
                        const std::shared_ptr<Queue>& dlq_ptr, ReceiveRequest& request,
                        bool allow_empty);
  // Adds `m`, received at `received_micros`, to `reply` with the attributes `request` asks
  // for.
  void AddMessageOutput(ReceiveMessageReply* reply, const Queue& q, const Message& m,
                        const ReceiveRequest& request, int64_t received_micros) const;
  void Park(const std::shared_ptr<Queue>& q, ReceiveRequest request);
  // When the queue's next hidden message becomes visible, in steady time (max if none).
  std::chrono::steady_clock::time_point NextVisibleLocked(const Queue& q) const;
  void ArmWaiter(const std::shared_ptr<Queue>& q, const std::shared_ptr<Waiter>& w);
  void OnWaiterTimer(const std::shared_ptr<Queue>& q, const std::shared_ptr<Waiter>& w);
  // Hands messages being sent to the oldest parked long poll of a standard queue, inside
  // the send's own batch, so that the receive commits with the send: one commit instead of
  // two before the poll is answered. Marks up to the poll's MaxNumberOfMessages of the
  // immediately visible `staged` messages in flight for it, adds their state records to
  // `batch`, appends their seqs to `handed` and takes the poll off the queue. Returns the
  // poll, or nullptr (nothing changed) when there is none or nothing to hand. Caller holds
  // q.mu; after the commit, AnswerHandOff answers the poll.
  std::shared_ptr<Waiter> HandOffLocked(Queue& q, std::vector<Message>& staged, int64_t now,
                                        storage::WriteBatch* batch, std::vector<uint64_t>* handed);
  // Answers a poll HandOffLocked chose, once its messages are committed and indexed: with
  // those still in flight under its receipt (a purge may have removed some), or with `failed`.
  void AnswerHandOff(const std::shared_ptr<Queue>& q, const Waiter& w,
                     const std::vector<uint64_t>& handed, const Status& failed);
  // Serves parked long polls while messages are ready (caller holds the locks).
  void ServeWaitersLocked(const std::shared_ptr<Queue>& q, Queue* dlq,
                          const std::shared_ptr<Queue>& dlq_ptr);
  // Re-arms parked long polls whose timer would fire after the queue's next hidden message
  // becomes visible (a delayed send, a handed-off or shortened visibility timeout), so that
  // they get it as soon as it is visible, as on AWS. Caller holds q->mu.
  void RearmWaitersLocked(const std::shared_ptr<Queue>& q);
  void CancelTimer(const std::shared_ptr<Waiter>& w);

  // --- move_task_ops.cc
  void ScheduleMoveStep(const std::string& task_id, std::chrono::milliseconds delay);
  void RunMoveStep(const std::string& task_id);
  boost::json::object TaskOutput(const MoveTask& t) const;

  // --- recovery.cc
  void ScheduleSweep();

  storage::Store& store_;
  storage::CommitQueue& commits_;
  const Clock& clock_;
  boost::asio::io_context& io_;
  const SqsOptions options_;
  // Timers check this before touching the service (they may fire after destruction).
  std::shared_ptr<std::atomic<bool>> alive_;

  // Registry maps, looked up by string_view (no key copy on the request path).
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  using QueueMap =
      std::unordered_map<std::string, std::shared_ptr<Queue>, KeyHash, std::equal_to<>>;

  mutable std::shared_mutex registry_mu_;
  QueueMap queues_;                                      // by RegistryKey
  QueueMap by_arn_;                                      // by queue ARN
  std::unordered_map<std::string, int64_t> deleted_at_;  // RegistryKey -> micros
  uint64_t next_uid_ = 1;                                // guarded by registry_mu_

  std::atomic<uint64_t> cached_bytes_{0};

  std::mutex tasks_mu_;
  std::unordered_map<std::string, std::shared_ptr<MoveTask>> tasks_;  // by id

  std::mutex listeners_mu_;
  using ListenerList = std::vector<std::pair<uint64_t, MessageListener>>;
  std::shared_ptr<const ListenerList> listeners_;  // guarded by listeners_mu_
  std::atomic<bool> has_listeners_{false};
  uint64_t next_listener_id_ = 1;  // guarded by listeners_mu_
};

}  // namespace tidepool::sqs
