// S3Scenarios: `s3-put` (PutObject of --record-bytes bytes, a new key per request) and
// `s3-get` (GetObject of one of 1,000 pre-filled objects of that size), closed loop at each
// concurrency level. Requests are path-style REST requests as an SDK sends them, unsigned
// (tidepool's default auth accepts them; signing is measured by the other scenarios).
// Not thread-safe; one per run.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "closed_loop_driver.h"
#include "setup_client.h"

namespace tidepool::bench {

class S3Scenarios {
 public:
  using Emit = std::function<void(size_t concurrency, RunResult result)>;
  S3Scenarios(RunOptions base, size_t object_bytes, SetupClient& setup)
      : base_(std::move(base)), object_bytes_(object_bytes), setup_(setup) {}

  static bool Knows(std::string_view scenario) {
    return scenario == "s3-put" || scenario == "s3-get";
  }
  void Run(const std::string& scenario, const std::vector<size_t>& concurrency, const Emit& emit);

 private:
  RunOptions base_;
  size_t object_bytes_;
  SetupClient& setup_;
  int buckets_ = 0;
};

}  // namespace tidepool::bench
