#include "messaging_scenarios.h"

#include <unistd.h>

#include <cstdio>

#include "long_poll_driver.h"
#include "long_poll_workload.h"
#include "messaging_setup.h"
#include "sqs_cycle_workload.h"
#include "sqs_send_workload.h"

namespace tidepool::bench {

MessagingScenarios::MessagingScenarios(MessagingOptions options, SignedRequestBuilder& builder,
                                       SetupClient& setup)
    : options_(std::move(options)), builder_(builder), setup_(setup) {}

bool MessagingScenarios::Knows(std::string_view scenario) {
  return scenario == "sqs-send" || scenario == "sqs-cycle" || scenario == "sqs-longpoll-latency" ||
         scenario == "sns-publish-latency";
}

std::string MessagingScenarios::FreshName(const std::string& stem) {
  return "bench-" + stem + "-" + std::to_string(getpid()) + "-" + std::to_string(names_++);
}

void MessagingScenarios::Run(const std::string& scenario, const std::vector<size_t>& concurrency,
                             const Emit& emit) {
  MessagingSetup setup(setup_, builder_);
  if (scenario == "sqs-longpoll-latency" || scenario == "sns-publish-latency") {
    bool sns = scenario == "sns-publish-latency";
    std::string queue_url = setup.EnsureQueue(FreshName(sns ? "sns-lp" : "sqs-lp"));
    std::string topic_arn;
    if (sns) {
      topic_arn = setup.EnsureTopic(FreshName("topic"));
      setup.SubscribeRaw(topic_arn, setup.QueueArn(queue_url));
    }
    LongPollWorkload workload(builder_, queue_url, topic_arn, options_.message_bytes);
    LongPollRunOptions run{options_.host, options_.port, options_.latency_samples,
                           options_.latency_warmup_samples, options_.park};
    emit(1, RunLongPollLatency(run, workload));
    return;
  }
  for (size_t connections : concurrency) {
    RunOptions run{options_.host, options_.port, connections, options_.warmup, options_.duration};
    std::string queue_url =
        setup.EnsureQueue(FreshName(scenario + "-c" + std::to_string(connections)));
    if (scenario == "sqs-send") {
      SqsSendWorkload workload(builder_, queue_url, options_.message_bytes);
      emit(connections, RunClosedLoop(run, workload));
    } else {
      SqsCycleWorkload workload(builder_, queue_url, options_.message_bytes, connections);
      emit(connections, RunClosedLoop(run, workload));
      if (workload.empty_receives() > 0) {
        std::printf("    (%llu receives found no visible message and were repeated)\n",
                    static_cast<unsigned long long>(workload.empty_receives()));
      }
    }
  }
}

}  // namespace tidepool::bench
