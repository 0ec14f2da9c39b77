// Kinesis Data Streams as a table's streaming destination: the destinations a table has, the
// change record AWS writes to the stream for each item change, and the sink those records go
// to. The sink is the engine's (engine/dynamodb_kinesis_destination.h), bound by
// src/main/serve.cc: DynamoDB knows no other service.
//
// Record format (AWS's, JSON): {"awsRegion","eventID","eventName" INSERT|MODIFY|REMOVE,
// "userIdentity" (null, or the DynamoDB service for TTL deletions),"recordFormat":
// "application/json","tableName","dynamodb":{"ApproximateCreationDateTime" (epoch ms, or us
// with MICROSECOND precision),"ApproximateCreationDateTimePrecision","Keys","NewImage",
// "OldImage","SizeBytes"},"eventSource":"aws:dynamodb"}; always both images.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tidepool::dynamodb {

struct KinesisDestination {
  std::string stream_arn;
  std::string status = "ACTIVE";          // ACTIVE | DISABLED
  std::string precision = "MILLISECOND";  // ApproximateCreationDateTimePrecision
};

// Where change records go. Thread-safe; neither method blocks or calls back inline.
class KinesisChangeSink {
 public:
  virtual ~KinesisChangeSink() = default;
  // Runs done(true) when Kinesis stream `stream_arn` exists and is writable, on any thread.
  virtual void CheckStream(std::string_view account, std::string_view region,
                           std::string_view stream_arn, std::function<void(bool)> done) = 0;
  // Writes one record to `stream_arn`, retrying as it sees fit; `done` runs once (any
  // thread) when the record is in the stream (true) or the sink gave it up (false). Records
  // put in order from one thread reach the stream in that order unless retried.
  virtual void Put(std::string_view account, std::string_view region, std::string stream_arn,
                   std::string partition_key, std::string data,
                   std::function<void(bool delivered)> done) = 0;
};

// One change as a Kinesis destination's record (the format above).
std::string KinesisChangeRecord(std::string_view region, std::string_view table_name,
                                std::string_view event_id, int event, int64_t created_micros,
                                bool by_ttl, std::string_view precision,
                                const boost::json::object& keys,
                                const std::optional<boost::json::object>& old_item,
                                const std::optional<boost::json::object>& new_item);

}  // namespace tidepool::dynamodb
