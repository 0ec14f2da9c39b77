// UsageMeter: the request limits API Gateway enforces at invoke time.
//   - Token buckets (rate: tokens per second, burst: bucket size), keyed by the caller: a usage
//     plan and key ("plan/key"), a stage ("api/stage"), or a method ("api/stage/path/VERB").
//     A request takes one token; an empty bucket is 429 Too Many Requests.
//   - Quotas per usage plan and key: `limit` requests per DAY, WEEK (from Monday) or MONTH (UTC
//     calendar periods); past the limit is 429 Limit Exceeded.
//   - Per-day request counts per plan and key, for GetUsage (the last kUsageDays days).
// Token buckets live in memory only. Quota and daily counts are kept here and made durable by
// the caller: CountRequest hands back the count to store (a UsageRecord), Restore loads it.
//
// Thread-safety: every method is safe from any thread (one mutex; each call is a map lookup).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace tidepool::apigateway {

struct RateLimit {
  double rate = 0;    // tokens per second; <= 0: unlimited
  int64_t burst = 0;  // bucket size; <= 0 with a rate: the rate rounded up, at least 1
  bool enabled() const { return rate > 0; }
};

struct Quota {
  int64_t limit = -1;  // requests per period; < 0: none
  std::string period;  // DAY, WEEK or MONTH
};

inline constexpr size_t kUsageDays = 100;

// One plan and key's requests: those of quota period `period` (an index, -1: none yet), and
// by UTC day ("YYYY-MM-DD" -> count).
struct UsageCount {
  int64_t period = -1;
  int64_t used = 0;
  std::map<std::string, int64_t> by_day;
};

class UsageMeter {
 public:
  // Takes a token from bucket `key`; false when empty (the caller answers 429).
  bool TakeToken(const std::string& key, const RateLimit& limit, int64_t now_ms);
  // Counts one request of plan `plan_id` by key `key_id` against `quota` and today's usage;
  // false (and nothing counted) when the quota is used up. When counted, `after` (if given)
  // gets the new count.
  bool CountRequest(const std::string& plan_id, const std::string& key_id, const Quota& quota,
                    int64_t now_ms, UsageCount* after = nullptr);
  // UpdateUsage: sets the requests left in the current period of `quota` to `remaining` (more
  // than the limit grants an extension for this period); returns the count to store.
  UsageCount SetRemaining(const std::string& plan_id, const std::string& key_id, const Quota& quota,
                          int64_t remaining, int64_t now_ms);
  // Sets the count of a plan and key (recovery).
  void Restore(const std::string& plan_id, const std::string& key_id, UsageCount count);
  // Requests by day ("YYYY-MM-DD" -> count) of one plan and key.
  std::map<std::string, int64_t> DailyUsage(const std::string& plan_id,
                                            const std::string& key_id) const;
  // Requests left in the current period (limit - used; the limit when none were made).
  int64_t Remaining(const std::string& plan_id, const std::string& key_id, const Quota& quota,
                    int64_t now_ms) const;

  static std::string DayOf(int64_t now_ms);  // "YYYY-MM-DD", UTC

 private:
  struct Bucket {
    double tokens = 0;
    int64_t last_ms = 0;
    bool started = false;
  };
  using Usage = UsageCount;
  static int64_t PeriodIndex(const std::string& period, int64_t now_ms);

  mutable std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
  std::map<std::pair<std::string, std::string>, Usage> usage_;
};

}  // namespace tidepool::apigateway
