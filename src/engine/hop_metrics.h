// Per-hop latency histograms and outcome counters of the event flow, for /_tidepool/metrics
// (Prometheus text format) and the benchmarks.
//
// Hops of an event source mapping:
//   write_to_wake     a source's commit (the producer's ack) -> the mapping runs for it
//   wake_to_invoke    -> the batch is handed to the function (reads, batching, filtering)
//   invoke_to_start   -> the function's runtime receives the event (sandbox hand-off)
//   function          -> the function's answer
//   write_to_start    the whole way: ack -> function start (streams: the shard's first
//                     unconsumed wake; queues: the moment the queue hands the message to the
//                     mapping's parked poll, which is the send's commit)
// Thread-safety: Record and the counters are lock-free; snapshots may be taken at any time.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "functions/invoker.h"

namespace tidepool::engine {

// Log-scale buckets of 2^(1/8) (about 9% wide) from 1 us to about 2^32 us (72 minutes).
class LatencyHistogram {
 public:
  static constexpr int kBuckets = 8 * 32 + 1;
  void Record(std::chrono::nanoseconds d);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  // The q-quantile (0..1) in microseconds, from the bucket upper bounds; 0 when empty.
  double QuantileMicros(double q) const;
  double MaxMicros() const;
  // Prometheus histogram lines (`name_bucket{le=...}`, `_sum`, `_count`, seconds) with
  // `labels` (e.g. `source="kinesis"`) on every line.
  void AppendPrometheus(std::string* out, std::string_view name, std::string_view labels) const;

 private:
  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

enum class Hop { kWriteToWake, kWakeToInvoke, kInvokeToStart, kFunction, kWriteToStart, kCount };

// What every mapping reports, per source kind.
struct MappingMetrics {
  static constexpr int kSources = 3;  // lambda::MappingSource
  std::array<std::array<LatencyHistogram, static_cast<int>(Hop::kCount)>, kSources> hops;
  // Records (messages) by outcome, per source kind.
  struct Outcomes {
    std::atomic<uint64_t> delivered{0};   // in a batch the function processed
    std::atomic<uint64_t> retried{0};     // in a batch that failed and is tried again
    std::atomic<uint64_t> on_failure{0};  // sent to the on-failure destination
    std::atomic<uint64_t> dropped{0};     // given up with no destination to send them to
    std::atomic<uint64_t> filtered{0};    // matched no filter pattern
    std::atomic<uint64_t> expired{0};     // older than MaximumRecordAgeInSeconds
  };
  std::array<Outcomes, kSources> outcomes;
  // SNS deliveries through the outbox: Publish's commit -> the target accepted the message
  // (an sqs queue stored it, Lambda's async queue took it, an http endpoint answered 2xx),
  // by protocol (SnsProtocolIndex). Deliveries to standard queues that the publish's own
  // commit writes take no time and are not recorded.
  static constexpr int kSnsProtocols = 3;
  std::array<LatencyHistogram, kSnsProtocols> sns_publish_to_delivery;
  static int SnsProtocolIndex(std::string_view protocol);  // sqs 0, lambda 1, http(s) 2

  LatencyHistogram& hop(int source, Hop h) { return hops[source][static_cast<int>(h)]; }
  // AWS's IteratorAge of a stream mapping's shard: the age in milliseconds of the last record
  // of the latest batch read from it.
  void SetIteratorAge(const std::string& mapping, const std::string& shard, int64_t age_ms);
  // Drops a mapping's gauges (it was deleted or its shard ended).
  void ForgetIteratorAges(const std::string& mapping);
  // The hops of one invocation: handed over at `invoked`, for records written (or received)
  // at `written` (the epoch: unknown, not recorded).
  void RecordInvoke(int source, const functions::InvokeOutcome& outcome,
                    std::chrono::steady_clock::time_point written,
                    std::chrono::steady_clock::time_point invoked);
  // The whole report in Prometheus text format.
  std::string Prometheus() const;
  // Per source and hop: count, p50, p90, p99 and max in microseconds; outcome counts (JSON
  // text, for benchmarks and `?format=json`).
  std::string Json() const;

 private:
  mutable std::mutex gauges_mu_;
  std::map<std::pair<std::string, std::string>, int64_t> iterator_age_ms_;  // (mapping, shard)
};

}  // namespace tidepool::engine
