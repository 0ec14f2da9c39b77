// A test driver for asl::Execution: runs it on a fake timeline (timers fire in deadline
// order, time jumps to each deadline) and answers tasks with a function of the test.
// Used only by *_test.cc files.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "services/stepfunctions/asl/definition.h"
#include "services/stepfunctions/asl/execution.h"

namespace tidepool::sfn::asl::testing {

namespace json = boost::json;

inline std::shared_ptr<const Definition> MustParse(std::string_view text) {
  std::vector<Diagnostic> diags;
  auto def = Definition::Parse(text, &diags);
  EXPECT_TRUE(def) << InvalidDefinitionMessage(diags);
  return def;
}

class Driver {
 public:
  using TaskFn = std::function<TaskResult(const TaskDispatch&)>;

  explicit Driver(std::string_view definition, double time_scale = 1.0)
      : def_(MustParse(definition)) {
    options_.time_scale = time_scale;
    options_.make_token = [](const std::string&, uint64_t frame, uint64_t epoch) {
      return "token-" + std::to_string(frame) + "-" + std::to_string(epoch);
    };
  }

  // Runs to completion (or until no timer or task is left) and returns the final status.
  ExecutionStatus Run(std::string_view input, TaskFn tasks = {}, int64_t stop_after_events = 0) {
    exec_ = std::make_unique<Execution>(def_, Info(), options_);
    Absorb(exec_->Start(json::parse(input), now_));
    tasks_ = std::move(tasks);
    Drain(stop_after_events);
    return exec_->status();
  }

  // Continues after Restore().
  void Drain(int64_t stop_after_events = 0) {
    while (exec_->running()) {
      if (stop_after_events && static_cast<int64_t>(events_.size()) >= stop_after_events) return;
      if (!pending_tasks_.empty()) {
        TaskDispatch t = pending_tasks_.front();
        pending_tasks_.erase(pending_tasks_.begin());
        dispatched_.push_back(t);
        // .waitForTaskToken and activity tasks end only through OnTaskResult from the test.
        if (t.wait_for_token || t.resource.find(":activity:") != std::string::npos) {
          waiting_tokens_.push_back(t);
          continue;
        }
        if (!tasks_) {
          ADD_FAILURE() << "unexpected task " << t.resource;
          return;
        }
        Absorb(exec_->OnTaskResult(t.frame, t.epoch, tasks_(t), now_));
        continue;
      }
      if (timers_.empty()) return;
      auto it = timers_.begin();
      TimerRequest t = it->second;
      timers_.erase(it);
      now_ = std::max(now_, t.deadline_micros);
      Absorb(exec_->OnTimer(t.frame, t.epoch, t.kind, now_));
    }
  }

  void Absorb(Effects fx) {
    for (auto& e : fx.events) events_.push_back(std::move(e));
    for (auto& t : fx.timers) timers_.emplace(t.deadline_micros, t);
    for (auto& t : fx.tasks) pending_tasks_.push_back(std::move(t));
  }

  // Simulates a restart: snapshot, drop timers and tasks, restore and resume.
  void Restart() {
    json::object snap = exec_->Snapshot();
    auto restored = Execution::Restore(def_, Info(), options_, snap);
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    exec_ = std::move(restored).value();
    timers_.clear();
    pending_tasks_.clear();
    Absorb(exec_->Resume(now_));
  }

  std::vector<std::string> Types() const {
    std::vector<std::string> out;
    for (const auto& e : events_) out.emplace_back(e.at("type").as_string());
    return out;
  }
  json::value Output() const { return exec_->output().value_or(nullptr); }

  ExecutionInfo Info() const {
    return {"arn:aws:states:us-east-1:123456789012:execution:m:e",
            "e",
            "arn:aws:iam::1:role/r",
            "arn:aws:states:us-east-1:123456789012:stateMachine:m",
            "m",
            "us-east-1",
            start_};
  }

  Execution& exec() { return *exec_; }
  int64_t now() const { return now_; }
  void set_now(int64_t n) { now_ = n; }
  std::vector<json::object>& events() { return events_; }
  std::vector<TaskDispatch>& dispatched() { return dispatched_; }
  std::vector<TaskDispatch>& waiting_tokens() { return waiting_tokens_; }
  std::multimap<int64_t, TimerRequest>& timers() { return timers_; }

 private:
  std::shared_ptr<const Definition> def_;
  Execution::Options options_;
  std::unique_ptr<Execution> exec_;
  const int64_t start_ = 1'700'000'000'000'000;
  int64_t now_ = start_;
  TaskFn tasks_;
  std::vector<json::object> events_;
  std::multimap<int64_t, TimerRequest> timers_;
  std::vector<TaskDispatch> pending_tasks_, dispatched_, waiting_tokens_;
};

inline TaskResult Ok(json::value v) { return {true, std::move(v), {}}; }
inline TaskResult Err(std::string error, std::string cause = "") {
  return {false, nullptr, {std::move(error), std::move(cause)}};
}

}  // namespace tidepool::sfn::asl::testing
