// The two ways a call reaches SqsService: raw over the AWS JSON protocol (the operations it
// takes raw reply hand-encoded JSON) or decoded up front as by the query protocol (output
// objects, which the query codec needs). Both must carry the same replies and errors.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "protocol/codec/json_codec.h"
#include "services/sqs/message_input.h"
#include "services/sqs/sqs_test_fixture.h"

namespace tidepool::sqs {
namespace {
namespace json = boost::json;

TEST_F(SqsTest, JsonCallsGetEncodedRepliesAndDecodedCallsObjects) {
  const std::string url = CreateQueue("forms");
  for (const Protocol protocol : {Protocol::kJson, Protocol::kDecoded}) {
    protocol_ = protocol;
    encoded_replies_ = 0;
    const json::object attributes{
        {"color", json::object{{"DataType", "String"}, {"StringValue", "blue"}}}};
    auto sent = Send(url, "say \"hi\"\n", json::object{{"MessageAttributes", attributes}});
    EXPECT_EQ(sent["MD5OfMessageBody"].as_string(), Md5Hex("say \"hi\"\n"));
    EXPECT_EQ(sent["MD5OfMessageAttributes"].as_string().size(), 32u);

    json::array entries{json::object{{"Id", "a"}, {"MessageBody", "x"}},
                        json::object{{"Id", "b"}, {"MessageBody", "\x01"}}};
    auto batch =
        Ok(Call("SendMessageBatch", json::object{{"QueueUrl", url}, {"Entries", entries}}));
    ASSERT_EQ(batch["Successful"].as_array().size(), 1u);
    EXPECT_EQ(batch["Successful"].as_array()[0].as_object()["Id"], "a");
    ASSERT_EQ(batch["Failed"].as_array().size(), 1u);
    EXPECT_EQ(batch["Failed"].as_array()[0].as_object()["Code"], "InvalidMessageContents");
    EXPECT_EQ(batch["Failed"].as_array()[0].as_object()["SenderFault"], true);

    auto received = Receive(url, json::object{{"MaxNumberOfMessages", 10},
                                              {"AttributeNames", json::array{"All"}},
                                              {"MessageAttributeNames", json::array{"All"}}});
    ASSERT_EQ(received.size(), 2u);
    auto& first = received[0].as_object();
    EXPECT_EQ(first["Body"], "say \"hi\"\n");
    EXPECT_EQ(first["MessageId"], sent["MessageId"]);
    EXPECT_EQ(first["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"]);
    EXPECT_EQ(first["MessageAttributes"].as_object()["color"].as_object()["StringValue"], "blue");
    EXPECT_EQ(first["Attributes"].as_object()["SenderId"], "123456789012");
    EXPECT_EQ(first["Attributes"].as_object()["ApproximateReceiveCount"], "1");
    EXPECT_EQ(received[1].as_object()["Body"], "x");
    for (auto& m : received) {
      Ok(Call("DeleteMessage",
              json::object{{"QueueUrl", url}, {"ReceiptHandle", m.as_object()["ReceiptHandle"]}}));
    }
    EXPECT_TRUE(Receive(url).empty());
    // SendMessage, SendMessageBatch and the two ReceiveMessages.
    EXPECT_EQ(encoded_replies_, protocol == Protocol::kJson ? 4 : 0);
  }
}

TEST_F(SqsTest, RawBodiesThatDoNotDecodeGetTheCodecsError) {
  const std::string url = CreateQueue("raw");
  const auto& model = protocol::model::SqsModel();
  const std::pair<std::string_view, std::string> cases[] = {
      {"SendMessage", R"({"QueueUrl":")" + url + R"(","MessageBody":7})"},
      {"SendMessage", R"({"QueueUrl":")" + url + R"("})"},
      {"SendMessageBatch", R"({"QueueUrl":")" + url + R"(","Entries":{}})"},
      {"ReceiveMessage", R"({"QueueUrl":")" + url + R"(","MaxNumberOfMessages":"ten"})"},
  };
  for (const auto& [operation, body] : cases) {
    auto expected =
        protocol::json_codec::DecodeRequest(model, *model.FindOperation(operation), body);
    ASSERT_TRUE(std::holds_alternative<protocol::AwsError>(expected)) << body;
    const auto& want = std::get<protocol::AwsError>(expected);
    auto got = Err(Call(operation, body));
    EXPECT_EQ(got.code, want.code) << body;
    EXPECT_EQ(got.message, want.message) << body;
  }
}

}  // namespace
}  // namespace tidepool::sqs
