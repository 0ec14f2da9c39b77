// How an execution's effects become real: persistence, timers, tasks and task tokens.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "core/encoding.h"
#include "services/stepfunctions/keyspace.h"
#include "services/stepfunctions/sfn_errors.h"
#include "services/stepfunctions/stepfunctions_service.h"

namespace tidepool::sfn {
namespace json = boost::json;

namespace {
constexpr std::string_view kWaitForToken = ".waitForTaskToken";

bool IsActivityArn(std::string_view r) {
  return r.starts_with("arn:aws:states:") && r.find(":activity:") != std::string_view::npos;
}
}  // namespace

json::object StepFunctionsService::StartRecord(const ExecutionRecord& ex) const {
  const auto& info = ex.run->info();
  return json::object{{"arn", ex.arn},
                      {"name", ex.name},
                      {"machine_arn", ex.machine_arn},
                      {"version_arn", ex.version_arn},
                      {"alias_arn", ex.alias_arn},
                      {"machine_name", info.state_machine_name},
                      {"role", info.role_arn},
                      {"definition", ex.definition_text},
                      {"input", ex.input_text},
                      {"start", info.start_micros},
                      {"account", ex.account},
                      {"region", ex.region}};
}

json::object StepFunctionsService::StateRecord(const ExecutionRecord& ex) const {
  return ex.run->Snapshot();
}

void StepFunctionsService::ApplyEffects(const ExecutionPtr& ex, asl::Effects fx,
                                        std::function<void(const Status&)> reply,
                                        storage::WriteBatch extra) {
  const bool finished = !ex->run->running();
  if (ex->on_finish) {
    ex->test_events.insert(ex->test_events.end(), fx.events.begin(), fx.events.end());
  }
  if (!ex->express && (!fx.events.empty() || !extra.empty() || reply)) {
    storage::WriteBatch batch = std::move(extra);
    for (const auto& e : fx.events) {
      batch.Put(keyspace::EventKey(ex->uid, e.at("id").to_number<uint64_t>()), json::serialize(e));
    }
    batch.Put(keyspace::Key('s', ex->uid), json::serialize(StateRecord(*ex)));
    Status st = commits_.Submit(std::move(batch), [reply, arn = ex->arn](const Status& s) {
      if (!s.ok()) spdlog::error("stepfunctions: commit for {} failed: {}", arn, s.ToString());
      if (reply) reply(s);
    });
    if (!st.ok() && reply) reply(st);
  } else if (reply) {
    boost::asio::post(io_, [reply] { reply(Status::Ok()); });
  }
  if (finished) {
    FinishSyncWaiters(*ex);
    // A Map Run's child counts its outcome; a parent that did not succeed aborts its runs.
    const bool child = !ex->map_run_arn.empty();
    const bool aborts = ex->run->status() != asl::ExecutionStatus::kSucceeded;
    boost::asio::post(io_, [this, alive = alive_, ex, child, aborts] {
      if (!*alive) return;
      if (child) OnChildEnded(ex);
      if (aborts) AbortMapRunsOf(ex->arn);
    });
    if (ex->on_finish) {
      auto done = std::move(ex->on_finish);
      ex->on_finish = nullptr;
      done(*ex);
    }
    if (ex->express) {
      // EXPRESS executions are not kept once finished (AWS keeps them only in its logs).
      boost::asio::post(io_, [this, alive = alive_, arn = ex->arn] {
        if (!*alive) return;
        std::unique_lock lock(mu_);
        executions_.erase(arn);
      });
    }
  }
  for (auto& d : fx.map_runs) {
    boost::asio::post(io_, [this, alive = alive_, ex, d = std::move(d)]() mutable {
      if (*alive) StartMapRun(ex, std::move(d));
    });
  }
  for (const auto& t : fx.timers) ArmTimer(ex, t);
  for (auto& task : fx.tasks) {
    boost::asio::post(io_, [this, alive = alive_, ex, task = std::move(task)]() mutable {
      if (*alive) DispatchTask(ex, std::move(task));
    });
  }
}

void StepFunctionsService::ArmTimer(const ExecutionPtr& ex, const asl::TimerRequest& t) {
  std::weak_ptr<ExecutionRecord> weak = ex;
  timers_.At(t.deadline_micros, [this, alive = alive_, weak, t] {
    if (!*alive) return;
    ExecutionPtr ex = weak.lock();
    if (!ex) return;
    std::lock_guard lock(ex->mu);
    asl::Effects fx = ex->run->OnTimer(t.frame, t.epoch, t.kind, clock_.NowMicros());
    if (fx.events.empty() && fx.timers.empty() && fx.tasks.empty()) return;
    ApplyEffects(ex, std::move(fx));
  });
}

void StepFunctionsService::DispatchTask(const ExecutionPtr& ex, asl::TaskDispatch task) {
  if (IsActivityArn(task.resource)) {
    OfferActivityTask(task.resource, ActivityTask{ex, task.frame, task.epoch, task.task_token,
                                                  json::serialize(task.input)});
    return;
  }
  if (ex->mock) {
    // TestState with a mocked result: the task is not called.
    boost::asio::post(io_, [this, alive = alive_, ex, frame = task.frame, epoch = task.epoch] {
      if (!*alive) return;
      asl::TaskResult result;
      {
        std::lock_guard lock(ex->mu);
        result = *ex->mock;
      }
      DeliverTaskResult(ex, frame, epoch, std::move(result));
    });
    return;
  }
  std::string resource = task.resource;
  if (resource.ends_with(kWaitForToken)) resource.resize(resource.size() - kWaitForToken.size());
  if (tasks_ == nullptr) {
    DeliverTaskResult(
        ex, task.frame, task.epoch,
        {false,
         nullptr,
         {"States.TaskFailed", fmt::format("The resource {} cannot be reached", task.resource)}});
    return;
  }
  TaskRequest request{resource, std::move(task.input), task.task_token, ex->account, ex->region};
  request.execution_arn = ex->arn;
  request.attempt_id = fmt::format("{}.{}", task.frame, task.epoch);
  std::weak_ptr<ExecutionRecord> weak = ex;
  if (resource.ends_with(".sync") || resource.ends_with(".sync:2")) {
    request.submitted = [this, alive = alive_, weak, frame = task.frame,
                         epoch = task.epoch](json::value output) {
      if (!*alive) return;
      ExecutionPtr ex = weak.lock();
      if (!ex) return;
      std::lock_guard lock(ex->mu);
      asl::Effects fx = ex->run->OnTaskSubmitted(frame, epoch, output, clock_.NowMicros());
      if (!fx.events.empty()) ApplyEffects(ex, std::move(fx));
    };
  }
  tasks_->Run(std::move(request), [this, alive = alive_, weak, frame = task.frame,
                                   epoch = task.epoch,
                                   wait = task.wait_for_token](asl::TaskResult result) {
    if (!*alive) return;
    ExecutionPtr ex = weak.lock();
    if (!ex) return;
    // With .waitForTaskToken the call's reply only says the message went out;
    // the result comes through SendTaskSuccess/Failure.
    if (wait && result.ok) {
      std::lock_guard lock(ex->mu);
      asl::Effects fx = ex->run->OnTaskSubmitted(frame, epoch, result.output, clock_.NowMicros());
      if (!fx.events.empty()) ApplyEffects(ex, std::move(fx));
      return;
    }
    DeliverTaskResult(ex, frame, epoch, std::move(result));
  });
}

void StepFunctionsService::DeliverTaskResult(const ExecutionPtr& ex, uint64_t frame, uint64_t epoch,
                                             asl::TaskResult result) {
  std::lock_guard lock(ex->mu);
  asl::Effects fx = ex->run->OnTaskResult(frame, epoch, std::move(result), clock_.NowMicros());
  if (fx.events.empty()) return;
  ApplyEffects(ex, std::move(fx));
}

std::string StepFunctionsService::MakeToken(const std::string& execution_arn, uint64_t frame,
                                            uint64_t epoch) {
  return Base64Encode(fmt::format("{}\n{}\n{}\n{}", execution_arn, frame, epoch, NewUuid()));
}

Result<StepFunctionsService::TokenRef> StepFunctionsService::ResolveToken(
    std::string_view token) const {
  auto invalid = SfnStatus(SfnError::kInvalidToken, "Invalid Token: 'Invalid token'");
  auto raw = Base64Decode(token);
  if (!raw) return invalid;
  std::string_view s = *raw;
  size_t a = s.find('\n');
  size_t b = a == std::string_view::npos ? a : s.find('\n', a + 1);
  size_t c = b == std::string_view::npos ? b : s.find('\n', b + 1);
  if (c == std::string_view::npos) return invalid;
  TokenRef ref;
  try {
    ref.frame = std::stoull(std::string(s.substr(a + 1, b - a - 1)));
    ref.epoch = std::stoull(std::string(s.substr(b + 1, c - b - 1)));
  } catch (...) {
    return invalid;
  }
  ref.execution = FindExecution(s.substr(0, a));
  if (!ref.execution) {
    return SfnStatus(SfnError::kTaskDoesNotExist,
                     "Task Does Not Exist: 'Provided task does not exist anymore'");
  }
  return ref;
}

}  // namespace tidepool::sfn
