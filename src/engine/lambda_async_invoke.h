// LambdaAsyncInvoke: the async invoke flow. source: the Lambda service's durable queue of
// Event invocations (told of each as it becomes durable; at start, what a previous run left)
// -> invoke (LambdaService::InvokeFunction, in process) -> outcome, with the function's
// AsyncSettings (FunctionEventInvokeConfig, DeadLetterConfig): success -> the OnSuccess
// destination; a function error -> retried up to MaximumRetryAttempts times after AWS's delays
// (1 min, then 2 min, times `time_scale`), then the OnFailure destination and the dead-letter
// queue; an event older than MaximumEventAgeInSeconds (times `time_scale`) is discarded the same
// way; throttled or sandbox trouble -> retried after `retry_delay` without counting; function
// gone -> dropped -> ledger: CompleteAsync deletes the entry once the destinations have taken
// their records. At-least-once: an entry stays in the store until it is done.
//
// Destinations get AWS's invocation record ({"version":"1.0","timestamp",...,"requestContext":
// {"condition":"Success"|"RetriesExhausted"|"EventAgeExceeded",...},"requestPayload",
// "responseContext","responsePayload"}); SQS through the QueueSink, SNS through its Publish,
// Lambda as another queued Event invocation. A dead-letter queue gets the event itself with
// the RequestID, ErrorCode and ErrorMessage attributes.
//
// Thread-safety: Start/Stop from the main thread; everything else runs on io threads.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/sinks.h"
#include "services/lambda/lambda_service.h"

namespace tidepool::engine {

struct LambdaAsyncInvokeOptions {
  double time_scale = 1.0;                      // multiplies every delay (--time-scale)
  std::chrono::milliseconds retry_delay{1000};  // throttled / not runnable
};

class LambdaAsyncInvoke {
 public:
  // `sns` (SNS topic destinations) may be null: topics are then refused with a log line.
  LambdaAsyncInvoke(lambda::LambdaService& lambda, boost::asio::io_context& io, QueueSink& queues,
                    protocol::Service* sns, LambdaAsyncInvokeOptions options);
  ~LambdaAsyncInvoke();

  // Listens for new entries and runs those already queued. Call once, before serving.
  Status Start();
  // No new attempts from now on; pending retry timers are cancelled.
  void Stop();

 private:
  struct Attempt;
  void Run(std::shared_ptr<Attempt> attempt);
  void RetryLater(std::shared_ptr<Attempt> attempt, std::chrono::milliseconds delay);
  // Sends the outcome's records to its destinations, then completes the entry.
  void Finish(std::shared_ptr<Attempt> attempt, std::string condition,
              const functions::InvokeOutcome* outcome);
  // Delivers `body` to destination `arn`; `done` runs once, on any thread.
  void Deliver(const std::string& arn, const lambda::AsyncInvocation& entry, std::string body,
               std::vector<QueueAttribute> attributes, std::function<void()> done);
  std::chrono::milliseconds Scaled(std::chrono::milliseconds d) const;

  lambda::LambdaService& lambda_;
  boost::asio::io_context& io_;
  QueueSink& queues_;
  protocol::Service* sns_;
  const LambdaAsyncInvokeOptions options_;
  std::shared_ptr<std::atomic<bool>> stopped_ = std::make_shared<std::atomic<bool>>(false);
  std::mutex mu_;
  std::set<std::shared_ptr<Attempt>> waiting_;  // attempts with a retry timer armed
};

}  // namespace tidepool::engine
