// DurableExecution: one durable execution of a Lambda durable function, as a value. It holds
// the execution's operations (the checkpoint log the durable-execution SDK replays), its
// history events and the timers that move operations on (a WAIT's end, a STEP's next attempt,
// a CALLBACK's timeouts). No I/O and no locks: DurableEngine (durable_engine.h) owns the
// instances, persists them and runs the function.
//
// Stored form (one JSON object per execution, keyspace 'd', see lambda/keyspace.h):
//   { "meta":   {DurableExecutionArn, DurableExecutionName, FunctionArn (qualified), Version,
//                Status, InputPayload, Result?, Error?, StartTimestamp, EndTimestamp?,
//                ExecutionTimeout (s), RetentionPeriodInDays, Deadline (epoch ms, scaled),
//                Invocation (invocations started), Parked (the last invocation answered
//                PENDING), Wake (the service changed an operation since)},
//     "ops":    [Operation as the API returns it + "_rev", "_due", "_timeout_at", "_heartbeat_at",
//                "_heartbeat_window"],
//     "events": [Event as GetDurableExecutionHistory returns it],
//     "rev":    int (bumped by every operation change; checkpoint tokens carry it) }
// Timestamps are seconds since the epoch (doubles, as the codec writes timestamps); the "_"
// members are epoch milliseconds on the scaled clock (time_scale applied).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tidepool::lambda::durable {

class DurableExecution {
 public:
  // A new RUNNING execution with its EXECUTION operation and ExecutionStarted event.
  // `now_ms`: epoch ms; `time_scale` multiplies every AWS delay.
  static DurableExecution Start(boost::json::object meta, std::string input, int64_t now_ms,
                                double time_scale);
  static Result<DurableExecution> Decode(std::string_view text);
  std::string Encode() const;

  const boost::json::object& meta() const { return meta_; }
  std::string arn() const;
  std::string status() const;
  bool running() const { return status() == "RUNNING"; }
  int64_t rev() const { return rev_; }
  int64_t invocation() const;

  // Applies a CheckpointDurableExecution's Updates. InvalidParameterValue-shaped errors for an
  // update the state does not allow (the execution keeps the updates before it).
  Status Apply(const boost::json::array& updates, int64_t now_ms, double time_scale);
  // Moves every operation whose timer is due at `now_ms` on (WAIT -> SUCCEEDED, STEP PENDING ->
  // READY, CALLBACK -> TIMED_OUT) and times the execution out at its deadline. True when
  // anything changed.
  bool FireDue(int64_t now_ms);
  // The earliest timer still armed (operations and the execution deadline); nullopt when none.
  std::optional<int64_t> NextDue() const;

  // Operations changed after `rev`, as the API returns them.
  boost::json::array OperationsAfter(int64_t rev) const;
  // Operations [from, from + max) in order, and the marker of the rest ("" when none).
  boost::json::array OperationsPage(size_t from, size_t max, std::string* next_marker) const;
  const boost::json::array& events() const { return events_; }

  // Callbacks (SendDurableExecutionCallback*): `op_id` names a CALLBACK operation.
  Status CompleteCallback(const std::string& op_id, bool success, std::string result,
                          boost::json::object error, int64_t now_ms);
  Status HeartbeatCallback(const std::string& op_id, int64_t now_ms);

  // Chained invokes (CHAINED_INVOKE operations) started and not finished: the engine runs
  // each (target function name or ARN, payload) and reports back.
  struct ChainedInvoke {
    std::string op_id, function, payload;
  };
  std::vector<ChainedInvoke> StartedChainedInvokes() const;
  Status CompleteChainedInvoke(const std::string& op_id, bool success, std::string result,
                               boost::json::object error, int64_t now_ms);

  // Starts the next invocation: returns its number; clears Wake and Parked.
  int64_t BeginInvocation();
  // The invocation answered PENDING (nothing to do until a timer or a callback).
  void Park();
  // Whether the service changed an operation the function has not seen yet.
  bool wake() const;
  void AddInvocationCompleted(int64_t start_ms, int64_t end_ms, const std::string& request_id,
                              const boost::json::object* error);
  // The result the function checkpointed with an EXECUTION SUCCEED update ("" when none).
  std::string CheckpointedResult() const;
  // Closes the execution: SUCCEEDED (result), FAILED, TIMED_OUT or STOPPED (error).
  void Close(const std::string& status, const std::string* result, const boost::json::object* error,
             int64_t now_ms);

  // What GetDurableExecution / ListDurableExecutionsByFunction show.
  boost::json::object Description() const;
  boost::json::object Summary() const;

 private:
  boost::json::object* Find(const std::string& id);
  void AddEvent(std::string type, const boost::json::object& op, const char* details_key,
                boost::json::object details, int64_t now_ms);
  void Touch(boost::json::object& op);
  Status ApplyOne(const boost::json::object& update, int64_t now_ms, double time_scale);
  // The CALLBACK operation `op_id` while it waits (CallbackTimeout-shaped error otherwise).
  Result<boost::json::object*> WaitingCallback(const std::string& op_id);

  boost::json::object meta_;
  std::vector<boost::json::object> ops_;
  std::map<std::string, size_t> index_;  // operation Id -> position in ops_
  boost::json::array events_;
  int64_t rev_ = 0;
};

// Member `key` of `o` as an integer (`fallback` when absent or not a number).
int64_t IntMember(const boost::json::object& o, std::string_view key, int64_t fallback = 0);
// Member `key` of `o` is the boolean true.
bool BoolMember(const boost::json::object& o, std::string_view key);
// A paging marker (a position, as these operations write them); InvalidParameterValue if bad.
Result<size_t> ParseMarker(const std::string& marker);

// The CallbackId of operation `op_id` of `execution_arn` (base64, as the API's pattern wants)
// and back.
std::string EncodeCallbackId(std::string_view execution_arn, std::string_view op_id);
std::optional<std::pair<std::string, std::string>> DecodeCallbackId(std::string_view id);
// A checkpoint token: (invocation, rev) in base64.
std::string EncodeCheckpointToken(int64_t invocation, int64_t rev);
std::optional<std::pair<int64_t, int64_t>> DecodeCheckpointToken(std::string_view token);

}  // namespace tidepool::lambda::durable
