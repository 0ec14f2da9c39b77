// Dead-letter queue redrive: StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask,
// and the timer-driven steps that move messages.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <algorithm>

#include "core/encoding.h"
#include "services/sqs/input.h"
#include "services/sqs/keyspace.h"
#include "services/sqs/sqs_internal.h"

namespace tidepool::sqs {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr size_t kTasksKeptPerSource = 10;

Status NotFound(std::string_view parameter) {
  return SqsStatus(SqsError::kResourceNotFound,
                   fmt::format("The resource that you specified for the {} parameter doesn't "
                               "exist.",
                               parameter));
}

}  // namespace

json::object SqsService::TaskOutput(const MoveTask& t) const {
  json::object o{{"Status", t.status},
                 {"SourceArn", t.source_arn},
                 {"ApproximateNumberOfMessagesMoved", t.moved},
                 {"ApproximateNumberOfMessagesToMove", t.to_move},
                 {"StartedTimestamp", t.started_millis}};
  if (t.status == "RUNNING") o["TaskHandle"] = t.handle;
  if (!t.destination_arn.empty()) o["DestinationArn"] = t.destination_arn;
  if (t.rate > 0) o["MaxNumberOfMessagesPerSecond"] = t.rate;
  if (!t.failure.empty()) o["FailureReason"] = t.failure;
  return o;
}

void SqsService::StartMessageMoveTask(CallPtr call) {
  const auto& in = call->input();
  const std::string source_arn(InputString(in, "SourceArn").value_or(""));
  const std::string dest_arn(InputString(in, "DestinationArn").value_or(""));
  auto source = FindQueueByArn(source_arn);
  if (!source) return Fail(call, NotFound("SourceArn"));
  bool is_dlq = false;
  for (const auto& q : QueuesOf(source->account, source->region)) {
    std::lock_guard lock(q->mu);
    is_dlq = is_dlq || q->config.redrive_target_arn == source_arn;
  }
  if (!is_dlq) {
    return Fail(call, SqsStatus(SqsError::kInvalidParameterValue,
                                "Source queue must be configured as a Dead Letter Queue."));
  }
  if (!dest_arn.empty() && !FindQueueByArn(dest_arn)) return Fail(call, NotFound("DestinationArn"));
  int32_t rate = 0;
  if (const auto r = InputInt(in, "MaxNumberOfMessagesPerSecond")) {
    if (*r < 1 || *r > 500) {
      return Fail(call, SqsStatus(SqsError::kInvalidParameterValue,
                                  fmt::format("Value {} for parameter MaxNumberOfMessagesPerSecond "
                                              "is invalid. Reason: You must enter a number that's "
                                              "between 1 and 500.",
                                              *r)));
    }
    rate = static_cast<int32_t>(*r);
  }
  auto task = std::make_shared<MoveTask>();
  task->id = NewUuid();
  task->handle =
      Base64Encode(json::serialize(json::object{{"taskId", task->id}, {"sourceArn", source_arn}}));
  task->source_arn = source_arn;
  task->destination_arn = dest_arn;
  task->rate = rate;
  task->status = "RUNNING";
  task->started_millis = clock_.NowMillis();
  {
    std::lock_guard lock(source->mu);
    source->Promote(clock_.NowMicros());
    task->to_move = static_cast<int64_t>(source->messages.size());
    task->max_seq = source->last_seq;
  }
  storage::WriteBatch batch;
  {
    std::lock_guard lock(tasks_mu_);
    std::vector<std::shared_ptr<MoveTask>> of_source;
    for (const auto& [id, t] : tasks_) {
      if (t->source_arn != source_arn) continue;
      if (t->status == "RUNNING") {
        return Fail(call, SqsStatus(SqsError::kInvalidParameterValue,
                                    "There is already a task running. Only one active task is "
                                    "allowed for a source queue arn at a given time."));
      }
      of_source.push_back(t);
    }
    std::sort(of_source.begin(), of_source.end(),
              [](const auto& a, const auto& b) { return a->started_millis > b->started_millis; });
    for (size_t i = kTasksKeptPerSource - 1; i < of_source.size(); ++i) {
      tasks_.erase(of_source[i]->id);
      batch.Delete(keyspace::MoveTaskKey(of_source[i]->id));
    }
    tasks_[task->id] = task;
    batch.Put(keyspace::MoveTaskKey(task->id), EncodeMoveTask(*task));
    Submit(std::move(batch), call, [this, call, task](const Status& st) {
      if (!st.ok()) return Fail(call, st);
      call->Reply(json::object{{"TaskHandle", task->handle}});
      ScheduleMoveStep(task->id, std::chrono::milliseconds(0));
    });
  }
}

void SqsService::ListMessageMoveTasks(CallPtr call) {
  const auto& in = call->input();
  const std::string source_arn(InputString(in, "SourceArn").value_or(""));
  if (!FindQueueByArn(source_arn)) return Fail(call, NotFound("SourceArn"));
  int64_t max = 1;
  if (const auto m = InputInt(in, "MaxResults")) {
    if (*m < 1 || *m > 10) {
      return Fail(call, SqsStatus(SqsError::kInvalidParameterValue,
                                  fmt::format("Value {} for parameter MaxResults is invalid. "
                                              "Reason: You must enter a number that's between 1 "
                                              "and 10.",
                                              *m)));
    }
    max = *m;
  }
  std::vector<MoveTask> tasks;
  {
    std::lock_guard lock(tasks_mu_);
    for (const auto& [id, t] : tasks_) {
      if (t->source_arn == source_arn) tasks.push_back(*t);
    }
  }
  std::sort(tasks.begin(), tasks.end(), [](const auto& a, const auto& b) {
    return a.started_millis != b.started_millis ? a.started_millis > b.started_millis : a.id > b.id;
  });
  json::array results;
  for (const auto& t : tasks) {
    if (static_cast<int64_t>(results.size()) >= max) break;
    results.emplace_back(TaskOutput(t));
  }
  call->Reply(json::object{{"Results", std::move(results)}});
}

void SqsService::CancelMessageMoveTask(CallPtr call) {
  const auto handle = InputString(call->input(), "TaskHandle").value_or("");
  std::string id;
  if (auto raw = Base64Decode(handle)) {
    boost::system::error_code ec;
    json::value v = json::parse(*raw, ec);
    if (!ec && v.is_object()) {
      if (const auto* t = v.get_object().if_contains("taskId"); t && t->is_string()) {
        id = std::string(t->get_string());
      }
    }
  }
  std::lock_guard lock(tasks_mu_);
  auto it = tasks_.find(id);
  if (id.empty() || it == tasks_.end()) {
    return Fail(call, SqsStatus(SqsError::kResourceNotFound, "Task does not exist."));
  }
  MoveTask& t = *it->second;
  if (t.status != "RUNNING") {
    return Fail(call,
                SqsStatus(SqsError::kInvalidParameterValue, "Only active tasks can be cancelled."));
  }
  t.status = "CANCELLED";
  storage::WriteBatch batch;
  batch.Put(keyspace::MoveTaskKey(t.id), EncodeMoveTask(t));
  const int64_t moved = t.moved;
  Submit(std::move(batch), call, [call, moved](const Status& st) {
    if (!st.ok()) return Fail(call, st);
    call->Reply(json::object{{"ApproximateNumberOfMessagesMoved", moved}});
  });
}

void SqsService::ScheduleMoveStep(const std::string& task_id, std::chrono::milliseconds delay) {
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
  std::weak_ptr<std::atomic<bool>> alive = alive_;
  timer->async_wait([this, timer, alive, task_id](const boost::system::error_code& ec) {
    auto token = alive.lock();
    if (ec || !token || !token->load()) return;
    RunMoveStep(task_id);
  });
}

void SqsService::RunMoveStep(const std::string& task_id) {
  std::shared_ptr<MoveTask> task;
  std::string source_arn, dest_arn;
  int32_t rate = 0;
  uint64_t max_seq = 0;
  {
    std::lock_guard lock(tasks_mu_);
    auto it = tasks_.find(task_id);
    if (it == tasks_.end() || it->second->status != "RUNNING") return;
    task = it->second;
    source_arn = task->source_arn;
    dest_arn = task->destination_arn;
    rate = task->rate > 0 ? task->rate : options_.default_move_rate;
    max_seq = task->max_seq;
  }
  const int64_t step_ms = std::max<int64_t>(options_.move_task_step.count(), 1);
  const int64_t quota = std::max<int64_t>(1, rate * step_ms / 1000);
  std::string failure;
  bool finished = false;
  auto source = FindQueueByArn(source_arn);
  if (!source) failure = "The source queue no longer exists.";
  for (int64_t i = 0; i < quota && failure.empty() && !finished; ++i) {
    uint64_t seq = 0;
    std::string target_arn;
    {
      std::lock_guard lock(source->mu);
      source->Promote(clock_.NowMicros());
      if (source->ready.empty() || *source->ready.begin() > max_seq) {
        finished = true;
        break;
      }
      seq = *source->ready.begin();
      target_arn = dest_arn.empty() ? source->messages.at(seq).dlq_source_arn() : dest_arn;
    }
    if (target_arn.empty()) {
      failure = "The message has no DeadLetterQueueSourceArn to move it back to.";
      break;
    }
    auto target = FindQueueByArn(target_arn);
    if (!target || target == source) {
      failure = fmt::format("The destination queue {} does not exist.", target_arn);
      break;
    }
    std::scoped_lock locks(source->mu, target->mu);
    const int64_t now = clock_.NowMicros();
    source->Promote(now);
    auto mit = source->messages.find(seq);
    if (mit == source->messages.end() || !source->ready.contains(seq)) continue;
    storage::WriteBatch batch;
    std::vector<Message> moved;
    moved.push_back(MoveMessage(*source, mit, *target, "", now, &batch));
    {
      std::lock_guard lock(tasks_mu_);
      if (task->status != "RUNNING") return;
      ++task->moved;
      batch.Put(keyspace::MoveTaskKey(task->id), EncodeMoveTask(*task));
    }
    Status st = commits_.Submit(std::move(batch),
                                [this, target, moved = std::move(moved)](const Status& s) mutable {
                                  if (s.ok()) IndexCommitted(target, std::move(moved));
                                });
    if (!st.ok()) return;
  }
  if (finished || !failure.empty()) {
    std::lock_guard lock(tasks_mu_);
    if (task->status != "RUNNING") return;
    task->status = failure.empty() ? "COMPLETED" : "FAILED";
    task->failure = failure;
    storage::WriteBatch batch;
    batch.Put(keyspace::MoveTaskKey(task->id), EncodeMoveTask(*task));
    Status st = commits_.Submit(std::move(batch), [](const Status& s) {
      if (!s.ok()) spdlog::error("sqs: move task commit failed: {}", s.ToString());
    });
    (void)st;
    return;
  }
  ScheduleMoveStep(task_id, std::chrono::milliseconds(step_ms));
}

}  // namespace tidepool::sqs
