// TokenBucket: a rate limiter holding at most `capacity` tokens, refilled at `rate` tokens
// per second of Clock time. Not thread-safe: the owner (a shard) guards it with its lock.
#pragma once

#include <algorithm>
#include <cstdint>

namespace tidepool::kinesis {

class TokenBucket {
 public:
  // True and takes `n` tokens when that many are available at `now_micros`; otherwise false
  // and takes nothing. A bucket starts full.
  bool TryTake(double n, double rate, double capacity, int64_t now_micros) {
    if (last_micros_ == 0) {
      tokens_ = capacity;
    } else if (now_micros > last_micros_) {
      tokens_ =
          std::min(capacity, tokens_ + rate * static_cast<double>(now_micros - last_micros_) / 1e6);
    }
    last_micros_ = std::max(last_micros_, now_micros);
    if (tokens_ < n) return false;
    tokens_ -= n;
    return true;
  }

 private:
  double tokens_ = 0;
  int64_t last_micros_ = 0;
};

}  // namespace tidepool::kinesis
