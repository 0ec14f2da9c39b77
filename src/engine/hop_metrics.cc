#include "engine/hop_metrics.h"

#include <algorithm>

#include <fmt/format.h>

#include <cmath>

namespace tidepool::engine {

namespace {

double UpperMicros(int bucket) { return std::exp2(static_cast<double>(bucket) / 8.0); }

constexpr std::string_view kSourceNames[] = {"kinesis", "dynamodb", "sqs"};
constexpr std::string_view kHopNames[] = {"write_to_wake", "wake_to_invoke", "invoke_to_start",
                                          "function", "write_to_start"};

}  // namespace

void LatencyHistogram::Record(std::chrono::nanoseconds d) {
  const double us = std::max(1.0, static_cast<double>(d.count()) / 1000.0);
  int bucket = static_cast<int>(std::ceil(std::log2(us) * 8.0));
  bucket = std::clamp(bucket, 0, kBuckets - 1);
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(us), std::memory_order_relaxed);
}

double LatencyHistogram::QuantileMicros(double q) const {
  const uint64_t n = count();
  if (n == 0) return 0;
  const auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(n)));
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += buckets_[b].load(std::memory_order_relaxed);
    if (seen >= std::max<uint64_t>(rank, 1)) return UpperMicros(b);
  }
  return UpperMicros(kBuckets - 1);
}

double LatencyHistogram::MaxMicros() const {
  for (int b = kBuckets - 1; b >= 0; --b) {
    if (buckets_[b].load(std::memory_order_relaxed) > 0) return UpperMicros(b);
  }
  return 0;
}

void LatencyHistogram::AppendPrometheus(std::string* out, std::string_view name,
                                        std::string_view labels) const {
  // A readable subset of the buckets: every 8th (powers of two, 1 us .. 2^32 us).
  uint64_t cumulative = 0;
  for (int b = 0; b < kBuckets; ++b) {
    cumulative += buckets_[b].load(std::memory_order_relaxed);
    if (b % 8 == 0) {
      fmt::format_to(std::back_inserter(*out), "{}_bucket{{{},le=\"{:g}\"}} {}\n", name, labels,
                     UpperMicros(b) / 1e6, cumulative);
    }
  }
  fmt::format_to(std::back_inserter(*out), "{}_bucket{{{},le=\"+Inf\"}} {}\n", name, labels,
                 count());
  fmt::format_to(std::back_inserter(*out), "{}_sum{{{}}} {:g}\n", name, labels,
                 static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6);
  fmt::format_to(std::back_inserter(*out), "{}_count{{{}}} {}\n", name, labels, count());
}

void MappingMetrics::RecordInvoke(int source, const functions::InvokeOutcome& outcome,
                                  std::chrono::steady_clock::time_point written,
                                  std::chrono::steady_clock::time_point invoked) {
  if (outcome.delivered_at == std::chrono::steady_clock::time_point{}) return;
  hop(source, Hop::kInvokeToStart).Record(outcome.delivered_at - invoked);
  hop(source, Hop::kFunction).Record(std::chrono::steady_clock::now() - outcome.delivered_at);
  if (written != std::chrono::steady_clock::time_point{}) {
    hop(source, Hop::kWriteToStart).Record(outcome.delivered_at - written);
  }
}

void MappingMetrics::SetIteratorAge(const std::string& mapping, const std::string& shard,
                                    int64_t age_ms) {
  std::lock_guard lock(gauges_mu_);
  iterator_age_ms_[{mapping, shard}] = std::max<int64_t>(age_ms, 0);
}

void MappingMetrics::ForgetIteratorAges(const std::string& mapping) {
  std::lock_guard lock(gauges_mu_);
  auto it = iterator_age_ms_.lower_bound({mapping, ""});
  while (it != iterator_age_ms_.end() && it->first.first == mapping) {
    it = iterator_age_ms_.erase(it);
  }
}

constexpr std::string_view kSnsProtocolNames[] = {"sqs", "lambda", "http"};

int MappingMetrics::SnsProtocolIndex(std::string_view protocol) {
  if (protocol == "sqs") return 0;
  if (protocol == "lambda") return 1;
  return 2;
}

std::string MappingMetrics::Json() const {
  std::string out = "{";
  {
    std::lock_guard lock(gauges_mu_);
    out += "\"iterator_age_ms\":{";
    const std::string* current = nullptr;
    bool first_shard = true;
    for (const auto& [key, age] : iterator_age_ms_) {
      if (current == nullptr || key.first != *current) {
        if (current != nullptr) out += "},";
        fmt::format_to(std::back_inserter(out), "\"{}\":{{", key.first);
        current = &key.first;
        first_shard = true;
      }
      fmt::format_to(std::back_inserter(out), "{}\"{}\":{}", first_shard ? "" : ",", key.second,
                     age);
      first_shard = false;
    }
    if (current != nullptr) out += "}";
    out += "},";
  }
  for (int s = 0; s < kSources; ++s) {
    fmt::format_to(std::back_inserter(out), "{}\"{}\":{{", s == 0 ? "" : ",", kSourceNames[s]);
    for (int h = 0; h < static_cast<int>(Hop::kCount); ++h) {
      const LatencyHistogram& l = hops[s][h];
      fmt::format_to(std::back_inserter(out),
                     "\"{}\":{{\"count\":{},\"p50_us\":{:.1f},\"p90_us\":{:.1f},"
                     "\"p99_us\":{:.1f},\"max_us\":{:.1f}}},",
                     kHopNames[h], l.count(), l.QuantileMicros(0.5), l.QuantileMicros(0.9),
                     l.QuantileMicros(0.99), l.MaxMicros());
    }
    const Outcomes& o = outcomes[s];
    fmt::format_to(std::back_inserter(out),
                   "\"records\":{{\"delivered\":{},\"retried\":{},\"on_failure\":{},"
                   "\"dropped\":{},\"filtered\":{},\"expired\":{}}}}}",
                   o.delivered.load(), o.retried.load(), o.on_failure.load(), o.dropped.load(),
                   o.filtered.load(), o.expired.load());
  }
  out += ",\"sns_publish_to_delivery\":{";
  for (int p = 0; p < kSnsProtocols; ++p) {
    const LatencyHistogram& l = sns_publish_to_delivery[p];
    fmt::format_to(std::back_inserter(out),
                   "{}\"{}\":{{\"count\":{},\"p50_us\":{:.1f},\"p90_us\":{:.1f},"
                   "\"p99_us\":{:.1f},\"max_us\":{:.1f}}}",
                   p == 0 ? "" : ",", kSnsProtocolNames[p], l.count(), l.QuantileMicros(0.5),
                   l.QuantileMicros(0.9), l.QuantileMicros(0.99), l.MaxMicros());
  }
  out += "}}";
  return out;
}

std::string MappingMetrics::Prometheus() const {
  std::string out;
  out += "# HELP tidepool_mapping_hop_seconds Event source mapping latency per hop.\n";
  out += "# TYPE tidepool_mapping_hop_seconds histogram\n";
  for (int s = 0; s < kSources; ++s) {
    for (int h = 0; h < static_cast<int>(Hop::kCount); ++h) {
      if (hops[s][h].count() == 0) continue;
      hops[s][h].AppendPrometheus(
          &out, "tidepool_mapping_hop_seconds",
          fmt::format("source=\"{}\",hop=\"{}\"", kSourceNames[s], kHopNames[h]));
    }
  }
  out +=
      "# HELP tidepool_sns_publish_to_delivery_seconds SNS Publish -> the subscription's target "
      "accepted the message.\n";
  out += "# TYPE tidepool_sns_publish_to_delivery_seconds histogram\n";
  for (int p = 0; p < kSnsProtocols; ++p) {
    if (sns_publish_to_delivery[p].count() == 0) continue;
    sns_publish_to_delivery[p].AppendPrometheus(
        &out, "tidepool_sns_publish_to_delivery_seconds",
        fmt::format("protocol=\"{}\"", kSnsProtocolNames[p]));
  }
  out += "# HELP tidepool_mapping_records_total Records and messages by outcome.\n";
  out += "# TYPE tidepool_mapping_records_total counter\n";
  for (int s = 0; s < kSources; ++s) {
    const Outcomes& o = outcomes[s];
    const std::pair<std::string_view, uint64_t> rows[] = {
        {"delivered", o.delivered.load()},   {"retried", o.retried.load()},
        {"on_failure", o.on_failure.load()}, {"dropped", o.dropped.load()},
        {"filtered", o.filtered.load()},     {"expired", o.expired.load()}};
    for (const auto& [name, n] : rows) {
      fmt::format_to(std::back_inserter(out),
                     "tidepool_mapping_records_total{{source=\"{}\",outcome=\"{}\"}} {}\n",
                     kSourceNames[s], name, n);
    }
  }
  out +=
      "# HELP tidepool_mapping_iterator_age_milliseconds Age of the last record a stream "
      "mapping read, per shard (AWS's IteratorAge).\n";
  out += "# TYPE tidepool_mapping_iterator_age_milliseconds gauge\n";
  std::lock_guard lock(gauges_mu_);
  for (const auto& [key, age] : iterator_age_ms_) {
    fmt::format_to(std::back_inserter(out),
                   "tidepool_mapping_iterator_age_milliseconds{{mapping=\"{}\",shard=\"{}\"}} {}\n",
                   key.first, key.second, age);
  }
  return out;
}

}  // namespace tidepool::engine
