// Where a sandbox's output goes besides the invocation's `LogType: Tail` log: CloudWatch Logs,
// as AWS's Lambda sends it (group /aws/lambda/<name>, one stream per sandbox). serve.cc binds it
// to the Logs service; a pool without a sink keeps output only for the tail.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tidepool::functions {

struct LogLine {
  int64_t timestamp_ms = 0;  // epoch milliseconds, when the sandbox read the line
  std::string message;       // one line, "\n"-terminated as Lambda's events are
};

struct LogDestination {
  std::string account, region;
  std::string group;   // "/aws/lambda/<function name>"
  std::string stream;  // "YYYY/MM/DD/[<version>]<id>"
};

class LogSink {
 public:
  virtual ~LogSink() = default;
  // Takes lines of one sandbox's output, in order. Called on io threads with the sandbox's
  // lock held: must return at once (no disk, no waiting) and never call into the sandbox.
  virtual void Write(const LogDestination& to, std::vector<LogLine> lines) = 0;
};

}  // namespace tidepool::functions
