// Fuzzes SNS's recovery: the input is a store image (storage/store_image.h) of records under
// SNS's key root; the service must recover from it without a crash, skipping what it cannot
// read, and the delivery engine must then read back and deliver its outbox (to sinks that
// accept everything).
// Seeds: real images written by SnsRecoveryImageTest (sns_recovery_image_test.cc).
#include "engine/sns_delivery.h"
#include "recovery_fuzz.h"
#include "services/sns/sns_service.h"

namespace {

namespace engine = tidepool::engine;

struct AcceptingSinks final : engine::QueueSink, engine::HttpSink, engine::FunctionSink {
  void Send(std::string_view, engine::QueueMessage, engine::SinkDone done) override {
    done({engine::SinkOutcome::kAccepted, {}});
  }
  void Post(std::string, std::vector<std::pair<std::string, std::string>>, std::string,
            engine::SinkDone done) override {
    done({engine::SinkOutcome::kAccepted, {}});
  }
  void InvokeAsync(std::string_view, std::string, engine::SinkDone done) override {
    done({engine::SinkOutcome::kAccepted, {}});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tidepool::fuzzing::RecoveryFuzzEnv env;
  if (!env.Load(data, size, std::string_view("sns\0", 4))) return 0;
  {
    tidepool::sns::SnsService sns(env.store, env.commits, env.clock, tidepool::sns::SnsOptions{});
    if (!sns.Recover().ok()) return 0;
    (void)sns.Health();
    AcceptingSinks sinks;
    engine::SnsDelivery delivery(sns, sinks, &sinks, &sinks, env.io, engine::SnsDeliveryOptions{});
    if (delivery.Start().ok()) {
      for (int i = 0; i < 8; ++i) env.io.poll();
    }
    delivery.Stop();
    env.commits.Flush();
  }
  env.io.poll();
  return 0;
}
