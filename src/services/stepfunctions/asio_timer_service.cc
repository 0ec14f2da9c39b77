#include "services/stepfunctions/asio_timer_service.h"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>

namespace tidepool::sfn {

void AsioTimerService::At(int64_t deadline_micros, std::function<void()> fn) {
  auto timer = std::make_shared<boost::asio::steady_timer>(io_);
  int64_t left = std::max<int64_t>(0, deadline_micros - clock_.NowMicros());
  timer->expires_after(std::chrono::microseconds(left));
  timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (!ec) fn();
  });
}

}  // namespace tidepool::sfn
