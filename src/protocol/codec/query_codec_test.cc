// Decoding of query-protocol requests (query_codec.h) against SNS and SQS shapes.
#include "protocol/codec/query_codec.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "protocol/model/models.h"

namespace tidepool::protocol::query_codec {
namespace {

namespace json = boost::json;

std::variant<json::object, AwsError> Decode(const model::ServiceModel& model,
                                            std::string_view op_name, std::string_view body) {
  const model::Operation* op = model.FindOperation(op_name);
  EXPECT_NE(op, nullptr) << op_name;
  if (op == nullptr) return AwsError{"NoSuchOp", "", 400, true, {}};
  auto params = form::Parse(body);
  EXPECT_TRUE(params.ok()) << body;
  return DecodeRequest(model, *op, *params);
}

json::object DecodeOk(const model::ServiceModel& model, std::string_view op,
                      std::string_view body) {
  auto r = Decode(model, op, body);
  if (auto* e = std::get_if<AwsError>(&r)) {
    ADD_FAILURE() << body << " -> " << e->code << ": " << e->message;
    return {};
  }
  return std::get<json::object>(std::move(r));
}

AwsError DecodeError(const model::ServiceModel& model, std::string_view op, std::string_view body) {
  auto r = Decode(model, op, body);
  if (auto* e = std::get_if<AwsError>(&r)) return *e;
  ADD_FAILURE() << body << " decoded without error: " << json::serialize(std::get<0>(r));
  return {};
}

void ExpectJson(const json::object& got, std::string_view want) {
  EXPECT_EQ(json::value(got), json::parse(want)) << json::serialize(got);
}

// ---- SNS ----------------------------------------------------------------------------------

TEST(QueryCodecSnsTest, PublishWithMessageAttributes) {
  auto input = DecodeOk(model::SnsModel(), "Publish",
                        "Action=Publish&Version=2010-03-31"
                        "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At"
                        "&Message=hello+world&Subject=s"
                        "&MessageAttributes.entry.1.Name=color"
                        "&MessageAttributes.entry.1.Value.DataType=String"
                        "&MessageAttributes.entry.1.Value.StringValue=red"
                        "&MessageAttributes.entry.2.Name=raw"
                        "&MessageAttributes.entry.2.Value.DataType=Binary"
                        "&MessageAttributes.entry.2.Value.BinaryValue=AAEC");
  ExpectJson(input, R"({"TopicArn":"arn:aws:sns:us-east-1:000000000000:t",
    "Message":"hello world","Subject":"s",
    "MessageAttributes":{"color":{"DataType":"String","StringValue":"red"},
                         "raw":{"DataType":"Binary","BinaryValue":"\u0000\u0001\u0002"}}})");
}

TEST(QueryCodecSnsTest, BinaryAttributeKeepsRawBytes) {
  auto input = DecodeOk(model::SnsModel(), "Publish",
                        "Message=m&MessageAttributes.entry.1.Name=b"
                        "&MessageAttributes.entry.1.Value.DataType=Binary"
                        "&MessageAttributes.entry.1.Value.BinaryValue=3q2%2B7w%3D%3D");
  std::string_view bytes =
      input["MessageAttributes"].as_object()["b"].as_object()["BinaryValue"].as_string();
  EXPECT_EQ(bytes, std::string_view("\xde\xad\xbe\xef", 4));
}

TEST(QueryCodecSnsTest, MissingRequiredIsValidationError) {
  AwsError e = DecodeError(model::SnsModel(), "Publish", "Action=Publish&TopicArn=x");
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_TRUE(e.sender_fault);
  EXPECT_EQ(e.message,
            "1 validation error detected: Value null at 'message' failed to satisfy constraint: "
            "Member must not be null");
}

TEST(QueryCodecSnsTest, NestedRequiredInsideMapValue) {
  AwsError e = DecodeError(model::SnsModel(), "Publish",
                           "Message=m&MessageAttributes.entry.1.Name=a"
                           "&MessageAttributes.entry.1.Value.StringValue=v");
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_NE(e.message.find("Member must not be null"), std::string::npos) << e.message;
}

TEST(QueryCodecSnsTest, CreateTopicMapAndListOfStructures) {
  auto input = DecodeOk(model::SnsModel(), "CreateTopic",
                        "Name=orders&Attributes.entry.1.key=DisplayName"
                        "&Attributes.entry.1.value=Orders"
                        "&Attributes.entry.2.key=FifoTopic&Attributes.entry.2.value=false"
                        "&Tags.member.1.Key=team&Tags.member.1.Value=a"
                        "&Tags.member.2.Key=env&Tags.member.2.Value=dev");
  ExpectJson(input, R"({"Name":"orders",
    "Attributes":{"DisplayName":"Orders","FifoTopic":"false"},
    "Tags":[{"Key":"team","Value":"a"},{"Key":"env","Value":"dev"}]})");
}

TEST(QueryCodecSnsTest, ListIndexesSortNumericallyAndMayHaveGaps) {
  std::string body = "Name=t";
  for (int i : {10, 2, 7}) {
    body += "&Tags.member." + std::to_string(i) + ".Key=k" + std::to_string(i) + "&Tags.member." +
            std::to_string(i) + ".Value=v";
  }
  auto input = DecodeOk(model::SnsModel(), "CreateTopic", body);
  ExpectJson(input, R"({"Name":"t","Tags":[{"Key":"k2","Value":"v"},{"Key":"k7","Value":"v"},
    {"Key":"k10","Value":"v"}]})");
}

TEST(QueryCodecSnsTest, EmptyListAsBotocoreSendsIt) {
  auto input = DecodeOk(model::SnsModel(), "CreateTopic", "Name=t&Tags=");
  ExpectJson(input, R"({"Name":"t","Tags":[]})");
}

TEST(QueryCodecSnsTest, SetSubscriptionAttributes) {
  auto input = DecodeOk(model::SnsModel(), "SetSubscriptionAttributes",
                        "SubscriptionArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At%3Aid"
                        "&AttributeName=RawMessageDelivery&AttributeValue=true");
  ExpectJson(input, R"({"SubscriptionArn":"arn:aws:sns:us-east-1:1:t:id",
    "AttributeName":"RawMessageDelivery","AttributeValue":"true"})");
}

TEST(QueryCodecSnsTest, BooleansAnyCase) {
  auto input = DecodeOk(model::SnsModel(), "Subscribe",
                        "TopicArn=t&Protocol=sqs&ReturnSubscriptionArn=TRUE"
                        "&Attributes.entry.1.key=RawMessageDelivery&Attributes.entry.1.value=true");
  ExpectJson(input, R"({"TopicArn":"t","Protocol":"sqs","ReturnSubscriptionArn":true,
    "Attributes":{"RawMessageDelivery":"true"}})");
  input = DecodeOk(model::SnsModel(), "Subscribe",
                   "TopicArn=t&Protocol=sqs&ReturnSubscriptionArn=false");
  EXPECT_EQ(input["ReturnSubscriptionArn"], json::value(false));
}

TEST(QueryCodecSnsTest, BadBooleanIsMalformedInput) {
  AwsError e = DecodeError(model::SnsModel(), "Subscribe",
                           "TopicArn=t&Protocol=sqs&ReturnSubscriptionArn=yes");
  EXPECT_EQ(e.code, "MalformedInput");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.message, "'YES' can not be converted to an Boolean");
}

TEST(QueryCodecSnsTest, IntegersConvertAndAreRangeChecked) {
  auto input = DecodeOk(model::SnsModel(), "ListOriginationNumbers", "MaxResults=30");
  EXPECT_EQ(input["MaxResults"], json::value(30));
  AwsError e = DecodeError(model::SnsModel(), "ListOriginationNumbers", "MaxResults=abc");
  EXPECT_EQ(e.code, "MalformedInput");
  EXPECT_EQ(e.message, "'abc' can not be converted to an Integer");
  e = DecodeError(model::SnsModel(), "ListOriginationNumbers", "MaxResults=99999999999");
  EXPECT_EQ(e.code, "MalformedInput");
  e = DecodeError(model::SnsModel(), "ListOriginationNumbers", "MaxResults=31");
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_NE(e.message.find("Member must have value less than or equal to 30"), std::string::npos)
      << e.message;
}

TEST(QueryCodecSnsTest, BadBase64IsMalformedInput) {
  AwsError e = DecodeError(model::SnsModel(), "Publish",
                           "Message=m&MessageAttributes.entry.1.Name=b"
                           "&MessageAttributes.entry.1.Value.DataType=Binary"
                           "&MessageAttributes.entry.1.Value.BinaryValue=abc");
  EXPECT_EQ(e.code, "MalformedInput");
  EXPECT_NE(e.message.find("can not be converted to a Blob"), std::string::npos) << e.message;
}

TEST(QueryCodecSnsTest, ScalarGivenAsStructure) {
  AwsError e =
      DecodeError(model::SnsModel(), "Subscribe", "TopicArn=t&Protocol=sqs&Endpoint.EndpointArn=x");
  EXPECT_EQ(e.code, "MalformedInput");
  EXPECT_EQ(e.message, "Start of list found where not expected");
}

TEST(QueryCodecSnsTest, PublishBatchNestedListOfStructuresWithMaps) {
  auto input = DecodeOk(model::SnsModel(), "PublishBatch",
                        "TopicArn=t"
                        "&PublishBatchRequestEntries.member.1.Id=a"
                        "&PublishBatchRequestEntries.member.1.Message=one"
                        "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name=k"
                        "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value."
                        "DataType=Number"
                        "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value."
                        "StringValue=5"
                        "&PublishBatchRequestEntries.member.2.Id=b"
                        "&PublishBatchRequestEntries.member.2.Message=two");
  ExpectJson(input, R"({"TopicArn":"t","PublishBatchRequestEntries":[
    {"Id":"a","Message":"one","MessageAttributes":{"k":{"DataType":"Number","StringValue":"5"}}},
    {"Id":"b","Message":"two"}]})");
}

TEST(QueryCodecSnsTest, UnknownKeysAndIncompleteEntriesAreIgnored) {
  auto input = DecodeOk(model::SnsModel(), "CreateTopic",
                        "Action=CreateTopic&Version=2010-03-31&Name=t&Bogus=1"
                        "&Attributes.entry.1.key=OnlyKey&Attributes.entry.x.key=k"
                        "&Attributes.entry.0.key=k&Attributes.entry.0.value=v"
                        "&Tags.wrong.1.Key=k");
  ExpectJson(input, R"({"Name":"t","Attributes":{}})");
}

TEST(QueryCodecSnsTest, OperationWithoutInputShape) {
  const model::ServiceModel& sns = model::SnsModel();
  for (const model::Operation& op : sns.operations) {
    if (op.input != model::kNoShape) continue;
    auto r = DecodeRequest(sns, op, {});
    EXPECT_TRUE(std::holds_alternative<json::object>(r)) << op.name;
  }
}

// ---- SQS (the query names restored by QueryDialect) ---------------------------------------

constexpr std::string_view kQueue = "QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq";

TEST(QueryCodecSqsTest, ReceiveMessageFlattenedNameLists) {
  auto input = DecodeOk(model::SqsModel(), "ReceiveMessage",
                        std::string(kQueue) +
                            "&AttributeName.1=All&AttributeName.2=SentTimestamp"
                            "&MessageAttributeName.1=color&MaxNumberOfMessages=10"
                            "&WaitTimeSeconds=20&VisibilityTimeout=30");
  ExpectJson(input, R"({"QueueUrl":"http://localhost:4566/000000000000/q",
    "AttributeNames":["All","SentTimestamp"],"MessageAttributeNames":["color"],
    "MaxNumberOfMessages":10,"VisibilityTimeout":30,"WaitTimeSeconds":20})");
}

TEST(QueryCodecSqsTest, EnumValuesAreLeftToTheService) {
  // SQS answers InvalidAttributeName itself; the model's enum must not reject first.
  auto input = DecodeOk(model::SqsModel(), "GetQueueAttributes",
                        std::string(kQueue) + "&AttributeName.1=Bogus");
  ExpectJson(input,
             R"({"QueueUrl":"http://localhost:4566/000000000000/q","AttributeNames":["Bogus"]})");
  input = DecodeOk(model::SqsModel(), "SetQueueAttributes",
                   std::string(kQueue) + "&Attribute.1.Name=NoSuch&Attribute.1.Value=1");
  ExpectJson(input,
             R"({"QueueUrl":"http://localhost:4566/000000000000/q","Attributes":{"NoSuch":"1"}})");
}

TEST(QueryCodecSqsTest, UnindexedFlattenedScalarList) {
  auto input =
      DecodeOk(model::SqsModel(), "GetQueueAttributes", std::string(kQueue) + "&AttributeName=All");
  ExpectJson(input,
             R"({"QueueUrl":"http://localhost:4566/000000000000/q","AttributeNames":["All"]})");
}

TEST(QueryCodecSqsTest, CreateQueueFlattenedMapsWithNameValue) {
  auto input = DecodeOk(model::SqsModel(), "CreateQueue",
                        "QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=45"
                        "&Attribute.2.Name=VisibilityTimeout&Attribute.2.Value=60"
                        "&Tag.1.Key=team&Tag.1.Value=a");
  ExpectJson(input, R"({"QueueName":"q",
    "Attributes":{"DelaySeconds":"45","VisibilityTimeout":"60"},"tags":{"team":"a"}})");
}

TEST(QueryCodecSqsTest, SendMessageAttributes) {
  auto input = DecodeOk(model::SqsModel(), "SendMessage",
                        std::string(kQueue) +
                            "&MessageBody=%7B%22a%22%3A1%7D&DelaySeconds=5"
                            "&MessageAttribute.1.Name=color"
                            "&MessageAttribute.1.Value.DataType=String"
                            "&MessageAttribute.1.Value.StringValue=red"
                            "&MessageAttribute.2.Name=blob"
                            "&MessageAttribute.2.Value.DataType=Binary"
                            "&MessageAttribute.2.Value.BinaryValue=aGk%3D"
                            "&MessageSystemAttribute.1.Name=AWSTraceHeader"
                            "&MessageSystemAttribute.1.Value.DataType=String"
                            "&MessageSystemAttribute.1.Value.StringValue=Root%3D1");
  ExpectJson(input, R"({"QueueUrl":"http://localhost:4566/000000000000/q",
    "MessageBody":"{\"a\":1}","DelaySeconds":5,
    "MessageAttributes":{"color":{"DataType":"String","StringValue":"red"},
                         "blob":{"DataType":"Binary","BinaryValue":"hi"}},
    "MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String","StringValue":"Root=1"}}})");
}

TEST(QueryCodecSqsTest, SendMessageBatchFlattenedEntries) {
  auto input = DecodeOk(model::SqsModel(), "SendMessageBatch",
                        std::string(kQueue) +
                            "&SendMessageBatchRequestEntry.1.Id=a"
                            "&SendMessageBatchRequestEntry.1.MessageBody=one"
                            "&SendMessageBatchRequestEntry.1.DelaySeconds=3"
                            "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=n"
                            "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType="
                            "Number"
                            "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue="
                            "1.5"
                            "&SendMessageBatchRequestEntry.2.Id=b"
                            "&SendMessageBatchRequestEntry.2.MessageBody=two"
                            "&SendMessageBatchRequestEntry.2.MessageGroupId=g");
  ExpectJson(input, R"({"QueueUrl":"http://localhost:4566/000000000000/q","Entries":[
    {"Id":"a","MessageBody":"one","DelaySeconds":3,
     "MessageAttributes":{"n":{"DataType":"Number","StringValue":"1.5"}}},
    {"Id":"b","MessageBody":"two","MessageGroupId":"g"}]})");
}

TEST(QueryCodecSqsTest, DeleteAndChangeVisibilityBatches) {
  auto input = DecodeOk(model::SqsModel(), "DeleteMessageBatch",
                        std::string(kQueue) +
                            "&DeleteMessageBatchRequestEntry.1.Id=a"
                            "&DeleteMessageBatchRequestEntry.1.ReceiptHandle=r");
  ExpectJson(input, R"({"QueueUrl":"http://localhost:4566/000000000000/q",
    "Entries":[{"Id":"a","ReceiptHandle":"r"}]})");
  input = DecodeOk(model::SqsModel(), "ChangeMessageVisibilityBatch",
                   std::string(kQueue) +
                       "&ChangeMessageVisibilityBatchRequestEntry.1.Id=a"
                       "&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=r"
                       "&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=0");
  ExpectJson(input, R"({"QueueUrl":"http://localhost:4566/000000000000/q",
    "Entries":[{"Id":"a","ReceiptHandle":"r","VisibilityTimeout":0}]})");
}

TEST(QueryCodecSqsTest, TagsAndPermissions) {
  auto input =
      DecodeOk(model::SqsModel(), "TagQueue", std::string(kQueue) + "&Tag.1.Key=k&Tag.1.Value=v");
  ExpectJson(input, R"({"QueueUrl":"http://localhost:4566/000000000000/q","Tags":{"k":"v"}})");
  input = DecodeOk(model::SqsModel(), "UntagQueue", std::string(kQueue) + "&TagKey.1=k");
  ExpectJson(input, R"({"QueueUrl":"http://localhost:4566/000000000000/q","TagKeys":["k"]})");
  input = DecodeOk(
      model::SqsModel(), "AddPermission",
      std::string(kQueue) + "&Label=l&AWSAccountId.1=111122223333&ActionName.1=SendMessage");
  ExpectJson(input, R"({"QueueUrl":"http://localhost:4566/000000000000/q","Label":"l",
    "AWSAccountIds":["111122223333"],"Actions":["SendMessage"]})");
}

TEST(QueryCodecSqsTest, MissingParameter) {
  AwsError e = DecodeError(model::SqsModel(), "SendMessage", "MessageBody=x");
  EXPECT_EQ(e.code, "MissingParameter");
  EXPECT_EQ(e.query_code, "MissingParameter");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.message, "The request must contain the parameter QueueUrl.");
  e = DecodeError(model::SqsModel(), "SendMessageBatch",
                  std::string(kQueue) + "&SendMessageBatchRequestEntry.1.MessageBody=x");
  EXPECT_EQ(e.message, "The request must contain the parameter SendMessageBatchRequestEntry.1.Id.");
}

TEST(QueryCodecSqsTest, BadNumberIsInvalidParameterValue) {
  AwsError e = DecodeError(model::SqsModel(), "ReceiveMessage",
                           std::string(kQueue) + "&MaxNumberOfMessages=ten");
  EXPECT_EQ(e.code, "InvalidParameterValue");
  EXPECT_EQ(e.query_code, "InvalidParameterValue");
  EXPECT_EQ(e.message,
            "Value ten for parameter MaxNumberOfMessages is invalid. Reason: Must be an integer.");
}

TEST(QueryCodecTest, Timestamps) {
  double s = 0;
  ASSERT_TRUE(ParseTimestamp("2015-01-25T08:00:00Z", s));
  EXPECT_EQ(s, 1422172800.0);
  ASSERT_TRUE(ParseTimestamp("2015-01-25T08:00:00.5Z", s));
  EXPECT_EQ(s, 1422172800.5);
  ASSERT_TRUE(ParseTimestamp("2015-01-25T10:00:00+02:00", s));
  EXPECT_EQ(s, 1422172800.0);
  ASSERT_TRUE(ParseTimestamp("1422172800", s));
  EXPECT_EQ(s, 1422172800.0);
  EXPECT_FALSE(ParseTimestamp("2015-13-25T08:00:00Z", s));
  EXPECT_FALSE(ParseTimestamp("2015-01-25 08:00:00Z", s));
  EXPECT_FALSE(ParseTimestamp("2015-01-25T08:00:00Zjunk", s));
  EXPECT_FALSE(ParseTimestamp("", s));
  EXPECT_EQ(FormatTimestamp(1422172800.0), "2015-01-25T08:00:00Z");
  EXPECT_EQ(FormatTimestamp(1422172800.25), "2015-01-25T08:00:00.250Z");
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59Z");
}

}  // namespace
}  // namespace tidepool::protocol::query_codec
