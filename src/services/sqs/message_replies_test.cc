// Each hand-encoded reply must be, byte for byte, what the model codec writes from the output
// object the same builder makes for the other form.
#include "services/sqs/message_replies.h"

#include <gtest/gtest.h>

#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"

namespace tidepool::sqs {
namespace {
namespace json = boost::json;

std::string ByCodec(std::string_view operation, const protocol::Outcome& outcome) {
  const auto& model = protocol::model::SqsModel();
  const auto* op = model.FindOperation(operation);
  EXPECT_NE(op, nullptr);
  const auto* object = std::get_if<json::object>(&outcome);
  EXPECT_NE(object, nullptr);
  if (op == nullptr || object == nullptr) return {};
  return protocol::json_codec::EncodeOutput(model, *op, *object);
}

std::string Text(const protocol::Outcome& outcome) {
  const auto* encoded = std::get_if<protocol::EncodedJson>(&outcome);
  EXPECT_NE(encoded, nullptr);
  return encoded ? encoded->body : std::string();
}

const SentMessage kPlain{
    "5fea7756-0ea4-451a-a703-a558b933e274", "fafb00f5732ab283681e124bf8747ed1", {}, {}, {}};
const SentMessage kFull{"0b7a4d0c-3b0e-4d7e-8a3c-2f2b1c1d6f00", "fafb00f5732ab283681e124bf8747ed1",
                        "3ae8f24a165a8cedc005670c81a27295", "5ae4d5d7636402d80f4eb6d213245a88",
                        "00000000000000000042"};

TEST(MessageRepliesTest, SendMessageMatchesTheCodec) {
  for (const SentMessage& sent : {kPlain, kFull}) {
    const std::string text = Text(SendMessageReply(ReplyForm::kJsonText, sent));
    EXPECT_EQ(text, ByCodec("SendMessage", SendMessageReply(ReplyForm::kObject, sent)));
  }
  EXPECT_EQ(Text(SendMessageReply(ReplyForm::kJsonText, kPlain)),
            "{\"MD5OfMessageBody\":\"fafb00f5732ab283681e124bf8747ed1\","
            "\"MessageId\":\"5fea7756-0ea4-451a-a703-a558b933e274\"}");
}

TEST(MessageRepliesTest, SendMessageBatchMatchesTheCodec) {
  const protocol::AwsError legacy{"InvalidParameterValue", "Value \"x\"\n is invalid.", 400, true,
                                  "AWS.SimpleQueueService.InvalidParameterValue"};
  const protocol::AwsError plain{"InternalFailure", "", 500, false, {}};
  for (int entries = 0; entries < 4; ++entries) {
    SendMessageBatchReply object(ReplyForm::kObject), text(ReplyForm::kJsonText);
    for (int i = 0; i < entries; ++i) {
      const std::string id = "entry-" + std::to_string(i);
      if (i == 1) {
        object.AddFailure(id, legacy);
        text.AddFailure(id, legacy);
      } else if (i == 3) {
        object.AddFailure(id, plain);
        text.AddFailure(id, plain);
      } else {
        object.AddSuccess(id, i == 0 ? kPlain : kFull);
        text.AddSuccess(id, i == 0 ? kPlain : kFull);
      }
    }
    EXPECT_EQ(Text(std::move(text).Finish()),
              ByCodec("SendMessageBatch", std::move(object).Finish()))
        << entries << " entries";
  }
}

ReceivedMessage Plain() {
  ReceivedMessage m;
  m.message_id = "5fea7756-0ea4-451a-a703-a558b933e274";
  m.receipt_handle = "AQAAAAAAAAABAAAAAAAAAAEAAAAB";
  m.md5_body = "fafb00f5732ab283681e124bf8747ed1";
  m.body = "hello \"world\"\n\t\\ caf\xc3\xa9 \xf0\x9f\x98\x80 \x01";
  return m;
}

ReceivedMessage WithAttributes() {
  ReceivedMessage m = Plain();
  m.body = "{\"nested\":\"json\"}";
  m.attributes = {{"SenderId", "AIDAEXAMPLE"},
                  {"SentTimestamp", "1732261234500"},
                  {"ApproximateReceiveCount", "2"},
                  {"MessageGroupId", "g\"1"}};
  const MessageAttribute binary{"blob", "Binary.gif", 2, std::string("\x00\xff\x10 raw", 6), {}};
  const MessageAttribute number{"count", "Number", 1, "42", {}};
  const MessageAttribute text{"title", "String.custom", 1, "a \"quoted\" title", {}};
  m.message_attributes = {binary, number, text};
  m.md5_message_attributes = "3ae8f24a165a8cedc005670c81a27295";
  return m;
}

TEST(MessageRepliesTest, ReceiveMessageMatchesTheCodec) {
  const std::vector<std::vector<ReceivedMessage>> cases = {
      {}, {Plain()}, {WithAttributes()}, {Plain(), WithAttributes(), Plain()}};
  for (const auto& messages : cases) {
    ReceiveMessageReply object(ReplyForm::kObject), text(ReplyForm::kJsonText);
    for (const auto& m : messages) {
      object.Add(m);
      text.Add(m);
    }
    EXPECT_EQ(object.size(), messages.size());
    EXPECT_EQ(text.size(), messages.size());
    EXPECT_EQ(Text(std::move(text).Finish()), ByCodec("ReceiveMessage", std::move(object).Finish()))
        << messages.size() << " messages";
  }
}

TEST(MessageRepliesTest, ReceiveMessageObjectKeepsTheOutputShape) {
  ReceiveMessageReply reply(ReplyForm::kObject);
  reply.Add(WithAttributes());
  const auto outcome = std::move(reply).Finish();
  const auto& out = std::get<json::object>(outcome);
  const auto& m = out.at("Messages").as_array().at(0).as_object();
  EXPECT_EQ(m.at("Attributes").as_object().at("SentTimestamp"), "1732261234500");
  const auto& blob = m.at("MessageAttributes").as_object().at("blob").as_object();
  EXPECT_EQ(blob.at("BinaryValue").as_string(), std::string_view("\x00\xff\x10 raw", 6));
  EXPECT_FALSE(blob.contains("StringValue"));
  EXPECT_EQ(m.at("MD5OfMessageAttributes"), "3ae8f24a165a8cedc005670c81a27295");
}

}  // namespace
}  // namespace tidepool::sqs
