// DynamoDbKinesisDestination: the flow of a table's change records to its Kinesis streaming
// destinations (source: an item change, once durable, staged by DynamoDB for each ACTIVE
// destination -> invoke: Kinesis PutRecord in process, through the service's own operation
// -> outcome: a failure is retried twice after 100 ms, then logged and dropped).
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
           std::string partition_key, std::string data) override;

 private:
  struct Record {
    std::string account, region, stream_arn, partition_key, data;
  };
  void Attempt(std::shared_ptr<Record> record, int attempt);

  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  protocol::Service& kinesis_;
};

}  // namespace tidepool::engine
