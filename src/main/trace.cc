#include "main/trace.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <limits>
#include <string_view>
#include <thread>

#include "core/trace_log.h"
#include "main/local_http.h"

namespace tidepool::cli {

namespace {

// The histograms `tidepool trace` reads: mapping hops (series `source="..",hop=".."`) and SNS
// deliveries (series `source="sns",hop="publish_to_delivery",protocol=".."`).
constexpr std::string_view kBucketPrefix = "tidepool_mapping_hop_seconds_bucket{";
constexpr std::string_view kSnsBucketPrefix = "tidepool_sns_publish_to_delivery_seconds_bucket{";

}  // namespace

HopBuckets ParseHopBuckets(const std::string& text) {
  HopBuckets out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    const bool sns = line.starts_with(kSnsBucketPrefix);
    if (!sns && !line.starts_with(kBucketPrefix)) continue;
    const size_t prefix = sns ? kSnsBucketPrefix.size() : kBucketPrefix.size();
    const size_t close = line.find('}');
    const size_t le = line.find(",le=\"");
    if (close == std::string_view::npos || le == std::string_view::npos || le > close) continue;
    std::string series(line.substr(prefix, le - prefix));
    if (sns) series = "source=\"sns\",hop=\"publish_to_delivery\"," + series;
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

namespace {

int RunTimeline(const TraceOptions& options) {
  std::string id;
  for (char c : options.id) {  // a query value: percent-encode all but unreserved characters
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
      id += c;
    } else {
      id += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  auto reply = LocalGet(options.endpoint, "/_tidepool/trace?id=" + id);
  if (!reply.ok() || reply->status != 200) {
    std::fprintf(stderr, "tidepool trace: %s\n",
                 reply.ok() ? reply->body.c_str() : reply.status().message().c_str());
    return 2;
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(reply->body, ec);
  const boost::json::array* hops = nullptr;
  if (!ec && v.is_object()) {
    if (auto* h = v.get_object().if_contains("hops"); h && h->is_array()) hops = &h->get_array();
  }
  if (!hops) {
    std::fprintf(stderr, "tidepool trace: unexpected answer %s\n", reply->body.c_str());
    return 2;
  }
  if (options.json) {
    std::printf("%s\n", reply->body.c_str());
    return hops->empty() ? 1 : 0;
  }
  if (hops->empty()) {
    std::printf("no hop of trace %s is known (traces are kept in memory, the newest %zu hops)\n",
                options.id.c_str(), TraceLog::kMaxStamps);
    return 1;
  }
  std::string out = fmt::format("{:<14} {:<14} {}\n", "+us", "hop", "detail");
  int64_t first = 0;
  for (const auto& h : *hops) {
    const auto& o = h.get_object();
    const int64_t micros = o.at("micros").to_number<int64_t>();
    if (first == 0) first = micros;
    out += fmt::format("{:<14} {:<14} {}\n", micros - first, o.at("hop").get_string().c_str(),
                       o.at("detail").get_string().c_str());
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace

int RunTrace(const TraceOptions& options) {
  if (!options.id.empty()) return RunTimeline(options);
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
