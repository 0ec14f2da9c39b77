// RunLongPollLatency: send -> long-poll receive latency, one sample at a time over two
// keep-alive HTTP/1.1 connections driven by one event loop (so sender and receiver share one
// clock). Per sample: the receiver writes ReceiveMessage (WaitTimeSeconds 20); `park` later the
// sender writes the trigger (SendMessage or Publish); the latency runs from just before the
// trigger is written to the moment the receive's reply has been read. Then the message is
// deleted (on the sender's connection) and the next sample starts.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "closed_loop_driver.h"
#include "long_poll_workload.h"

namespace tidepool::bench {

struct LongPollRunOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  size_t samples = 2000;        // measured samples
  size_t warmup_samples = 200;  // run first, not measured
  // Between the receive being written and the trigger being written: time for the server to
  // park the receive, so that the sample measures a wake-up, not a receive finding a message.
  std::chrono::microseconds park{1000};
};

// The result's `requests` is the number of measured samples, `seconds` the time they took
// (including park delays and deletes), `latency_us` the samples. The first anomaly (transport
// error, non-200 reply, a receive answered before its trigger or without that sample's
// message) is counted in `errors`, described in `first_error`, and ends the run.
RunResult RunLongPollLatency(const LongPollRunOptions& options, LongPollWorkload& workload);

}  // namespace tidepool::bench
