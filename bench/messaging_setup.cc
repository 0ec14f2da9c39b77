#include "messaging_setup.h"

#include <stdexcept>

#include "reply_scan.h"

namespace tidepool::bench {

namespace json = boost::json;

MessagingSetup::MessagingSetup(SetupClient& client, SignedRequestBuilder& builder)
    : client_(client), builder_(builder) {}

std::string MessagingSetup::EnsureQueue(const std::string& name) {
  json::object reply = client_.Call("CreateQueue", {{"QueueName", name}}, kSqsWire);
  const json::value* url = reply.if_contains("QueueUrl");
  if (url == nullptr || !url->is_string()) {
    throw std::runtime_error("CreateQueue: no QueueUrl in " + json::serialize(reply));
  }
  return std::string(url->as_string());
}

std::string MessagingSetup::QueueArn(const std::string& queue_url) {
  json::object reply = client_.Call(
      "GetQueueAttributes", {{"QueueUrl", queue_url}, {"AttributeNames", json::array{"QueueArn"}}},
      kSqsWire);
  const json::value* attributes = reply.if_contains("Attributes");
  const json::value* arn = attributes != nullptr && attributes->is_object()
                               ? attributes->as_object().if_contains("QueueArn")
                               : nullptr;
  if (arn == nullptr || !arn->is_string()) {
    throw std::runtime_error("GetQueueAttributes: no QueueArn in " + json::serialize(reply));
  }
  return std::string(arn->as_string());
}

std::string MessagingSetup::EnsureTopic(const std::string& name) {
  return SnsCall("CreateTopic", "&Name=" + SignedRequestBuilder::FormEncode(name), "TopicArn");
}

std::string MessagingSetup::SubscribeRaw(const std::string& topic_arn,
                                         const std::string& queue_arn) {
  std::string form = "&TopicArn=" + SignedRequestBuilder::FormEncode(topic_arn) +
                     "&Protocol=sqs&Endpoint=" + SignedRequestBuilder::FormEncode(queue_arn) +
                     "&Attributes.entry.1.key=RawMessageDelivery"
                     "&Attributes.entry.1.value=true";
  return SnsCall("Subscribe", form, "SubscriptionArn");
}

std::string MessagingSetup::SnsCall(std::string_view action, const std::string& form,
                                    std::string_view result_tag) {
  std::string body = "Action=" + std::string(action) + "&Version=2010-03-31" + form;
  std::string reply = client_.Send(action, builder_.Build(kSnsWire, action, std::move(body)));
  std::string_view value = ScanXmlElement(reply, result_tag);
  if (value.empty()) {
    throw std::runtime_error(std::string(action) + ": no " + std::string(result_tag) + " in " +
                             reply.substr(0, 300));
  }
  return std::string(value);
}

}  // namespace tidepool::bench
