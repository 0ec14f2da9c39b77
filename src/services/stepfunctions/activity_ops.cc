// Activities and task tokens: Create/Describe/Delete/ListActivities, GetActivityTask (long
// poll), SendTaskSuccess/Failure/Heartbeat.
#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "protocol/input.h"
#include "services/stepfunctions/keyspace.h"
#include "services/stepfunctions/names.h"
#include "services/stepfunctions/sfn_errors.h"
#include "services/stepfunctions/stepfunctions_service.h"
#include "services/write_path.h"

namespace tidepool::sfn {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputStringView;

namespace {
Status ActivityMissing(std::string_view arn) {
  return SfnStatus(SfnError::kActivityDoesNotExist,
                   fmt::format("Activity Does Not Exist: '{}'", arn));
}
}  // namespace

void StepFunctionsService::CreateActivity(CallPtr call) {
  const auto& in = call->input();
  std::string name(InputStringView(in, "name").value_or(""));
  if (Status s = CheckName(name); !s.ok()) return Fail(call, s);
  const auto& ctx = call->context();
  std::string arn =
      fmt::format("arn:aws:states:{}:{}:activity:{}", ctx.region, ctx.account_id, name);
  uint64_t uid = NextUid();
  std::unique_lock lock(mu_);
  if (auto it = activities_.find(arn); it != activities_.end()) {
    call->Reply(json::object{{"activityArn", arn}, {"creationDate", it->second->created}});
    return;
  }
  auto a = std::make_shared<Activity>();
  a->uid = uid;
  a->arn = arn;
  a->name = name;
  a->created = clock_.NowSeconds();
  json::object tags;
  if (const auto* list = protocol::InputArray(in, "tags")) {
    for (const auto& t : *list) {
      const auto& o = t.as_object();
      if (o.contains("key")) {
        a->tags[std::string(o.at("key").as_string())] =
            o.contains("value") ? std::string(o.at("value").as_string()) : "";
      }
    }
  }
  for (const auto& [k, v] : a->tags) tags[k] = v;
  activities_[arn] = a;
  storage::WriteBatch batch;
  batch.Put(keyspace::Key('a', uid),
            json::serialize(json::object{
                {"arn", arn}, {"name", name}, {"created", a->created}, {"tags", tags}}));
  Submit(std::move(batch), call,
         services::ReplyWhenCommitted(
             call, json::object{{"activityArn", arn}, {"creationDate", a->created}}, &ToAwsError,
             "stepfunctions"));
}

void StepFunctionsService::DescribeActivity(CallPtr call) {
  std::string arn(InputStringView(call->input(), "activityArn").value_or(""));
  std::shared_lock lock(mu_);
  auto it = activities_.find(arn);
  if (it == activities_.end()) return Fail(call, ActivityMissing(arn));
  call->Reply(json::object{
      {"activityArn", arn}, {"name", it->second->name}, {"creationDate", it->second->created}});
}

void StepFunctionsService::DeleteActivity(CallPtr call) {
  std::string arn(InputStringView(call->input(), "activityArn").value_or(""));
  std::unique_lock lock(mu_);
  auto it = activities_.find(arn);
  if (it == activities_.end()) {
    call->Reply({});
    return;
  }
  storage::WriteBatch batch;
  batch.Delete(keyspace::Key('a', it->second->uid));
  activities_.erase(it);
  Submit(std::move(batch), call,
         services::ReplyWhenCommitted(call, {}, &ToAwsError, "stepfunctions"));
}

void StepFunctionsService::ListActivities(CallPtr call) {
  const auto& in = call->input();
  auto start = ParsePageToken(InputStringView(in, "nextToken"));
  if (!start.ok()) return Fail(call, start.status());
  const auto& ctx = call->context();
  std::shared_lock lock(mu_);
  auto [list, next] = ListPage(
      activities_, fmt::format("arn:aws:states:{}:{}:activity:", ctx.region, ctx.account_id),
      *start, protocol::InputInt(in, "maxResults").value_or(0), [](const Activity& a) {
        return json::object{{"activityArn", a.arn}, {"name", a.name}, {"creationDate", a.created}};
      });
  json::object out{{"activities", std::move(list)}};
  if (!next.empty()) out["nextToken"] = next;
  call->Reply(std::move(out));
}

void StepFunctionsService::OfferActivityTask(const std::string& activity_arn, ActivityTask task) {
  ActivityPoll poll;
  {
    std::lock_guard lock(activity_mu_);
    auto& polls = activity_polls_[activity_arn];
    if (polls.empty()) {
      activity_tasks_[activity_arn].push_back(std::move(task));
      return;
    }
    poll = std::move(polls.front());
    polls.pop_front();
  }
  poll.timer->cancel();
  ExecutionPtr ex = task.execution.lock();
  if (!ex) return poll.call->Reply({});  // cannot happen: the dispatcher holds it
  std::lock_guard lock(ex->mu);
  asl::Effects fx =
      ex->run->OnActivityStarted(task.frame, task.epoch, poll.worker, clock_.NowMicros());
  if (fx.events.empty()) {
    poll.call->Reply({});
    return;
  }
  json::object reply{{"taskToken", task.token}, {"input", task.input}};
  ApplyEffects(
      ex, std::move(fx),
      services::ReplyWhenCommitted(poll.call, std::move(reply), &ToAwsError, "stepfunctions"));
}

void StepFunctionsService::GetActivityTask(CallPtr call) {
  std::string arn(InputStringView(call->input(), "activityArn").value_or(""));
  std::string worker(InputStringView(call->input(), "workerName").value_or(""));
  {
    std::shared_lock lock(mu_);
    if (!activities_.count(arn)) return Fail(call, ActivityMissing(arn));
  }
  while (true) {
    ActivityTask task;
    {
      std::lock_guard lock(activity_mu_);
      auto& tasks = activity_tasks_[arn];
      if (tasks.empty()) {
        auto timer = std::make_shared<boost::asio::steady_timer>(io_);
        timer->expires_after(std::chrono::microseconds(options_.activity_poll_micros));
        activity_polls_[arn].push_back({call, worker, timer});
        timer->async_wait([this, alive = alive_, arn, call](const boost::system::error_code& ec) {
          if (ec || !*alive) return;
          std::lock_guard lock(activity_mu_);
          auto& polls = activity_polls_[arn];
          for (auto it = polls.begin(); it != polls.end(); ++it) {
            if (it->call == call) {
              polls.erase(it);
              call->Reply({});
              return;
            }
          }
        });
        return;
      }
      task = std::move(tasks.front());
      tasks.pop_front();
    }
    ExecutionPtr ex = task.execution.lock();
    if (!ex) continue;
    std::lock_guard lock(ex->mu);
    asl::Effects fx =
        ex->run->OnActivityStarted(task.frame, task.epoch, worker, clock_.NowMicros());
    if (fx.events.empty()) continue;  // the task was cancelled or timed out meanwhile
    json::object reply{{"taskToken", task.token}, {"input", task.input}};
    ApplyEffects(
        ex, std::move(fx),
        services::ReplyWhenCommitted(call, std::move(reply), &ToAwsError, "stepfunctions"));
    return;
  }
}

void StepFunctionsService::EndLongPolls() {
  std::lock_guard lock(activity_mu_);
  for (auto& [arn, polls] : activity_polls_) {
    for (auto& p : polls) {
      p.timer->cancel();
      p.call->Reply({});
    }
    polls.clear();
  }
}

void StepFunctionsService::SendTaskSuccess(CallPtr call) {
  const auto& in = call->input();
  auto ref = ResolveToken(InputStringView(in, "taskToken").value_or(""));
  if (!ref.ok()) return Fail(call, ref.status());
  std::string_view output_text = InputStringView(in, "output").value_or("");
  boost::system::error_code ec;
  json::value output = json::parse(output_text, ec);
  if (ec) {
    return Fail(call, SfnStatus(SfnError::kInvalidOutput,
                                fmt::format("Invalid Output: '{}'", ec.message())));
  }
  auto& ex = ref->execution;
  std::lock_guard lock(ex->mu);
  if (!ex->run->IsTaskPending(ref->frame, ref->epoch)) {
    return Fail(call, SfnStatus(SfnError::kTaskTimedOut,
                                "Task Timed Out: 'Provided task does not exist anymore'"));
  }
  asl::Effects fx = ex->run->OnTaskResult(ref->frame, ref->epoch, {true, std::move(output), {}},
                                          clock_.NowMicros());
  ApplyEffects(ex, std::move(fx),
               services::ReplyWhenCommitted(call, {}, &ToAwsError, "stepfunctions"));
}

void StepFunctionsService::SendTaskFailure(CallPtr call) {
  const auto& in = call->input();
  auto ref = ResolveToken(InputStringView(in, "taskToken").value_or(""));
  if (!ref.ok()) return Fail(call, ref.status());
  auto& ex = ref->execution;
  std::lock_guard lock(ex->mu);
  if (!ex->run->IsTaskPending(ref->frame, ref->epoch)) {
    return Fail(call, SfnStatus(SfnError::kTaskTimedOut,
                                "Task Timed Out: 'Provided task does not exist anymore'"));
  }
  asl::TaskResult result{false,
                         nullptr,
                         {std::string(InputStringView(in, "error").value_or("")),
                          std::string(InputStringView(in, "cause").value_or(""))}};
  asl::Effects fx =
      ex->run->OnTaskResult(ref->frame, ref->epoch, std::move(result), clock_.NowMicros());
  ApplyEffects(ex, std::move(fx),
               services::ReplyWhenCommitted(call, {}, &ToAwsError, "stepfunctions"));
}

void StepFunctionsService::SendTaskHeartbeat(CallPtr call) {
  auto ref = ResolveToken(InputStringView(call->input(), "taskToken").value_or(""));
  if (!ref.ok()) return Fail(call, ref.status());
  auto& ex = ref->execution;
  std::lock_guard lock(ex->mu);
  asl::Effects fx;
  if (!ex->run->OnHeartbeat(ref->frame, ref->epoch, clock_.NowMicros(), &fx)) {
    return Fail(call, SfnStatus(SfnError::kTaskTimedOut,
                                "Task Timed Out: 'Provided task does not exist anymore'"));
  }
  call->Reply({});
}

}  // namespace tidepool::sfn
