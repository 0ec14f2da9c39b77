#include "engine/dynamodb_kinesis_destination.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <memory>

#include "core/encoding.h"
#include "engine/service_client.h"

namespace tidepool::engine {
namespace {
constexpr std::chrono::hours kGiveUpAfter{24};
}  // namespace

void DynamoDbKinesisDestination::CheckStream(std::string_view account, std::string_view region,
                                             std::string_view stream_arn,
                                             std::function<void(bool)> done) {
  CallService(io_, kinesis_, "DescribeStreamSummary",
              boost::json::object{{"StreamARN", stream_arn}}, account, region,
              [done = std::move(done)](ServiceOutcome outcome) {
                const auto* out = std::get_if<boost::json::value>(&outcome);
                if (out == nullptr || !out->is_object()) return done(false);
                const auto* summary = out->as_object().if_contains("StreamDescriptionSummary");
                const std::string status = summary && summary->is_object()
                                               ? JsonString(summary->as_object(), "StreamStatus")
                                               : std::string();
                done(status == "ACTIVE" || status == "UPDATING");
              });
}

void DynamoDbKinesisDestination::Put(std::string_view account, std::string_view region,
                                     std::string stream_arn, std::string partition_key,
                                     std::string data, std::function<void(bool)> done) {
  auto record = std::make_shared<Record>(Record{
      std::string(account), std::string(region), std::move(stream_arn), std::move(partition_key),
      std::move(data), std::move(done), std::chrono::steady_clock::now()});
  boost::asio::post(strand_, [this, record] { Attempt(record, 1); });
}

void DynamoDbKinesisDestination::Attempt(std::shared_ptr<Record> record, int attempt) {
  boost::json::object input{{"StreamARN", record->stream_arn},
                            {"PartitionKey", record->partition_key},
                            {"Data", Base64Encode(record->data)}};
  CallService(io_, kinesis_, "PutRecord", input, record->account, record->region,
              [this, record, attempt](ServiceOutcome outcome) {
                const auto* err = std::get_if<protocol::AwsError>(&outcome);
                if (err == nullptr) return record->done(true);
                if (std::chrono::steady_clock::now() - record->first_attempt >= kGiveUpAfter) {
                  spdlog::warn("dynamodb change record to {} dropped after {} attempts: {} {}",
                               record->stream_arn, attempt, err->code, err->message);
                  return record->done(false);
                }
                if (attempt == 1) {
                  spdlog::warn("dynamodb change record to {} not put ({} {}); retrying",
                               record->stream_arn, err->code, err->message);
                }
                const auto backoff = std::chrono::milliseconds(100LL << std::min(attempt - 1, 6));
                auto timer = std::make_shared<boost::asio::steady_timer>(
                    io_, std::min<std::chrono::milliseconds>(backoff, std::chrono::seconds(5)));
                timer->async_wait([this, timer, record, attempt](boost::system::error_code ec) {
                  if (!ec)
                    boost::asio::post(strand_,
                                      [this, record, attempt] { Attempt(record, attempt + 1); });
                });
              });
}

}  // namespace tidepool::engine
