// TimerService on an io_context: each deadline (microseconds on `clock`) becomes a
// steady_timer armed for the time left, so a callback costs no polling. Thread-safe.
// The io_context must outlive pending timers' handlers (they hold only their own state).
#pragma once

#include <boost/asio/io_context.hpp>

#include "core/clock.h"
#include "services/stepfunctions/task_runner.h"

namespace tidepool::sfn {

class AsioTimerService final : public TimerService {
 public:
  AsioTimerService(boost::asio::io_context& io, const Clock& clock) : io_(io), clock_(clock) {}
  void At(int64_t deadline_micros, std::function<void()> fn) override;

 private:
  boost::asio::io_context& io_;
  const Clock& clock_;
};

}  // namespace tidepool::sfn
