// LatencyRecorder: request latencies of one benchmark run, in microseconds.
// Not thread-safe: one recorder belongs to one event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tidepool::bench {

class LatencyRecorder {
 public:
  void Record(uint64_t micros) {
    samples_.push_back(micros);
    sorted_ = false;
  }
  size_t count() const { return samples_.size(); }

  // The q-quantile (0 <= q <= 1, nearest rank) in microseconds; 0 when empty. Sorts lazily.
  uint64_t Quantile(double q);
  uint64_t Max();

 private:
  std::vector<uint64_t> samples_;
  bool sorted_ = false;
};

}  // namespace tidepool::bench
