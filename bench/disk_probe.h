// The disk's durable-write latency: what every acknowledged write waits for at least once
// in --durability sync. Appends a small record to a file and fdatasyncs it, like one group
// commit of the write-ahead log, and reports the latency quantiles.
#pragma once

#include <cstddef>
#include <string>

#include "latency_recorder.h"

namespace tidepool::bench {

struct DiskProbeOptions {
  std::string dir = ".";  // where the probe file is created (and removed)
  size_t samples = 2000;
  size_t record_bytes = 200;
};

// Throws std::runtime_error when the file cannot be created or written.
LatencyRecorder MeasureFdatasync(const DiskProbeOptions& options);

}  // namespace tidepool::bench
