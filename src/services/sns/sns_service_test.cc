#include "services/sns/sns_service.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <mutex>

#include "services/sns/keyspace.h"
#include "services/sns/sns_test_harness.h"

namespace tidepool::sns {
namespace {

using testing::SnsHarness;
namespace json = boost::json;

constexpr std::string_view kQueue = "arn:aws:sqs:us-east-1:123456789012:q1";

std::vector<DeliveryPtr> Outbox(SnsHarness& h) {
  h.commits().Flush();
  auto out = h.service().LoadOutbox();
  EXPECT_TRUE(out.ok());
  return out.ok() ? *out : std::vector<DeliveryPtr>{};
}

TEST(SnsTopicsTest, CreateIsIdempotentAndChecksAttributesAndTags) {
  SnsHarness h;
  const std::string arn = h.CreateTopic("orders");
  EXPECT_EQ(arn, "arn:aws:sns:us-east-1:123456789012:orders");
  EXPECT_EQ(h.CreateTopic("orders"), arn);
  h.Ok("CreateTopic",
       R"({"Name":"t2","Attributes":{"DisplayName":"a"},"Tags":[{"Key":"k","Value":"v"}]})");
  auto e = h.Err("CreateTopic", R"({"Name":"t2","Attributes":{"DisplayName":"b"}})");
  EXPECT_EQ(e.code, "InvalidParameter");
  EXPECT_EQ(e.message,
            "Invalid parameter: Attributes Reason: Topic already exists with different attributes");
  e = h.Err("CreateTopic", R"({"Name":"t2","Tags":[{"Key":"k","Value":"other"}]})");
  EXPECT_EQ(e.message, "Invalid parameter: Tags Reason: Topic already exists with different tags");
  e = h.Err("CreateTopic", R"({"Name":"bad name"})");
  EXPECT_EQ(e.message, "Invalid parameter: Topic Name");
  EXPECT_EQ(e.http_status, 400);
  e = h.Err("CreateTopic", R"({"Name":"x.fifo"})");
  EXPECT_EQ(e.message, "Invalid parameter: Topic Name");
  e = h.Err("CreateTopic", R"({"Name":"x","Attributes":{"FifoTopic":"true"}})");
  EXPECT_TRUE(e.message.starts_with("Invalid parameter: Fifo Topic names must end with .fifo"));
  e = h.Err("CreateTopic", R"({"Name":"x","Attributes":{"Bogus":"1"}})");
  EXPECT_EQ(e.message, "Invalid parameter: AttributeName");
}

TEST(SnsTopicsTest, AttributesListDeleteAndErrors) {
  SnsHarness h;
  const std::string arn = h.CreateTopic("f.fifo", R"({"FifoTopic":"true"})");
  auto attrs = h.Ok("GetTopicAttributes", fmt::format(R"({{"TopicArn":"{}"}})", arn))["Attributes"]
                   .as_object();
  EXPECT_EQ(attrs["FifoTopic"], "true");
  EXPECT_EQ(attrs["ContentBasedDeduplication"], "false");
  EXPECT_EQ(attrs["Owner"], "123456789012");
  EXPECT_EQ(attrs["SubscriptionsConfirmed"], "0");
  EXPECT_TRUE(attrs.contains("Policy"));
  EXPECT_TRUE(attrs.contains("EffectiveDeliveryPolicy"));
  h.Ok("SetTopicAttributes",
       fmt::format(R"({{"TopicArn":"{}","AttributeName":"DisplayName","AttributeValue":"Hi"}})",
                   arn));
  attrs = h.Ok("GetTopicAttributes", fmt::format(R"({{"TopicArn":"{}"}})", arn))["Attributes"]
              .as_object();
  EXPECT_EQ(attrs["DisplayName"], "Hi");

  auto e = h.Err("GetTopicAttributes", R"({"TopicArn":"arn:aws:sns:us-east-1:123456789012:nope"})");
  EXPECT_EQ(e.code, "NotFound");
  EXPECT_EQ(e.http_status, 404);
  EXPECT_EQ(e.message, "Topic does not exist");
  e = h.Err("GetTopicAttributes", R"({"TopicArn":"fake_topic"})");
  EXPECT_EQ(e.message,
            "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1");

  for (int i = 0; i < 150; ++i) h.CreateTopic(fmt::format("t{:03}", i));
  auto page1 = h.Ok("ListTopics", "{}");
  EXPECT_EQ(page1["Topics"].as_array().size(), 100u);
  ASSERT_TRUE(page1.contains("NextToken"));
  auto page2 = h.Ok("ListTopics",
                    fmt::format(R"({{"NextToken":"{}"}})", page1["NextToken"].as_string().c_str()));
  EXPECT_EQ(page2["Topics"].as_array().size(), 51u);
  EXPECT_FALSE(page2.contains("NextToken"));

  h.Ok("DeleteTopic", fmt::format(R"({{"TopicArn":"{}"}})", arn));
  h.Ok("DeleteTopic", fmt::format(R"({{"TopicArn":"{}"}})", arn));  // idempotent
  EXPECT_EQ(h.Err("GetTopicAttributes", fmt::format(R"({{"TopicArn":"{}"}})", arn)).code,
            "NotFound");
}

TEST(SnsTopicsTest, Tags) {
  SnsHarness h;
  const std::string arn = h.CreateTopic("t");
  h.Ok("TagResource",
       fmt::format(
           R"({{"ResourceArn":"{}","Tags":[{{"Key":"a","Value":"1"}},{{"Key":"b","Value":"2"}}]}})",
           arn));
  h.Ok("UntagResource", fmt::format(R"({{"ResourceArn":"{}","TagKeys":["a"]}})", arn));
  auto tags = h.Ok("ListTagsForResource", fmt::format(R"({{"ResourceArn":"{}"}})", arn))["Tags"];
  EXPECT_EQ(json::serialize(tags), R"([{"Key":"b","Value":"2"}])");
  auto e = h.Err(
      "TagResource",
      fmt::format(
          R"({{"ResourceArn":"{}","Tags":[{{"Key":"a","Value":"1"}},{{"Key":"a","Value":"2"}}]}})",
          arn));
  EXPECT_EQ(e.message, "Invalid parameter: Duplicated keys are not allowed.");
  e = h.Err("ListTagsForResource", R"({"ResourceArn":"arn:aws:sns:us-east-1:123456789012:x"})");
  EXPECT_EQ(e.code, "ResourceNotFound");
}

TEST(SnsSubscriptionsTest, SubscribeListAttributesUnsubscribe) {
  SnsHarness h;
  const std::string topic = h.CreateTopic("t");
  const std::string sub = h.Subscribe(topic, "sqs", kQueue);
  EXPECT_TRUE(sub.starts_with(topic + ":"));
  EXPECT_EQ(h.Subscribe(topic, "sqs", kQueue), sub);  // idempotent
  auto e = h.Err(
      "Subscribe",
      fmt::format(
          R"({{"TopicArn":"{}","Protocol":"sqs","Endpoint":"{}","Attributes":{{"RawMessageDelivery":"true"}}}})",
          topic, kQueue));
  EXPECT_EQ(e.message,
            "Invalid parameter: Attributes Reason: Subscription already exists with different "
            "attributes");
  e = h.Err(
      "Subscribe",
      fmt::format(R"({{"TopicArn":"{}","Protocol":"carrier-pigeon","Endpoint":"x"}})", topic));
  EXPECT_EQ(e.message,
            "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon");
  e = h.Err("Subscribe",
            fmt::format(R"({{"TopicArn":"{}","Protocol":"sqs","Endpoint":"not-an-arn"}})", topic));
  EXPECT_EQ(e.message, "Invalid parameter: SQS endpoint ARN");
  e = h.Err("Subscribe", fmt::format(R"({{"TopicArn":"{}","Protocol":"sqs","Endpoint":"{}.fifo"}})",
                                     topic, kQueue));
  EXPECT_EQ(e.message,
            "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
            "subscribed to standard SNS topics");
  e = h.Err("Subscribe",
            fmt::format(R"({{"TopicArn":"{}","Protocol":"http","Endpoint":"https://x"}})", topic));
  EXPECT_EQ(e.message, "Invalid parameter: Endpoint must match the specified protocol");
  e = h.Err(
      "Subscribe",
      fmt::format(
          R"({{"TopicArn":"{}","Protocol":"sqs","Endpoint":"{}","Attributes":{{"FilterPolicy":"{{\"a\":[]}}"}}}})",
          topic, std::string(kQueue) + "2"));
  EXPECT_EQ(e.message,
            "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed");

  auto attrs = h.Ok("GetSubscriptionAttributes",
                    fmt::format(R"({{"SubscriptionArn":"{}"}})", sub))["Attributes"]
                   .as_object();
  EXPECT_EQ(attrs["PendingConfirmation"], "false");
  EXPECT_EQ(attrs["RawMessageDelivery"], "false");
  EXPECT_EQ(attrs["Protocol"], "sqs");
  EXPECT_FALSE(attrs.contains("FilterPolicyScope"));
  h.Ok(
      "SetSubscriptionAttributes",
      fmt::format(
          R"({{"SubscriptionArn":"{}","AttributeName":"FilterPolicy","AttributeValue":"{{\"a\":[\"b\"]}}"}})",
          sub));
  attrs = h.Ok("GetSubscriptionAttributes",
               fmt::format(R"({{"SubscriptionArn":"{}"}})", sub))["Attributes"]
              .as_object();
  EXPECT_EQ(attrs["FilterPolicy"], R"({"a":["b"]})");
  EXPECT_EQ(attrs["FilterPolicyScope"], "MessageAttributes");
  e = h.Err(
      "SetSubscriptionAttributes",
      fmt::format(
          R"({{"SubscriptionArn":"{}","AttributeName":"FilterPolicy","AttributeValue":"{{\"a\":{{\"b\":[1]}}}}"}})",
          sub));
  EXPECT_EQ(e.message,
            "Invalid parameter: Filter policy scope MessageAttributes does not support nested "
            "filter policy");
  e = h.Err(
      "SetSubscriptionAttributes",
      fmt::format(
          R"({{"SubscriptionArn":"{}","AttributeName":"RawMessageDelivery","AttributeValue":"yes"}})",
          sub));
  EXPECT_EQ(e.message,
            "Invalid parameter: RawMessageDelivery: Invalid value [yes]. Must be true or false.");
  e = h.Err(
      "SetSubscriptionAttributes",
      fmt::format(
          R"({{"SubscriptionArn":"{}","AttributeName":"FilterPolicyScope","AttributeValue":"Body"}})",
          sub));
  EXPECT_EQ(e.message,
            "Invalid parameter: FilterPolicyScope: Invalid value [Body]. Please use either "
            "MessageBody or MessageAttributes");
  e = h.Err(
      "SetSubscriptionAttributes",
      fmt::format(
          R"({{"SubscriptionArn":"{}","AttributeName":"RedrivePolicy","AttributeValue":"{{}}"}})",
          sub));
  EXPECT_EQ(e.message, "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn");

  const std::string lambda =
      h.Subscribe(topic, "lambda", "arn:aws:lambda:us-east-1:123456789012:function:f");
  auto list = h.Ok("ListSubscriptionsByTopic", fmt::format(R"({{"TopicArn":"{}"}})", topic));
  EXPECT_EQ(list["Subscriptions"].as_array().size(), 2u);
  EXPECT_EQ(h.Ok("ListSubscriptions", "{}")["Subscriptions"].as_array().size(), 2u);

  h.Ok("Unsubscribe", fmt::format(R"({{"SubscriptionArn":"{}"}})", lambda));
  h.Ok("Unsubscribe", fmt::format(R"({{"SubscriptionArn":"{}"}})", lambda));  // idempotent
  e = h.Err("GetSubscriptionAttributes", fmt::format(R"({{"SubscriptionArn":"{}"}})", lambda));
  EXPECT_EQ(e.code, "NotFound");
  EXPECT_EQ(e.message, "Subscription does not exist");
  auto tattrs =
      h.Ok("GetTopicAttributes", fmt::format(R"({{"TopicArn":"{}"}})", topic))["Attributes"]
          .as_object();
  EXPECT_EQ(tattrs["SubscriptionsConfirmed"], "1");
  EXPECT_EQ(tattrs["SubscriptionsDeleted"], "1");
}

TEST(SnsSubscriptionsTest, HttpSubscriptionConfirmationFlow) {
  SnsHarness h;
  const std::string topic = h.CreateTopic("t");
  auto out = h.Ok(
      "Subscribe",
      fmt::format(R"({{"TopicArn":"{}","Protocol":"http","Endpoint":"http://127.0.0.1:9/hook"}})",
                  topic));
  EXPECT_EQ(out["SubscriptionArn"], "pending confirmation");
  auto outbox = Outbox(h);
  ASSERT_EQ(outbox.size(), 1u);
  const auto& d = *outbox[0];
  EXPECT_EQ(d.kind, DeliveryKind::kSubscriptionConfirmation);
  EXPECT_EQ(d.token.size(), 64u);
  EXPECT_EQ(d.subscribe_url,
            fmt::format("http://localhost:4566/?Action=ConfirmSubscription&TopicArn={}&Token={}",
                        topic, d.token));
  const std::string body = DeliveryBody(d);
  EXPECT_NE(body.find(R"("Type" : "SubscriptionConfirmation")"), std::string::npos);
  EXPECT_NE(body.find(R"("Token" : ")" + d.token), std::string::npos);
  auto list = h.Ok("ListSubscriptionsByTopic", fmt::format(R"({{"TopicArn":"{}"}})", topic));
  EXPECT_EQ(list["Subscriptions"].as_array()[0].as_object().at("SubscriptionArn"),
            "PendingConfirmation");
  EXPECT_EQ(
      h.Err("ConfirmSubscription", fmt::format(R"({{"TopicArn":"{}","Token":"nope"}})", topic))
          .message,
      "Invalid parameter: Token");
  auto confirmed = h.Ok("ConfirmSubscription",
                        fmt::format(R"({{"TopicArn":"{}","Token":"{}"}})", topic, d.token));
  EXPECT_EQ(std::string(confirmed["SubscriptionArn"].as_string()), d.subscription_arn);
  auto attrs = h.Ok("GetSubscriptionAttributes",
                    fmt::format(R"({{"SubscriptionArn":"{}"}})", d.subscription_arn))["Attributes"]
                   .as_object();
  EXPECT_EQ(attrs["PendingConfirmation"], "false");
}

TEST(SnsSubscriptionsTest, UnsubscribeSendsAConfirmationWhoseTokenRestoresTheSubscription) {
  SnsHarness h;
  const std::string topic = h.CreateTopic("t");
  const std::string sub = h.Subscribe(topic, "https", "https://127.0.0.1:9/hook");
  h.Ok("ConfirmSubscription",
       fmt::format(R"({{"TopicArn":"{}","Token":"{}"}})", topic, Outbox(h).back()->token));
  // A pending subscription is removed without a message; a confirmed one gets one.
  h.Ok("Subscribe",
       fmt::format(R"({{"TopicArn":"{}","Protocol":"http","Endpoint":"http://127.0.0.1:9/p"}})",
                   topic));
  auto pending = Outbox(h).back();
  EXPECT_EQ(pending->kind, DeliveryKind::kSubscriptionConfirmation);
  const size_t before = Outbox(h).size();
  h.Ok("Unsubscribe", fmt::format(R"({{"SubscriptionArn":"{}"}})", pending->subscription_arn));
  EXPECT_EQ(Outbox(h).size(), before);

  h.Ok("Unsubscribe", fmt::format(R"({{"SubscriptionArn":"{}"}})", sub));
  auto outbox = Outbox(h);
  ASSERT_EQ(outbox.size(), before + 1);
  const Delivery& d = *outbox.back();
  EXPECT_EQ(d.kind, DeliveryKind::kUnsubscribeConfirmation);
  EXPECT_EQ(d.subscription_arn, sub);
  EXPECT_EQ(d.endpoint, "https://127.0.0.1:9/hook");
  EXPECT_EQ(d.token.size(), 64u);
  EXPECT_EQ(d.subscribe_url,
            fmt::format("http://localhost:4566/?Action=ConfirmSubscription&TopicArn={}&Token={}",
                        topic, d.token));
  auto body = boost::json::parse(DeliveryBody(d)).as_object();
  EXPECT_EQ(body["Type"], "UnsubscribeConfirmation");
  EXPECT_EQ(std::string(body["Token"].as_string()), d.token);
  EXPECT_EQ(std::string(body["SubscribeURL"].as_string()), d.subscribe_url);
  EXPECT_EQ(std::string(body["Message"].as_string()),
            fmt::format("You have chosen to deactivate subscription {}.\nTo cancel this "
                        "operation and restore the subscription, visit the SubscribeURL "
                        "included in this message.",
                        sub));
  EXPECT_FALSE(body.contains("UnsubscribeURL"));
  bool has_sub_header = false;
  for (const auto& [name, value] : DeliveryHttpHeaders(d)) {
    if (name == "x-amz-sns-message-type") EXPECT_EQ(value, "UnsubscribeConfirmation");
    if (name == "x-amz-sns-subscription-arn") has_sub_header = value == sub;
  }
  EXPECT_TRUE(has_sub_header);
  EXPECT_EQ(
      h.Err("GetSubscriptionAttributes", fmt::format(R"({{"SubscriptionArn":"{}"}})", sub)).code,
      "NotFound");

  // The token survives a restart and brings the subscription back, confirmed, with its ARN.
  h.Restart();
  auto restored = h.Ok("ConfirmSubscription",
                       fmt::format(R"({{"TopicArn":"{}","Token":"{}"}})", topic, d.token));
  EXPECT_EQ(std::string(restored["SubscriptionArn"].as_string()), sub);
  auto attrs = h.Ok("GetSubscriptionAttributes",
                    fmt::format(R"({{"SubscriptionArn":"{}"}})", sub))["Attributes"]
                   .as_object();
  EXPECT_EQ(attrs["PendingConfirmation"], "false");
  EXPECT_EQ(attrs["Endpoint"], "https://127.0.0.1:9/hook");
  // Used once: the token no longer restores anything.
  h.Ok("Unsubscribe", fmt::format(R"({{"SubscriptionArn":"{}"}})", sub));
  const std::string second_token = Outbox(h).back()->token;
  EXPECT_NE(second_token, d.token);
  EXPECT_EQ(h.Err("ConfirmSubscription",
                  fmt::format(R"({{"TopicArn":"{}","Token":"{}"}})", topic, d.token))
                .message,
            "Invalid parameter: Token");
}

TEST(SnsPublishTest, FanOutToMatchingSubscriptionsOnly) {
  SnsHarness h;
  const std::string topic = h.CreateTopic("t");
  const std::string all = h.Subscribe(topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:all");
  const std::string red =
      h.Subscribe(topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:red",
                  R"({"FilterPolicy":"{\"color\":[\"red\"]}","RawMessageDelivery":"true"})");
  const std::string body = h.Subscribe(
      topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:body",
      R"({"FilterPolicy":"{\"size\":[{\"numeric\":[\">\",10]}]}","FilterPolicyScope":"MessageBody"})");
  auto out = h.Ok(
      "Publish",
      fmt::format(
          R"({{"TopicArn":"{}","Message":"{{\"size\":20}}","Subject":"hello","MessageAttributes":{{"color":{{"DataType":"String","StringValue":"red"}}}}}})",
          topic));
  ASSERT_TRUE(out.contains("MessageId"));
  EXPECT_FALSE(out.contains("SequenceNumber"));
  h.Ok("Publish", fmt::format(R"({{"TopicArn":"{}","Message":"plain"}})", topic));
  auto outbox = Outbox(h);
  ASSERT_EQ(outbox.size(), 4u);
  EXPECT_EQ(outbox[0]->subscription_arn, all);
  EXPECT_EQ(outbox[1]->subscription_arn, red);
  EXPECT_TRUE(outbox[1]->raw);
  EXPECT_EQ(outbox[2]->subscription_arn, body);
  EXPECT_EQ(outbox[3]->subscription_arn, all);
  EXPECT_EQ(outbox[0]->message_id, std::string(out["MessageId"].as_string()));
  EXPECT_EQ(outbox[0]->subject, "hello");
  EXPECT_EQ(DeliveryBody(*outbox[1]), R"({"size":20})");
}

TEST(SnsPublishTest, ValidationErrors) {
  SnsHarness h;
  const std::string topic = h.CreateTopic("t");
  auto pub = [&](std::string_view extra) {
    return h.Err("Publish", fmt::format(R"({{"TopicArn":"{}",{}}})", topic, extra));
  };
  EXPECT_EQ(pub(R"("Message":"")").message, "Invalid parameter: Empty message");
  EXPECT_EQ(pub(R"("Message":"x","Subject":"")").message, "Invalid parameter: Subject");
  EXPECT_EQ(pub(R"("Message":"x","Subject":"a\nb")").code, "InvalidParameter");
  EXPECT_EQ(pub(std::string(R"("Message":")") + std::string(256 * 1024 + 1, 'x') + "\"").message,
            "Invalid parameter: Message too long");
  EXPECT_EQ(pub(R"("Message":"x","MessageStructure":"json")").message,
            "Invalid parameter: Message Structure - JSON message body failed to parse");
  EXPECT_EQ(pub(R"("Message":"{\"sqs\":\"a\"}","MessageStructure":"json")").message,
            "Invalid parameter: Message Structure - No default entry in JSON message body");
  EXPECT_EQ(pub(R"("Message":"x","MessageDeduplicationId":"d")").message,
            "Invalid parameter: MessageDeduplicationId Reason: The request includes "
            "MessageDeduplicationId parameter that is not valid for this topic type");
  auto e = pub(R"("Message":"x","MessageAttributes":{"a":{"DataType":"Foo","StringValue":"1"}})");
  EXPECT_EQ(e.code, "ParameterValueInvalid");
  EXPECT_EQ(e.message,
            "The message attribute 'a' has an invalid message attribute type, the set of supported "
            "type prefixes is Binary, Number, and String.");
  e = pub(R"("Message":"x","MessageAttributes":{".a":{"DataType":"String","StringValue":"1"}})");
  EXPECT_EQ(e.message, "Invalid message attribute name starting with character '.' was found.");
  e = pub(R"("Message":"x","MessageAttributes":{"a":{"DataType":"Number","StringValue":"abc"}})");
  EXPECT_EQ(e.message, "Could not cast message attribute 'a' value to number.");
  e = pub(R"("Message":"x","MessageAttributes":{"a":{"DataType":"Binary","StringValue":"abc"}})");
  EXPECT_EQ(e.message, "The message attribute 'a' with type 'Binary' must use field 'Binary'.");
  e = h.Err("Publish", R"({"TopicArn":"arn:aws:sns:us-east-1:123456789012:nope","Message":"x"})");
  EXPECT_EQ(e.code, "NotFound");
}

TEST(SnsPublishTest, MessageStructurePicksPerProtocolText) {
  SnsHarness h;
  const std::string topic = h.CreateTopic("t");
  h.Subscribe(topic, "sqs", kQueue);
  h.Subscribe(topic, "lambda", "arn:aws:lambda:us-east-1:123456789012:function:f");
  h.Ok(
      "Publish",
      fmt::format(
          R"({{"TopicArn":"{}","MessageStructure":"json","Message":"{{\"default\":\"d\",\"sqs\":\"q\"}}"}})",
          topic));
  auto outbox = Outbox(h);
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(outbox[0]->message, "q");
  EXPECT_EQ(outbox[1]->message, "d");
}

TEST(SnsPublishTest, FifoSequenceNumbersAndDeduplication) {
  SnsHarness h;
  const std::string topic =
      h.CreateTopic("f.fifo", R"({"FifoTopic":"true","ContentBasedDeduplication":"true"})");
  h.Subscribe(topic, "sqs", std::string(kQueue) + ".fifo");
  EXPECT_EQ(h.Err("Publish", fmt::format(R"({{"TopicArn":"{}","Message":"x"}})", topic)).message,
            "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
  auto a = h.Ok("Publish",
                fmt::format(R"({{"TopicArn":"{}","Message":"x","MessageGroupId":"g"}})", topic));
  auto b = h.Ok("Publish",
                fmt::format(R"({{"TopicArn":"{}","Message":"x","MessageGroupId":"g"}})", topic));
  EXPECT_EQ(a["MessageId"], b["MessageId"]);
  EXPECT_EQ(a["SequenceNumber"], "00000000000000000001");
  auto c = h.Ok("Publish",
                fmt::format(R"({{"TopicArn":"{}","Message":"y","MessageGroupId":"g"}})", topic));
  EXPECT_EQ(c["SequenceNumber"], "00000000000000000002");
  h.clock().AdvanceSeconds(301);
  auto d = h.Ok("Publish",
                fmt::format(R"({{"TopicArn":"{}","Message":"x","MessageGroupId":"g"}})", topic));
  EXPECT_NE(d["MessageId"], a["MessageId"]);
  EXPECT_EQ(Outbox(h).size(), 3u);
  const std::string plain = h.CreateTopic("p.fifo", R"({"FifoTopic":"true"})");
  EXPECT_EQ(h.Err("Publish",
                  fmt::format(R"({{"TopicArn":"{}","Message":"x","MessageGroupId":"g"}})", plain))
                .message,
            "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly");
  // The counter survives a restart.
  h.Restart();
  auto e = h.Ok("Publish",
                fmt::format(R"({{"TopicArn":"{}","Message":"z","MessageGroupId":"g"}})", topic));
  EXPECT_EQ(e["SequenceNumber"], "00000000000000000004");
}

TEST(SnsPublishTest, PublishBatch) {
  SnsHarness h;
  const std::string topic = h.CreateTopic("t");
  h.Subscribe(topic, "sqs", kQueue);
  auto out = h.Ok(
      "PublishBatch",
      fmt::format(
          R"({{"TopicArn":"{}","PublishBatchRequestEntries":[{{"Id":"a","Message":"1"}},{{"Id":"b","Message":""}}]}})",
          topic));
  ASSERT_EQ(out["Successful"].as_array().size(), 1u);
  ASSERT_EQ(out["Failed"].as_array().size(), 1u);
  EXPECT_EQ(out["Failed"].as_array()[0].as_object().at("Code"), "InvalidParameter");
  EXPECT_EQ(out["Failed"].as_array()[0].as_object().at("Id"), "b");
  EXPECT_EQ(Outbox(h).size(), 1u);
  EXPECT_EQ(h.Err("PublishBatch",
                  fmt::format(R"({{"TopicArn":"{}","PublishBatchRequestEntries":[]}})", topic))
                .code,
            "EmptyBatchRequest");
  std::string eleven;
  for (int i = 0; i < 11; ++i)
    eleven += fmt::format(R"({}{{"Id":"i{}","Message":"m"}})", i ? "," : "", i);
  EXPECT_EQ(
      h.Err("PublishBatch",
            fmt::format(R"({{"TopicArn":"{}","PublishBatchRequestEntries":[{}]}})", topic, eleven))
          .code,
      "TooManyEntriesInBatchRequest");
  EXPECT_EQ(
      h.Err(
           "PublishBatch",
           fmt::format(
               R"({{"TopicArn":"{}","PublishBatchRequestEntries":[{{"Id":"a","Message":"1"}},{{"Id":"a","Message":"2"}}]}})",
               topic))
          .code,
      "BatchEntryIdsNotDistinct");
  EXPECT_EQ(
      h.Err(
           "PublishBatch",
           fmt::format(
               R"({{"TopicArn":"{}","PublishBatchRequestEntries":[{{"Id":"a b","Message":"1"}}]}})",
               topic))
          .code,
      "InvalidBatchEntryId");
}

TEST(SnsRecoveryTest, TopicsSubscriptionsAndOutboxSurviveRestart) {
  SnsHarness h;
  const std::string topic = h.CreateTopic("t", R"({"DisplayName":"D"})");
  const std::string sub =
      h.Subscribe(topic, "sqs", kQueue, R"({"FilterPolicy":"{\"a\":[\"b\"]}"})");
  h.Ok(
      "Publish",
      fmt::format(
          R"({{"TopicArn":"{}","Message":"m","MessageAttributes":{{"a":{{"DataType":"String","StringValue":"b"}}}}}})",
          topic));
  h.Restart();
  auto attrs =
      h.Ok("GetTopicAttributes", fmt::format(R"({{"TopicArn":"{}"}})", topic))["Attributes"]
          .as_object();
  EXPECT_EQ(attrs["DisplayName"], "D");
  auto outbox = Outbox(h);
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0]->subscription_arn, sub);
  // The filter policy was recompiled: a non-matching message adds nothing.
  h.Ok("Publish", fmt::format(R"({{"TopicArn":"{}","Message":"m"}})", topic));
  EXPECT_EQ(Outbox(h).size(), 1u);
  // New outbox entries continue after the stored ones.
  h.Ok(
      "Publish",
      fmt::format(
          R"({{"TopicArn":"{}","Message":"m","MessageAttributes":{{"a":{{"DataType":"String","StringValue":"b"}}}}}})",
          topic));
  outbox = Outbox(h);
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_GT(outbox[1]->seq, outbox[0]->seq);
}

TEST(SnsEnvelopeTest, NotificationFormat) {
  Delivery d;
  d.kind = DeliveryKind::kNotification;
  d.message_id = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324";
  d.topic_arn = "arn:aws:sns:us-east-1:123456789012:t";
  d.subscription_arn = d.topic_arn + ":s";
  d.protocol = "sqs";
  d.subject = "My \"subject\"";
  d.message = "line1\nline2";
  d.timestamp_micros = 1'700'000'000'123'456;
  d.signing_cert_url = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem";
  d.unsubscribe_url =
      "http://localhost:4566/?Action=Unsubscribe&SubscriptionArn=" + d.subscription_arn;
  d.attributes = {{"b", "Binary", std::string("\x01\x02", 2), true}, {"s", "String", "v", false}};
  const std::string body = DeliveryBody(d);
  const std::string prefix =
      "{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : "
      "\"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\",\n"
      "  \"TopicArn\" : \"arn:aws:sns:us-east-1:123456789012:t\",\n"
      "  \"Subject\" : \"My \\\"subject\\\"\",\n  \"Message\" : \"line1\\nline2\",\n"
      "  \"Timestamp\" : \"2023-11-14T22:13:20.123Z\",\n  \"SignatureVersion\" : \"1\",\n  "
      "\"Signature\" : \"";
  EXPECT_EQ(body.substr(0, prefix.size()), prefix);
  const std::string suffix =
      "\",\n  \"SigningCertURL\" : "
      "\"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem\",\n"
      "  \"UnsubscribeURL\" : "
      "\"http://localhost:4566/"
      "?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:t:s\",\n"
      "  \"MessageAttributes\" : {\n    \"b\" : {\"Type\":\"Binary\",\"Value\":\"AQI=\"},\n"
      "    \"s\" : {\"Type\":\"String\",\"Value\":\"v\"}\n  }\n}";
  ASSERT_GE(body.size(), suffix.size());
  EXPECT_EQ(body.substr(body.size() - suffix.size()), suffix);
  EXPECT_EQ(DeliveryBody(d), body);  // the signature is stable
  auto parsed = json::parse(body);
  EXPECT_EQ(parsed.at("Message"), "line1\nline2");
  d.raw = true;
  EXPECT_EQ(DeliveryBody(d), "line1\nline2");
  // The outbox codec round-trips every field.
  d.seq = 7;
  d.fifo = true;
  d.group_id = "g";
  d.sequence_number = "00000000000000000001";
  auto decoded = DecodeDelivery(EncodeDelivery(d));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(EncodeDelivery(*decoded), EncodeDelivery(d));
  EXPECT_EQ(decoded->attributes[0].value, std::string("\x01\x02", 2));
}

TEST(SnsKeyspaceTest, TheOutboxIsOneFamily) {
  const std::string first = keyspace::OutboxKey(1);
  ASSERT_GT(keyspace::FamilyLength(first), 0u);
  EXPECT_EQ(keyspace::FamilyLength(first), first.size() - 8);
  EXPECT_EQ(keyspace::FamilyLength(keyspace::OutboxKey(UINT64_MAX)), first.size() - 8);
  EXPECT_EQ(keyspace::FamilyLength(keyspace::TopicKey("arn:aws:sns:us-east-1:1:t")), 0u);
  EXPECT_EQ(keyspace::FamilyLength(keyspace::CounterKey("arn:aws:sns:us-east-1:1:t")), 0u);
}

}  // namespace
}  // namespace tidepool::sns
