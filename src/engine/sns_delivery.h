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
// subscription's RedrivePolicy dead-letter queue, or is dropped (logged) when it has none.
// Entries of subscriptions that no longer exist are dropped.
//
// Ordering: entries of a FIFO topic are delivered one at a time per subscription, in outbox
// order (a failing head blocks the ones after it, as in AWS); others concurrently, up to
// max_in_flight in total. At-least-once: after a crash, Start() reloads the outbox.
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

#include "engine/sinks.h"
#include "services/sns/sns_service.h"

namespace tidepool::engine {

// What SNS delivery `d` (protocol sqs) puts in the queue: the body (raw, or AWS's JSON
// envelope) and, for raw notifications, the message attributes; group and deduplication ids
// for FIFO topics. The same whether the outbox or the publish itself delivers it.
QueueMessage QueueMessageFor(const sns::Delivery& d);

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
    uint64_t dropped = 0;
    uint64_t pending = 0;  // entries held in memory and not yet finished
    uint64_t parked = 0;   // entries left in the outbox for want of a sink
  };
  Stats stats() const;

 private:
  struct Item {
    sns::DeliveryPtr delivery;
    uint32_t attempts = 0;
    bool busy = false;  // being sent, waiting for a retry timer, or being completed
  };

  void Enqueue(const std::vector<sns::DeliveryPtr>& deliveries);
  // Whether this engine has a sink for `d`'s protocol.
  bool HasSink(const sns::Delivery& d) const;
  void Pump();
  void Dispatch(const sns::DeliveryPtr& d, uint32_t attempts);
  void OnResult(uint64_t seq, SinkResult result, bool to_dlq);
  void Retry(uint64_t seq, std::chrono::milliseconds delay);
  void Finish(uint64_t seq, bool delivered, bool dead_lettered);
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
  std::map<uint64_t, Item> items_;                   // by outbox seq; guarded by mu_
  std::map<std::string, std::set<uint64_t>> lanes_;  // FIFO: subscription -> seqs
  size_t in_flight_ = 0;                             // guarded by mu_
  uint64_t last_parked_seq_ = 0;                     // guarded by mu_ (counts each once)
  Stats stats_;                                      // guarded by mu_
};

}  // namespace tidepool::engine
