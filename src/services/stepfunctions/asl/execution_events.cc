// Execution's event handlers: a timer fired, a task ended or was submitted, a heartbeat, an
// activity worker took its task, StopExecution. Each runs the frames that became ready and
// returns the effects.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/stepfunctions/asl/execution.h"
#include "services/stepfunctions/asl/payload.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;

namespace {

json::string Text(const json::value& v) { return json::string(json::serialize(v)); }

}  // namespace

Effects Execution::OnTimer(uint64_t frame, uint64_t epoch, TimerKind kind, int64_t now) {
  Effects fx;
  if (!running()) return fx;
  fx_ = &fx;
  now_ = now;
  if (kind == TimerKind::kExecutionTimeout) {
    if (epoch != static_cast<uint64_t>(redrive_count_)) {  // an earlier attempt's timer
      fx_ = nullptr;
      return fx;
    }
    FailExecution({std::string(errors::kTimeout), "The execution timed out."}, "ExecutionTimedOut");
    fx_ = nullptr;
    return fx;
  }
  auto it = frames_.find(frame);
  if (it == frames_.end() || it->second.epoch != epoch) {
    fx_ = nullptr;
    return fx;
  }
  Frame& f = it->second;
  const State& s = StateOf(f);
  switch (kind) {
    case TimerKind::kWait:
      if (f.phase == Phase::kWait && s.jsonata) {
        FinishQuery(f, s, f.effective);
      } else if (f.phase == Phase::kWait) {
        StatesError err;
        json::value ctx = Context(f, s);
        auto out = ApplyInputOutputPath(s.output_path, "OutputPath", f.effective, ctx, &err);
        if (!out) {
          HandleError(f, std::move(err));
        } else {
          Transition(f, s, std::move(*out));
        }
      }
      break;
    case TimerKind::kRetry:
      if (f.phase == Phase::kRetry) {
        f.phase = Phase::kEnter;
        f.retrying = true;
        ready_.push_back(f.id);
      }
      break;
    case TimerKind::kTaskTimeout:
    case TimerKind::kHeartbeat:
      if (f.phase == Phase::kTask) {
        if (kind == TimerKind::kHeartbeat && now < f.heartbeat_deadline - 1000) {
          ArmTimer(f, TimerKind::kHeartbeat, f.heartbeat_deadline);
          break;
        }
        std::string_view error =
            kind == TimerKind::kTaskTimeout ? errors::kTimeout : errors::kHeartbeatTimeout;
        const TaskKind task = TaskKindOf(s.resource);
        json::object d = task == TaskKind::kService ? TaskEventBase(s) : json::object{};
        d["error"] = error;
        if (task == TaskKind::kLambda) d["cause"] = "";
        const TaskEvent timed_out = TaskEventOf(task, TaskStep::kTimedOut);
        Emit(&f, timed_out.type, timed_out.details, std::move(d));
        HandleError(f, {std::string(error), ""});
      }
      break;
    case TimerKind::kExecutionTimeout:
      break;
  }
  Pump();
  fx_ = nullptr;
  return fx;
}

Effects Execution::OnTaskResult(uint64_t frame, uint64_t epoch, TaskResult result, int64_t now) {
  Effects fx;
  if (!running()) return fx;
  auto it = frames_.find(frame);
  if (it == frames_.end() || it->second.epoch != epoch || it->second.phase != Phase::kTask) {
    return fx;
  }
  fx_ = &fx;
  now_ = now;
  Frame& f = it->second;
  const State& s = StateOf(f);
  const TaskKind task = TaskKindOf(s.resource);
  json::object d = task == TaskKind::kService ? TaskEventBase(s) : json::object{};
  if (result.ok) {
    d["output"] = Text(result.output);
    d["outputDetails"] = json::object{{"truncated", false}};
    const TaskEvent succeeded = TaskEventOf(task, TaskStep::kSucceeded);
    Emit(&f, succeeded.type, succeeded.details, std::move(d));
    f.phase = Phase::kDone;  // no longer a pending task
    Finish(f, s, std::move(result.output));
  } else {
    d["error"] = result.error.error;
    d["cause"] = result.error.cause;
    const TaskEvent failed = TaskEventOf(task, TaskStep::kFailed);
    Emit(&f, failed.type, failed.details, std::move(d));
    HandleError(f, std::move(result.error));
  }
  Pump();
  fx_ = nullptr;
  return fx;
}

bool Execution::IsTaskPending(uint64_t frame, uint64_t epoch) const {
  auto it = frames_.find(frame);
  return running() && it != frames_.end() && it->second.epoch == epoch &&
         it->second.phase == Phase::kTask;
}

bool Execution::OnHeartbeat(uint64_t frame, uint64_t epoch, int64_t now, Effects* effects) {
  if (!IsTaskPending(frame, epoch)) return false;
  Frame& f = frames_.at(frame);
  if (f.heartbeat_seconds > 0) {
    now_ = now;
    f.heartbeat_deadline = DelayDeadline(static_cast<double>(f.heartbeat_seconds));
  }
  (void)effects;
  return true;
}

Effects Execution::OnTaskSubmitted(uint64_t frame, uint64_t epoch, const json::value& output,
                                   int64_t now) {
  Effects fx;
  if (!IsTaskPending(frame, epoch)) return fx;
  fx_ = &fx;
  now_ = now;
  Frame& f = frames_.at(frame);
  json::object d = TaskEventBase(StateOf(f));
  d["output"] = Text(output);
  d["outputDetails"] = json::object{{"truncated", false}};
  Emit(&f, "TaskSubmitted", "taskSubmittedEventDetails", std::move(d));
  Pump();  // enforces the history limit
  fx_ = nullptr;
  return fx;
}

Effects Execution::OnActivityStarted(uint64_t frame, uint64_t epoch, std::string_view worker,
                                     int64_t now) {
  Effects fx;
  if (!IsTaskPending(frame, epoch)) return fx;
  fx_ = &fx;
  now_ = now;
  json::object d;
  if (!worker.empty()) d["workerName"] = worker;
  Emit(&frames_.at(frame), "ActivityStarted", "activityStartedEventDetails", std::move(d));
  Pump();  // enforces the history limit
  fx_ = nullptr;
  return fx;
}

Effects Execution::Stop(std::string error, std::string cause, int64_t now) {
  Effects fx;
  if (!running()) return fx;
  fx_ = &fx;
  now_ = now;
  FailExecution({std::move(error), std::move(cause)}, "ExecutionAborted");
  fx_ = nullptr;
  return fx;
}

}  // namespace tidepool::sfn::asl
