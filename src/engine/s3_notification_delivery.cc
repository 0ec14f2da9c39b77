#include "engine/s3_notification_delivery.h"

#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <vector>

#include "protocol/codec/json_codec.h"

namespace tidepool::engine {
namespace {

constexpr int kMaxAttempts = 4;

// arn:aws:<service>:<region>:<account>:<resource>
std::vector<std::string_view> ArnParts(std::string_view arn) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) break;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  parts.push_back(arn.substr(start));
  return parts;
}

}  // namespace

void S3NotificationDelivery::Deliver(std::string_view arn, std::string message, Done done) {
  if (!done) done = [](bool) {};
  Attempt(std::string(arn), std::move(message), 1, std::move(done));
}

void S3NotificationDelivery::Retry(std::string arn, std::string message, int attempt,
                                   const std::string& error, Done done) {
  if (attempt >= kMaxAttempts) {
    spdlog::warn(
        "s3 notification to {} not delivered after {} attempts (kept for the next start): {}", arn,
        attempt, error);
    return done(false);
  }
  auto timer =
      std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(200 * attempt));
  // Cancelled at shutdown: the message stays in S3's outbox for the next run.
  timer->async_wait([this, timer, arn = std::move(arn), message = std::move(message), attempt,
                     done = std::move(done)](const boost::system::error_code& ec) mutable {
    if (!ec) Attempt(std::move(arn), std::move(message), attempt + 1, std::move(done));
  });
}

void S3NotificationDelivery::Attempt(std::string arn, std::string message, int attempt, Done done) {
  const std::vector<std::string_view> parts = ArnParts(arn);
  const std::string_view service = parts.size() == 6 ? parts[2] : std::string_view();
  auto outcome = [this, arn, message, attempt, done](SinkResult r) mutable {
    if (r.outcome == SinkOutcome::kAccepted) return done(true);
    if (r.outcome == SinkOutcome::kGone || r.outcome == SinkOutcome::kRejected) {
      spdlog::warn("s3 notification to {} refused: {}", arn, r.error);
      return done(true);
    }
    Retry(std::move(arn), std::move(message), attempt, r.error, std::move(done));
  };
  if (service == "sqs") {
    QueueMessage m;
    m.body = message;
    return queues_.Send(arn, std::move(m), std::move(outcome));
  }
  if (service == "lambda" && functions_ != nullptr) {
    return functions_->InvokeAsync(arn, message, std::move(outcome));
  }
  if (service == "sns" && sns_ != nullptr) {
    const protocol::model::Operation* op = sns_->Model().FindOperation("Publish");
    if (op == nullptr) return done(true);
    protocol::RequestContext context;
    context.region = std::string(parts[3]);
    context.account_id = std::string(parts[4]);
    context.request_id = "s3-notification";
    boost::json::object input{
        {"TopicArn", arn}, {"Message", message}, {"Subject", "Amazon S3 Notification"}};
    auto call = protocol::json_codec::MakeCall(
        *sns_, *op, boost::json::serialize(input), std::move(context),
        [outcome = std::move(outcome)](protocol::Outcome o) mutable {
          if (auto* error = std::get_if<protocol::AwsError>(&o)) {
            bool gone = error->code == "NotFound" || error->http_status == 404;
            return outcome(SinkResult{gone ? SinkOutcome::kGone : SinkOutcome::kRetry,
                                      error->code + ": " + error->message});
          }
          outcome(SinkResult{});
        });
    if (call) return sns_->Invoke(std::move(call));
    return done(true);
  }
  spdlog::warn("s3 notification to {}: not a queue, topic or function this process serves", arn);
  done(true);
}

}  // namespace tidepool::engine
