// S3NotificationDelivery: the flow of S3 event notifications (source: an S3 change, once
// durable -> filter: the bucket's configuration, applied by S3 -> invoke: the target ->
// outcome: logged). Implements s3::NotificationSink; src/main/serve.cc binds it.
//   SQS queue ARN     -> QueueSink::Send (the message body is the event document)
//   SNS topic ARN     -> SNS Publish through a constructed call (Subject "Amazon S3
//                        Notification"), so subscriptions and filter policies apply
//   Lambda function   -> FunctionSink::InvokeAsync (the async invoke path)
// A delivery that fails is retried up to 3 times with a short backoff, then logged and left
// in S3's outbox for the next start; one the target accepts or refuses for good (a queue
// that does not exist) is settled and S3 forgets it. So events are delivered at least once.
// Thread-safety: Deliver is thread-safe; the sinks and the SNS service must outlive it.
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <string>
#include <string_view>

#include "engine/sinks.h"
#include "protocol/service.h"
#include "services/s3/notifications.h"

namespace tidepool::engine {

class S3NotificationDelivery final : public s3::NotificationSink {
 public:
  S3NotificationDelivery(boost::asio::io_context& io, QueueSink& queues, FunctionSink* functions,
                         protocol::Service* sns)
      : io_(io), queues_(queues), functions_(functions), sns_(sns) {}

  void Deliver(std::string_view arn, std::string message,
               std::function<void(bool settled)> done) override;

 private:
  using Done = std::function<void(bool settled)>;
  void Attempt(std::string arn, std::string message, int attempt, Done done);
  void Retry(std::string arn, std::string message, int attempt, const std::string& error,
             Done done);

  boost::asio::io_context& io_;
  QueueSink& queues_;
  FunctionSink* functions_;
  protocol::Service* sns_;
};

}  // namespace tidepool::engine
