#include "sqs_send_workload.h"

namespace tidepool::bench {

SqsSendWorkload::SqsSendWorkload(SignedRequestBuilder& builder, const std::string& queue_url,
                                 size_t message_bytes)
    : builder_(builder) {
  body_prefix_ = "{\"QueueUrl\":\"" + queue_url + "\",\"MessageBody\":\"" +
                 std::string(message_bytes, 'm') + "-";
}

std::optional<HttpRequest> SqsSendWorkload::Next(size_t) {
  std::string body = body_prefix_;
  body += std::to_string(counter_++);
  body += "\"}";
  return builder_.Build(kSqsWire, "SendMessage", std::move(body));
}

uint64_t SqsSendWorkload::OnReply(size_t, const std::string&) { return 1; }

}  // namespace tidepool::bench
