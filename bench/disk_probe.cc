#include "disk_probe.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace tidepool::bench {

LatencyRecorder MeasureFdatasync(const DiskProbeOptions& options) {
  const std::string path = options.dir + "/tidepool-bench-fsync-probe";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  const std::string record(options.record_bytes, 'r');
  LatencyRecorder latency;
  std::string error;
  for (size_t i = 0; i < options.samples && error.empty(); ++i) {
    if (options.gap.count() > 0) std::this_thread::sleep_for(options.gap);
    if (::write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size())) {
      error = std::string("write: ") + std::strerror(errno);
      break;
    }
    const auto start = std::chrono::steady_clock::now();
    if (::fdatasync(fd) != 0) error = std::string("fdatasync: ") + std::strerror(errno);
    latency.Record(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                             std::chrono::steady_clock::now() - start)
                                             .count()));
  }
  ::close(fd);
  ::unlink(path.c_str());
  if (!error.empty()) throw std::runtime_error(path + ": " + error);
  return latency;
}

}  // namespace tidepool::bench
