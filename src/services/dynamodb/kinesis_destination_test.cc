#include "services/dynamodb/kinesis_destination.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace tidepool::dynamodb {
namespace {

TEST(KinesisChangeRecordTest, AwsRecordFormat) {
  const boost::json::object keys = boost::json::parse(R"({"pk":{"S":"k"}})").as_object();
  const boost::json::object old_item =
      boost::json::parse(R"({"pk":{"S":"k"},"v":{"N":"1"}})").as_object();
  const boost::json::object new_item =
      boost::json::parse(R"({"pk":{"S":"k"},"v":{"N":"2"}})").as_object();
  const boost::json::value r =
      boost::json::parse(KinesisChangeRecord("us-east-1", "items", "e1", 2, 1700000000123456, false,
                                             "MILLISECOND", keys, old_item, new_item));
  EXPECT_EQ(r.at("eventName"), "MODIFY");
  EXPECT_EQ(r.at("tableName"), "items");
  EXPECT_EQ(r.at("recordFormat"), "application/json");
  EXPECT_EQ(r.at("eventSource"), "aws:dynamodb");
  EXPECT_TRUE(r.at("userIdentity").is_null());
  const auto& d = r.at("dynamodb");
  EXPECT_EQ(d.at("ApproximateCreationDateTime").to_number<int64_t>(), 1700000000123);
  EXPECT_EQ(d.at("Keys"), boost::json::value(keys));
  EXPECT_EQ(d.at("OldImage").at("v").at("N"), "1");
  EXPECT_EQ(d.at("NewImage").at("v").at("N"), "2");
  EXPECT_GT(d.at("SizeBytes").to_number<int64_t>(), 0);

  const boost::json::value removed =
      boost::json::parse(KinesisChangeRecord("us-east-1", "items", "e2", 3, 1700000000123456, true,
                                             "MICROSECOND", keys, old_item, std::nullopt));
  EXPECT_EQ(removed.at("eventName"), "REMOVE");
  EXPECT_EQ(removed.at("dynamodb").at("ApproximateCreationDateTime").to_number<int64_t>(),
            1700000000123456);
  EXPECT_FALSE(removed.at("dynamodb").as_object().contains("NewImage"));
  EXPECT_EQ(removed.at("userIdentity").at("principalId"), "dynamodb.amazonaws.com");
}

}  // namespace
}  // namespace tidepool::dynamodb
