// JSON replies of the query codec (query_codec.h: EncodeJsonResponse, EncodeJsonError).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "protocol/codec/query_codec.h"
#include "protocol/model/models.h"

namespace tidepool::protocol::query_codec {
namespace {

namespace json = boost::json;

json::value Encode(const model::ServiceModel& model, std::string_view op_name,
                   std::string_view output) {
  const model::Operation* op = model.FindOperation(op_name);
  EXPECT_NE(op, nullptr) << op_name;
  if (op == nullptr) return {};
  return json::parse(EncodeJsonResponse(model, *op, json::parse(output).as_object(), "r-1"));
}

TEST(QueryJsonEncoderTest, SnsListsEveryMemberUnderItsModelName) {
  EXPECT_EQ(Encode(model::SnsModel(), "ListTopics", R"({"Topics":[{"TopicArn":"arn:t"}]})"),
            json::parse(R"({"ListTopicsResponse": {
                "ListTopicsResult": {"Topics": [{"TopicArn": "arn:t"}], "NextToken": null},
                "ResponseMetadata": {"RequestId": "r-1"}}})"));
  json::value attributes = Encode(model::SnsModel(), "GetTopicAttributes",
                                  R"({"Attributes":{"DisplayName":"d","Owner":"1"}})");
  EXPECT_EQ(attributes.at("GetTopicAttributesResponse").at("GetTopicAttributesResult"),
            json::parse(R"({"Attributes": {"DisplayName": "d", "Owner": "1"}})"));
}

TEST(QueryJsonEncoderTest, SqsListsStartInLowerCase) {
  json::value got = Encode(model::SqsModel(), "ReceiveMessage",
                           R"({"Messages":[{"MessageId":"m","Body":"b","Extra":1}]})");
  const json::value& message =
      got.at("ReceiveMessageResponse").at("ReceiveMessageResult").at("messages").at(0);
  EXPECT_EQ(message.at("MessageId"), "m");
  EXPECT_TRUE(message.at("Attributes").is_null());
  EXPECT_FALSE(message.as_object().contains("Extra"));
  got = Encode(model::SqsModel(), "ListQueues", "{}");
  EXPECT_TRUE(got.at("ListQueuesResponse").at("ListQueuesResult").at("queueUrls").is_null());
  // No output shape: the metadata alone.
  EXPECT_EQ(Encode(model::SqsModel(), "DeleteQueue", "{}"),
            json::parse(R"({"DeleteQueueResponse": {"ResponseMetadata": {"RequestId": "r-1"}}})"));
}

TEST(QueryJsonEncoderTest, ScalarsAndBlobs) {
  json::value got = Encode(model::SqsModel(), "ReceiveMessage",
                           R"({"Messages":[{"MessageAttributes":{"a":{"DataType":"Binary",
                               "BinaryValue":"hi"}}}]})");
  const json::value& value = got.at("ReceiveMessageResponse")
                                 .at("ReceiveMessageResult")
                                 .at("messages")
                                 .at(0)
                                 .at("MessageAttributes")
                                 .at("a");
  EXPECT_EQ(value.at("BinaryValue"), "aGk=");
  EXPECT_EQ(value.at("DataType"), "Binary");
}

TEST(QueryJsonEncoderTest, MalformedUtf8BecomesReplacementCharacters) {
  const model::ServiceModel& sns = model::SnsModel();
  json::object output{{"Attributes", json::object{{"k\xff", "v\xfe"}}}};
  std::string text = EncodeJsonResponse(sns, *sns.FindOperation("GetTopicAttributes"), output, "r");
  json::value got = json::parse(text);  // throws on malformed UTF-8
  EXPECT_EQ(got.at("GetTopicAttributesResponse").at("GetTopicAttributesResult").at("Attributes"),
            json::parse(R"({"k\ufffd": "v\ufffd"})"));
}

TEST(QueryJsonEncoderTest, Errors) {
  AwsError e{"QueueDoesNotExist", "The specified queue does not exist.", 400, true,
             "AWS.SimpleQueueService.NonExistentQueue"};
  EXPECT_EQ(json::parse(EncodeJsonError(&model::SqsModel(), e, "r-2")),
            json::parse(R"({"Error": {"Code": "AWS.SimpleQueueService.NonExistentQueue",
                "Message": "The specified queue does not exist for this wsdl version.",
                "Type": "Sender"}, "RequestId": "r-2"})"));
  AwsError server{"InternalFailure", "boom", 500, false, {}};
  EXPECT_EQ(json::parse(EncodeJsonError(nullptr, server, "r")),
            json::parse(R"({"Error": {"Code": "InternalFailure", "Message": "boom",
                "Type": "Receiver"}, "RequestId": "r"})"));
}

}  // namespace
}  // namespace tidepool::protocol::query_codec
