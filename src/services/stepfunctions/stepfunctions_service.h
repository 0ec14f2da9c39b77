// StepFunctionsService: AWS Step Functions (AWS JSON 1.0, target prefix AWSStepFunctions).
//
// Kinds of state and where they live (keyspace.h):
//   - state machines and activities: one JSON value each in the store, mirrored in memory;
//   - executions: a start record written once, a state record (the interpreter's snapshot)
//     rewritten in the batch of every transition, and one key per history event; in memory
//     the running interpreter (asl::Execution) of every execution plus the summary of every
//     finished one. EXPRESS executions live only in memory (AWS runs them at most once).
// State is namespaced by the ARNs, which carry the caller's account and region.
//
// Execution flow: an interpreter call returns asl::Effects; ApplyEffects (execution_runner.cc)
// submits the events and the new snapshot as one batch while holding the execution's lock
// (commit order == transition order), arms the timers through the TimerService and hands the
// tasks to the TaskRunner (or to an activity's queue). Recover() reloads every execution and
// resumes the running ones where they were: Wait and Retry timers keep their deadlines, a task
// that was in flight is started again (at-least-once, as AWS documents for tasks).
//
// Thread-safety: all public methods may be called from any thread; Invoke never blocks.
// The service must outlive the io_context's pending handlers and the CommitQueue's pending
// completions (stop both before destroying it), as for the other services.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "protocol/service.h"
#include "services/stepfunctions/asl/definition.h"
#include "services/stepfunctions/asl/execution.h"
#include "services/stepfunctions/task_runner.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::sfn {

struct StepFunctionsOptions {
  // An AWS delay of 1 s (Wait, Retry interval, timeouts) takes time_scale seconds.
  double time_scale = 1.0;
  // How long GetActivityTask waits for a task (AWS: 60 s).
  int64_t activity_poll_micros = 60'000'000;
};

class StepFunctionsService final : public protocol::Service {
 public:
  // `tasks` may be null (every non-activity Task then fails as unreachable); it and `timers`
  // must outlive the service.
  StepFunctionsService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
                       boost::asio::io_context& io, TimerService& timers, TaskRunner* tasks,
                       StepFunctionsOptions options);
  ~StepFunctionsService() override;
  StepFunctionsService(const StepFunctionsService&) = delete;
  StepFunctionsService& operator=(const StepFunctionsService&) = delete;

  // Loads state machines, activities and executions; resumes running executions. Records that
  // fail to decode are logged with their key and skipped. Call once, before serving.
  Status Recover();

  std::string_view Name() const override { return "stepfunctions"; }
  const protocol::model::ServiceModel& Model() const override;
  void Invoke(protocol::CallPtr call) override;
  boost::json::object Health() const override;

  // Answers parked GetActivityTask calls now (shutdown).
  void EndLongPolls();

  // Where Distributed Maps read items and write results; without one (the default) an
  // ItemReader fails States.ItemReaderFailed and a ResultWriter States.ResultWriterFailed.
  // Set once, before Recover.
  void SetObjectStore(ObjectStore* objects) { objects_ = objects; }

 private:
  using Handler = void (StepFunctionsService::*)(protocol::CallPtr);
  friend struct StepFunctionsServiceTable;

  struct StateMachine {
    uint64_t uid = 0;
    std::string arn, name, type, definition, role_arn, description, revision_id;
    double created = 0, updated = 0;
    boost::json::object logging, tracing;
    std::map<std::string, std::string> tags;
    std::shared_ptr<const asl::Definition> parsed;
    // Versions (version_ops.cc) are immutable StateMachines kept in versions_: `parent` is
    // their machine's ARN and `version` their number. A machine counts `next_version`.
    std::string parent;
    int64_t version = 0;
    int64_t next_version = 1;
  };
  // A state machine alias: routes StartExecution to one or two versions by weight.
  struct Alias {
    uint64_t uid = 0;
    std::string arn, name, machine_arn, description;
    std::vector<std::pair<std::string, int64_t>> routing;  // version ARN, weight (sum 100)
    double created = 0, updated = 0;
  };
  struct Activity {
    uint64_t uid = 0;
    std::string arn, name;
    double created = 0;
    std::map<std::string, std::string> tags;
  };
  struct ExecutionRecord {
    std::mutex mu;
    uint64_t uid = 0;
    bool express = false;
    std::string arn, name, machine_arn, input_text, definition_text;
    std::string version_arn, alias_arn;  // what StartExecution named, when not the machine
    std::string redrive_token;           // the clientToken of the last RedriveExecution
    // TestState runs (test_state_ops.cc): every history event, the mocked task result, and
    // what to do once the run ends (cleared when called). Guarded by mu.
    std::vector<boost::json::object> test_events;
    std::optional<asl::TaskResult> mock;
    std::function<void(ExecutionRecord&)> on_finish;
    std::string account, region;
    double start = 0;
    std::unique_ptr<asl::Execution> run;          // guarded by mu
    std::vector<protocol::CallPtr> sync_waiters;  // StartSyncExecution; guarded by mu
    // A Distributed Map's child execution: its Map Run, index there and items in its input.
    std::string map_run_arn;
    int64_t map_run_index = -1, item_count = 0;
  };
  using ExecutionPtr = std::shared_ptr<ExecutionRecord>;
  // A Distributed Map's Map Run (map_run.cc): the children it started and their outcomes.
  // The parent execution waits in its Map state (asl Phase kMapRun) for OnMapRunResult.
  // Lock order: a MapRun's mu before a child's ExecutionRecord::mu; never hold it while
  // taking the parent's mu.
  struct MapRun {
    std::mutex mu;
    uint64_t uid = 0;
    std::string arn, execution_arn, machine_name, role, account, region, child_machine_arn;
    uint64_t frame = 0, epoch = 0;  // the parent's Map state
    boost::json::object request;    // asl::MapRunDispatch::request
    std::shared_ptr<const asl::Definition> processor;
    std::string status = "RUNNING";  // RUNNING | SUCCEEDED | FAILED | ABORTED
    std::string error, cause;        // FAILED
    double start = 0, stop = 0;
    int64_t max_concurrency = 0, tolerated_count = 0;
    double tolerated_percentage = 0;
    bool has_tolerated_count = false, has_tolerated_percentage = false;
    bool items_ready = false, finishing = false;
    boost::json::array inputs;           // one per child execution, once items_ready
    std::vector<ExecutionPtr> children;  // by index; null until started
    std::vector<uint8_t> outcome;        // by index: 0 not ended, else an asl::ExecutionStatus+1
    int64_t next = 0, running = 0, total_items = 0, results_written = 0;
    // Redrives (map_run_redrive.cc): how many, when the last one was, and the children a
    // redrive reruns that have not been rerun yet (MaxConcurrency): their outcome is 0 and
    // they do not count as running.
    int64_t redrive_count = 0;
    double redrive_date = 0;
    std::deque<int64_t> redrive_queue;
  };
  using MapRunPtr = std::shared_ptr<MapRun>;
  struct ActivityTask {
    std::weak_ptr<ExecutionRecord> execution;
    uint64_t frame = 0, epoch = 0;
    std::string token, input;
  };
  struct ActivityPoll {
    protocol::CallPtr call;
    std::string worker;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };

  // --- state_machine_ops.cc
  void CreateStateMachine(protocol::CallPtr call);
  void DescribeStateMachine(protocol::CallPtr call);
  void UpdateStateMachine(protocol::CallPtr call);
  void DeleteStateMachine(protocol::CallPtr call);
  void ListStateMachines(protocol::CallPtr call);
  void ValidateStateMachineDefinition(protocol::CallPtr call);
  void DescribeStateMachineForExecution(protocol::CallPtr call);
  void TagResource(protocol::CallPtr call);
  void UntagResource(protocol::CallPtr call);
  void ListTagsForResource(protocol::CallPtr call);
  // --- version_ops.cc: versions and aliases
  void PublishStateMachineVersion(protocol::CallPtr call);
  void ListStateMachineVersions(protocol::CallPtr call);
  void DeleteStateMachineVersion(protocol::CallPtr call);
  void CreateStateMachineAlias(protocol::CallPtr call);
  void DescribeStateMachineAlias(protocol::CallPtr call);
  void UpdateStateMachineAlias(protocol::CallPtr call);
  void DeleteStateMachineAlias(protocol::CallPtr call);
  void ListStateMachineAliases(protocol::CallPtr call);
  // Publishes machine `m` (mu_ held exclusively) into `batch`: a new version, or the latest
  // one when `m` has not changed since it was published.
  std::shared_ptr<StateMachine> PublishLocked(StateMachine& m, std::string description,
                                              storage::WriteBatch* batch);
  std::shared_ptr<StateMachine> LatestVersionLocked(const std::string& machine_arn) const;
  boost::json::object AliasRecord(const Alias& a) const;
  // What StartExecution runs for `arn`: a machine, a version, or an alias's pick of version.
  struct StartTarget {
    std::shared_ptr<StateMachine> machine;  // the machine or version whose definition runs
    std::string machine_arn;                // the machine's own ARN
    std::string version_arn, alias_arn;
  };
  Result<StartTarget> ResolveStartTarget(std::string_view arn) const;

  // --- execution_ops.cc
  void StartExecution(protocol::CallPtr call);
  void StartSyncExecution(protocol::CallPtr call);
  void DescribeExecution(protocol::CallPtr call);
  void ListExecutions(protocol::CallPtr call);
  void StopExecution(protocol::CallPtr call);
  void RedriveExecution(protocol::CallPtr call);
  void GetExecutionHistory(protocol::CallPtr call);
  // --- activity_ops.cc
  void CreateActivity(protocol::CallPtr call);
  void DescribeActivity(protocol::CallPtr call);
  void DeleteActivity(protocol::CallPtr call);
  void ListActivities(protocol::CallPtr call);
  void GetActivityTask(protocol::CallPtr call);
  void SendTaskSuccess(protocol::CallPtr call);
  void SendTaskFailure(protocol::CallPtr call);
  void SendTaskHeartbeat(protocol::CallPtr call);
  void Unsupported(protocol::CallPtr call);
  // --- map_run_ops.cc
  void ListMapRuns(protocol::CallPtr call);
  void DescribeMapRun(protocol::CallPtr call);
  void UpdateMapRun(protocol::CallPtr call);
  // ListExecutions with a mapRunArn: the Map Run's child executions.
  void ListMapRunExecutions(protocol::CallPtr call, const std::string& map_run_arn);
  // --- map_run.cc: running Map Runs
  // Starts (or, after Recover, re-attaches to) the Map Run `d` of `parent`.
  void StartMapRun(const ExecutionPtr& parent, asl::MapRunDispatch d);
  void ReadMapRunItems(const MapRunPtr& run);
  void OnMapRunItems(const MapRunPtr& run, Result<boost::json::array> items);
  // Starts children while the concurrency allows; ends the run once all have ended.
  void PumpMapRun(const MapRunPtr& run);
  ExecutionPtr StartChildLocked(MapRun& run, int64_t index);  // run.mu held
  void OnChildEnded(const ExecutionPtr& child);
  // The failure when the ended children's failed items exceed the tolerated ones (run.mu held).
  static std::optional<asl::StatesError> ThresholdExceededLocked(const MapRun& run);
  // Ends the run: aborts running children when it failed, writes the results (ResultWriter),
  // persists the run and reports to the parent.
  void EndMapRun(const MapRunPtr& run, std::optional<asl::StatesError> failure);
  void WriteMapRunResults(const MapRunPtr& run, std::optional<asl::StatesError> failure,
                          boost::json::array outputs);
  void ReportMapRun(const MapRunPtr& run, asl::TaskResult result);
  // --- map_run_redrive.cc
  // The parent's redrive reached Map Run `run` (d.redrive_count > run's): reruns its failed,
  // timed-out and aborted children (STANDARD ones by RedriveExecution), the ones never
  // started, or, when its items were never read, the whole run. False when that redrive
  // already happened (a Resume after a restart).
  bool RedriveMapRun(const MapRunPtr& run, const asl::MapRunDispatch& d);
  // Reruns queued children while the concurrency allows (run.mu held); true if any started.
  bool PumpRedriveQueueLocked(MapRun& run);
  // The parent ended (stopped, failed, timed out): its running Map Runs are aborted.
  void AbortMapRunsOf(const std::string& execution_arn);
  void PersistMapRun(MapRun& run);  // run.mu held
  boost::json::object MapRunRecord(const MapRun& run) const;
  static Result<MapRunPtr> DecodeMapRun(const boost::json::object& o);
  // Recover: counts the outcomes of the children found for each Map Run.
  void AttachMapRunChildren();
  MapRunPtr FindMapRun(std::string_view arn) const;
  // Sizes the per-child vectors of `run` once its inputs are known (run.mu held).
  static void SizeChildrenLocked(MapRun& run);
  // DescribeMapRun's counts (run.mu held): by child execution, or by item when `items`.
  static boost::json::object MapRunCounts(const MapRun& run, bool items, int64_t results_written);
  // --- test_state_ops.cc
  void TestState(protocol::CallPtr call);

  // --- execution_runner.cc
  // Applies `fx` of `ex` (caller holds ex->mu): persists (STANDARD), arms timers, starts
  // tasks. `reply`, when set, runs once the batch is durable (or at once for EXPRESS).
  void ApplyEffects(const ExecutionPtr& ex, asl::Effects fx,
                    std::function<void(const Status&)> reply = {}, storage::WriteBatch extra = {});
  void ArmTimer(const ExecutionPtr& ex, const asl::TimerRequest& t);
  void DispatchTask(const ExecutionPtr& ex, asl::TaskDispatch task);
  void DeliverTaskResult(const ExecutionPtr& ex, uint64_t frame, uint64_t epoch,
                         asl::TaskResult result);
  boost::json::object StateRecord(const ExecutionRecord& ex) const;
  boost::json::object StartRecord(const ExecutionRecord& ex) const;
  void FinishSyncWaiters(ExecutionRecord& ex);
  static std::string MakeToken(const std::string& execution_arn, uint64_t frame, uint64_t epoch);
  struct TokenRef {
    ExecutionPtr execution;
    uint64_t frame = 0, epoch = 0;
  };
  Result<TokenRef> ResolveToken(std::string_view token) const;
  void OfferActivityTask(const std::string& activity_arn, ActivityTask task);

  // --- stepfunctions_service.cc: shared helpers
  std::shared_ptr<StateMachine> FindMachine(std::string_view arn) const;
  ExecutionPtr FindExecution(std::string_view arn) const;
  Result<std::shared_ptr<StateMachine>> ResolveMachine(std::string_view arn) const;
  Result<ExecutionPtr> ResolveExecution(std::string_view arn) const;
  uint64_t NextUid();
  uint64_t NextUidLocked();  // mu_ held exclusively
  boost::json::object MachineRecord(const StateMachine& m) const;
  boost::json::object ExecutionDescription(ExecutionRecord& ex) const;  // caller holds ex.mu
  bool Submit(storage::WriteBatch batch, protocol::CallPtr call,
              std::function<void(const Status&)> done);
  static void Fail(const protocol::CallPtr& call, const Status& status);
  asl::Execution::Options InterpreterOptions() const;

  storage::Store& store_;
  storage::CommitQueue& commits_;
  const Clock& clock_;
  boost::asio::io_context& io_;
  TimerService& timers_;
  TaskRunner* tasks_;
  ObjectStore* objects_ = nullptr;
  const StepFunctionsOptions options_;
  std::shared_ptr<std::atomic<bool>> alive_;

  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<StateMachine>> machines_;        // by ARN
  std::map<std::string, std::shared_ptr<StateMachine>> versions_;        // by version ARN
  std::map<std::string, std::shared_ptr<Alias>> aliases_;                // by alias ARN
  std::map<std::string, std::shared_ptr<Activity>> activities_;          // by ARN
  std::unordered_map<std::string, ExecutionPtr> executions_;             // by ARN
  std::map<std::string, std::vector<ExecutionPtr>> machine_executions_;  // machine ARN -> starts
  uint64_t next_uid_ = 1;                                                // guarded by mu_
  std::map<std::string, MapRunPtr> map_runs_;                            // by ARN; mu_

  std::mutex activity_mu_;
  std::map<std::string, std::deque<ActivityTask>> activity_tasks_;  // by activity ARN
  std::map<std::string, std::deque<ActivityPoll>> activity_polls_;  // by activity ARN
};

}  // namespace tidepool::sfn
