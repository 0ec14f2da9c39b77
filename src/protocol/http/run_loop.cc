#include "protocol/http/run_loop.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace tidepool::protocol::http {

void RunWithSpin(boost::asio::io_context& io, std::chrono::microseconds spin) {
  if (spin.count() <= 0) {
    io.run();
    return;
  }
  using Clock = std::chrono::steady_clock;
  while (io.run_one() > 0) {  // blocks until a handler ran; 0 once io is stopped
    Clock::time_point until = Clock::now() + spin;
    while (!io.stopped()) {
      if (io.poll() > 0) {
        until = Clock::now() + spin;
      } else if (Clock::now() >= until) {
        break;
      } else {
#if defined(__x86_64__)
        _mm_pause();
#endif
      }
    }
  }
}

}  // namespace tidepool::protocol::http
