// SqsCycleWorkload: each connection runs send -> receive -> delete cycles on one standard
// queue: SendMessage, ReceiveMessage (MaxNumberOfMessages 1, no wait), DeleteMessage of the
// message received (which may be another connection's). A receive that returns no message is
// repeated (counted in empty_receives()); a cycle is complete when its delete is answered.
// Driven by RunClosedLoop from one thread (not thread-safe).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workload.h"

namespace tidepool::bench {

class SqsCycleWorkload : public Workload {
 public:
  // `builder` is borrowed and must outlive the workload.
  SqsCycleWorkload(SignedRequestBuilder& builder, std::string queue_url, size_t message_bytes,
                   size_t connections);
  std::optional<HttpRequest> Next(size_t connection) override;
  // A DeleteMessage reply accounts for one cycle; other replies for none.
  uint64_t OnReply(size_t connection, const std::string& body) override;

  uint64_t empty_receives() const { return empty_receives_; }

 private:
  enum class Step : uint8_t { kSend, kReceive, kDelete };
  struct Cycle {
    Step step = Step::kSend;
    std::string receipt_handle;  // kDelete: the handle to delete
  };

  SignedRequestBuilder& builder_;
  std::string queue_url_;
  std::string send_prefix_;  // SendMessage body up to the counter digits
  std::string receive_body_;
  std::vector<Cycle> cycles_;  // one per connection
  uint64_t counter_ = 0;
  uint64_t empty_receives_ = 0;
};

}  // namespace tidepool::bench
