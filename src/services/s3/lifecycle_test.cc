#include "services/s3/lifecycle.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace tidepool::s3 {
namespace {

boost::json::object Config(std::string_view text) { return boost::json::parse(text).as_object(); }

TEST(LifecycleTest, ValidationRefusesWhatS3RefusesAndWhatIsNotBuilt) {
  EXPECT_TRUE(ValidateLifecycleConfiguration(
                  Config(R"({"Rules":[{"Status":"Enabled","Expiration":{"Days":1}}]})"))
                  .ok());
  EXPECT_FALSE(ValidateLifecycleConfiguration(
                   Config(R"({"Rules":[{"Status":"Enabled","Expiration":{"Days":0}}]})"))
                   .ok());
  EXPECT_FALSE(ValidateLifecycleConfiguration(Config(R"({"Rules":[{"Status":"Enabled"}]})")).ok());
  EXPECT_FALSE(ValidateLifecycleConfiguration(
                   Config(R"({"Rules":[{"Status":"Enabled","Expiration":{"Date":3600}}]})"))
                   .ok());
  EXPECT_FALSE(ValidateLifecycleConfiguration(
                   Config(R"({"Rules":[{"Status":"Enabled","Transitions":[{"Days":1}]}]})"))
                   .ok());
}

TEST(LifecycleTest, TransitionsGoDownTheWaterfallOnly) {
  auto rules = EnabledRules(Config(R"({"Rules":[{"Status":"Enabled","Transitions":[
      {"Days":1,"StorageClass":"INTELLIGENT_TIERING"},{"Days":3,"StorageClass":"GLACIER_IR"}],
      "NoncurrentVersionTransitions":[
      {"NoncurrentDays":1,"StorageClass":"GLACIER_IR","NewerNoncurrentVersions":1}]}]})"));
  ASSERT_EQ(rules.size(), 1u);
  ObjectRecord r;
  r.mtime = 0;
  EXPECT_EQ(CurrentTransition(rules[0], r, 0.5, 1), std::nullopt);
  EXPECT_EQ(CurrentTransition(rules[0], r, 1, 1), "INTELLIGENT_TIERING");
  EXPECT_EQ(CurrentTransition(rules[0], r, 5, 1), "GLACIER_IR");
  r.headers["StorageClass"] = "GLACIER_IR";
  EXPECT_EQ(CurrentTransition(rules[0], r, 5, 1), std::nullopt);
  r.headers["StorageClass"] = "ONEZONE_IA";  // further down than INTELLIGENT_TIERING
  EXPECT_EQ(CurrentTransition(rules[0], r, 2, 1), std::nullopt);
  r.headers.erase("StorageClass");
  r.noncurrent_since = 10;
  EXPECT_EQ(NoncurrentTransition(rules[0], r, 1, 10.5, 1), std::nullopt);
  EXPECT_EQ(NoncurrentTransition(rules[0], r, 0, 11, 1), std::nullopt);  // the newest is kept
  EXPECT_EQ(NoncurrentTransition(rules[0], r, 1, 11, 1), "GLACIER_IR");
}

TEST(LifecycleTest, FiltersAndAges) {
  auto rules = EnabledRules(Config(R"({"Rules":[
      {"Status":"Disabled","Expiration":{"Days":1}},
      {"Status":"Enabled","Filter":{"And":{"Prefix":"logs/","Tags":[{"Key":"k","Value":"v"}],
       "ObjectSizeGreaterThan":5}},"Expiration":{"Days":2},
       "NoncurrentVersionExpiration":{"NoncurrentDays":1,"NewerNoncurrentVersions":2}}]})"));
  ASSERT_EQ(rules.size(), 1u);
  ObjectRecord r;
  r.size = 10;
  r.mtime = 1000;
  EXPECT_FALSE(RuleSelects(rules[0], "logs/a", r));  // the tag is missing
  r.tags = boost::json::parse(R"([{"Key":"k","Value":"v"}])").as_array();
  EXPECT_TRUE(RuleSelects(rules[0], "logs/a", r));
  EXPECT_FALSE(RuleSelects(rules[0], "data/a", r));
  EXPECT_FALSE(CurrentDue(rules[0], r, 1000 + 2 * 10 - 1, 10));
  EXPECT_TRUE(CurrentDue(rules[0], r, 1000 + 2 * 10, 10));
  r.noncurrent_since = 2000;
  EXPECT_FALSE(NoncurrentDue(rules[0], r, 1, 5000, 10));  // among the 2 newest kept
  EXPECT_FALSE(NoncurrentDue(rules[0], r, 2, 2009, 10));
  EXPECT_TRUE(NoncurrentDue(rules[0], r, 2, 2010, 10));
}

TEST(LifecycleTest, AbortIncompleteMultipartUpload) {
  auto rules = EnabledRules(Config(R"({"Rules":[{"Status":"Enabled","Filter":{"Prefix":"tmp/"},
       "AbortIncompleteMultipartUpload":{"DaysAfterInitiation":3}}]})"));
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_FALSE(UploadDue(rules[0], "tmp/a", 100, 100 + 3 * 10 - 1, 10));
  EXPECT_TRUE(UploadDue(rules[0], "tmp/a", 100, 100 + 3 * 10, 10));
  EXPECT_FALSE(UploadDue(rules[0], "other/a", 100, 1000, 10));
  EXPECT_FALSE(ValidateLifecycleConfiguration(
                   Config(R"({"Rules":[{"Status":"Enabled","Filter":{"Tag":{"Key":"k","Value":"v"}},
                   "AbortIncompleteMultipartUpload":{"DaysAfterInitiation":1}}]})"))
                   .ok());
}

}  // namespace
}  // namespace tidepool::s3
