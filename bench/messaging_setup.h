// MessagingSetup: the SQS and SNS resources a benchmark needs, made with blocking calls over a
// SetupClient (SQS over AWS JSON 1.0, SNS over the query protocol). Throws std::runtime_error
// when a call fails (setup failures end the benchmark). Not thread-safe; not for measured
// traffic.
#pragma once

#include <string>

#include "setup_client.h"
#include "signed_request_builder.h"

namespace tidepool::bench {

class MessagingSetup {
 public:
  // Both are borrowed and must outlive this object.
  MessagingSetup(SetupClient& client, SignedRequestBuilder& builder);

  // Creates a standard queue named `name` (or finds the existing one); returns its URL.
  std::string EnsureQueue(const std::string& name);
  std::string QueueArn(const std::string& queue_url);
  // Creates a standard topic named `name` (idempotent); returns its ARN.
  std::string EnsureTopic(const std::string& name);
  // Subscribes the queue to the topic with RawMessageDelivery=true; returns the subscription
  // ARN.
  std::string SubscribeRaw(const std::string& topic_arn, const std::string& queue_arn);

 private:
  // One SNS query-protocol call: `form` is the body after Action=<action>&Version=...; returns
  // the text of `result_tag` in the XML reply (throws when it is missing).
  std::string SnsCall(std::string_view action, const std::string& form,
                      std::string_view result_tag);

  SetupClient& client_;
  SignedRequestBuilder& builder_;
};

}  // namespace tidepool::bench
