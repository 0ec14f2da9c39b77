#include "main/trace.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <limits>
#include <string_view>
#include <thread>

#include "main/local_http.h"

namespace tidepool::cli {

namespace {

constexpr std::string_view kBucketPrefix = "tidepool_mapping_hop_seconds_bucket{";

}  // namespace

HopBuckets ParseHopBuckets(const std::string& text) {
  HopBuckets out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (line.substr(0, kBucketPrefix.size()) != kBucketPrefix) continue;
    const size_t close = line.find('}');
    const size_t le = line.find(",le=\"");
    if (close == std::string_view::npos || le == std::string_view::npos || le > close) continue;
    std::string series(line.substr(kBucketPrefix.size(), le - kBucketPrefix.size()));
    std::string bound(line.substr(le + 5, close - le - 6));
    std::string count(line.substr(close + 1));
    try {
      double b = bound == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(bound);
      out[series][b] = std::stod(count);
    } catch (const std::exception&) {
      continue;  // not a number: not a line of ours
    }
  }
  return out;
}

HopBuckets Subtract(const HopBuckets& later, const HopBuckets& earlier) {
  HopBuckets out;
  for (const auto& [series, buckets] : later) {
    auto before = earlier.find(series);
    for (const auto& [le, n] : buckets) {
      double old = 0;
      if (before != earlier.end()) {
        auto it = before->second.find(le);
        if (it != before->second.end()) old = it->second;
      }
      out[series][le] = n - old;
    }
  }
  return out;
}

double QuantileMicros(const std::map<double, double>& buckets, double q) {
  if (buckets.empty()) return 0;
  const double total = buckets.rbegin()->second;  // +Inf: every sample
  if (total <= 0) return 0;
  double last_finite = 0;
  for (const auto& [le, n] : buckets) {
    if (le != std::numeric_limits<double>::infinity()) last_finite = le;
    if (n >= q * total) {
      return (le == std::numeric_limits<double>::infinity() ? last_finite : le) * 1e6;
    }
  }
  return last_finite * 1e6;
}

int RunTrace(const TraceOptions& options) {
  HopBuckets earlier;
  if (options.seconds > 0) {
    auto first = LocalGet(options.endpoint, "/_tidepool/metrics");
    if (!first.ok() || first->status != 200) {
      std::fprintf(stderr, "tidepool trace: %s\n",
                   first.ok() ? first->body.c_str() : first.status().message().c_str());
      return 2;
    }
    earlier = ParseHopBuckets(first->body);
    std::this_thread::sleep_for(std::chrono::duration<double>(options.seconds));
  }
  auto second = LocalGet(options.endpoint, "/_tidepool/metrics");
  if (!second.ok() || second->status != 200) {
    std::fprintf(stderr, "tidepool trace: %s\n",
                 second.ok() ? second->body.c_str() : second.status().message().c_str());
    return 2;
  }
  HopBuckets window = Subtract(ParseHopBuckets(second->body), earlier);
  std::string out;
  if (options.json) out += "{";
  bool first_row = true;
  if (!options.json) {
    out += fmt::format("{:<44} {:>9} {:>10} {:>10} {:>10} {:>10}\n", "hop", "count", "p50 us",
                       "p90 us", "p99 us", "max us");
  }
  for (const auto& [series, buckets] : window) {
    const double count = buckets.empty() ? 0 : buckets.rbegin()->second;
    if (count <= 0) continue;
    const double p50 = QuantileMicros(buckets, 0.5), p90 = QuantileMicros(buckets, 0.9),
                 p99 = QuantileMicros(buckets, 0.99), max = QuantileMicros(buckets, 1.0);
    if (options.json) {
      std::string key = series;
      for (char& c : key) c = c == '"' ? '\'' : c;
      out += fmt::format(
          "{}\"{}\":{{\"count\":{:.0f},\"p50_us\":{:.1f},\"p90_us\":{:.1f},\"p99_us\":{:.1f},"
          "\"max_us\":{:.1f}}}",
          first_row ? "" : ",", key, count, p50, p90, p99, max);
    } else {
      out += fmt::format("{:<44} {:>9.0f} {:>10.1f} {:>10.1f} {:>10.1f} {:>10.1f}\n", series, count,
                         p50, p90, p99, max);
    }
    first_row = false;
  }
  if (options.json) {
    out += "}\n";
  } else if (first_row) {
    out += options.seconds > 0
               ? fmt::format("no event reached a function in the last {} s\n", options.seconds)
               : std::string("no event has reached a function yet\n");
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace tidepool::cli
