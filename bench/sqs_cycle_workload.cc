#include "sqs_cycle_workload.h"

#include "reply_scan.h"

namespace tidepool::bench {

SqsCycleWorkload::SqsCycleWorkload(SignedRequestBuilder& builder, std::string queue_url,
                                   size_t message_bytes, size_t connections)
    : builder_(builder), queue_url_(std::move(queue_url)), cycles_(connections) {
  send_prefix_ = "{\"QueueUrl\":\"" + queue_url_ + "\",\"MessageBody\":\"" +
                 std::string(message_bytes, 'c') + "-";
  receive_body_ = "{\"QueueUrl\":\"" + queue_url_ + "\",\"MaxNumberOfMessages\":1}";
}

std::optional<HttpRequest> SqsCycleWorkload::Next(size_t connection) {
  Cycle& cycle = cycles_[connection];
  switch (cycle.step) {
    case Step::kSend:
      return builder_.Build(kSqsWire, "SendMessage",
                            send_prefix_ + std::to_string(counter_++) + "\"}");
    case Step::kReceive:
      return builder_.Build(kSqsWire, "ReceiveMessage", receive_body_);
    case Step::kDelete:
      return builder_.Build(kSqsWire, "DeleteMessage",
                            "{\"QueueUrl\":\"" + queue_url_ + "\",\"ReceiptHandle\":\"" +
                                cycle.receipt_handle + "\"}");
  }
  return std::nullopt;
}

uint64_t SqsCycleWorkload::OnReply(size_t connection, const std::string& body) {
  Cycle& cycle = cycles_[connection];
  switch (cycle.step) {
    case Step::kSend:
      cycle.step = Step::kReceive;
      return 0;
    case Step::kReceive:
      cycle.receipt_handle = std::string(ScanString(body, "ReceiptHandle"));
      if (cycle.receipt_handle.empty()) {
        ++empty_receives_;
      } else {
        cycle.step = Step::kDelete;
      }
      return 0;
    case Step::kDelete:
      cycle.step = Step::kSend;
      return 1;
  }
  return 0;
}

}  // namespace tidepool::bench
