// The payloads of event source mappings, byte for byte in AWS's shapes: the records a function
// receives (Kinesis, DynamoDB Streams, SQS), the documents filter patterns are matched against,
// what a function's batch-item-failure response says, and the on-failure record of a stream
// batch. Inputs are the sources' JSON-protocol wire records (GetRecords, ReceiveMessage).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "patterns/filter_policy.h"
#include "services/lambda/event_source_mapping.h"

namespace tidepool::engine {

// Facts every record of one mapping carries.
struct EventContext {
  std::string source_arn;
  std::string region;
  std::string role_arn;  // the function's role: Kinesis records' invokeIdentityArn
};

// One Kinesis GetRecords record -> one Lambda "Records" element.
boost::json::object KinesisEventRecord(const boost::json::object& record, std::string_view shard_id,
                                       const EventContext& ctx);
// One DynamoDB Streams GetRecords record -> one Lambda "Records" element.
boost::json::object DynamoDbEventRecord(const boost::json::object& record, const EventContext& ctx);
// One ReceiveMessage message -> one Lambda "Records" element.
boost::json::object SqsEventRecord(const boost::json::object& message, const EventContext& ctx);

// What filter patterns see of an event record: Kinesis the `kinesis` member with `data`
// base64-decoded and, when it is JSON, parsed; SQS the record with `body` parsed when it is
// JSON; DynamoDB the record as it is.
boost::json::value FilterDocument(const boost::json::object& event_record,
                                  lambda::MappingSource source);

// A mapping's FilterCriteria, compiled (patterns that do not parse were refused at creation).
using Filters = std::vector<std::shared_ptr<const patterns::FilterPolicy>>;
Filters CompileFilters(const lambda::MappingView& view);
// Whether `event_record` reaches the function: no filters, or one of them matches.
bool PassesFilters(const Filters& filters, const boost::json::object& event_record,
                   lambda::MappingSource source);

// The identifiers a function's response names as failed ({"batchItemFailures":
// [{"itemIdentifier": id}]}). nullopt when the response says the whole batch failed (an
// identifier that is missing, null, empty or not a string, as AWS reads it); an empty list
// when the batch succeeded (no response, null, no or empty batchItemFailures).
std::optional<std::vector<std::string>> BatchItemFailures(std::string_view response);

// Tumbling windows (TumblingWindowInSeconds): the members AWS adds to a stream batch's
// invocation. `state` is the JSON object text the window's last response returned ("{}" for a
// new window); the window is [start_ms, end_ms).
struct WindowInvoke {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string state = "{}";
  std::string shard_id;
  std::string source_arn;
  bool final = false;             // isFinalInvokeForWindow: the window is over, Records is empty
  bool terminated_early = false;  // isWindowTerminatedEarly: the state outgrew 1 MB
};
// {"Records": records, "window": {"start", "end"}, "state", "shardId", "eventSourceARN",
// "isFinalInvokeForWindow", "isWindowTerminatedEarly"} serialized.
std::string WindowPayload(boost::json::array records, const WindowInvoke& window);
// The `state` object of a tumbling-window response, serialized; nullopt when the response has
// none (or it is not an object): AWS counts such an invocation as failed.
std::optional<std::string> WindowState(std::string_view response);
// The window a record that arrived at `arrival_seconds` belongs to: windows of `length_ms`
// aligned to the epoch, as AWS aligns them (a 120 s window runs 07:04:00 to 07:06:00).
int64_t WindowStart(double arrival_seconds, int64_t length_ms);

// A lane's tumbling window as stored with its shard's position when the shard runs several
// lanes (position "<shard>#window/<lane>"), in one line:
//   <lanes> SP <start ms, -1 when no window is open> SP <through, "-" when none> SP <state>
// `lanes` is the shard's lane count when it was written (the lanes a restart must rebuild);
// `through` the sequence number of the lane's last finished record; `state` the window's JSON
// object text (empty when no window is open). A shard of one lane keeps the older form
// "<shard>#window": "<start ms> <state>" ("" when no window is open).
struct StoredLaneWindow {
  size_t lanes = 1;
  int64_t start_ms = -1;
  std::string through;
  std::string state;
};
std::string FormatLaneWindow(const StoredLaneWindow& w);
// nullopt when `text` is not in that form (lanes 1-10, a number for start).
std::optional<StoredLaneWindow> ParseLaneWindow(std::string_view text);
// Whether sequence number `a` comes at or before `b` (decimal strings of any length).
bool SequenceAtMost(std::string_view a, std::string_view b);

// The on-failure record of a stream batch (what AWS sends to an OnFailure destination).
struct FailedBatch {
  std::string condition;  // RetryAttemptsExhausted | RecordAgeExceeded
  std::string request_id;
  std::string function_arn;
  int approximate_invoke_count = 0;
  std::string function_error;  // "Unhandled" when the function failed; empty when not invoked
  std::string shard_id;
  std::string start_sequence_number;
  std::string end_sequence_number;
  double first_arrival = 0;  // epoch seconds
  double last_arrival = 0;
  size_t batch_size = 0;
  std::string stream_arn;
  std::string payload;  // S3 destinations: the batch's invocation event (JSON); else empty
};
std::string FailureRecord(const FailedBatch& batch, lambda::MappingSource source, int64_t now_ms);

}  // namespace tidepool::engine
