// The delivery targets the engine hands messages to. The engine depends on these interfaces;
// `tidepool serve` binds them (QueueSink to SQS through SqsQueueSink, HttpSink to
// BeastHttpSink, FunctionSink to Lambda once it exists).
//
// Contract for every sink: `done` runs exactly once, on any thread (possibly inline), and
// must not be called with a lock of the caller held; kAccepted means the target holds the
// message durably.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidepool::engine {

enum class SinkOutcome {
  kAccepted,     // delivered
  kRetry,        // transient failure: try again later
  kGone,         // the target does not exist (queue deleted...)
  kRejected,     // the target refuses this message for good (too large, invalid...)
  kUnavailable,  // no such kind of target is running yet: wait without counting an attempt
};

struct SinkResult {
  SinkOutcome outcome = SinkOutcome::kAccepted;
  std::string error;  // for logs
};
using SinkDone = std::function<void(SinkResult)>;

struct QueueAttribute {
  std::string name;
  std::string data_type;
  std::string value;  // string value, or raw bytes when binary
  bool binary = false;
};

struct QueueMessage {
  std::string body;
  std::vector<QueueAttribute> attributes;
  std::string group_id;      // FIFO queues; standard queues keep it (fair queues)
  std::string dedup_id;      // FIFO queues
  std::string trace_header;  // the AWSTraceHeader system attribute, empty for none
  std::string sender_id;     // the SenderId attribute; empty: the queue's account
};

class QueueSink {
 public:
  virtual ~QueueSink() = default;
  virtual void Send(std::string_view queue_arn, QueueMessage message, SinkDone done) = 0;
};

class HttpSink {
 public:
  virtual ~HttpSink() = default;
  // POSTs `body` to `url`; a 2xx answer is kAccepted, anything else kRetry.
  virtual void Post(std::string url, std::vector<std::pair<std::string, std::string>> headers,
                    std::string body, SinkDone done) = 0;
};

class FunctionSink {
 public:
  virtual ~FunctionSink() = default;
  // An asynchronous (InvocationType=Event) invocation of `function_arn` with `payload`.
  virtual void InvokeAsync(std::string_view function_arn, std::string payload, SinkDone done) = 0;
  // The same, continuing the X-Ray trace `trace_header` (empty: none). Sinks that keep no trace
  // ignore it.
  virtual void InvokeAsyncTraced(std::string_view function_arn, std::string payload,
                                 std::string trace_header, SinkDone done) {
    InvokeAsync(function_arn, std::move(payload), std::move(done));
  }
};

}  // namespace tidepool::engine
