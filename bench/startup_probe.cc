#include "startup_probe.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace tidepool::bench {

namespace {

using Clock = std::chrono::steady_clock;

double ReadVmRssMib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

StartupRun MeasureOnce(const StartupOptions& options) {
  char dir_template[] = "/tmp/tidepool-bench-XXXXXX";
  if (mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
  std::string data_dir = std::string(dir_template) + "/data";

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  Clock::time_point started = Clock::now();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (options.server_cpu >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(options.server_cpu, &set);
      sched_setaffinity(0, sizeof(set), &set);
    }
    dup2(out[1], STDOUT_FILENO);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, STDERR_FILENO);
    execl(options.binary.c_str(), options.binary.c_str(), "serve", "--port", "0", "--data-dir",
          data_dir.c_str(), "--durability", options.durability.c_str(), "--log-level", "warn",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);

  StartupRun run;
  std::string seen;
  bool ready = false;
  auto deadline = started + std::chrono::seconds(20);
  while (!ready && Clock::now() < deadline) {
    pollfd pfd{out[0], POLLIN, 0};
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (poll(&pfd, 1, std::max(left, 1)) <= 0) continue;
    char buf[512];
    ssize_t n = read(out[0], buf, sizeof(buf));
    if (n <= 0) break;
    seen.append(buf, static_cast<size_t>(n));
    if (seen.find("tidepool listening on ") != std::string::npos &&
        seen.find('\n', seen.find("tidepool listening on ")) != std::string::npos) {
      run.ready_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
      ready = true;
    }
  }
  if (ready) {
    std::this_thread::sleep_for(std::chrono::milliseconds(options.idle_wait_ms));
    run.idle_rss_mib = ReadVmRssMib(pid);
  }
  kill(pid, ready ? SIGTERM : SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(out[0]);
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::error_code ignored;
  std::filesystem::remove_all(dir_template, ignored);
  if (!ready) throw std::runtime_error("tidepool never printed its ready line; stdout: " + seen);
  return run;
}

}  // namespace

std::vector<StartupRun> MeasureStartup(const StartupOptions& options) {
  std::vector<StartupRun> runs;
  for (int i = 0; i < options.runs; ++i) runs.push_back(MeasureOnce(options));
  return runs;
}

}  // namespace tidepool::bench
