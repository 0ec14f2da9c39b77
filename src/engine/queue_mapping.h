// QueueMapping: a mapping from an SQS queue (mapping_engine.h).
//
// Workers (ScalingConfig.MaximumConcurrency, else MappingEngineOptions::sqs_default_concurrency)
// each loop: receive (an in-process ReceiveMessage long poll, which the queue answers the
// moment a message is receivable: no polling interval; with the queue's visibility timeout)
// -> batch (up to BatchSize messages; more receives while MaximumBatchingWindowInSeconds runs)
// -> filter (messages no pattern matches are deleted, as AWS does) -> invoke -> outcome:
// success deletes the batch (with ReportBatchItemFailures, all but the failed messages); a
// failure leaves the messages to become visible again, so the queue's redrive policy moves
// them to its dead-letter queue after maxReceiveCount. FIFO order per message group is the
// queue's: a group stays locked while its messages are in flight.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/mapping_engine.h"
#include "engine/mapping_events.h"

namespace tidepool::engine {

// "arn:aws:sqs:<region>:<account>:<name>" -> "<account>/<name>": the QueueUrl the queue's
// operations resolve in the call's region.
std::string QueueUrlOfArn(std::string_view arn);

class QueueMapping final : public MappingRunner, public std::enable_shared_from_this<QueueMapping> {
 public:
  QueueMapping(MappingDeps& deps, lambda::MappingViewPtr view);
  void Start() override;
  void Update(lambda::MappingViewPtr view) override;
  // The parked long polls are the wake-up.
  void Wake(std::string_view, std::chrono::steady_clock::time_point) override {}
  void Stop(std::function<void()> stopped) override;
  lambda::MappingViewPtr View() const override {
    std::lock_guard lock(mu_);
    return view_;
  }

  // Refuses a queue that does not exist, with AWS's message.
  static Status Check(MappingDeps& deps, const lambda::MappingView& view);

 private:
  struct Worker;
  using WorkerPtr = std::shared_ptr<Worker>;

  void StartWorkers();  // mu_ held
  void Receive(const WorkerPtr& worker);
  void Dispatch(const WorkerPtr& worker);
  void Delete(std::vector<std::string> receipts);
  void Release(std::vector<std::string> receipts);  // visible again at once
  void ForReceipts(std::string_view operation, std::vector<std::string> receipts, bool release);
  void After(const WorkerPtr& worker, std::chrono::milliseconds delay);
  bool Current(const Worker& worker) const;  // mu_ held: runnable and not retired
  std::string QueueUrl() const;

  MappingDeps& deps_;
  mutable std::mutex mu_;
  lambda::MappingViewPtr view_;
  Filters filters_;
  bool stopped_ = false;
  uint64_t generation_ = 0;  // bumped when the workers are replaced (update, disable)
  std::vector<WorkerPtr> workers_;
};

}  // namespace tidepool::engine
