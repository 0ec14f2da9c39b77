// SqsSendWorkload: one SQS SendMessage (AWS JSON 1.0) per request to one standard queue, a body
// of `message_bytes` characters that changes per request. Driven by RunClosedLoop from one
// thread (not thread-safe).
#pragma once

#include <cstdint>
#include <string>

#include "workload.h"

namespace tidepool::bench {

class SqsSendWorkload : public Workload {
 public:
  // `builder` is borrowed and must outlive the workload.
  SqsSendWorkload(SignedRequestBuilder& builder, const std::string& queue_url,
                  size_t message_bytes);
  std::optional<HttpRequest> Next(size_t connection) override;
  // Each reply accounts for one message.
  uint64_t OnReply(size_t connection, const std::string& body) override;

 private:
  SignedRequestBuilder& builder_;
  std::string body_prefix_;  // everything up to the message's counter digits
  uint64_t counter_ = 0;
};

}  // namespace tidepool::bench
