#include "services/s3/restore.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace tidepool::s3 {
namespace {

TEST(RestoreTest, ARestoreRunsThenIsReadableThenExpires) {
  ObjectRecord record;
  record.headers["StorageClass"] = "GLACIER";
  EXPECT_FALSE(CheckReadable(record, 100).ok());
  EXPECT_EQ(RestoreHeader(record, 100), "");
  auto request = boost::json::parse(R"({"Days":2,"GlacierJobParameters":{"Tier":"Bulk"}})");
  bool already = true;
  ASSERT_TRUE(ApplyRestore(&request.as_object(), 100, 0.001, &record, &already).ok());
  EXPECT_FALSE(already);
  EXPECT_DOUBLE_EQ(record.restore_ready, 100 + 12 * 3600 * 0.001);
  EXPECT_DOUBLE_EQ(record.restore_expiry, record.restore_ready + 2 * 86400 * 0.001);
  EXPECT_EQ(RestoreHeader(record, 101), "ongoing-request=\"true\"");
  EXPECT_FALSE(CheckReadable(record, 101).ok());
  EXPECT_FALSE(ApplyRestore(&request.as_object(), 101, 0.001, &record, &already).ok());
  const double later = record.restore_ready + 1;
  EXPECT_TRUE(CheckReadable(record, later).ok());
  EXPECT_TRUE(RestoreHeader(record, later).starts_with("ongoing-request=\"false\", expiry-date="));
  EXPECT_TRUE(ApplyRestore(&request.as_object(), later, 0.001, &record, &already).ok());
  EXPECT_TRUE(already);
  EXPECT_FALSE(CheckReadable(record, record.restore_expiry).ok());
  EXPECT_EQ(RestoreHeader(record, record.restore_expiry), "");
}

TEST(RestoreTest, RefusesWhatS3Refuses) {
  ObjectRecord warm;
  bool already = false;
  auto request = boost::json::parse(R"({"Days":1})");
  EXPECT_FALSE(ApplyRestore(&request.as_object(), 0, 1, &warm, &already).ok());
  EXPECT_TRUE(CheckReadable(warm, 0).ok());
  ObjectRecord deep;
  deep.headers["StorageClass"] = "DEEP_ARCHIVE";
  auto expedited = boost::json::parse(R"({"Days":1,"GlacierJobParameters":{"Tier":"Expedited"}})");
  EXPECT_FALSE(ApplyRestore(&expedited.as_object(), 0, 1, &deep, &already).ok());
  auto no_days = boost::json::parse(R"({"GlacierJobParameters":{"Tier":"Bulk"}})");
  EXPECT_FALSE(ApplyRestore(&no_days.as_object(), 0, 1, &deep, &already).ok());
  auto select = boost::json::parse(R"({"Type":"SELECT"})");
  EXPECT_FALSE(ApplyRestore(&select.as_object(), 0, 1, &deep, &already).ok());
  EXPECT_FALSE(ApplyRestore(nullptr, 0, 1, &deep, &already).ok());
}

}  // namespace
}  // namespace tidepool::s3
