// Memory of a sandbox's process, read from /proc/<pid>/status through a descriptor kept open for
// the process's life (pread at offset 0 regenerates the file: a few microseconds, cheap enough
// for every invocation).
//
// VmHWM is the kernel's high-water mark of the process's resident set since its last exec:
// a spike between two reads is never missed. Only the process itself is measured, not children
// a `bootstrap` may start without exec (docs/differences.md).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace tidepool::functions {

struct ProcessMemory {
  uint64_t rss_kb = 0;   // VmRSS: resident now
  uint64_t peak_kb = 0;  // VmHWM: the most ever resident
};

// Parses the VmRSS and VmHWM lines of a /proc/<pid>/status text; nullopt when either is missing
// (a zombie has neither).
std::optional<ProcessMemory> ParseProcStatus(std::string_view status);

class ProcessMemoryReader {
 public:
  ProcessMemoryReader() = default;
  ~ProcessMemoryReader();
  ProcessMemoryReader(const ProcessMemoryReader&) = delete;
  ProcessMemoryReader& operator=(const ProcessMemoryReader&) = delete;

  // Opens /proc/<pid>/status; false when it cannot (then Read answers nullopt).
  bool Open(pid_t pid);
  void Close();
  std::optional<ProcessMemory> Read() const;

 private:
  int fd_ = -1;
};

}  // namespace tidepool::functions
