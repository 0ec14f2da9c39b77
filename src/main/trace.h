// `tidepool trace`: the per-hop latency distribution of the event flow over the last N seconds,
// from two snapshots of a running tidepool's hop histograms (GET /_tidepool/metrics, whose
// buckets are cumulative: the difference of two snapshots is what happened in between).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace tidepool::cli {

struct TraceOptions {
  std::string endpoint = "http://127.0.0.1:4566";
  std::string id;       // a trace id or X-Ray header: print that trace's timeline instead
  double seconds = 10;  // 0: everything since the server started
  bool json = false;
};

// One histogram of the Prometheus text: le (seconds, +Inf as infinity) -> cumulative count,
// per series ("source=...,hop=...").
using HopBuckets = std::map<std::string, std::map<double, double>>;
// Reads the tidepool_mapping_hop_seconds_bucket lines of `text`; other lines are ignored.
HopBuckets ParseHopBuckets(const std::string& text);
// `later` minus `earlier`, per series and bucket.
HopBuckets Subtract(const HopBuckets& later, const HopBuckets& earlier);
// The q-quantile (0..1) of one series in microseconds: the upper bound of the first bucket whose
// cumulative count reaches q of the total; 0 when empty.
double QuantileMicros(const std::map<double, double>& buckets, double q);

// Prints the table (or JSON); 0, or 2 when the server cannot be asked. With an id: the trace's
// hops in order with the time since the first (or the server's JSON); 1 when the server knows
// no hop of it.
int RunTrace(const TraceOptions& options);

}  // namespace tidepool::cli
