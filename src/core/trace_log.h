// TraceLog: the hops one event took, by X-Ray trace id, for `tidepool trace ID`.
//
// A trace id comes from the first write's X-Amzn-Trace-Id header (or, for a write without one,
// from the first function invocation, which creates it) and follows the event: SQS keeps it as
// the AWSTraceHeader system attribute, SNS deliveries and Lambda invocations carry it, functions
// get it as _X_AMZN_TRACE_ID and their SDK calls send it onward. Each hop stamps its time here.
// Kinesis records do not store a trace: Remember/Recall associate a record with its trace for
// the mapping that delivers it (in memory; a restart forgets them).
//
// Bounded: the newest kMaxStamps stamps and kMaxRemembered associations are kept, older ones
// dropped. In memory only: a diagnostic, not data. One process-wide log, like the logger.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tidepool {

struct TraceStamp {
  int64_t micros = 0;  // wall clock, epoch microseconds
  std::string hop;     // "kinesis.put", "lambda.start", ...
  std::string detail;  // what the hop was about (a stream, a function, a queue)
};

// The Remember key of a record of a stream (Kinesis: the stream ARN and sequence number).
inline std::string RecordTraceKey(std::string_view source_arn, std::string_view record_id) {
  std::string key(source_arn);
  key += '#';
  key += record_id;
  return key;
}

// A new X-Ray trace id field, `Root=1-<8 hex digits of epoch seconds>-<24 random hex digits>`:
// what starts a trace for an event that came without one. Thread-safe.
std::string NewTraceRoot();

class TraceLog {
 public:
  static constexpr size_t kMaxStamps = 50'000;
  static constexpr size_t kMaxRemembered = 200'000;

  static TraceLog& Global();

  // The trace id of an X-Ray trace header: its Root ("Root=1-5e1b...;Parent=...;Sampled=1"
  // gives "1-5e1b..."), or the header itself when it has no Root field.
  static std::string_view IdOf(std::string_view header);

  // Stamps `hop` for the trace of `header` now; nothing for an empty header.
  void Stamp(std::string_view header, std::string_view hop, std::string_view detail);
  // The stamps of trace `id` (an id or a whole header), oldest first.
  std::vector<TraceStamp> Timeline(std::string_view id) const;

  void Remember(std::string key, std::string_view header);
  // The header remembered for `key`, or empty.
  std::string Recall(std::string_view key) const;

 private:
  struct Entry {
    std::string id;
    TraceStamp stamp;
  };
  mutable std::mutex mu_;
  std::deque<Entry> stamps_;
  std::unordered_map<std::string, std::string> remembered_;
  std::deque<std::string> remembered_order_;
  std::atomic<bool> any_remembered_{false};  // Recall skips the lock until the first Remember
};

}  // namespace tidepool
