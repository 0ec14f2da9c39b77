#include "engine/lambda_async_invoke.h"

#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>

namespace tidepool::engine {

using functions::InvokeOutcome;

struct LambdaAsyncInvoke::Attempt {
  lambda::AsyncInvocationPtr entry;
  int failures = 0;  // function errors so far
  std::unique_ptr<boost::asio::steady_timer> timer;
};

LambdaAsyncInvoke::LambdaAsyncInvoke(lambda::LambdaService& lambda, boost::asio::io_context& io,
                                     LambdaAsyncInvokeOptions options)
    : lambda_(lambda), io_(io), options_(options) {}

LambdaAsyncInvoke::~LambdaAsyncInvoke() { Stop(); }

std::chrono::milliseconds LambdaAsyncInvoke::Scaled(std::chrono::milliseconds d) const {
  return std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(d.count()) * options_.time_scale));
}

Status LambdaAsyncInvoke::Start() {
  lambda_.SetAsyncListener([this](lambda::AsyncInvocationPtr entry) {
    auto attempt = std::make_shared<Attempt>();
    attempt->entry = std::move(entry);
    Run(std::move(attempt));
  });
  auto queued = lambda_.LoadAsyncQueue();
  if (!queued.ok()) return queued.status();
  if (!queued->empty())
    spdlog::info("lambda: resuming {} queued async invocations", queued->size());
  for (auto& entry : *queued) {
    auto attempt = std::make_shared<Attempt>();
    attempt->entry = std::move(entry);
    Run(std::move(attempt));
  }
  return Status::Ok();
}

void LambdaAsyncInvoke::Stop() {
  stopped_->store(true);
  std::set<std::shared_ptr<Attempt>> waiting;
  {
    std::lock_guard lock(mu_);
    waiting.swap(waiting_);
  }
  for (const auto& a : waiting) a->timer->cancel();
}

void LambdaAsyncInvoke::Run(std::shared_ptr<Attempt> attempt) {
  if (stopped_->load()) return;
  functions::Invocation invocation;
  invocation.payload = attempt->entry->payload;
  invocation.request_id = attempt->entry->request_id;
  auto stopped = stopped_;
  lambda_.InvokeFunction(
      attempt->entry->function_arn, "", "", std::move(invocation),
      [this, attempt, stopped](InvokeOutcome outcome) {
        if (stopped->load()) return;  // stays queued for the next run
        const auto& entry = *attempt->entry;
        switch (outcome.kind) {
          case InvokeOutcome::Kind::kSuccess:
            return lambda_.CompleteAsync(entry.seq);
          case InvokeOutcome::Kind::kFunctionError:
            if (attempt->failures < options_.max_retries) {
              ++attempt->failures;
              // AWS waits 1 minute before the first retry and 2 minutes before the second.
              return RetryLater(attempt, std::chrono::minutes(attempt->failures));
            }
            spdlog::info("lambda: async invocation {} of {} failed after {} retries: {}",
                         entry.request_id, entry.function_arn, options_.max_retries,
                         outcome.payload);
            return lambda_.CompleteAsync(entry.seq);
          case InvokeOutcome::Kind::kThrottled:
            return RetryLater(attempt, options_.retry_delay);
          case InvokeOutcome::Kind::kServiceError:
            if (outcome.message.rfind("Function not found", 0) == 0) {
              spdlog::info("lambda: dropping async invocation {}: {}", entry.request_id,
                           outcome.message);
              return lambda_.CompleteAsync(entry.seq);
            }
            return RetryLater(attempt, options_.retry_delay);
        }
      });
}

void LambdaAsyncInvoke::RetryLater(std::shared_ptr<Attempt> attempt,
                                   std::chrono::milliseconds delay) {
  attempt->timer = std::make_unique<boost::asio::steady_timer>(io_, Scaled(delay));
  {
    std::lock_guard lock(mu_);
    if (stopped_->load()) return;
    waiting_.insert(attempt);
  }
  attempt->timer->async_wait(
      [this, attempt, stopped = stopped_](const boost::system::error_code& ec) {
        if (ec || stopped->load()) return;
        {
          std::lock_guard lock(mu_);
          waiting_.erase(attempt);
        }
        Run(attempt);
      });
}

}  // namespace tidepool::engine
