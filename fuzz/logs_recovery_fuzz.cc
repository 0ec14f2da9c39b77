// Fuzzes CloudWatch Logs' recovery: the input is a store image (storage/store_image.h) of records
// under the Logs key root; the service must recover from it without a crash, skipping what it
// cannot read, then sweep retention and take function output into recovered groups.
// Seeds: real images written by LogsService.AnImageOfEveryKindRecoversAndSeedsTheFuzzer
// (logs_service_test.cc).
#include "recovery_fuzz.h"
#include "services/logs/logs_service.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tidepool::fuzzing::RecoveryFuzzEnv env;
  if (!env.Load(data, size, std::string_view("logs\0", 5))) return 0;
  {
    tidepool::logs::LogsService logs(env.store, env.commits, env.clock, env.io,
                                     tidepool::logs::LogsOptions{});
    if (!logs.Recover().ok()) return 0;
    (void)logs.Health();
    logs.SweepExpired();
    logs.Ingest("123456789012", "us-east-1", "g", "s", {{env.clock.NowMillis(), "line\n"}});
    env.io.poll();
    env.commits.Flush();
  }
  env.io.poll();
  return 0;
}
