#include "long_poll_workload.h"

namespace tidepool::bench {

LongPollWorkload::LongPollWorkload(SignedRequestBuilder& builder, std::string queue_url,
                                   std::string topic_arn, size_t message_bytes)
    : builder_(builder),
      queue_url_(std::move(queue_url)),
      topic_arn_(std::move(topic_arn)),
      padding_(message_bytes, 'p') {
  receive_body_ =
      "{\"QueueUrl\":\"" + queue_url_ + "\",\"MaxNumberOfMessages\":1,\"WaitTimeSeconds\":20}";
}

std::string LongPollWorkload::Message(uint64_t sample) const {
  return "lp-" + std::to_string(sample) + "-" + padding_;
}

HttpRequest LongPollWorkload::Receive() {
  return builder_.Build(kSqsWire, "ReceiveMessage", receive_body_);
}

HttpRequest LongPollWorkload::Trigger(uint64_t sample) {
  if (topic_arn_.empty()) {
    return builder_.Build(
        kSqsWire, "SendMessage",
        "{\"QueueUrl\":\"" + queue_url_ + "\",\"MessageBody\":\"" + Message(sample) + "\"}");
  }
  return builder_.Build(
      kSnsWire, "Publish",
      "Action=Publish&Version=2010-03-31&TopicArn=" + SignedRequestBuilder::FormEncode(topic_arn_) +
          "&Message=" + SignedRequestBuilder::FormEncode(Message(sample)));
}

bool LongPollWorkload::Carries(std::string_view receive_reply, uint64_t sample) const {
  std::string marker = "\"Body\":\"lp-" + std::to_string(sample) + "-";
  return receive_reply.find(marker) != std::string_view::npos;
}

HttpRequest LongPollWorkload::Delete(std::string_view receipt_handle) {
  return builder_.Build(kSqsWire, "DeleteMessage",
                        "{\"QueueUrl\":\"" + queue_url_ + "\",\"ReceiptHandle\":\"" +
                            std::string(receipt_handle) + "\"}");
}

}  // namespace tidepool::bench
