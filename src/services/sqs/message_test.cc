#include "services/sqs/message.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace tidepool::sqs {
namespace {

MessagePayload Payload() {
  MessagePayload p;
  p.body = "hello";
  p.attributes.push_back({.name = "kind", .data_type = "String", .transport = 1, .value = "test"});
  return p;
}

// A record decoded and encoded again must be the same bytes, whatever form its ids have.
void ExpectRoundTrip(const Message& m) {
  const MessagePayload payload = Payload();
  const std::string record = EncodeMessageRecord(m, payload);
  Message decoded;
  MessagePayload decoded_payload;
  ASSERT_TRUE(DecodeMessageRecord(record, &decoded, &decoded_payload));
  EXPECT_EQ(EncodeMessageRecord(decoded, decoded_payload), record);
  EXPECT_EQ(decoded.id(), m.id());
  EXPECT_EQ(decoded.md5_body(), m.md5_body());
  EXPECT_EQ(decoded.sender_id(), m.sender_id());
  EXPECT_EQ(decoded.group_id(), m.group_id());
  EXPECT_EQ(decoded.dlq_source_arn(), m.dlq_source_arn());
}

TEST(MessageTest, CanonicalIdsReadBackAsSet) {
  Message m;
  m.set_id("5fea7756-0ea4-451a-a703-a558b933e274");
  m.set_md5_body("fafb00f5732ab283681e124bf8747ed1");
  m.set_sender_id(std::make_shared<const std::string>("AIDAIT2UOQQY3AUEKVGXU"));
  EXPECT_EQ(m.id(), "5fea7756-0ea4-451a-a703-a558b933e274");
  EXPECT_TRUE(m.IdEquals("5fea7756-0ea4-451a-a703-a558b933e274"));
  EXPECT_FALSE(m.IdEquals("5fea7756-0ea4-451a-a703-a558b933e275"));
  EXPECT_FALSE(m.IdEquals("5FEA7756-0EA4-451A-A703-A558B933E274"));
  EXPECT_FALSE(m.IdEquals(""));
  EXPECT_EQ(m.md5_body(), "fafb00f5732ab283681e124bf8747ed1");
  EXPECT_EQ(m.group_id(), "");
  ExpectRoundTrip(m);
}

TEST(MessageTest, OtherTextFormsReadBackAsSet) {
  for (const char* id :
       {"", "not-a-uuid", "5FEA7756-0EA4-451A-A703-A558B933E274",
        "5fea7756x0ea4-451a-a703-a558b933e274", "5fea77560ea4451aa703a558b933e274"}) {
    Message m;
    m.set_id(id);
    m.set_md5_body(id);
    EXPECT_EQ(m.id(), id);
    EXPECT_TRUE(m.IdEquals(id));
    EXPECT_EQ(m.md5_body(), id);
    ExpectRoundTrip(m);
  }
}

TEST(MessageTest, ExtrasAndCopies) {
  Message m;
  m.set_id("5fea7756-0ea4-451a-a703-a558b933e274");
  m.set_group_id("g1");
  m.set_dedup_id("d1");
  m.set_trace_header("Root=1");
  m.set_md5_attributes("0123456789abcdef0123456789abcdef");
  m.set_md5_system("fedcba9876543210fedcba9876543210");
  ExpectRoundTrip(m);
  Message copy = m;
  copy.set_dlq_source_arn("arn:aws:sqs:us-east-1:123456789012:src");
  copy.set_group_id("");
  EXPECT_EQ(m.dlq_source_arn(), "");
  EXPECT_EQ(m.group_id(), "g1");
  EXPECT_EQ(copy.group_id(), "");
  EXPECT_EQ(copy.dedup_id(), "d1");
  EXPECT_EQ(copy.id(), m.id());
  ExpectRoundTrip(copy);
  copy = m;
  EXPECT_EQ(copy.group_id(), "g1");
  EXPECT_EQ(copy.dlq_source_arn(), "");
}

TEST(MessageTest, IdTextNotPackedWhenReplacedByCanonical) {
  Message m;
  m.set_id("custom");
  m.set_id("5fea7756-0ea4-451a-a703-a558b933e274");
  EXPECT_EQ(m.id(), "5fea7756-0ea4-451a-a703-a558b933e274");
  m.set_id("custom");
  EXPECT_EQ(m.id(), "custom");
  EXPECT_FALSE(m.IdEquals("5fea7756-0ea4-451a-a703-a558b933e274"));
}

}  // namespace
}  // namespace tidepool::sqs
