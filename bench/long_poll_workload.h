// LongPollWorkload: the requests of one send -> long-poll receive latency sample. A receiver
// parks ReceiveMessage (WaitTimeSeconds 20, MaxNumberOfMessages 1) on a standard queue; then
// the trigger is either SQS SendMessage to that queue or SNS Publish to a topic the queue is
// subscribed to with raw delivery. Each sample's message carries a marker ("lp-<sample>-")
// so that the receiver can tell it got that sample's message. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "signed_request_builder.h"

namespace tidepool::bench {

class LongPollWorkload {
 public:
  // `builder` is borrowed and must outlive the workload. `topic_arn` empty: the trigger is
  // SendMessage to `queue_url`; else Publish to `topic_arn`.
  LongPollWorkload(SignedRequestBuilder& builder, std::string queue_url, std::string topic_arn,
                   size_t message_bytes);

  HttpRequest Receive();
  HttpRequest Trigger(uint64_t sample);
  // True when a ReceiveMessage reply body holds `sample`'s message.
  bool Carries(std::string_view receive_reply, uint64_t sample) const;
  HttpRequest Delete(std::string_view receipt_handle);

 private:
  std::string Message(uint64_t sample) const;

  SignedRequestBuilder& builder_;
  std::string queue_url_;
  std::string topic_arn_;
  std::string padding_;
  std::string receive_body_;
};

}  // namespace tidepool::bench
