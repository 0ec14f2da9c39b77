// SandboxPool: the Invoker that runs invocations on warm sandboxes, starting new ones on demand.
//
// Sandboxes are pooled per function version (ARN + version); an idle sandbox whose spec has
// another revision (new code or configuration) is ended instead of reused. A new sandbox is
// started when none is idle, up to the function's reserved concurrency and the pool-wide cap;
// beyond them the invocation is throttled (kThrottled), as AWS answers a synchronous invoke
// with TooManyRequestsException. Sandboxes idle for `idle_timeout` are ended, except a group's
// provisioned ones (Provision starts them ahead of any invocation).
//
// Thread-safety: all public methods may be called from any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "functions/invoker.h"
#include "functions/sandbox.h"

namespace tidepool::functions {

struct SandboxPoolOptions {
  SandboxOptions sandbox;
  int max_sandboxes = 64;  // running sandboxes, all functions together
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};
};

class SandboxPool final : public Invoker {
 public:
  SandboxPool(boost::asio::io_context& io, SandboxPoolOptions options);
  ~SandboxPool() override;
  SandboxPool(const SandboxPool&) = delete;
  SandboxPool& operator=(const SandboxPool&) = delete;

  // The URL functions reach this tidepool at (AWS_ENDPOINT_URL). Set before serving.
  void SetEndpointUrl(std::string url) { options_.sandbox.endpoint_url = std::move(url); }

  void Invoke(FunctionSpecPtr spec, Invocation invocation, InvokeDone done) override;
  // Ends the sandboxes of `function_arn` (every version): its function was deleted.
  void EndFunction(const std::string& function_arn) override;
  int Provision(FunctionSpecPtr spec, int count) override;
  // Ends every sandbox, idle or busy (busy ones end their invocation as a kServiceError);
  // later invocations still start new ones. Call before the io_context stops.
  void Stop();

  size_t running_sandboxes() const;

 private:
  struct Group {
    std::vector<std::shared_ptr<Sandbox>> idle;  // most recently used last
    int busy = 0;
    int provisioned = 0;  // sandboxes the reaper leaves alone (provisioned concurrency)
  };
  static std::string GroupKey(const FunctionSpec& spec) {
    return spec.function_arn + "\n" + spec.version;
  }
  // Completes `done` with an outcome that ran no sandbox, on an io thread (never inline).
  void PostOutcome(InvokeOutcome::Kind kind, std::string message, InvokeDone done);
  void Release(const std::string& key, const std::shared_ptr<Sandbox>& sandbox);
  // At the pool-wide cap: moves the least recently used idle sandbox of a group other than
  // `except` (never one of a group's provisioned sandboxes) to `out`, for the caller to end.
  // False when every sandbox is busy or provisioned. Caller holds mu_.
  bool EvictIdleLocked(const std::string& except, std::vector<std::shared_ptr<Sandbox>>* out);
  void Forget(const std::string& key, const Sandbox* sandbox);
  void ScheduleReap();

  boost::asio::io_context& io_;
  SandboxPoolOptions options_;  // endpoint_url set before serving, then immutable
  mutable std::mutex mu_;
  std::map<std::string, Group> groups_;
  int total_ = 0;  // sandboxes started and not yet ended (idle + busy)
  // Every sandbox started, for Stop (a busy sandbox holds its invocation's completion, which
  // holds the sandbox: only ending it breaks that cycle).
  std::vector<std::weak_ptr<Sandbox>> started_;
  bool stopped_ = false;
  boost::asio::steady_timer reap_timer_;
};

}  // namespace tidepool::functions
