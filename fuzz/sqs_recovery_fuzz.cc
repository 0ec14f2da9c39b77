// Fuzzes SQS's recovery: the input is a store image (storage/store_image.h) of records under
// SQS's key root; the service must recover from it without a crash, skipping what it cannot
// read, and then run its timers (move tasks, the retention sweep) over what it recovered.
// Seeds: real images written by SqsRecoveryImageTest (sqs_recovery_image_test.cc).
#include <chrono>

#include "recovery_fuzz.h"
#include "services/sqs/sqs_service.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tidepool::fuzzing::RecoveryFuzzEnv env;
  if (!env.Load(data, size, std::string_view("sqs\0", 4))) return 0;
  tidepool::sqs::SqsOptions options;
  options.move_task_step = std::chrono::milliseconds(1);
  options.retention_sweep_interval = std::chrono::milliseconds(0);
  {
    tidepool::sqs::SqsService sqs(env.store, env.commits, env.clock, env.io, options);
    if (!sqs.Recover().ok()) return 0;
    (void)sqs.Health();
    for (int i = 0; i < 4; ++i) env.io.poll();
    env.clock.AdvanceSeconds(15 * 86400);
    (void)sqs.SweepExpiredMessages();
    for (int i = 0; i < 4; ++i) env.io.poll();
    env.commits.Flush();
  }
  env.io.poll();
  return 0;
}
