#include "latency_recorder.h"

#include <algorithm>
#include <cmath>

namespace tidepool::bench {

uint64_t LatencyRecorder::Quantile(double q) {
  if (samples_.empty()) return 0;
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
  q = std::clamp(q, 0.0, 1.0);
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(samples_.size())));
  return samples_[rank == 0 ? 0 : rank - 1];
}

uint64_t LatencyRecorder::Max() { return Quantile(1.0); }

}  // namespace tidepool::bench
