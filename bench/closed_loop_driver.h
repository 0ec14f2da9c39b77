// RunClosedLoop: drives N keep-alive HTTP/1.1 connections from one event loop; each connection
// sends its next request as soon as the previous reply has arrived (a closed loop).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "latency_recorder.h"
#include "workload.h"

namespace tidepool::bench {

struct RunOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  size_t concurrency = 1;
  // Replies completed during warm-up are not counted. The measured window is
  // [warm-up end, warm-up end + duration]; a run also ends once every connection is done.
  std::chrono::milliseconds warmup{300};
  std::chrono::milliseconds duration{3000};
};

struct RunResult {
  uint64_t requests = 0;  // 200 replies completed in the window
  uint64_t records = 0;   // records those replies account for
  uint64_t errors = 0;    // non-200 replies and transport errors, in or out of the window
  double seconds = 0;     // length of the window actually used
  LatencyRecorder latency_us;
  std::string first_error;
};

RunResult RunClosedLoop(const RunOptions& options, Workload& workload);

}  // namespace tidepool::bench
