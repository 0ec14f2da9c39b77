#include "disk_probe.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace tidepool::bench {

namespace {

// This thread's user + system CPU time so far.
std::chrono::microseconds ThreadCpu() {
  rusage usage{};
  ::getrusage(RUSAGE_THREAD, &usage);
  return std::chrono::seconds(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         std::chrono::microseconds(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

}  // namespace

DiskProbeResult MeasureFdatasync(const DiskProbeOptions& options) {
  const std::string path = options.dir + "/tidepool-bench-fsync-probe";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  const std::string record(options.record_bytes, 'r');
  DiskProbeResult result;
  LatencyRecorder& latency = result.latency;
  std::string error;
  std::chrono::microseconds cpu{0};
  for (size_t i = 0; i < options.samples && error.empty(); ++i) {
    if (options.gap.count() > 0) std::this_thread::sleep_for(options.gap);
    const auto cpu_start = ThreadCpu();
    if (::write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size())) {
      error = std::string("write: ") + std::strerror(errno);
      break;
    }
    const auto start = std::chrono::steady_clock::now();
    if (::fdatasync(fd) != 0) error = std::string("fdatasync: ") + std::strerror(errno);
    latency.Record(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                             std::chrono::steady_clock::now() - start)
                                             .count()));
    cpu += ThreadCpu() - cpu_start;
  }
  ::close(fd);
  ::unlink(path.c_str());
  if (!error.empty()) throw std::runtime_error(path + ": " + error);
  if (latency.count() > 0) {
    result.cpu_us_per_sync =
        static_cast<double>(cpu.count()) / static_cast<double>(latency.count());
  }
  return result;
}

}  // namespace tidepool::bench
