// LambdaAsyncInvoke: the async invoke flow. source: the Lambda service's durable queue of
// Event invocations (told of each as it becomes durable; at start, what a previous run left)
// -> invoke (LambdaService::InvokeFunction, in process) -> outcome: success -> done; a function
// error -> retried up to `max_retries` times after AWS's delays (1 min, then 2 min, times
// `time_scale`), then dropped with a log line; throttled or sandbox trouble -> retried after
// `retry_delay` without counting; function gone -> dropped -> ledger: CompleteAsync deletes the
// entry. At-least-once: an entry stays in the store until it is done.
//
// Thread-safety: Start/Stop from the main thread; everything else runs on io threads.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>

#include "services/lambda/lambda_service.h"

namespace tidepool::engine {

struct LambdaAsyncInvokeOptions {
  int max_retries = 2;                          // AWS's default MaximumRetryAttempts
  double time_scale = 1.0;                      // multiplies every delay (--time-scale)
  std::chrono::milliseconds retry_delay{1000};  // throttled / not runnable
};

class LambdaAsyncInvoke {
 public:
  LambdaAsyncInvoke(lambda::LambdaService& lambda, boost::asio::io_context& io,
                    LambdaAsyncInvokeOptions options);
  ~LambdaAsyncInvoke();

  // Listens for new entries and runs those already queued. Call once, before serving.
  Status Start();
  // No new attempts from now on; pending retry timers are cancelled.
  void Stop();

 private:
  struct Attempt;
  void Run(std::shared_ptr<Attempt> attempt);
  void RetryLater(std::shared_ptr<Attempt> attempt, std::chrono::milliseconds delay);
  std::chrono::milliseconds Scaled(std::chrono::milliseconds d) const;

  lambda::LambdaService& lambda_;
  boost::asio::io_context& io_;
  const LambdaAsyncInvokeOptions options_;
  std::shared_ptr<std::atomic<bool>> stopped_ = std::make_shared<std::atomic<bool>>(false);
  std::mutex mu_;
  std::set<std::shared_ptr<Attempt>> waiting_;  // attempts with a retry timer armed
};

}  // namespace tidepool::engine
