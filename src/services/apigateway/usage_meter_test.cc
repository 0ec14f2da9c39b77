#include "services/apigateway/usage_meter.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace {

constexpr int64_t kNoon = 1700049600000;  // 2023-11-15T12:00:00Z

TEST(UsageMeterTest, QuotaCountSurvivesAStoreRoundTrip) {
  UsageMeter meter;
  Quota quota{3, "DAY"};
  UsageCount after;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(meter.CountRequest("p", "k", quota, kNoon, &after));
  EXPECT_EQ(after.used, 3);
  EXPECT_EQ(after.by_day.at("2023-11-15"), 3);

  // What a restart reads back enforces the same quota.
  auto record = DecodeRecord(EncodeUsage(after));
  ASSERT_TRUE(record.ok());
  UsageMeter restarted;
  restarted.Restore("p", "k", DecodeUsage(*record));
  EXPECT_FALSE(restarted.CountRequest("p", "k", quota, kNoon + 1000));
  EXPECT_EQ(restarted.Remaining("p", "k", quota, kNoon), 0);
  EXPECT_EQ(restarted.DailyUsage("p", "k").at("2023-11-15"), 3);
  // The next day is a new period.
  EXPECT_TRUE(restarted.CountRequest("p", "k", quota, kNoon + 86400000));
}

TEST(UsageMeterTest, SetRemainingGrantsRequestsForThisPeriodOnly) {
  UsageMeter meter;
  Quota quota{2, "DAY"};
  ASSERT_TRUE(meter.CountRequest("p", "k", quota, kNoon));
  ASSERT_TRUE(meter.CountRequest("p", "k", quota, kNoon));
  EXPECT_FALSE(meter.CountRequest("p", "k", quota, kNoon));
  // A grant above the limit is an extension; the record to store carries it.
  UsageCount stored = meter.SetRemaining("p", "k", quota, 5, kNoon);
  EXPECT_EQ(meter.Remaining("p", "k", quota, kNoon), 5);
  EXPECT_EQ(stored.by_day.at("2023-11-15"), 2);
  UsageMeter restarted;
  restarted.Restore("p", "k", stored);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(restarted.CountRequest("p", "k", quota, kNoon));
  EXPECT_FALSE(restarted.CountRequest("p", "k", quota, kNoon));
  // Zero stops the key now; the next period starts from the plan's limit again.
  meter.SetRemaining("p", "k", quota, 0, kNoon);
  EXPECT_FALSE(meter.CountRequest("p", "k", quota, kNoon));
  EXPECT_EQ(meter.Remaining("p", "k", quota, kNoon + 86400000), 2);
}

TEST(UsageMeterTest, KeepsTheLastHundredDays) {
  UsageMeter meter;
  UsageCount after;
  for (int day = 0; day < 120; ++day) {
    ASSERT_TRUE(meter.CountRequest("p", "k", Quota{}, kNoon + day * 86400000LL, &after));
  }
  EXPECT_EQ(after.by_day.size(), kUsageDays);
  EXPECT_EQ(after.used, 120);
}

}  // namespace
}  // namespace tidepool::apigateway
