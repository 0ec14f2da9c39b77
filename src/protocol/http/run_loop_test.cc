#include "protocol/http/run_loop.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <thread>

namespace tidepool::protocol::http {
namespace {

// Handlers posted from another thread all run, whether they arrive while the loop polls or
// after it went to sleep, and io.stop() ends the loop; with and without a spin window.
TEST(RunLoopTest, RunsEveryHandlerAndStopsWithTheContext) {
  for (auto spin : {std::chrono::microseconds(0), std::chrono::microseconds(200)}) {
    boost::asio::io_context io;
    auto guard = boost::asio::make_work_guard(io);
    std::atomic<int> ran{0};
    std::thread loop([&] { RunWithSpin(io, spin); });
    for (int i = 0; i < 2000; ++i) {
      boost::asio::post(io, [&ran] { ran.fetch_add(1); });
      if (i % 500 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // idle gaps
    }
    while (ran.load() < 2000) std::this_thread::yield();
    io.stop();
    loop.join();
    EXPECT_EQ(ran.load(), 2000) << spin.count();
  }
}

TEST(RunLoopTest, ReturnsWhenTheContextRunsOutOfWork) {
  boost::asio::io_context io;
  int ran = 0;
  boost::asio::post(io, [&ran] { ++ran; });
  RunWithSpin(io, std::chrono::microseconds(100));  // no guard: returns once the work is done
  EXPECT_EQ(ran, 1);
}

}  // namespace
}  // namespace tidepool::protocol::http
