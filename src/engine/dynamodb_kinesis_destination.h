// DynamoDbKinesisDestination: the flow of a table's change records to its Kinesis streaming
// destinations (source: an item change, once durable, staged by DynamoDB for each ACTIVE
// destination -> invoke: Kinesis PutRecord in process, through the service's own operation
// -> outcome: a failure is retried with a back-off from 100 ms doubling to 5 s, for as long as
// 24 hours (AWS keeps retrying for a day as well); then the record is logged and dropped.
// DynamoDB keeps each record in its durable outbox until `done` says it was put (or dropped),
// so a crash loses none: the next run puts it again (at least once).
// Implements dynamodb::KinesisChangeSink; src/main/serve.cc binds it.
//
// Order: records are put from one strand in the order DynamoDB hands them over (its commit
// order), and Kinesis appends a PutRecord in the order it is invoked, so one item's changes
// reach its shard in order (a retried record may land after later ones).
// Thread-safety: both methods are thread-safe; the Kinesis service and the io_context must
// outlive it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "protocol/service.h"
#include "services/dynamodb/kinesis_destination.h"

namespace tidepool::engine {

class DynamoDbKinesisDestination final : public dynamodb::KinesisChangeSink {
 public:
  DynamoDbKinesisDestination(boost::asio::io_context& io, protocol::Service& kinesis)
      : io_(io), strand_(boost::asio::make_strand(io)), kinesis_(kinesis) {}

  void CheckStream(std::string_view account, std::string_view region, std::string_view stream_arn,
                   std::function<void(bool)> done) override;
  void Put(std::string_view account, std::string_view region, std::string stream_arn,
           std::string partition_key, std::string data,
           std::function<void(bool delivered)> done) override;

 private:
  struct Record {
    std::string account, region, stream_arn, partition_key, data;
    std::function<void(bool)> done;
    std::chrono::steady_clock::time_point first_attempt;
  };
  void Attempt(std::shared_ptr<Record> record, int attempt);

  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  protocol::Service& kinesis_;
};

}  // namespace tidepool::engine
