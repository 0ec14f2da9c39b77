// The plain-body scans of SendMessage, ReceiveMessage and DeleteMessage: what they accept
// (and that the codec decodes exactly that), what they refuse, and that the service answers
// refused bodies with the codec's own errors and scanned ones with its own checks.
#include "services/sqs/message_scan.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <string>

#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"
#include "services/sqs/input.h"
#include "services/sqs/message_input.h"
#include "services/sqs/sqs_test_fixture.h"

namespace tidepool::sqs {
namespace {
namespace json = boost::json;

// The codec's decoded input for `body`; fails the test when the codec refuses it.
json::object Decoded(std::string_view op, std::string_view body) {
  const auto& model = protocol::model::SqsModel();
  auto decoded = protocol::json_codec::DecodeRequest(model, *model.FindOperation(op), body);
  auto* object = std::get_if<json::object>(&decoded);
  if (object == nullptr) {
    ADD_FAILURE() << "the codec refuses " << body;
    return {};
  }
  return *object;
}

TEST(MessageScanTest, SendMessageAcceptsPlainBodiesAsTheCodecDecodesThem) {
  const std::string bodies[] = {
      R"({"QueueUrl":"http://h/1/q","MessageBody":"hello world"})",
      " {\n\t\"MessageBody\" : \"x\" ,\r\"QueueUrl\":\"q\" } \n",
      R"({"QueueUrl":"q","MessageBody":"","DelaySeconds":0})",
      R"x({"QueueUrl":"q","MessageBody":"{'a':1} ~!@#$%^&*()","DelaySeconds":900})x",
      R"({"DelaySeconds":-17,"QueueUrl":"q","MessageBody":"b"})",
      R"({"QueueUrl":"q","MessageBody":"b","DelaySeconds":999999999})",
  };
  for (const std::string& body : bodies) {
    SendMessageScan scan;
    ASSERT_TRUE(ScanSendMessage(body, &scan)) << body;
    const json::object in = Decoded("SendMessage", body);
    EXPECT_EQ(in.size(), 2u + (scan.delay_seconds ? 1 : 0)) << body;
    EXPECT_EQ(InputString(in, "QueueUrl"), scan.queue_url) << body;
    EXPECT_EQ(InputString(in, "MessageBody"), scan.message_body) << body;
    EXPECT_EQ(InputInt(in, "DelaySeconds"), scan.delay_seconds) << body;
  }
  SendMessageScan scan;
  ASSERT_TRUE(ScanSendMessage(R"({"QueueUrl":"u","MessageBody":"m","DelaySeconds":42})", &scan));
  EXPECT_EQ(scan.queue_url, "u");
  EXPECT_EQ(scan.message_body, "m");
  EXPECT_EQ(scan.delay_seconds, 42);
}

TEST(MessageScanTest, SendMessageRefusesAnythingButThePlainShape) {
  const std::string bodies[] = {
      R"({"QueueUrl":"q","MessageBody":"a\nb"})",              // escape
      R"({"QueueUrl":"q","MessageBody":"a\u0041"})",           // escape
      "{\"QueueUrl\":\"q\",\"MessageBody\":\"caf\xc3\xa9\"}",  // non-ASCII
      "{\"QueueUrl\":\"q\",\"MessageBody\":\"a\tb\"}",         // control character
      R"({"QueueUrl":"q","MessageBody":"b","MessageAttributes":{}})",
      R"({"QueueUrl":"q","MessageBody":"b","MessageGroupId":"g"})",
      R"({"QueueUrl":"q","MessageBody":"b","Unknown":"x"})",
      R"({"QueueUrl":"q","MessageBody":"b","MessageBody":"c"})",  // duplicate
      R"({"QueueUrl":"q","MessageBody":null})",
      R"({"QueueUrl":"q","MessageBody":"b","DelaySeconds":null})",
      R"({"QueueUrl":"q","MessageBody":7})",
      R"({"QueueUrl":"q","MessageBody":"b","DelaySeconds":"5"})",
      R"({"QueueUrl":"q","MessageBody":"b","DelaySeconds":5.0})",
      R"({"QueueUrl":"q","MessageBody":"b","DelaySeconds":5e0})",
      R"({"QueueUrl":"q","MessageBody":"b","DelaySeconds":05})",
      R"({"QueueUrl":"q","MessageBody":"b","DelaySeconds":-0})",
      R"({"QueueUrl":"q","MessageBody":"b","DelaySeconds":- 1})",
      R"({"QueueUrl":"q","MessageBody":"b","DelaySeconds":1234567890})",
      R"({"QueueUrl":"q","MessageBody":"b","DelaySeconds":1 2})",
      R"({"QueueUrl":"q","MessageBody":"b"} x)",
      R"({"QueueUrl":"q","MessageBody":"b",})",
      R"({"QueueUrl":"q"})",
      R"({"MessageBody":"b"})",
      R"([])",
      "",
      R"({"QueueUrl":"q","MessageBody":"b)",
  };
  for (const std::string& body : bodies) {
    SendMessageScan scan;
    EXPECT_FALSE(ScanSendMessage(body, &scan)) << body;
  }
}

TEST(MessageScanTest, ReceiveMessageReadsEveryMemberAsTheCodecDoes) {
  const std::string body =
      R"({"QueueUrl":"q","MaxNumberOfMessages":10,"VisibilityTimeout":30,"WaitTimeSeconds":0,)"
      R"("AttributeNames":["All","SenderId"],"MessageSystemAttributeNames":[],)"
      R"("MessageAttributeNames":[ "a.*" , "b" ],"ReceiveRequestAttemptId":"r1"})";
  ReceiveMessageInput scan;
  ASSERT_TRUE(ScanReceiveMessage(body, &scan));
  const json::object in = Decoded("ReceiveMessage", body);
  EXPECT_EQ(scan.queue_url, InputString(in, "QueueUrl"));
  EXPECT_EQ(scan.max_messages, 10);
  EXPECT_EQ(scan.visibility_timeout, 30);
  EXPECT_EQ(scan.wait_seconds, 0);
  EXPECT_EQ(scan.attribute_names, (std::vector<std::string_view>{"All", "SenderId"}));
  EXPECT_TRUE(scan.system_attribute_names.empty());
  EXPECT_EQ(scan.message_attribute_names, (std::vector<std::string_view>{"a.*", "b"}));
  EXPECT_EQ(scan.attempt_id, "r1");
  EXPECT_EQ(in.size(), 8u);

  ASSERT_TRUE(ScanReceiveMessage(R"({"QueueUrl":"q"})", &scan));
  EXPECT_FALSE(scan.max_messages || scan.visibility_timeout || scan.wait_seconds ||
               scan.attempt_id);
  EXPECT_TRUE(scan.attribute_names.empty());

  for (const std::string refused : {
           R"({"QueueUrl":"q","AttributeNames":[1]})",
           R"({"QueueUrl":"q","AttributeNames":[null]})",
           R"({"QueueUrl":"q","AttributeNames":["All",]})",
           R"({"QueueUrl":"q","AttributeNames":"All"})",
           R"({"QueueUrl":"q","AttributeNames":[],"AttributeNames":[]})",
           R"({"QueueUrl":"q","MaxNumberOfMessages":1.5})",
           R"({"QueueUrl":"q","WaitTimeSeconds":1,"WaitTimeSeconds":2})",
           R"({"QueueUrl":"q","MaxNumberOfMessagesPerSecond":1})",
           R"({"MaxNumberOfMessages":1})",
       }) {
    EXPECT_FALSE(ScanReceiveMessage(refused, &scan)) << refused;
  }
}

TEST(MessageScanTest, DeleteMessageReadsQueueAndHandle) {
  DeleteMessageScan scan;
  ASSERT_TRUE(ScanDeleteMessage(R"({"ReceiptHandle":"h+/=","QueueUrl":"q"})", &scan));
  EXPECT_EQ(scan.queue_url, "q");
  EXPECT_EQ(scan.receipt_handle, "h+/=");
  for (const std::string refused : {
           R"({"QueueUrl":"q"})",
           R"({"QueueUrl":"q","ReceiptHandle":5})",
           R"({"QueueUrl":"q","ReceiptHandle":"h","Extra":1})",
           R"({"QueueUrl":"q","ReceiptHandle":"h\/"})",
       }) {
    EXPECT_FALSE(ScanDeleteMessage(refused, &scan)) << refused;
  }
}

// Bodies the scans refuse reach the codec, whose errors the client sees word for word.
TEST_F(SqsTest, RefusedPlainBodiesGetTheCodecsErrors) {
  const std::string url = CreateQueue("scan-errors");
  const auto& model = protocol::model::SqsModel();
  const std::pair<std::string_view, std::string> cases[] = {
      {"SendMessage", R"({"QueueUrl":")" + url + R"(","MessageBody":"b","DelaySeconds":"5"})"},
      {"SendMessage", R"({"QueueUrl":")" + url + R"(","MessageBody":"b")"},
      {"SendMessage", R"({"MessageBody":"b"})"},
      {"ReceiveMessage", R"({"QueueUrl":")" + url + R"(","AttributeNames":"All"})"},
      {"ReceiveMessage", R"({"QueueUrl":")" + url + R"(","WaitTimeSeconds":true})"},
      {"DeleteMessage", R"({"QueueUrl":")" + url + R"(","ReceiptHandle":5})"},
      {"DeleteMessage", R"({"QueueUrl":")" + url + R"("})"},
      {"DeleteMessage", "not json"},
  };
  for (const auto& [operation, body] : cases) {
    auto expected =
        protocol::json_codec::DecodeRequest(model, *model.FindOperation(operation), body);
    ASSERT_TRUE(std::holds_alternative<protocol::AwsError>(expected)) << body;
    const auto& want = std::get<protocol::AwsError>(expected);
    auto got = Err(CallRaw(operation, body));
    EXPECT_EQ(got.code, want.code) << body;
    EXPECT_EQ(got.message, want.message) << body;
  }
}

// Scanned bodies still meet the handlers' own checks, with the same errors as decoded ones;
// bodies the codec decodes but the scan refuses behave as before.
TEST_F(SqsTest, ScannedAndDecodedBodiesMeetTheSameChecks) {
  const std::string url = CreateQueue("scan-checks");
  const std::string fifo = CreateQueue("scan-checks.fifo", {{"FifoQueue", "true"}});
  const std::string q = R"({"QueueUrl":")" + url + R"(",)";
  const std::pair<std::string, std::string> cases[] = {
      // {scanned body, the same request in a form the scan refuses}
      {q + R"("MessageBody":"b","DelaySeconds":901})",
       q + R"("MessageBody":"b","DelaySeconds":901.5})"},
      {q + R"("MessageBody":""})", q + R"("MessageBody":"","DelaySeconds":null})"},
      {R"({"QueueUrl":"http://h/123456789012/none","MessageBody":"b"})",
       R"({"QueueUrl":"http:\/\/h/123456789012/none","MessageBody":"b"})"},
      {R"({"QueueUrl":")" + fifo + R"(","MessageBody":"b"})",
       R"({"QueueUrl":")" + fifo + R"(","MessageBody":"\u0062"})"},
  };
  for (const auto& [scanned, decoded] : cases) {
    SendMessageScan scan;
    ASSERT_TRUE(ScanSendMessage(scanned, &scan)) << scanned;
    ASSERT_FALSE(ScanSendMessage(decoded, &scan)) << decoded;
    auto a = Err(CallRaw("SendMessage", scanned));
    auto b = Err(CallRaw("SendMessage", decoded));
    EXPECT_FALSE(a.code.empty()) << scanned;
    EXPECT_EQ(a.code, b.code) << scanned;
    EXPECT_EQ(a.message, b.message) << scanned;
  }
  auto a = Err(CallRaw("ReceiveMessage", q + R"("MaxNumberOfMessages":11})"));
  auto b = Err(CallRaw("ReceiveMessage", q + R"("MaxNumberOfMessages":11.9})"));
  EXPECT_EQ(a.code, "InvalidParameterValueException");
  EXPECT_EQ(a.message, b.message);
}

TEST_F(SqsTest, PlainBodiesSendReceiveAndDelete) {
  const std::string url = CreateQueue("scan-cycle");
  encoded_replies_ = 0;
  auto sent = Ok(CallRaw("SendMessage", R"({"QueueUrl":")" + url + R"(","MessageBody":"one"})"));
  EXPECT_EQ(sent["MD5OfMessageBody"].as_string(), Md5Hex("one"));
  // Scanned and decoded the same way: a body with an escape goes through the codec.
  Ok(CallRaw("SendMessage", R"({"QueueUrl":")" + url + R"(","MessageBody":"tw\u006f"})"));
  auto received = Ok(
      CallRaw("ReceiveMessage", R"({"QueueUrl":")" + url +
                                    R"(","MaxNumberOfMessages":10,"AttributeNames":["SenderId"],)"
                                    R"("VisibilityTimeout":60,"WaitTimeSeconds":0})"));
  ASSERT_EQ(received["Messages"].as_array().size(), 2u);
  const auto& first = received["Messages"].as_array()[0].as_object();
  EXPECT_EQ(first.at("Body"), "one");
  EXPECT_EQ(first.at("MessageId"), sent["MessageId"]);
  EXPECT_EQ(first.at("Attributes").as_object().at("SenderId"), "123456789012");
  EXPECT_EQ(received["Messages"].as_array()[1].as_object().at("Body"), "two");
  EXPECT_EQ(encoded_replies_, 3);
  for (const auto& m : received["Messages"].as_array()) {
    const std::string handle(m.as_object().at("ReceiptHandle").as_string());
    Ok(CallRaw("DeleteMessage",
               R"({"QueueUrl":")" + url + R"(","ReceiptHandle":")" + handle + R"("})"));
  }
  auto bad = Err(CallRaw("DeleteMessage", R"({"QueueUrl":")" + url + R"(","ReceiptHandle":"x"})"));
  EXPECT_EQ(bad.code, "ReceiptHandleIsInvalid");
  EXPECT_TRUE(Receive(url, json::object{{"VisibilityTimeout", 0}}).empty());
}

}  // namespace
}  // namespace tidepool::sqs
