// ApiGatewayScenarios: REST API invokes, closed loop at each concurrency level.
//   apigw-mock   GET /mock of a REST API whose method has a MOCK integration (request
//                template {"statusCode": 200}, response template "{}").
//   apigw-proxy  POST /fn with an AWS_PROXY integration to a warm no-op C++ function
//                (apigw_noop_function, built beside tidepool-bench; a fresh function per level so
//                every connection gets its own sandbox, warmed during the warm-up).
// The API layer's added latency is apigw-proxy's p50/p99 minus lambda-invoke's at the same
// concurrency (run both in one invocation). Requests are unsigned path-form invoke URLs
// (/restapis/<id>/bench/_user_request_/...). Not thread-safe; one per run.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "closed_loop_driver.h"
#include "setup_client.h"

namespace tidepool::bench {

class ApiGatewayScenarios {
 public:
  using Emit = std::function<void(size_t concurrency, RunResult result)>;
  ApiGatewayScenarios(RunOptions base, SetupClient& setup)
      : base_(std::move(base)), setup_(setup) {}

  static bool Knows(std::string_view scenario) {
    return scenario == "apigw-mock" || scenario == "apigw-proxy";
  }
  // Throws std::runtime_error when setup fails (or the no-op function binary is missing).
  void Run(const std::string& scenario, const std::vector<size_t>& concurrency, const Emit& emit);

 private:
  // A deployed API (stage "bench") with GET /mock, and POST /fn to `function` when not empty;
  // returns its id.
  std::string CreateApi(const std::string& function);
  std::string CreateFunction();

  RunOptions base_;
  SetupClient& setup_;
  int created_ = 0;
};

}  // namespace tidepool::bench
