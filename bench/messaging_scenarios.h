// MessagingScenarios: the SQS and SNS scenarios of `tidepool-bench load`, each with its own
// fresh queue (and topic) so that runs do not see each other's messages:
//   sqs-send              SendMessage closed loop (RunClosedLoop), one run per concurrency
//   sqs-cycle             send -> receive -> delete cycles, one run per concurrency
//   sqs-longpoll-latency  SendMessage -> parked long-poll receive (RunLongPollLatency), once
//   sns-publish-latency   Publish -> raw delivery to a subscribed queue's parked long poll, once
// Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "closed_loop_driver.h"
#include "setup_client.h"
#include "signed_request_builder.h"

namespace tidepool::bench {

struct MessagingOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  std::chrono::milliseconds warmup{300};
  std::chrono::milliseconds duration{3000};
  size_t message_bytes = 100;
  size_t latency_samples = 2000;
  size_t latency_warmup_samples = 200;
  std::chrono::microseconds park{1000};
};

class MessagingScenarios {
 public:
  // Receives each finished run: its concurrency (1 for the latency scenarios) and result.
  using Emit = std::function<void(size_t concurrency, RunResult result)>;

  // `builder` and `setup` are borrowed and must outlive this object.
  MessagingScenarios(MessagingOptions options, SignedRequestBuilder& builder, SetupClient& setup);

  static bool Knows(std::string_view scenario);
  // Runs `scenario` (one Knows accepts) at each level of `concurrency`, or once for a latency
  // scenario. Throws std::runtime_error when its setup fails.
  void Run(const std::string& scenario, const std::vector<size_t>& concurrency, const Emit& emit);

 private:
  // A name unique to this process and call, so that reruns against one server start afresh.
  std::string FreshName(const std::string& stem);

  MessagingOptions options_;
  SignedRequestBuilder& builder_;
  SetupClient& setup_;
  uint64_t names_ = 0;
};

}  // namespace tidepool::bench
