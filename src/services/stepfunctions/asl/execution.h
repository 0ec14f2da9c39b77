// Execution: one run of a state machine, as a pure state machine of its own. It holds the
// threads of control ("frames": the top level, each Parallel branch, each Map iteration),
// takes events (start, a timer fired, a task finished, stop) and answers with Effects: the
// history events to record, the timers to arm and the tasks to start. It never reads a clock,
// arms a timer or calls anything itself, so the service decides how effects become durable
// and the tests drive it with plain numbers.
//
// Time: `now` arguments are microseconds since the epoch on the service's clock. Every AWS
// delay (Wait, Retry interval, TimeoutSeconds, HeartbeatSeconds) of d seconds becomes a
// deadline now + d * time_scale seconds.
//
// Durability: Snapshot() captures everything needed to continue; Restore() + Resume() rebuild
// an execution whose Wait and Retry timers keep their deadlines and whose in-flight tasks are
// started again (at-least-once for a task).
//
// Thread-safety: none; the owner serializes calls (the service holds the execution's lock).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "services/stepfunctions/asl/definition.h"
#include "services/stepfunctions/asl/states_error.h"

namespace tidepool::sfn::asl {

struct ExecutionInfo {
  std::string execution_arn;
  std::string name;
  std::string role_arn;
  std::string state_machine_arn;
  std::string state_machine_name;
  std::string region;
  int64_t start_micros = 0;
};

enum class TimerKind : uint8_t { kWait, kRetry, kTaskTimeout, kHeartbeat, kExecutionTimeout };

struct TimerRequest {
  uint64_t frame = 0;
  uint64_t epoch = 0;
  TimerKind kind = TimerKind::kWait;
  int64_t deadline_micros = 0;
};

// A Task the owner must run; report its end with OnTaskResult(frame, epoch, ...).
struct TaskDispatch {
  uint64_t frame = 0;
  uint64_t epoch = 0;
  std::string state_name;
  std::string resource;         // as written in the definition
  boost::json::value input;     // the effective parameters
  std::string task_token;       // set for .waitForTaskToken resources (and activities)
  bool wait_for_token = false;  // the result comes through SendTask*, not the call's reply
};

// A Distributed Map's Map Run the owner must run (again, after Resume: the same ARN); report
// its end with OnMapRunResult(frame, epoch, ...). `request` is the Map state's fields resolved
// against its input:
//   {"label", "execution_type", "processor": definition text of the child executions,
//    "items": [...] (without an ItemReader) | "reader": {"resource", "arguments", "max_items",
//    "input_type", "csv_header_location", "csv_headers": [...], "csv_delimiter",
//    "items_pointer"},
//    "batcher": {"max_items", "max_bytes", "batch_input"?}?, "max_concurrency",
//    "tolerated_percentage"?, "tolerated_count"? (absent: not set), "writer": {"bucket"?,
//    "prefix"? (absent: WriterConfig alone, nothing exported), "transformation",
//    "output_type"}?}
struct MapRunDispatch {
  uint64_t frame = 0;
  uint64_t epoch = 0;
  std::string map_run_arn;
  boost::json::object request;
  // The Map Run's redrives so far: a RedriveExecution of the parent that reached this Map
  // Run (MapRunRedriven) asks for one more than the run has had; the owner reruns only its
  // unsuccessful children. 0: the run has never been redriven.
  int64_t redrive_count = 0;
};

struct Effects {
  std::vector<boost::json::object> events;  // history events, ids ascending
  std::vector<TimerRequest> timers;
  std::vector<TaskDispatch> tasks;
  std::vector<MapRunDispatch> map_runs;
};

enum class ExecutionStatus : uint8_t { kRunning, kSucceeded, kFailed, kTimedOut, kAborted };
std::string_view ExecutionStatusName(ExecutionStatus s);  // "RUNNING", ...

struct TaskResult {
  bool ok = true;
  boost::json::value output;  // when ok
  StatesError error;          // when !ok
};

// "arn:aws:states:::sqs:sendMessage" -> {"sqs", "sendMessage"}, as history events name them.
std::pair<std::string, std::string> ResourceTypeAndName(std::string_view resource);

// What a Task's Resource names, which decides its history events: an activity
// (Activity*), a Lambda function ARN (LambdaFunction*, AWS's events for a function given as
// the Resource itself) or a service integration (Task*).
enum class TaskKind { kActivity, kLambda, kService };
TaskKind TaskKindOf(std::string_view resource);
enum class TaskStep { kScheduled, kStarted, kSucceeded, kFailed, kTimedOut };
struct TaskEvent {
  const char* type;
  const char* details;  // the member holding its details; nullptr: it has none
};
TaskEvent TaskEventOf(TaskKind kind, TaskStep step);

class Execution {
 public:
  struct Options {
    double time_scale = 1.0;
    // Task tokens: the owner encodes (execution, frame, epoch) so SendTask* can find the task.
    std::string (*make_token)(const std::string& execution_arn, uint64_t frame,
                              uint64_t epoch) = nullptr;
    // A fresh UUID for a Map Run's ARN (a counter when null: tests).
    std::string (*new_uuid)() = nullptr;
  };

  Execution(std::shared_ptr<const Definition> definition, ExecutionInfo info, Options options);

  // `vars`: the variables the first state sees (TestState's `variables`).
  Effects Start(boost::json::value input, int64_t now, boost::json::object vars = {});
  Effects OnTimer(uint64_t frame, uint64_t epoch, TimerKind kind, int64_t now);
  Effects OnTaskResult(uint64_t frame, uint64_t epoch, TaskResult result, int64_t now);
  // SendTaskHeartbeat: moves the heartbeat deadline. False when the task is not pending.
  bool OnHeartbeat(uint64_t frame, uint64_t epoch, int64_t now, Effects* effects);
  // The call of a .waitForTaskToken Task went out (its reply is `output`): records
  // TaskSubmitted; the Task still waits for SendTaskSuccess/Failure.
  Effects OnTaskSubmitted(uint64_t frame, uint64_t epoch, const boost::json::value& output,
                          int64_t now);
  // An activity worker took the task: records ActivityStarted.
  Effects OnActivityStarted(uint64_t frame, uint64_t epoch, std::string_view worker, int64_t now);
  bool IsTaskPending(uint64_t frame, uint64_t epoch) const;
  // The end of a Map Run: MapRunSucceeded (the result is the Map's result) or MapRunFailed.
  Effects OnMapRunResult(uint64_t frame, uint64_t epoch, TaskResult result, int64_t now);
  // The inputs of a Map Run's child executions for the items read: each item through the
  // ItemSelector, then grouped by the ItemBatcher. nullopt and `*error` when the selector
  // fails or the Map Run is no longer pending.
  std::optional<boost::json::array> MapRunInputs(uint64_t frame, uint64_t epoch,
                                                 boost::json::array items,
                                                 StatesError* error) const;
  // StopExecution: ExecutionAborted with the optional error and cause.
  Effects Stop(std::string error, std::string cause, int64_t now);
  // RedriveExecution (execution_redrive.cc): a failed, aborted or timed-out execution runs
  // again from the top-level state it stopped in, with that state's input and the variables
  // it saw (ExecutionRedriven). In a Parallel or inline Map state it stopped in, only the
  // branches and iterations that did not succeed run again, each from the state it stopped
  // in (recursively); the others keep their outputs. A Distributed Map's Map Run is redriven
  // (MapRunRedriven; MapRunDispatch::redrive_count). After States.DataLimitExceeded the
  // top-level state runs again whole; after States.Runtime a Distributed Map starts a new
  // Map Run. Call only when NotRedrivableReason() is empty.
  Effects Redrive(int64_t now);
  // Why Redrive is not possible now (AWS's redriveStatusReason), or "" when it is.
  std::string_view NotRedrivableReason() const;
  int64_t redrive_count() const { return redrive_count_; }
  int64_t redrive_micros() const { return redrive_micros_; }

  boost::json::object Snapshot() const;
  static Result<std::unique_ptr<Execution>> Restore(std::shared_ptr<const Definition> definition,
                                                    ExecutionInfo info, Options options,
                                                    const boost::json::object& snapshot);
  // After Restore: the timers to re-arm and the tasks to start again.
  Effects Resume(int64_t now);

  // TestState's `context`: its top-level members replace (objects: are merged over) those of
  // the context object the states see. Not kept in a snapshot.
  void set_context_override(boost::json::object context) { context_override_ = std::move(context); }
  // TestState's inspectionData: the data-flow steps of the top-level state `state` are written
  // to `*sink` as serialized JSON (afterInputPath, afterParameters or afterArguments, result,
  // afterResultSelector, afterResultPath, variables). `sink` must outlive the run.
  void set_inspection(boost::json::object* sink, std::string state) {
    inspection_ = sink;
    inspected_state_ = std::move(state);
  }

  ExecutionStatus status() const { return status_; }
  bool running() const { return status_ == ExecutionStatus::kRunning; }
  const boost::json::value& input() const { return input_; }
  const std::optional<boost::json::value>& output() const { return output_; }
  const StatesError& failure() const { return failure_; }
  int64_t stop_micros() const { return stop_micros_; }
  uint64_t last_event_id() const { return next_event_id_ - 1; }
  const ExecutionInfo& info() const { return info_; }
  const Definition& definition() const { return *definition_; }

 private:
  // kMapRun: a Distributed Map waits for its Map Run (appended: snapshots store the number).
  enum class Phase : uint8_t { kEnter, kWait, kTask, kRetry, kChildren, kDone, kMapRun };
  struct Frame {
    uint64_t id = 0;
    uint64_t parent = 0;  // 0 for the top level
    int64_t index = -1;   // branch or iteration index in the parent
    int scope = 0;
    std::string state;
    boost::json::value input;  // the raw input of the current state
    Phase phase = Phase::kEnter;
    bool retrying = false;  // re-entering after a Retry interval: no StateEntered event
    uint64_t epoch = 0;
    int64_t deadline = 0;                                                      // kWait / kRetry
    int64_t task_deadline = 0, heartbeat_deadline = 0, heartbeat_seconds = 0;  // kTask
    std::vector<int64_t> retry_counts;
    boost::json::value effective;  // kTask: the parameters; kChildren (Map): the items
    std::string task_token;
    int64_t entered_micros = 0;
    uint64_t last_event = 0;
    boost::json::array results;  // kChildren
    int64_t pending = 0, next_item = 0, max_concurrency = 0;
    uint64_t started_event = 0;  // ParallelStateStarted / MapStateStarted
    // Variables (Assign) visible to this thread: a child starts with a copy of its parent's.
    boost::json::object vars;
    // Transient (never in a snapshot, consumed within the call that sets it):
    // a Parallel/Map frame whose child failed: the redrive point of its children (ChildrenPoint);
    // a frame a redrive created: the point it continues from (ReEnter);
    // a Map iteration whose ItemSelector failed: it never ran (its redrive selects again).
    boost::json::value failed_children;
    boost::json::value redrive;
    bool fresh = false;
  };

  const State& StateOf(const Frame& f) const;
  boost::json::value Context(const Frame& f, const State& s) const;
  uint64_t Emit(Frame* f, std::string_view type, const char* details_key,
                boost::json::object details);
  Frame& NewFrame(uint64_t parent, int64_t index, int scope, boost::json::value input,
                  uint64_t last_event);
  void Pump();
  void Enter(Frame& f);
  // `timeout` / `heartbeat` override the state's (JSONata expressions evaluated by the caller).
  void EnterTask(Frame& f, const State& s, const boost::json::value& effective,
                 std::optional<int64_t> timeout = std::nullopt,
                 std::optional<int64_t> heartbeat = std::nullopt);
  void EnterChildren(Frame& f, const State& s, const boost::json::value& effective);
  void SpawnIteration(Frame& f, const State& s, int64_t index);
  // Redrive (execution_redrive.cc). A point says where a thread continues:
  //   point    := {"state", "input", "vars", "children"?: children, "map_run"?: effective}
  //   children := {"results": [J...], "status": [0 not run | 1 succeeded | 2 rerun...],
  //                "points": [point | null...], Map: "effective", "next_item", "max_concurrency"}
  // `map_run` is the kMapRun frame's effective ({"map_run", "input", "request", "redrives"}).
  boost::json::object RedrivePointOf(const Frame& f, bool keep_map_runs) const;
  boost::json::object ChildrenPoint(const Frame& p, bool keep_map_runs) const;
  // Continues a frame from its redrive point: reruns a Parallel's or Map's unsuccessful
  // children, or redrives a Map Run.
  void ReEnter(Frame& f, boost::json::object point);
  static bool ValidPoint(const Definition& def, const boost::json::value& point, int scope);
  // Distributed Map (execution_distributed.cc): resolves the Map Run request and waits.
  void EnterDistributed(Frame& f, const State& s, const boost::json::value& effective);
  std::optional<boost::json::value> ResolveDistributedField(
      Frame& f, const State& s, const boost::json::value& effective,
      const std::optional<boost::json::value>& literal, const std::string& path,
      std::string_view name);
  void Finish(Frame& f, const State& s, boost::json::value result);
  // QueryLanguage JSONata (execution_query.cc).
  void EnterQuery(Frame& f, const State& s);
  void FinishQuery(Frame& f, const State& s, boost::json::value result);
  bool CatchQuery(Frame& f, const State& s, const Catcher& c, const StatesError& err);
  std::optional<boost::json::value> QueryField(Frame& f, const State& s,
                                               const boost::json::value& field,
                                               std::string_view name,
                                               const boost::json::value* result,
                                               const boost::json::value* error_output);
  // Assign: evaluates `assign` and merges it into the frame's variables. False after
  // HandleError.
  bool AssignQuery(Frame& f, const State& s, const std::optional<boost::json::value>& assign,
                   const boost::json::value* result, const boost::json::value* error_output);
  void Transition(Frame& f, const State& s, boost::json::value output);
  void HandleError(Frame& f, StatesError err);
  void FrameEnded(Frame& f, boost::json::value output);
  void FrameFailed(Frame& f, StatesError err);
  void AbortChildren(uint64_t parent);
  void FailExecution(StatesError err, std::string_view type = "ExecutionFailed");
  void ArmTimer(Frame& f, TimerKind kind, int64_t deadline);
  int64_t DelayDeadline(double seconds) const;
  boost::json::object TaskEventBase(const State& s) const;

  std::shared_ptr<const Definition> definition_;
  ExecutionInfo info_;
  Options options_;
  boost::json::object context_override_;       // set_context_override
  boost::json::object* inspection_ = nullptr;  // set_inspection
  std::string inspected_state_;
  // Writes `key` to the inspection sink when `f` runs the inspected top-level state.
  void Inspect(const Frame& f, const State& s, std::string_view key, const boost::json::value& v);
  ExecutionStatus status_ = ExecutionStatus::kRunning;
  boost::json::value input_;
  std::optional<boost::json::value> output_;
  StatesError failure_;
  int64_t stop_micros_ = 0;
  int64_t execution_deadline_ = 0;
  uint64_t next_event_id_ = 1;
  uint64_t next_frame_id_ = 1;
  uint64_t next_map_run_ = 1;  // for Map Run ARNs without Options::new_uuid
  // AWS's hard quota of history events: event 25,000 must be ExecutionSucceeded, otherwise
  // it is an ExecutionFailed (States.Runtime). Set when a later event was refused.
  static constexpr uint64_t kMaxHistoryEvents = 25000;
  bool history_full_ = false;
  // Where a redrive starts: the top-level thread's point (RedrivePointOf) when the execution
  // stopped; empty while running, after success, and once a redrive started.
  boost::json::object redrive_point_;
  int64_t redrive_count_ = 0;
  int64_t redrive_micros_ = 0;
  std::map<uint64_t, Frame> frames_;
  std::deque<uint64_t> ready_;
  // Set for the duration of one public call.
  Effects* fx_ = nullptr;
  int64_t now_ = 0;
};

}  // namespace tidepool::sfn::asl
