#include "core/trace_log.h"

#include <chrono>
#include <cstdio>
#include <random>

namespace tidepool {

std::string NewTraceRoot() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "Root=1-%08x-%08x%016llx", static_cast<unsigned>(secs),
                static_cast<unsigned>(rng()), static_cast<unsigned long long>(rng()));
  return buf;
}

TraceLog& TraceLog::Global() {
  static TraceLog log;
  return log;
}

std::string_view TraceLog::IdOf(std::string_view header) {
  size_t at = 0;
  while (at < header.size()) {
    size_t end = header.find(';', at);
    if (end == std::string_view::npos) end = header.size();
    std::string_view field = header.substr(at, end - at);
    while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
    if (field.substr(0, 5) == "Root=") return field.substr(5);
    at = end + 1;
  }
  return header;
}

void TraceLog::Stamp(std::string_view header, std::string_view hop, std::string_view detail) {
  if (header.empty()) return;
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  Entry e{std::string(IdOf(header)), TraceStamp{now, std::string(hop), std::string(detail)}};
  std::lock_guard lock(mu_);
  if (stamps_.size() >= kMaxStamps) stamps_.pop_front();
  stamps_.push_back(std::move(e));
}

std::vector<TraceStamp> TraceLog::Timeline(std::string_view id) const {
  const std::string_view want = IdOf(id);
  std::vector<TraceStamp> out;
  std::lock_guard lock(mu_);
  for (const Entry& e : stamps_) {
    if (e.id == want) out.push_back(e.stamp);
  }
  return out;
}

void TraceLog::Remember(std::string key, std::string_view header) {
  if (header.empty()) return;
  std::lock_guard lock(mu_);
  any_remembered_.store(true, std::memory_order_release);
  auto [it, added] = remembered_.insert_or_assign(std::move(key), std::string(header));
  if (!added) return;
  remembered_order_.push_back(it->first);
  if (remembered_order_.size() > kMaxRemembered) {
    remembered_.erase(remembered_order_.front());
    remembered_order_.pop_front();
  }
}

std::string TraceLog::Recall(std::string_view key) const {
  if (!any_remembered_.load(std::memory_order_acquire)) return {};
  std::lock_guard lock(mu_);
  auto it = remembered_.find(std::string(key));
  return it == remembered_.end() ? std::string() : it->second;
}

}  // namespace tidepool
