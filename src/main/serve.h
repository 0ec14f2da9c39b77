// `tidepool serve`: wires the layers together and runs the server until SIGINT/SIGTERM.
#pragma once

#include <cstdint>
#include <string>

namespace tidepool::cli {

constexpr int kMemorySpinUs = 50;

struct ServeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  std::string data_dir = "./.tidepool";
  std::string durability = "sync";  // sync | async | memory
  std::string account = "000000000000";
  std::string region = "us-east-1";
  std::string log_level = "info";
  std::string auth = "accept";  // accept | strict
  std::string credentials_file;
  int threads = 0;  // 0: one per CPU this process may run on
  // Microseconds an I/O thread keeps polling after handlers ran before it sleeps (see
  // protocol/http/run_loop.h); 0 sleeps at once; -1: kMemorySpinUs with --durability memory,
  // else 0.
  int spin_us = -1;
  bool kinesis_throttle = false;
  int64_t kinesis_status_delay_ms = 0;
  // Lambda sandboxes (function processes) running at once, all functions together; 0: sized to
  // the machine (4 per usable CPU, at least 16).
  int lambda_max_sandboxes = 0;
  // python3.* sandboxes are forks of one started interpreter (functions/python_zygote.h).
  bool lambda_python_zygote = true;
  // An AWS delay of 1 s takes time_scale seconds: Step Functions Wait and Retry intervals and
  // timeouts, Lambda async retries, DynamoDB stream retention and shard iterator lifetime.
  double time_scale = 1.0;
};

// Runs the server in the foreground. Prints "tidepool listening on http://HOST:PORT" on stdout
// once it accepts requests. Returns the process exit code: 0 after a graceful stop, 1 when
// start-up fails (the reason is logged to stderr).
int RunServe(const ServeOptions& options);

}  // namespace tidepool::cli
