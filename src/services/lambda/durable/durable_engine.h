// DurableEngine: runs Lambda durable executions (durable functions) the way AWS does. An
// execution starts when a function with a DurableConfig is invoked; the engine invokes the
// function with the payload the durable-execution SDK expects ({DurableExecutionArn,
// CheckpointToken, InitialExecutionState: {Operations, NextMarker}}), applies the checkpoints
// the SDK sends (CheckpointDurableExecution), and when the function answers {Status: PENDING}
// invokes it again once a WAIT ends, a STEP's next attempt is due or a CALLBACK completes.
// {Status: SUCCEEDED|FAILED} closes the execution; ExecutionTimeout times it out.
//
// Persistence: each execution is one record (execution.h's stored form) under
// `key_prefix` + execution ARN, rewritten by every change; a change is answered only once its
// record is durable. Recover() loads them and resumes running executions: one that was parked
// (its last invocation answered PENDING and nothing woke it) re-arms its timers; any other is
// invoked again (an invocation cut off by a crash is retried, as AWS retries it).
//
// Thread-safety: every public method may be called from any thread. `invoke` and `schedule`
// callbacks are called without any engine lock held.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "functions/invoker.h"
#include "services/lambda/durable/execution.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::lambda::durable {

struct DurableEngineOptions {
  double time_scale = 1.0;  // multiplies every AWS delay (--time-scale)
  // Runs `task` once after `delay` (an io timer). Unset: timers never fire (unit tests).
  std::function<void(std::chrono::milliseconds delay, std::function<void()> task)> schedule;
  // Invokes the function `qualified_arn` (the in-process invoke path).
  std::function<void(const std::string& qualified_arn, functions::Invocation invocation,
                     functions::InvokeDone done)>
      invoke;
};

class DurableEngine {
 public:
  DurableEngine(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
                std::string key_prefix, DurableEngineOptions options);
  ~DurableEngine();
  DurableEngine(const DurableEngine&) = delete;
  DurableEngine& operator=(const DurableEngine&) = delete;

  // Loads every stored execution and resumes the running ones. Call once, before serving and
  // after the invoke path can run functions.
  Status Recover();
  // No timers or invocations start from now on.
  void Stop();

  struct StartRequest {
    std::string function_arn;  // unqualified
    std::string version;       // "$LATEST" or a number: what the execution runs
    std::string name;          // DurableExecutionName; "" for a generated one
    std::string payload;
    int64_t execution_timeout = 0;  // seconds (DurableConfig)
    int64_t retention_days = 14;
    std::string trace_header;
    bool wait = false;  // synchronous invoke: `done` runs when the execution closes
  };
  // Starts an execution (or finds the one `name` already names, as AWS's idempotency rules
  // say); `done` gets its Description once durable (or, with `wait`, once closed).
  using DescriptionDone = std::function<void(Result<boost::json::object>)>;
  void Start(StartRequest request, DescriptionDone done);

  // The API operations. Mutating ones answer through `done` once durable.
  void Checkpoint(const std::string& arn, const std::string& token,
                  const boost::json::array& updates, DescriptionDone done);
  Result<boost::json::object> State(const std::string& arn, const std::string& token,
                                    const std::string& marker, int64_t max_items) const;
  Result<boost::json::object> Get(const std::string& arn) const;
  Result<boost::json::object> History(const std::string& arn, bool include_data, int64_t max_items,
                                      const std::string& marker, bool reverse) const;
  struct ListFilter {
    std::string function_arn;  // unqualified
    std::string qualifier;     // "" for every version
    std::string name;
    std::vector<std::string> statuses;
    double started_after = 0, started_before = 0;  // 0: no bound
    bool reverse = false;
    std::string marker;
    int64_t max_items = 0;
  };
  Result<boost::json::object> List(const ListFilter& filter) const;
  void StopExecution(const std::string& arn, boost::json::object error, DescriptionDone done);
  // kind: "succeed", "fail" or "heartbeat".
  void Callback(const std::string& callback_id, const std::string& kind, std::string result,
                boost::json::object error, DescriptionDone done);

  size_t size() const;

 private:
  struct Entry {
    std::mutex mu;
    DurableExecution execution;
    bool invoking = false;                  // an invocation is in flight
    int failed_invocations = 0;             // in a row (function errors, crashes)
    std::vector<DescriptionDone> waiters;   // synchronous invokes waiting for the close
    std::set<std::string> chained_running;  // CHAINED_INVOKE operations being invoked
  };
  using EntryPtr = std::shared_ptr<Entry>;

  EntryPtr Find(const std::string& arn) const;
  // Writes `entry`'s record (entry->mu held) and runs `done` once durable.
  void Persist(Entry& entry, std::function<void(const Status&)> done);
  // Starts an invocation (entry->mu held; the call happens after the lock is released by the
  // caller through the returned closure).
  std::function<void()> BeginInvoke(const EntryPtr& entry);
  void OnInvoked(const EntryPtr& entry, int64_t started_ms, functions::InvokeOutcome outcome);
  // Invokes the targets of chained invokes not yet running (entry->mu held; the invocations
  // start when the returned closure runs, after the lock is released).
  std::function<void()> LaunchChained(const EntryPtr& entry);
  void OnChainedInvoked(const EntryPtr& entry, const std::string& op_id,
                        functions::InvokeOutcome outcome);
  // After a change (entry->mu held): replies to waiters of a closed execution, arms timers,
  // and returns the invocation to start, if one is due.
  std::function<void()> Settle(const EntryPtr& entry);
  void Arm(const std::string& arn, int64_t due_ms);
  void OnTimer(const std::string& arn);
  // Retention: a closed execution is deleted RetentionPeriodInDays (scaled) after it closed.
  void ArmExpiry(const DurableExecution& execution);
  void Expire(const std::string& arn);
  int64_t NowMs() const { return clock_.NowMillis(); }

  storage::Store& store_;
  storage::CommitQueue& commits_;
  const Clock& clock_;
  const std::string key_prefix_;
  const DurableEngineOptions options_;
  std::shared_ptr<std::atomic<bool>> stopped_ = std::make_shared<std::atomic<bool>>(false);

  mutable std::shared_mutex mu_;
  std::map<std::string, EntryPtr> executions_;  // by execution ARN
  std::map<std::string, std::string> names_;    // "<function ARN>/<name>" -> execution ARN
};

}  // namespace tidepool::lambda::durable
