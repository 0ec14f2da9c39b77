// StateMachineTasks::RunNested: the flow of a states:startExecution.sync (or .sync:2) Task
// (source: the parent's Task -> invoke: StartExecution of the child, through the Step
// Functions service's own operations -> outcome: the child's DescribeExecution once it ended).
//
// A STANDARD child is named, when the Task gives no Name, after the parent's execution and the
// Task's attempt (TaskRequest::attempt_id), so the same attempt run again after a restart
// finds its child (StartExecution is idempotent for a running execution with the same name
// and input; an ended one is then described). The child is watched by polling
// DescribeExecution every kPollMicros, the parent too: a parent that is no longer running
// (stopped, failed, timed out) stops the child, as AWS does. An EXPRESS child runs through
// StartSyncExecution (it is not kept once ended, nor across a restart).
//
// Every continuation runs from a TimerService callback: never inline in a service's reply,
// so never under the Step Functions service's locks.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/encoding.h"
#include "engine/service_client.h"
#include "engine/state_machine_tasks.h"

namespace tidepool::engine {
namespace json = boost::json;
using sfn::asl::TaskResult;

namespace {

constexpr int64_t kPollMicros = 100'000;

TaskResult Failure(std::string error, std::string cause) {
  return {false, nullptr, {std::move(error), std::move(cause)}};
}

// "arn:aws:states:<region>:<account>:stateMachine:<name>[:<version or alias>]" -> the ARN of
// its STANDARD execution `name`; "" when `machine` is not such an ARN.
std::string ExecutionArn(std::string_view machine, std::string_view name) {
  constexpr std::string_view kMarker = ":stateMachine:";
  size_t at = machine.find(kMarker);
  if (at == std::string_view::npos) return "";
  std::string_view machine_name = machine.substr(at + kMarker.size());
  machine_name = machine_name.substr(0, machine_name.find(':'));
  return fmt::format("{}:execution:{}:{}", machine.substr(0, at), machine_name, name);
}

// A DescribeExecution / StartSyncExecution output (PascalCase, as Task results spell it) as
// the Task's outcome: the description when the child succeeded (with .sync:2 its Output
// parsed), else States.TaskFailed with the description as the cause.
TaskResult Outcome(json::object description, bool json_output) {  // NOLINT
  std::string status = JsonString(description, "Status");
  if (status != "SUCCEEDED") {
    return Failure("States.TaskFailed", json::serialize(description));
  }
  if (json_output) {
    if (auto* out = description.if_contains("Output"); out && out->is_string()) {
      boost::system::error_code ec;
      json::value parsed = json::parse(out->get_string(), ec);
      if (!ec) *out = std::move(parsed);
    }
  }
  return {true, std::move(description), {}};
}

}  // namespace

struct StateMachineTasks::NestedRun {
  StateMachineTasks* tasks;
  protocol::Service* sfn;
  std::string account, region, parent_arn, child_arn;
  bool json_output = false;
  std::function<void(json::value)> submitted;
  std::function<void(TaskResult)> done;
};

void StateMachineTasks::Later(int64_t delay_micros, std::function<void()> fn) {
  timers_->At(clock_->NowMicros() + delay_micros, std::move(fn));
}

void StateMachineTasks::Call(const std::shared_ptr<NestedRun>& run, std::string_view operation,
                             json::value input, std::function<void(ServiceOutcome)> then) {
  CallService(*run->sfn, operation, input, run->account, run->region,
              [this, then = std::move(then)](ServiceOutcome outcome) mutable {
                Later(0, [then = std::move(then), outcome = std::move(outcome)]() mutable {
                  then(std::move(outcome));
                });
              });
}

void StateMachineTasks::RunNested(sfn::TaskRequest request, bool json_output,
                                  std::function<void(TaskResult)> done) {
  auto it = services_.find("sfn");
  if (it == services_.end() || timers_ == nullptr) {
    return done(Failure("States.Runtime", "startExecution.sync is not runnable here"));
  }
  if (request.execution_arn.find(":express:") != std::string::npos) {
    // AWS: EXPRESS workflows do not support the .sync pattern.
    return done(
        Failure("States.Runtime", "startExecution.sync is not supported in an EXPRESS execution"));
  }
  auto run = std::make_shared<NestedRun>();
  run->tasks = this;
  run->sfn = it->second;
  run->account = request.account_id;
  run->region = request.region;
  run->parent_arn = request.execution_arn;
  run->json_output = json_output;
  run->submitted = std::move(request.submitted);
  run->done = std::move(done);
  json::object in;
  if (auto* o = request.input.if_object()) in = std::move(*o);
  std::string machine = JsonString(in, "StateMachineArn");
  json::object start{{"stateMachineArn", machine}};
  if (auto* input = in.if_contains("Input")) {
    start["input"] =
        input->is_string() ? std::string(input->get_string()) : json::serialize(*input);
  }
  std::string name = JsonString(in, "Name");
  const bool derived = name.empty();
  if (derived) {
    std::string digest = HexEncode(Sha256(request.execution_arn + "/" + request.attempt_id));
    name = fmt::format("{}-{}-{}-{}-{}", digest.substr(0, 8), digest.substr(8, 4),
                       digest.substr(12, 4), digest.substr(16, 4), digest.substr(20, 12));
  }
  start["name"] = name;
  Call(run, "DescribeStateMachine", json::object{{"stateMachineArn", machine}},
       [this, run, start, machine, name, derived](ServiceOutcome described) mutable {
         if (auto* err = std::get_if<protocol::AwsError>(&described)) {
           return run->done(Failure("StepFunctions." + err->code, err->message));
         }
         const json::object* d = std::get<json::value>(described).if_object();
         if (d && JsonString(*d, "type") == "EXPRESS") {
           return Call(run, "StartSyncExecution", start, [run](ServiceOutcome outcome) {
             if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
               return run->done(Failure("StepFunctions." + err->code, err->message));
             }
             json::value v = std::move(std::get<json::value>(outcome));
             run->done(Outcome(run->tasks->SfnOutput("StartSyncExecution", std::move(v)),
                               run->json_output));
           });
         }
         Call(run, "StartExecution", start,
              [this, run, machine, name, derived](ServiceOutcome outcome) {
                if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
                  // The child this attempt started before a restart, and which has ended.
                  if (derived && err->code == "ExecutionAlreadyExists") {
                    run->child_arn = ExecutionArn(machine, name);
                    return Watch(run);
                  }
                  return run->done(Failure("StepFunctions." + err->code, err->message));
                }
                json::value v = std::move(std::get<json::value>(outcome));
                run->child_arn = JsonString(v.as_object(), "executionArn");
                if (run->submitted) run->submitted(SfnOutput("StartExecution", std::move(v)));
                Watch(run);
              });
       });
}

void StateMachineTasks::Watch(const std::shared_ptr<NestedRun>& run) {
  Later(kPollMicros, [this, run] {
    Call(run, "DescribeExecution", json::object{{"executionArn", run->child_arn}},
         [this, run](ServiceOutcome child) {
           if (auto* err = std::get_if<protocol::AwsError>(&child)) {
             return run->done(Failure("StepFunctions." + err->code, err->message));
           }
           json::value d = std::move(std::get<json::value>(child));
           if (!d.is_object() || JsonString(d.get_object(), "status") != "RUNNING") {
             return run->done(
                 Outcome(SfnOutput("DescribeExecution", std::move(d)), run->json_output));
           }
           Call(run, "DescribeExecution", json::object{{"executionArn", run->parent_arn}},
                [this, run](ServiceOutcome parent) {
                  const json::value* p = std::get_if<json::value>(&parent);
                  if (p && p->is_object() && JsonString(p->get_object(), "status") == "RUNNING") {
                    return Watch(run);
                  }
                  // The parent ended without this Task: its child ends too.
                  Call(run, "StopExecution",
                       json::object{{"executionArn", run->child_arn},
                                    {"cause", "The parent execution " + run->parent_arn +
                                                  " is no longer running"}},
                       [](ServiceOutcome) {});
                });
         });
  });
}

}  // namespace tidepool::engine
