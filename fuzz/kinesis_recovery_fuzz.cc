// Fuzzes Kinesis's recovery: the input is a store image (storage/store_image.h) of records
// under Kinesis's key root; the service must recover from it without a crash or a hang,
// skipping what it cannot read, and then trim expired records from what it recovered.
// Seeds: real images written by KinesisRecoveryImageTest (kinesis_recovery_image_test.cc).
#include <chrono>

#include "recovery_fuzz.h"
#include "services/kinesis/kinesis_service.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tidepool::fuzzing::RecoveryFuzzEnv env;
  if (!env.Load(data, size, std::string_view("kinesis\0", 8))) return 0;
  tidepool::kinesis::KinesisOptions options;
  options.trim_interval = std::chrono::milliseconds(0);
  {
    tidepool::kinesis::KinesisService kinesis(env.store, env.commits, env.clock, env.io, options);
    if (!kinesis.Recover().ok()) return 0;
    (void)kinesis.Health();
    env.clock.AdvanceSeconds(400 * 86400);
    (void)kinesis.TrimExpiredRecords();
    for (int i = 0; i < 4; ++i) env.io.poll();
    env.commits.Flush();
  }
  env.io.poll();
  return 0;
}
