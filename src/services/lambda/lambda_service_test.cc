#include <gtest/gtest.h>

#include "services/lambda/function_record.h"
#include "services/lambda/keyspace.h"
#include "services/lambda/lambda_service.h"

namespace tidepool::lambda {
namespace {

TEST(FunctionRef, ParsesNamesPartialAndFullArns) {
  auto r = ParseFunctionRef("my-fn");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "my-fn");
  EXPECT_EQ(r->qualifier, "");
  r = ParseFunctionRef("my-fn:prod");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->qualifier, "prod");
  r = ParseFunctionRef("123456789012:function:f:$LATEST");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->account, "123456789012");
  EXPECT_EQ(r->name, "f");
  EXPECT_EQ(r->qualifier, "$LATEST");
  r = ParseFunctionRef("arn:aws:lambda:eu-west-1:123456789012:function:f:3");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->region, "eu-west-1");
  EXPECT_EQ(r->qualifier, "3");
  EXPECT_FALSE(ParseFunctionRef("").ok());
  EXPECT_FALSE(ParseFunctionRef("a b").ok());
  EXPECT_FALSE(ParseFunctionRef("arn:aws:sqs:us-east-1:123456789012:function:f").ok());
  EXPECT_FALSE(ParseFunctionRef(std::string(65, 'a')).ok());
}

TEST(FunctionRecord, RoundTripsAndRefusesDamage) {
  FunctionRecord r;
  r.config["FunctionName"] = "f";
  r.config["FunctionArn"] = "arn:aws:lambda:us-east-1:000000000000:function:f";
  r.code_sha = "abc";
  r.tags["k"] = "v";
  r.reserved_concurrency = 5;
  auto back = FunctionRecord::Decode(r.Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->config, r.config);
  EXPECT_EQ(back->code_sha, "abc");
  EXPECT_EQ(back->tags, r.tags);
  EXPECT_EQ(back->reserved_concurrency, 5);
  EXPECT_FALSE(FunctionRecord::Decode("{").ok());
  EXPECT_FALSE(FunctionRecord::Decode(R"({"config":{},"code":{"sha":"x"}})").ok());
  EXPECT_FALSE(
      FunctionRecord::Decode(R"({"config":{"FunctionName":"f","FunctionArn":"a"},"code":{}})")
          .ok());
}

TEST(Keyspace, FunctionKeysRoundTrip) {
  std::string key = keyspace::FunctionKey("arn:aws:lambda:us-east-1:1:function:f");
  EXPECT_EQ(keyspace::ParseFunctionKey(key), "arn:aws:lambda:us-east-1:1:function:f");
  EXPECT_EQ(key.compare(0, keyspace::FunctionPrefix().size(), keyspace::FunctionPrefix()), 0);
  EXPECT_FALSE(keyspace::ParseFunctionKey(keyspace::CodeKey("abc")).has_value());
}

}  // namespace
}  // namespace tidepool::lambda
