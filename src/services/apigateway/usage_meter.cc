#include "services/apigateway/usage_meter.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace tidepool::apigateway {
namespace {

constexpr int64_t kDayMs = 86400000;

std::chrono::year_month_day Date(int64_t now_ms) {
  return std::chrono::year_month_day(
      std::chrono::sys_days(std::chrono::days(now_ms >= 0 ? now_ms / kDayMs : 0)));
}

}  // namespace

std::string UsageMeter::DayOf(int64_t now_ms) {
  auto ymd = Date(now_ms);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

int64_t UsageMeter::PeriodIndex(const std::string& period, int64_t now_ms) {
  int64_t days = now_ms / kDayMs;
  if (period == "WEEK") return (days + 3) / 7;  // 1970-01-01 was a Thursday: weeks from Monday
  if (period == "MONTH") {
    auto ymd = Date(now_ms);
    return static_cast<int>(ymd.year()) * 12 + static_cast<unsigned>(ymd.month());
  }
  return days;
}

bool UsageMeter::TakeToken(const std::string& key, const RateLimit& limit, int64_t now_ms) {
  if (!limit.enabled()) return true;
  const double size =
      limit.burst > 0 ? static_cast<double>(limit.burst) : std::max(1.0, std::ceil(limit.rate));
  std::lock_guard lock(mu_);
  Bucket& b = buckets_[key];
  if (!b.started) {
    b.started = true;
    b.tokens = size;
    b.last_ms = now_ms;
  }
  if (now_ms > b.last_ms) {
    b.tokens =
        std::min(size, b.tokens + limit.rate * static_cast<double>(now_ms - b.last_ms) / 1e3);
    b.last_ms = now_ms;
  }
  b.tokens = std::min(b.tokens, size);
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

bool UsageMeter::CountRequest(const std::string& plan_id, const std::string& key_id,
                              const Quota& quota, int64_t now_ms, UsageCount* after) {
  std::lock_guard lock(mu_);
  Usage& u = usage_[{plan_id, key_id}];
  if (quota.limit >= 0) {
    int64_t period = PeriodIndex(quota.period, now_ms);
    if (u.period != period) {
      u.period = period;
      u.used = 0;
    }
    if (u.used >= quota.limit) return false;
  }
  ++u.used;
  ++u.by_day[DayOf(now_ms)];
  while (u.by_day.size() > kUsageDays) u.by_day.erase(u.by_day.begin());
  if (after != nullptr) *after = u;
  return true;
}

UsageCount UsageMeter::SetRemaining(const std::string& plan_id, const std::string& key_id,
                                    const Quota& quota, int64_t remaining, int64_t now_ms) {
  std::lock_guard lock(mu_);
  Usage& u = usage_[{plan_id, key_id}];
  u.period = PeriodIndex(quota.period, now_ms);
  u.used = quota.limit - remaining;
  return u;
}

void UsageMeter::Restore(const std::string& plan_id, const std::string& key_id, UsageCount count) {
  std::lock_guard lock(mu_);
  usage_[{plan_id, key_id}] = std::move(count);
}

std::map<std::string, int64_t> UsageMeter::DailyUsage(const std::string& plan_id,
                                                      const std::string& key_id) const {
  std::lock_guard lock(mu_);
  auto it = usage_.find({plan_id, key_id});
  return it == usage_.end() ? std::map<std::string, int64_t>{} : it->second.by_day;
}

int64_t UsageMeter::Remaining(const std::string& plan_id, const std::string& key_id,
                              const Quota& quota, int64_t now_ms) const {
  if (quota.limit < 0) return -1;
  std::lock_guard lock(mu_);
  auto it = usage_.find({plan_id, key_id});
  if (it == usage_.end() || it->second.period != PeriodIndex(quota.period, now_ms)) {
    return quota.limit;
  }
  return std::max<int64_t>(0, quota.limit - it->second.used);
}

}  // namespace tidepool::apigateway
