// Function output -> CloudWatch Logs: the sandboxes' LogSink, bound to the Logs service.
// Lines go to LogsService::Ingest, which buffers them and writes them in batches that no
// invocation waits for (best effort, like AWS's asynchronous log delivery).
#pragma once

#include <utility>
#include <vector>

#include "functions/log_sink.h"
#include "services/logs/logs_service.h"

namespace tidepool::engine {

class FunctionLogs final : public functions::LogSink {
 public:
  explicit FunctionLogs(logs::LogsService& logs) : logs_(logs) {}

  void Write(const functions::LogDestination& to, std::vector<functions::LogLine> lines) override {
    std::vector<logs::IngestedLine> out;
    out.reserve(lines.size());
    for (auto& line : lines) out.push_back({line.timestamp_ms, std::move(line.message)});
    logs_.Ingest(to.account, to.region, to.group, to.stream, std::move(out));
  }

 private:
  logs::LogsService& logs_;
};

}  // namespace tidepool::engine
