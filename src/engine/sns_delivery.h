// SnsDelivery: delivers SNS's outbox (see services/sns/sns_service.h) to subscription targets.
//
// Flow: SNS writes one outbox entry per (message, matching subscription) with the publish;
// its outbox listener wakes this worker (no polling), which hands each entry to its target
// (sqs: QueueSink; http/https: HttpSink with AWS's x-amz-sns-* headers; lambda:
// FunctionSink, and while none is bound entries wait). An entry is deleted from the outbox
// only after its target accepted it; failures are retried with backoff (http/https: the
// subscription's or topic's DeliveryPolicy healthyRetryPolicy, AWS's defaults otherwise;
// sqs/lambda: exponential backoff up to max_attempts). Entries for a target kind without a
// sink (lambda while no FunctionSink is bound) stay in the outbox only: they take no memory
// and no attempts, and an engine started with that sink delivers them. When the target is
// gone (queue
// deleted), refuses the message, or retries are exhausted, the message goes to the
// subscription's RedrivePolicy dead-letter queue, or, when it has none, is counted as failed
// (Stats::failed, in the health report) and logged at warn with its reason, as AWS discards
// it. Entries of subscriptions that no longer exist are not delivered (except
// UnsubscribeConfirmations, which exist because the subscription is gone).
//
// Ordering: entries of a FIFO topic are delivered one at a time per subscription, in outbox
// order (a failing head blocks the ones after it, as in AWS); others concurrently, up to
// max_in_flight in total. At-least-once: after a crash, Start() reloads the outbox.
//
// Memory: at most max_loaded entries (and max_loaded_bytes of them) are held in memory. The
// outbox on disk holds the rest: when entries arrive with no room for them (a target that is
// down while publishes go on, or a large outbox left by a previous run), the engine stops
// taking new entries from the listener and reads them back from the outbox, in outbox order,
// a page at a time as earlier entries finish. Waiting for a sink or a retry costs no scans:
// the entries ready to send are kept apart from those waiting.
//
// Threading: all work runs on `io`; sink completions are posted back to it. Start/Stop from
// any thread; Stop before destroying the sinks, the SNS service or the io_context.
#pragma once

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "engine/hop_metrics.h"
#include "engine/seq_ranges.h"
#include "engine/sinks.h"
#include "services/sns/sns_service.h"

namespace tidepool::engine {

// What SNS delivery `d` puts in queue `queue_arn` (an sqs target, or any subscription's
// DLQ): the body (raw, or AWS's JSON envelope) and, for raw notifications, the message
// attributes; group and deduplication ids when a FIFO topic delivers to a FIFO queue. A FIFO
// topic's message to a standard queue goes without them, as AWS delivers it (a standard queue
// refuses a MessageDeduplicationId). The same whether the outbox or the publish delivers it.
QueueMessage QueueMessageFor(const sns::Delivery& d, std::string_view queue_arn);

struct SnsDeliveryOptions {
  // sqs and lambda targets: exponential backoff from initial to max, at most max_attempts
  // deliveries (AWS: 100,015 attempts over 23 days).
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(20)};
  uint32_t max_attempts = 100'015;
  // http/https: DeliveryPolicy delays are in seconds; one policy second lasts this long
  // (tests shrink it).
  std::chrono::milliseconds http_second{1000};
  // How long entries for a target kind that is not bound (lambda) wait between checks.
  std::chrono::milliseconds unavailable_wait{std::chrono::seconds(5)};
  size_t max_in_flight = 256;
  // Entries held in memory at most, by count and by size (message, subject and attributes).
  // One entry is always taken, however large.
  size_t max_loaded = 10'000;
  size_t max_loaded_bytes = size_t{64} << 20;
  // Where to record each delivery's publish -> delivered latency (may be null).
  MappingMetrics* metrics = nullptr;
};

class SnsDelivery {
 public:
  // `http` and `functions` may be null (those deliveries then wait, see kUnavailable).
  SnsDelivery(sns::SnsService& sns, QueueSink& queues, HttpSink* http, FunctionSink* functions,
              boost::asio::io_context& io, SnsDeliveryOptions options);
  ~SnsDelivery();
  SnsDelivery(const SnsDelivery&) = delete;
  SnsDelivery& operator=(const SnsDelivery&) = delete;

  // Subscribes to SNS's outbox, loads the entries left by a previous run and starts
  // delivering. Call once.
  Status Start();
  // Stops delivering; sends in flight finish without effect (their entries stay in the
  // outbox for the next Start). Idempotent.
  void Stop();

  struct Stats {
    uint64_t delivered = 0;
    uint64_t retries = 0;
    uint64_t dead_lettered = 0;
    // Given up without a dead-letter queue: the target refused the message for a reason
    // retrying cannot fix, or retries ran out (AWS's NumberOfNotificationsFailed). Each is
    // logged at warn with its message id and reason.
    uint64_t failed = 0;
    // Entries whose subscription no longer exists (unsubscribed after the publish): not
    // delivered, as on AWS.
    uint64_t unsubscribed = 0;
    uint64_t pending = 0;  // entries held in memory and not yet finished
    uint64_t parked = 0;   // entries left in the outbox for want of a sink
    bool spilled = false;  // entries beyond the memory limit wait in the outbox only
  };
  Stats stats() const;

 private:
  struct Item {
    sns::DeliveryPtr delivery;
    size_t bytes = 0;  // what it counts against max_loaded_bytes
    uint32_t attempts = 0;
    bool busy = false;  // being sent, waiting for a retry timer, or being completed
  };

  // Entries the outbox listener was told of, in outbox order.
  void Enqueue(const std::vector<sns::DeliveryPtr>& deliveries);
  // Takes `d` into memory (or counts it as parked when no sink takes it). False, taking
  // nothing, when the memory limits leave no room for it.
  bool AcceptLocked(const sns::DeliveryPtr& d);
  // Reads on_disk_'s entries from the outbox into the room there is.
  // At most `max_entries` are read (the read and its decoding hold mu_ and the I/O thread).
  // True when it stopped at that count with room left and entries still on disk.
  Result<bool> RefillLocked(size_t max_entries);
  // RefillLocked of up to kRefillPage entries when at least half the room is free (or nothing
  // is loaded): reads come in pages, not one per finished entry, and none stalls the I/O
  // thread for long. Logs a failed read (the next call tries again).
  void MaybeRefillLocked();
  static constexpr size_t kRefillPage = 1'000;
  static constexpr size_t kMinRefillRead = 256;  // entries per outbox read at least
  // Puts `seq` (in items_, not busy) in ready_ if it may be sent now: not a FIFO entry, or
  // the head of its lane.
  void MakeReadyLocked(uint64_t seq);
  // Whether this engine has a sink for `d`'s protocol.
  bool HasSink(const sns::Delivery& d) const;
  void Pump();
  void Dispatch(const sns::DeliveryPtr& d, uint32_t attempts);
  void OnResult(uint64_t seq, SinkResult result, bool to_dlq);
  void Retry(uint64_t seq, std::chrono::milliseconds delay);
  enum class Outcome { kDelivered, kDeadLettered, kFailed, kUnsubscribed };
  void Finish(uint64_t seq, Outcome outcome);
  void SendToDlq(const sns::DeliveryPtr& d);
  // The delay before attempt `attempts + 1`, or nullopt when no attempt is left.
  std::optional<std::chrono::milliseconds> NextDelay(const sns::Delivery& d,
                                                     uint32_t attempts) const;
  // Posts `fn` to io_, unless the engine was stopped or destroyed by then.
  void Post(std::function<void()> fn);
  // Post as a copyable function that holds no reference to the engine, for completions that
  // may run after the engine is destroyed.
  std::function<void(std::function<void()>)> Poster() const;

  sns::SnsService& sns_;
  QueueSink& queues_;
  HttpSink* http_;
  FunctionSink* functions_;
  boost::asio::io_context& io_;
  const SnsDeliveryOptions options_;
  std::shared_ptr<std::atomic<bool>> alive_;
  uint64_t listener_id_ = 0;

  mutable std::mutex mu_;
  // Guarded by mu_. An entry the listener reports is taken into items_ when there is room
  // and nothing waits in on_disk_ (which would then be overtaken), else recorded in on_disk_;
  // RefillLocked reads on_disk_'s entries from the outbox, lowest seqs first, as room frees.
  // Start puts [0, the last seq handed out] in on_disk_: what a previous run left. An entry
  // of that range the listener also reports goes to on_disk_ again; reading it skips what is
  // already in items_ and finds no more what has finished (its outbox entry is deleted first).
  std::map<uint64_t, Item> items_;                   // by outbox seq
  std::set<uint64_t> ready_;                         // items neither busy nor behind in a lane
  std::map<std::string, std::set<uint64_t>> lanes_;  // FIFO: subscription -> seqs
  size_t loaded_bytes_ = 0;                          // sum of items_' bytes
  SeqRanges on_disk_;
  uint64_t startup_last_ = 0;
  size_t in_flight_ = 0;
  uint64_t last_parked_seq_ = 0;  // guarded by mu_ (counts each once)
  Stats stats_;                   // guarded by mu_
};

}  // namespace tidepool::engine
