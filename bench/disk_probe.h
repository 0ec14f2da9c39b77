// The disk's durable-write latency: what every acknowledged write waits for at least once
// in --durability sync. Appends a small record to a file and fdatasyncs it, like one group
// commit of the write-ahead log, and reports the latency quantiles.
//
// Back to back (gap 0) this is what a busy commit queue sees. With an idle gap between
// samples it is what a lone request waits for (the c=1 latency scenarios): on a virtual
// machine an fdatasync after an idle spell can cost several times as much, so the paced
// figure is the floor under those.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "latency_recorder.h"

namespace tidepool::bench {

struct DiskProbeOptions {
  std::string dir = ".";  // where the probe file is created (and removed)
  size_t samples = 2000;
  size_t record_bytes = 200;
  std::chrono::microseconds gap{0};  // idle time before each sample
};

struct DiskProbeResult {
  LatencyRecorder latency;  // of each fdatasync
  // The calling thread's CPU time (user + system) per write + fdatasync. The server's commit
  // thread pays this on the server's core for every group commit: on a virtual machine it
  // is tens of microseconds, a ceiling on sync-mode throughput that no store design avoids.
  double cpu_us_per_sync = 0;
};

// Throws std::runtime_error when the file cannot be created or written.
DiskProbeResult MeasureFdatasync(const DiskProbeOptions& options);

}  // namespace tidepool::bench
