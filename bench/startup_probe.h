// MeasureStartup: how long `tidepool serve` takes from exec to its ready line, and its
// resident memory once idle. Each run uses a fresh temporary data dir and ends with SIGTERM.
#pragma once

#include <string>
#include <vector>

namespace tidepool::bench {

struct StartupRun {
  double ready_ms = 0;      // fork+exec to the ready line on stdout
  double idle_rss_mib = 0;  // VmRSS from /proc/<pid>/status, `idle_wait_ms` after ready
  int exit_status = -1;     // after SIGTERM; 0 is a clean stop
};

struct StartupOptions {
  std::string binary;
  std::string durability = "memory";
  int runs = 5;
  int server_cpu = -1;  // pin the server to this CPU (sched_setaffinity); -1: no pinning
  int idle_wait_ms = 300;
};

// Throws std::runtime_error when the server cannot be started or never gets ready (20 s).
std::vector<StartupRun> MeasureStartup(const StartupOptions& options);

}  // namespace tidepool::bench
