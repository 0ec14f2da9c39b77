// LambdaScenarios: `lambda-invoke`, a synchronous Invoke (RequestResponse, payload "{}") of a
// warm no-op C++ function (lambda_echo_function, built beside tidepool-bench with the sdk/
// runtime client), closed loop at each concurrency level over the Lambda REST API. The function
// is created from a directory (the hot-reload convention: S3Bucket "hot-reload", S3Key its
// path) holding a copy of that binary as `bootstrap`, with reserved concurrency left unset so
// every connection gets its own sandbox. The warm-up period starts the sandboxes, so the
// figures are warm invokes. Requests are unsigned, as in the S3 scenarios (tidepool's default
// auth accepts them; signing is measured by the JSON-protocol scenarios).
// Not thread-safe; one per run.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "closed_loop_driver.h"
#include "setup_client.h"

namespace tidepool::bench {

class LambdaScenarios {
 public:
  using Emit = std::function<void(size_t concurrency, RunResult result)>;
  LambdaScenarios(RunOptions base, SetupClient& setup) : base_(std::move(base)), setup_(setup) {}

  static bool Knows(std::string_view scenario) { return scenario == "lambda-invoke"; }
  // Throws std::runtime_error when the echo function is missing or cannot be created.
  void Run(const std::string& scenario, const std::vector<size_t>& concurrency, const Emit& emit);

 private:
  // Creates a function from a fresh directory holding the echo binary; returns its name.
  std::string CreateFunction();

  RunOptions base_;
  SetupClient& setup_;
  int functions_ = 0;
};

}  // namespace tidepool::bench
