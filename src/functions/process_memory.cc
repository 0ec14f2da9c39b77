#include "functions/process_memory.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <string>

namespace tidepool::functions {
namespace {

// The number of kB on the line that starts with `key` ("VmRSS:\t  1234 kB").
std::optional<uint64_t> Field(std::string_view status, std::string_view key) {
  size_t at = 0;
  while (at < status.size()) {
    size_t end = status.find('\n', at);
    if (end == std::string_view::npos) end = status.size();
    std::string_view line = status.substr(at, end - at);
    if (line.substr(0, key.size()) == key) {
      line.remove_prefix(key.size());
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      uint64_t kb = 0;
      auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), kb);
      if (ec != std::errc() || ptr == line.data()) return std::nullopt;
      return kb;
    }
    at = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ProcessMemory> ParseProcStatus(std::string_view status) {
  auto rss = Field(status, "VmRSS:");
  auto peak = Field(status, "VmHWM:");
  if (!rss || !peak) return std::nullopt;
  return ProcessMemory{*rss, *peak};
}

ProcessMemoryReader::~ProcessMemoryReader() { Close(); }

bool ProcessMemoryReader::Open(pid_t pid) {
  Close();
  std::string path = "/proc/" + std::to_string(pid) + "/status";
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  return fd_ >= 0;
}

void ProcessMemoryReader::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::optional<ProcessMemory> ProcessMemoryReader::Read() const {
  if (fd_ < 0) return std::nullopt;
  char buf[4096];
  ssize_t n = ::pread(fd_, buf, sizeof buf, 0);
  if (n <= 0) return std::nullopt;
  return ParseProcStatus(std::string_view(buf, static_cast<size_t>(n)));
}

}  // namespace tidepool::functions
