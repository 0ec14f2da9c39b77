#include "protocol/model/model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "protocol/model/models.h"

namespace tidepool::protocol::model {
namespace {

const Member* FindMember(const ServiceModel& m, const Shape& s, std::string_view name) {
  for (const Member& member : m.MembersOf(s)) {
    if (member.name == name) return &member;
  }
  return nullptr;
}

const Shape& ShapeNamed(const ServiceModel& m, std::string_view name) {
  uint16_t i = m.FindShape(name);
  EXPECT_NE(i, kNoShape) << name;
  return m.shape(i == kNoShape ? 0 : i);
}

TEST(KinesisModelTest, Metadata) {
  const ServiceModel& m = KinesisModel();
  EXPECT_EQ(m.service_id, "Kinesis");
  EXPECT_EQ(m.endpoint_prefix, "kinesis");
  EXPECT_EQ(m.signing_name, "kinesis");
  EXPECT_EQ(m.api_version, "2013-12-02");
  EXPECT_EQ(m.target_prefix, "Kinesis_20131202");
  EXPECT_EQ(m.json_version, "1.1");
  EXPECT_EQ(m.protocol, Protocol::kJson);
  ASSERT_EQ(m.protocols.size(), 1u);
  EXPECT_EQ(m.protocols[0], Protocol::kJson);
}

TEST(KinesisModelTest, OperationsAreSortedAndFound) {
  const ServiceModel& m = KinesisModel();
  EXPECT_EQ(m.operations.size(), 39u);
  EXPECT_TRUE(
      std::is_sorted(m.operations.begin(), m.operations.end(),
                     [](const Operation& a, const Operation& b) { return a.name < b.name; }));
  for (const Operation& op : m.operations) {
    const Operation* found = m.FindOperation(op.name);
    ASSERT_NE(found, nullptr) << op.name;
    EXPECT_EQ(found, &op);
  }
  EXPECT_EQ(m.FindOperation("NoSuchOperation"), nullptr);
  EXPECT_EQ(m.FindOperation(""), nullptr);
  EXPECT_EQ(m.FindOperation("putRecord"), nullptr);  // case-sensitive

  const Operation* put = m.FindOperation("PutRecord");
  ASSERT_NE(put, nullptr);
  EXPECT_EQ(put->http_method, "POST");
  EXPECT_EQ(put->request_uri, "/");
  EXPECT_EQ(put->http_status, 200);
  EXPECT_EQ(m.shape(put->input).name, "PutRecordInput");
  EXPECT_EQ(m.shape(put->output).name, "PutRecordOutput");
  EXPECT_TRUE(put->result_wrapper.empty());
}

TEST(KinesisModelTest, PutRecordInputMembers) {
  const ServiceModel& m = KinesisModel();
  const Shape& in = ShapeNamed(m, "PutRecordInput");
  EXPECT_EQ(in.type, ShapeType::kStructure);
  std::vector<std::string> names;
  for (const Member& member : m.MembersOf(in)) names.emplace_back(member.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"Data", "ExplicitHashKey", "PartitionKey",
                                             "SequenceNumberForOrdering", "StreamARN", "StreamId",
                                             "StreamName"}));
  const Member* data = FindMember(m, in, "Data");
  const Member* key = FindMember(m, in, "PartitionKey");
  const Member* stream = FindMember(m, in, "StreamName");
  ASSERT_TRUE(data && key && stream);
  EXPECT_TRUE(data->required);
  EXPECT_TRUE(key->required);
  EXPECT_FALSE(stream->required);
  EXPECT_EQ(data->location, Location::kBody);
  EXPECT_EQ(m.shape(data->shape).type, ShapeType::kBlob);
  EXPECT_EQ(m.shape(data->shape).max, 10485760);
  EXPECT_EQ(m.shape(key->shape).min, 1);
  EXPECT_EQ(m.shape(key->shape).max, 256);
}

TEST(KinesisModelTest, MemberOrderOverrideKeepsAllMembers) {
  // PutRecordInput is reordered to AWS's validation order (scripts/gen_models.py).
  const ServiceModel& m = KinesisModel();
  auto members = m.MembersOf(ShapeNamed(m, "PutRecordInput"));
  ASSERT_EQ(members.size(), 7u);
  EXPECT_EQ(members[0].name, "SequenceNumberForOrdering");
  EXPECT_EQ(members[4].name, "StreamName");
}

TEST(KinesisModelTest, StringConstraints) {
  const ServiceModel& m = KinesisModel();
  const Shape& name = ShapeNamed(m, "StreamName");
  EXPECT_EQ(name.type, ShapeType::kString);
  EXPECT_EQ(name.min, 1);
  EXPECT_EQ(name.max, 128);
  EXPECT_EQ(name.pattern, "[a-zA-Z0-9_.-]+");
  const Shape& hash = ShapeNamed(m, "HashKey");
  EXPECT_EQ(hash.pattern, "0|([1-9]\\d{0,38})");
  EXPECT_EQ(hash.min, kNoLimit);
  EXPECT_EQ(hash.max, kNoLimit);
  const Shape& limit = ShapeNamed(m, "GetRecordsInputLimit");
  EXPECT_EQ(limit.type, ShapeType::kInteger);
  EXPECT_EQ(limit.min, 1);
  EXPECT_EQ(limit.max, 10000);
}

TEST(KinesisModelTest, Enums) {
  const ServiceModel& m = KinesisModel();
  const Shape& type = ShapeNamed(m, "ShardIteratorType");
  std::vector<std::string_view> values(m.EnumOf(type).begin(), m.EnumOf(type).end());
  EXPECT_EQ(values, (std::vector<std::string_view>{"AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER",
                                                   "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"}));
  EXPECT_EQ(m.EnumOf(ShapeNamed(m, "StreamName")).size(), 0u);
}

TEST(KinesisModelTest, ListsMapsAndTimestamps) {
  const ServiceModel& m = KinesisModel();
  const Shape& list = ShapeNamed(m, "PutRecordsRequestEntryList");
  EXPECT_EQ(list.type, ShapeType::kList);
  EXPECT_EQ(m.shape(list.member).name, "PutRecordsRequestEntry");
  EXPECT_EQ(list.min, 1);
  EXPECT_EQ(list.max, 500);
  const Shape& tags = ShapeNamed(m, "TagMap");
  EXPECT_EQ(tags.type, ShapeType::kMap);
  EXPECT_EQ(m.shape(tags.key).name, "TagKey");
  EXPECT_EQ(m.shape(tags.member).name, "TagValue");
  EXPECT_EQ(ShapeNamed(m, "Timestamp").type, ShapeType::kTimestamp);
  EXPECT_EQ(ShapeNamed(m, "MillisBehindLatest").type, ShapeType::kLong);
}

TEST(KinesisModelTest, ErrorShapes) {
  const ServiceModel& m = KinesisModel();
  const Shape& nf = ShapeNamed(m, "ResourceNotFoundException");
  EXPECT_TRUE(nf.exception);
  EXPECT_FALSE(nf.fault);
  EXPECT_EQ(nf.error_code, "ResourceNotFoundException");
  EXPECT_FALSE(ShapeNamed(m, "StreamName").exception);
  EXPECT_TRUE(ShapeNamed(m, "SubscribeToShardEventStream").event_stream);

  const Operation* put = m.FindOperation("PutRecord");
  ASSERT_NE(put, nullptr);
  std::vector<std::string_view> errors;
  for (uint16_t e : m.operation_errors.subspan(put->errors_begin, put->errors_count)) {
    EXPECT_TRUE(m.shape(e).exception);
    errors.push_back(m.shape(e).name);
  }
  EXPECT_NE(std::find(errors.begin(), errors.end(), "ResourceNotFoundException"), errors.end());
  EXPECT_NE(std::find(errors.begin(), errors.end(), "ProvisionedThroughputExceededException"),
            errors.end());
}

TEST(KinesisModelTest, FindShape) {
  const ServiceModel& m = KinesisModel();
  uint16_t i = m.FindShape("StreamName");
  ASSERT_NE(i, kNoShape);
  EXPECT_EQ(m.shape(i).name, "StreamName");
  EXPECT_EQ(m.FindShape("NoSuchShape"), kNoShape);
}

TEST(KinesisModelTest, IndexesAreInRange) {
  const ServiceModel& m = KinesisModel();
  for (const Shape& s : m.shapes) {
    EXPECT_LE(s.members_begin + s.members_count, m.members.size()) << s.name;
    EXPECT_LE(s.enum_begin + s.enum_count, m.enum_values.size()) << s.name;
    if (s.type == ShapeType::kList || s.type == ShapeType::kMap) {
      EXPECT_LT(s.member, m.shapes.size()) << s.name;
    }
    if (s.type == ShapeType::kMap) EXPECT_LT(s.key, m.shapes.size()) << s.name;
  }
  for (const Member& member : m.members) EXPECT_LT(member.shape, m.shapes.size());
}

TEST(SqsModelTest, JsonProtocolAndErrors) {
  const ServiceModel& m = SqsModel();
  EXPECT_EQ(m.protocol, Protocol::kJson);
  EXPECT_EQ(m.target_prefix, "AmazonSQS");
  EXPECT_EQ(m.json_version, "1.0");
  // This botocore's SQS model carries no legacy query error codes ("error" traits), so the
  // code is the shape name; the SQS service maps the AWS.SimpleQueueService.* codes itself.
  const Shape& missing = ShapeNamed(m, "QueueDoesNotExist");
  EXPECT_TRUE(missing.exception);
  EXPECT_EQ(missing.error_code, "QueueDoesNotExist");
  EXPECT_EQ(missing.http_status, 0);
  const Shape& attrs = ShapeNamed(m, "MessageAttributeValue");
  const Member* list = FindMember(m, attrs, "StringListValues");
  ASSERT_NE(list, nullptr);
  EXPECT_TRUE(list->xml_flattened);
  EXPECT_TRUE(list->location_name.empty());
  EXPECT_EQ(m.shape(list->shape).type, ShapeType::kList);
}

TEST(SnsModelTest, QueryProtocolFeatures) {
  const ServiceModel& m = SnsModel();
  EXPECT_EQ(m.protocol, Protocol::kQuery);
  EXPECT_EQ(m.xml_namespace, "http://sns.amazonaws.com/doc/2010-03-31/");
  const Operation* publish = m.FindOperation("Publish");
  ASSERT_NE(publish, nullptr);
  EXPECT_EQ(publish->result_wrapper, "PublishResult");
  const Shape& invalid = ShapeNamed(m, "InvalidParameterException");
  EXPECT_EQ(invalid.error_code, "InvalidParameter");
  EXPECT_EQ(invalid.http_status, 400);
  EXPECT_TRUE(invalid.sender_fault);
  const Shape& internal = ShapeNamed(m, "InternalErrorException");
  EXPECT_EQ(internal.http_status, 500);
  EXPECT_TRUE(internal.fault);
  EXPECT_FALSE(internal.sender_fault);
  const Shape& attrs = ShapeNamed(m, "MessageAttributeMap");
  EXPECT_EQ(attrs.type, ShapeType::kMap);
  EXPECT_EQ(attrs.map_key_name, "Name");
  EXPECT_EQ(attrs.map_value_name, "Value");
}

}  // namespace
}  // namespace tidepool::protocol::model
