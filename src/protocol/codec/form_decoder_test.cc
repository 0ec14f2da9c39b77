#include "protocol/codec/form_decoder.h"

#include <gtest/gtest.h>

namespace tidepool::protocol::form {
namespace {

TEST(FormDecoderTest, DecodesPercentEscapesAndPlus) {
  auto params = Parse("Action=Publish&Message=hello+world%21%20%2B1&Subject=a%3Db%26c");
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->at("Action"), "Publish");
  EXPECT_EQ(params->at("Message"), "hello world! +1");
  EXPECT_EQ(params->at("Subject"), "a=b&c");
}

TEST(FormDecoderTest, KeysAreDecodedToo) {
  auto params = Parse("MessageAttributes.entry.1.Value.StringValue=x&A%2EB=y");
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->at("MessageAttributes.entry.1.Value.StringValue"), "x");
  EXPECT_EQ(params->at("A.B"), "y");
}

TEST(FormDecoderTest, EmptyItemsAndValues) {
  auto params = Parse("&&a=&b&=c&&");
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->size(), 3u);
  EXPECT_EQ(params->at("a"), "");
  EXPECT_EQ(params->at("b"), "");
  EXPECT_EQ(params->at(""), "c");
}

TEST(FormDecoderTest, LastDuplicateWinsAndBadEscapesStay) {
  auto params = Parse("a=1&a=2&p=100%&q=%zz%4");
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->at("a"), "2");
  EXPECT_EQ(params->at("p"), "100%");
  EXPECT_EQ(params->at("q"), "%zz%4");
}

TEST(FormDecoderTest, QueryAndBodyMerge) {
  FormParams params;
  ASSERT_TRUE(AddEncoded("Action=SendMessage&Version=2012-11-05", params).ok());
  ASSERT_TRUE(AddEncoded("MessageBody=hi&Version=2012-11-05", params).ok());
  EXPECT_EQ(params.size(), 3u);
  EXPECT_EQ(params.at("MessageBody"), "hi");
}

TEST(FormDecoderTest, TooManyParams) {
  FormLimits limits;
  limits.max_params = 3;
  EXPECT_TRUE(Parse("a=1&b=2&c=3", limits).ok());
  EXPECT_TRUE(Parse("a=1&b=2&c=3&a=4", limits).ok());  // a duplicate adds nothing
  auto r = Parse("a=1&b=2&c=3&d=4", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(FormDecoderTest, KeyTooLong) {
  FormLimits limits;
  limits.max_key_length = 8;
  EXPECT_TRUE(Parse("12345678=x", limits).ok());
  EXPECT_FALSE(Parse("123456789=x", limits).ok());
  // Checked after decoding: nine escaped bytes are a nine-byte key.
  EXPECT_FALSE(Parse("%41%41%41%41%41%41%41%41%41=x", limits).ok());
  EXPECT_TRUE(Parse("%41%41%41%41%41%41%41%41=x", limits).ok());
}

}  // namespace
}  // namespace tidepool::protocol::form
