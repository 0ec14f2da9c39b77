#include "services/stepfunctions/asl/execution.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "services/stepfunctions/asl/choice.h"
#include "services/stepfunctions/asl/payload.h"
#include "services/stepfunctions/asl/query.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;

std::string_view ExecutionStatusName(ExecutionStatus s) {
  switch (s) {
    case ExecutionStatus::kRunning:
      return "RUNNING";
    case ExecutionStatus::kSucceeded:
      return "SUCCEEDED";
    case ExecutionStatus::kFailed:
      return "FAILED";
    case ExecutionStatus::kTimedOut:
      return "TIMED_OUT";
    case ExecutionStatus::kAborted:
      return "ABORTED";
  }
  return "RUNNING";
}

std::pair<std::string, std::string> ResourceTypeAndName(std::string_view r) {
  // arn:aws:states:::service:action[.suffix] | arn:aws:states:::aws-sdk:service:action
  // | arn:aws:lambda:region:account:function:name | arn:aws:states:region:account:activity:x
  constexpr std::string_view kStates = "arn:aws:states:::";
  if (r.starts_with(kStates)) {
    std::string_view rest = r.substr(kStates.size());
    if (rest.starts_with("aws-sdk:")) {
      size_t c = rest.find(':', 8);
      if (c != std::string_view::npos)
        return {std::string(rest.substr(0, c)), std::string(rest.substr(c + 1))};
    }
    size_t c = rest.find(':');
    if (c != std::string_view::npos)
      return {std::string(rest.substr(0, c)), std::string(rest.substr(c + 1))};
    return {std::string(rest), ""};
  }
  if (r.starts_with("arn:aws:lambda:")) return {"lambda", std::string(r)};
  return {"activity", std::string(r)};
}

TaskKind TaskKindOf(std::string_view resource) {
  if (resource.starts_with("arn:aws:states:") && resource.find(":activity:") != std::string::npos) {
    return TaskKind::kActivity;
  }
  return resource.starts_with("arn:aws:lambda:") ? TaskKind::kLambda : TaskKind::kService;
}

TaskEvent TaskEventOf(TaskKind kind, TaskStep step) {
  static constexpr TaskEvent kEvents[3][5] = {
      {{"ActivityScheduled", "activityScheduledEventDetails"},
       {"ActivityStarted", "activityStartedEventDetails"},
       {"ActivitySucceeded", "activitySucceededEventDetails"},
       {"ActivityFailed", "activityFailedEventDetails"},
       {"ActivityTimedOut", "activityTimedOutEventDetails"}},
      {{"LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails"},
       {"LambdaFunctionStarted", nullptr},
       {"LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails"},
       {"LambdaFunctionFailed", "lambdaFunctionFailedEventDetails"},
       {"LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails"}},
      {{"TaskScheduled", "taskScheduledEventDetails"},
       {"TaskStarted", "taskStartedEventDetails"},
       {"TaskSucceeded", "taskSucceededEventDetails"},
       {"TaskFailed", "taskFailedEventDetails"},
       {"TaskTimedOut", "taskTimedOutEventDetails"}},
  };
  return kEvents[static_cast<int>(kind)][static_cast<int>(step)];
}

namespace {

// The largest state output AWS accepts (256 KiB); beyond it States.DataLimitExceeded.
constexpr size_t kMaxPayloadBytes = 262144;

bool ErrorMatches(const std::vector<std::string>& names, std::string_view error) {
  for (const auto& n : names) {
    if (n == error) return true;
    if (n == errors::kAll && error != errors::kRuntime && error != errors::kDataLimitExceeded)
      return true;
    if (n == errors::kTaskFailed && error != errors::kTimeout && error != errors::kRuntime &&
        !error.starts_with("States.")) {
      return true;
    }
  }
  return false;
}

json::string Text(const json::value& v) { return json::string(json::serialize(v)); }

std::string_view EventPrefix(StateType t) { return StateTypeName(t); }

}  // namespace

Execution::Execution(std::shared_ptr<const Definition> definition, ExecutionInfo info,
                     Options options)
    : definition_(std::move(definition)), info_(std::move(info)), options_(options) {}

const State& Execution::StateOf(const Frame& f) const {
  const State* s = definition_->scopes.at(f.scope).Find(f.state);
  return *s;  // validated at parse: every transition target exists
}

json::value Execution::Context(const Frame& f, const State& s) const {
  json::object ctx{
      {"Execution", json::object{{"Id", info_.execution_arn},
                                 {"Input", input_},
                                 {"Name", info_.name},
                                 {"RoleArn", info_.role_arn},
                                 {"StartTime", FormatTimestamp(info_.start_micros)},
                                 {"RedriveCount", redrive_count_}}},
      {"State", json::object{{"EnteredTime", FormatTimestamp(f.entered_micros)},
                             {"Name", s.name},
                             {"RetryCount", f.retry_counts.empty()
                                                ? 0
                                                : *std::max_element(f.retry_counts.begin(),
                                                                    f.retry_counts.end())}}},
      {"StateMachine",
       json::object{{"Id", info_.state_machine_arn}, {"Name", info_.state_machine_name}}}};
  if (!f.task_token.empty()) ctx["Task"] = json::object{{"Token", f.task_token}};
  for (const auto& [k, v] : context_override_) {
    json::value& slot = ctx[k];
    if (slot.is_object() && v.is_object()) {
      for (const auto& [mk, mv] : v.get_object()) slot.as_object()[mk] = mv;
    } else {
      slot = v;
    }
  }
  return ctx;
}

void Execution::Inspect(const Frame& f, const State& s, std::string_view key,
                        const json::value& v) {
  if (inspection_ == nullptr || f.parent != 0 || s.name != inspected_state_) return;
  (*inspection_)[key] = json::serialize(v);
}

uint64_t Execution::Emit(Frame* f, std::string_view type, const char* details_key,
                         json::object details) {
  if (next_event_id_ >= kMaxHistoryEvents && !type.starts_with("Execution")) {
    history_full_ = true;  // Pump fails the execution; this event is not written
    return next_event_id_ - 1;
  }
  uint64_t id = next_event_id_++;
  json::object e{{"timestamp", static_cast<double>(now_) / 1e6},
                 {"type", type},
                 {"id", static_cast<int64_t>(id)},
                 {"previousEventId", static_cast<int64_t>(f ? f->last_event : id - 1)}};
  if (details_key) e[details_key] = std::move(details);
  if (f) f->last_event = id;
  fx_->events.push_back(std::move(e));
  return id;
}

Execution::Frame& Execution::NewFrame(uint64_t parent, int64_t index, int scope, json::value input,
                                      uint64_t last_event) {
  uint64_t id = next_frame_id_++;
  Frame& f = frames_[id];
  f.id = id;
  f.parent = parent;
  f.index = index;
  f.scope = scope;
  f.state = definition_->scopes.at(scope).start_at;
  f.input = std::move(input);
  f.last_event = last_event;
  if (parent != 0) f.vars = frames_.at(parent).vars;
  ready_.push_back(id);
  return f;
}

int64_t Execution::DelayDeadline(double seconds) const {
  return now_ + static_cast<int64_t>(seconds * options_.time_scale * 1e6);
}

void Execution::ArmTimer(Frame& f, TimerKind kind, int64_t deadline) {
  fx_->timers.push_back({f.id, f.epoch, kind, deadline});
}

Effects Execution::Start(json::value input, int64_t now, json::object vars) {
  Effects fx;
  fx_ = &fx;
  now_ = now;
  input_ = input;
  Emit(nullptr, "ExecutionStarted", "executionStartedEventDetails",
       json::object{{"input", Text(input)},
                    {"inputDetails", json::object{{"truncated", false}}},
                    {"roleArn", info_.role_arn}});
  fx.events.back().at("previousEventId") = 0;
  Frame& root = NewFrame(0, -1, 0, std::move(input), 0);
  root.vars = std::move(vars);
  if (definition_->timeout_seconds) {
    execution_deadline_ = DelayDeadline(static_cast<double>(*definition_->timeout_seconds));
    fx.timers.push_back({0, 0, TimerKind::kExecutionTimeout, execution_deadline_});
  }
  (void)root;
  Pump();
  fx_ = nullptr;
  return fx;
}

void Execution::Pump() {
  while (!ready_.empty() && running() && !history_full_) {
    uint64_t id = ready_.front();
    ready_.pop_front();
    auto it = frames_.find(id);
    if (it == frames_.end() || it->second.phase != Phase::kEnter) continue;
    Enter(it->second);
  }
  if (history_full_ && running()) {
    fx_->tasks.clear();
    fx_->timers.clear();
    FailExecution({std::string(errors::kRuntime),
                   fmt::format("The execution reached the maximum number of events in its "
                               "history ({}).",
                               kMaxHistoryEvents)});
  }
}

void Execution::Enter(Frame& f) {
  if (f.redrive.is_object()) {
    json::object point = std::move(f.redrive.as_object());
    f.redrive = nullptr;
    return ReEnter(f, std::move(point));
  }
  f.failed_children = nullptr;
  const State& s = StateOf(f);
  if (!f.retrying) {
    f.entered_micros = now_;
    f.retry_counts.assign(s.retry.size(), 0);
    Emit(&f, fmt::format("{}StateEntered", EventPrefix(s.type)), "stateEnteredEventDetails",
         json::object{{"name", s.name},
                      {"input", Text(f.input)},
                      {"inputDetails", json::object{{"truncated", false}}}});
  }
  f.retrying = false;
  if (s.jsonata) return EnterQuery(f, s);
  json::value ctx = Context(f, s);
  StatesError err;
  auto effective = ApplyInputOutputPath(s.input_path, "InputPath", f.input, ctx, &err);
  if (!effective) return HandleError(f, std::move(err));
  // AWS's TestState reports no InputPath/Parameters steps for a Pass state with a Result.
  if (s.type != StateType::kPass || !s.result) Inspect(f, s, "afterInputPath", *effective);
  switch (s.type) {
    case StateType::kPass: {
      json::value result = *effective;
      if (s.parameters) {
        auto p = ApplyTemplate(*s.parameters, *effective, ctx, &err, &f.vars);
        if (!p) return HandleError(f, std::move(err));
        result = std::move(*p);
      }
      if (s.result) {
        result = *s.result;
        Inspect(f, s, "result", result);
      } else {
        Inspect(f, s, "afterParameters", result);
      }
      return Finish(f, s, std::move(result));
    }
    case StateType::kSucceed: {
      auto out = ApplyInputOutputPath(s.output_path, "OutputPath", *effective, ctx, &err);
      if (!out) return HandleError(f, std::move(err));
      Emit(&f, "SucceedStateExited", "stateExitedEventDetails",
           json::object{{"name", s.name},
                        {"output", Text(*out)},
                        {"outputDetails", json::object{{"truncated", false}}}});
      return FrameEnded(f, std::move(*out));
    }
    case StateType::kFail: {
      StatesError fail{s.error, s.cause};
      if (!s.error_path.empty()) {
        auto v = SelectPath(s.error_path, *effective, ctx, &f.vars);
        if (v && v->is_string()) fail.error = v->get_string();
      }
      if (!s.cause_path.empty()) {
        auto v = SelectPath(s.cause_path, *effective, ctx, &f.vars);
        if (v && v->is_string()) fail.cause = v->get_string();
      }
      return FrameFailed(f, std::move(fail));
    }
    case StateType::kChoice: {
      std::string next;
      for (const auto& rule : s.choices) {
        auto r = EvaluateChoice(rule, *effective, ctx, &err);
        if (!r) return HandleError(f, std::move(err));
        if (*r) {
          next = rule.next;
          break;
        }
      }
      if (next.empty()) next = s.default_next;
      if (next.empty()) {
        return HandleError(f, {std::string(errors::kNoChoiceMatched),
                               fmt::format("No Matches! at state {}", s.name)});
      }
      auto out = ApplyInputOutputPath(s.output_path, "OutputPath", *effective, ctx, &err);
      if (!out) return HandleError(f, std::move(err));
      Emit(&f, "ChoiceStateExited", "stateExitedEventDetails",
           json::object{{"name", s.name},
                        {"output", Text(*out)},
                        {"outputDetails", json::object{{"truncated", false}}}});
      f.state = next;
      f.input = std::move(*out);
      f.phase = Phase::kEnter;
      ready_.push_back(f.id);
      return;
    }
    case StateType::kWait: {
      double seconds = 0;
      std::optional<int64_t> until;
      if (s.seconds) {
        seconds = *s.seconds;
      } else if (!s.timestamp.empty()) {
        until = ParseTimestamp(s.timestamp);
      } else if (!s.seconds_path.empty()) {
        auto v = SelectPath(s.seconds_path, *effective, ctx, &f.vars);
        if (!v || !v->is_number() || v->to_number<double>() < 0) {
          return HandleError(f, {std::string(errors::kRuntime),
                                 fmt::format("The SecondsPath parameter does not reference a "
                                             "valid non-negative integer: '{}'",
                                             s.seconds_path)});
        }
        seconds = v->to_number<double>();
      } else {
        auto v = SelectPath(s.timestamp_path, *effective, ctx, &f.vars);
        if (v && v->is_string()) until = ParseTimestamp(v->get_string());
        if (!until) {
          return HandleError(f, {std::string(errors::kRuntime),
                                 fmt::format("The TimestampPath parameter does not reference a "
                                             "valid ISO-8601 extended offset date-time format "
                                             "string: '{}'",
                                             s.timestamp_path)});
        }
      }
      if (until) seconds = std::max<double>(0, static_cast<double>(*until - now_) / 1e6);
      f.phase = Phase::kWait;
      f.effective = std::move(*effective);
      ++f.epoch;
      f.deadline = DelayDeadline(seconds);
      ArmTimer(f, TimerKind::kWait, f.deadline);
      return;
    }
    case StateType::kTask:
      return EnterTask(f, s, *effective);
    case StateType::kParallel:
    case StateType::kMap:
      return EnterChildren(f, s, *effective);
  }
}

json::object Execution::TaskEventBase(const State& s) const {
  auto [type, name] = ResourceTypeAndName(s.resource);
  return json::object{{"resourceType", type}, {"resource", name}};
}

void Execution::EnterTask(Frame& f, const State& s, const json::value& effective,
                          std::optional<int64_t> timeout_override,
                          std::optional<int64_t> heartbeat_override) {
  ++f.epoch;
  bool wait_for_token = s.resource.ends_with(".waitForTaskToken");
  bool activity = TaskKindOf(s.resource) == TaskKind::kActivity;
  f.task_token.clear();
  if ((wait_for_token || activity) && options_.make_token) {
    f.task_token = options_.make_token(info_.execution_arn, f.id, f.epoch);
  }
  json::value ctx = Context(f, s);
  json::value params = effective;
  StatesError err;
  if (s.parameters && !s.jsonata) {
    auto p = ApplyTemplate(*s.parameters, effective, ctx, &err, &f.vars);
    if (!p) return HandleError(f, std::move(err));
    params = std::move(*p);
  }
  if (!s.jsonata) {
    Inspect(f, s, "afterParameters", params);
  } else if (s.parameters) {
    Inspect(f, s, "afterArguments", params);
  }
  std::optional<int64_t> timeout = timeout_override ? timeout_override : s.timeout_seconds;
  std::optional<int64_t> heartbeat = heartbeat_override ? heartbeat_override : s.heartbeat_seconds;
  if (!s.timeout_seconds_path.empty()) {
    auto v = SelectPath(s.timeout_seconds_path, effective, ctx, &f.vars);
    if (v && v->is_int64() && v->get_int64() > 0) timeout = v->get_int64();
  }
  if (!s.heartbeat_seconds_path.empty()) {
    auto v = SelectPath(s.heartbeat_seconds_path, effective, ctx, &f.vars);
    if (v && v->is_int64() && v->get_int64() > 0) heartbeat = v->get_int64();
  }
  f.phase = Phase::kTask;
  f.effective = params;
  if (const TaskKind kind = TaskKindOf(s.resource); kind != TaskKind::kService) {
    json::object d{{"resource", s.resource},
                   {"input", Text(params)},
                   {"inputDetails", json::object{{"truncated", false}}}};
    if (timeout) d["timeoutInSeconds"] = *timeout;
    if (heartbeat && activity) d["heartbeatInSeconds"] = *heartbeat;
    const TaskEvent scheduled = TaskEventOf(kind, TaskStep::kScheduled);
    Emit(&f, scheduled.type, scheduled.details, std::move(d));
    if (kind == TaskKind::kLambda) Emit(&f, "LambdaFunctionStarted", nullptr, {});
  } else {
    json::object d = TaskEventBase(s);
    d["region"] = info_.region;
    d["parameters"] = Text(params);
    if (timeout) d["timeoutInSeconds"] = *timeout;
    if (heartbeat) d["heartbeatInSeconds"] = *heartbeat;
    Emit(&f, "TaskScheduled", "taskScheduledEventDetails", std::move(d));
    Emit(&f, "TaskStarted", "taskStartedEventDetails", TaskEventBase(s));
  }
  f.task_deadline = timeout ? DelayDeadline(static_cast<double>(*timeout)) : 0;
  f.heartbeat_seconds = heartbeat.value_or(0);
  f.heartbeat_deadline = heartbeat ? DelayDeadline(static_cast<double>(*heartbeat)) : 0;
  if (f.task_deadline) ArmTimer(f, TimerKind::kTaskTimeout, f.task_deadline);
  if (f.heartbeat_deadline) ArmTimer(f, TimerKind::kHeartbeat, f.heartbeat_deadline);
  fx_->tasks.push_back(
      {f.id, f.epoch, s.name, s.resource, std::move(params), f.task_token, wait_for_token});
}

void Execution::EnterChildren(Frame& f, const State& s, const json::value& effective) {
  if (s.distributed) return EnterDistributed(f, s, effective);
  ++f.epoch;
  json::value ctx = Context(f, s);
  StatesError err;
  f.results.clear();
  f.effective = nullptr;  // a Map's items once they are known
  f.phase = Phase::kChildren;
  if (s.type == StateType::kParallel) {
    json::value params = effective;
    if (s.parameters && !s.jsonata) {
      auto p = ApplyTemplate(*s.parameters, effective, ctx, &err, &f.vars);
      if (!p) return HandleError(f, std::move(err));
      params = std::move(*p);
    }
    f.started_event = Emit(&f, "ParallelStateStarted", nullptr, {});
    f.results.resize(s.branch_scopes.size());
    f.pending = static_cast<int64_t>(s.branch_scopes.size());
    for (size_t i = 0; i < s.branch_scopes.size(); ++i) {
      NewFrame(f.id, static_cast<int64_t>(i), s.branch_scopes[i], params, f.started_event);
    }
    return;
  }
  json::value items = effective;
  if (!s.items_path.empty()) {
    auto v = SelectPath(s.items_path, effective, ctx, &f.vars);
    if (!v) {
      return HandleError(f, {std::string(errors::kRuntime),
                             fmt::format("Invalid path '{}': No results for path", s.items_path)});
    }
    items = std::move(*v);
  }
  if (!items.is_array()) {
    return HandleError(
        f, {std::string(errors::kRuntime),
            fmt::format("Item selector '{}' did not produce an array: {}",
                        s.items_path.empty() ? "$" : s.items_path, json::serialize(items))});
  }
  f.max_concurrency = s.max_concurrency;
  if (!s.max_concurrency_path.empty()) {
    auto v = SelectPath(s.max_concurrency_path, effective, ctx, &f.vars);
    if (v && v->is_int64() && v->get_int64() >= 0) f.max_concurrency = v->get_int64();
  }
  size_t n = items.get_array().size();
  f.effective = json::object{{"items", std::move(items)}, {"input", effective}};
  f.started_event = Emit(&f, "MapStateStarted", "mapStateStartedEventDetails",
                         json::object{{"length", static_cast<int64_t>(n)}});
  f.results.resize(n);
  f.pending = 0;
  f.next_item = 0;
  if (n == 0) {
    Emit(&f, "MapStateSucceeded", nullptr, {});
    return Finish(f, s, json::array());
  }
  // An iteration whose ItemSelector fails fails the Map at once (possibly the whole
  // execution): look the frame up again after each spawn.
  const uint64_t id = f.id;
  while (running()) {
    auto it = frames_.find(id);
    if (it == frames_.end() || it->second.phase != Phase::kChildren) break;
    Frame& map = it->second;
    if (map.next_item >= static_cast<int64_t>(n) ||
        (map.max_concurrency != 0 && map.pending >= map.max_concurrency)) {
      break;
    }
    SpawnIteration(map, s, map.next_item++);
  }
}

void Execution::SpawnIteration(Frame& f, const State& s, int64_t i) {
  const json::value& item = f.effective.at("items").at(i);
  json::value input = item;
  if (s.parameters) {
    json::value ctx = Context(f, s);
    ctx.as_object()["Map"] = json::object{{"Item", json::object{{"Index", i}, {"Value", item}}}};
    StatesError err;
    QueryScope scope{&f.input, &ctx, nullptr, nullptr, &f.vars};
    auto p = s.jsonata ? EvaluateQueryField(*s.parameters, scope, "ItemSelector", &err)
                       : ApplyTemplate(*s.parameters, f.effective.at("input"), ctx, &err, &f.vars);
    if (!p) {
      // Counts as the iteration failing.
      ++f.pending;
      Frame& child = NewFrame(f.id, i, s.branch_scopes[0], nullptr, f.started_event);
      ready_.pop_back();
      child.fresh = true;
      return FrameFailed(child, std::move(err));
    }
    input = std::move(*p);
  }
  ++f.pending;
  Emit(&f, "MapIterationStarted", "mapIterationStartedEventDetails",
       json::object{{"name", s.name}, {"index", i}});
  NewFrame(f.id, i, s.branch_scopes[0], std::move(input), f.last_event);
}

void Execution::Finish(Frame& f, const State& s, json::value result) {
  if (s.jsonata) return FinishQuery(f, s, std::move(result));
  json::value ctx = Context(f, s);
  StatesError err;
  if (s.type != StateType::kPass) Inspect(f, s, "result", result);
  if (s.result_selector && s.type != StateType::kPass) {
    auto r = ApplyTemplate(*s.result_selector, result, ctx, &err, &f.vars);
    if (!r) return HandleError(f, std::move(err));
    result = std::move(*r);
  }
  Inspect(f, s, "afterResultSelector", result);
  if (s.assign) {
    // JSONPath Assign: "x.$" paths read the state's result (after ResultSelector).
    auto a = ApplyTemplate(*s.assign, result, ctx, &err, &f.vars);
    if (!a) return HandleError(f, std::move(err));
    if (a->is_object()) {
      for (const auto& [k, v] : a->get_object()) f.vars[k] = v;
    }
  }
  auto combined = ApplyResultPath(s.result_path, f.input, std::move(result), &err);
  if (!combined) return HandleError(f, std::move(err));
  Inspect(f, s, "afterResultPath", *combined);
  auto out = ApplyInputOutputPath(s.output_path, "OutputPath", *combined, ctx, &err);
  if (!out) return HandleError(f, std::move(err));
  Transition(f, s, std::move(*out));
}

void Execution::Transition(Frame& f, const State& s, json::value output) {
  json::string text = Text(output);
  if (text.size() > kMaxPayloadBytes) {
    return FailExecution({std::string(errors::kDataLimitExceeded),
                          fmt::format("The state/task '{}' returned a result with a size "
                                      "exceeding the maximum number of bytes service limit.",
                                      s.name)});
  }
  if (!f.vars.empty()) Inspect(f, s, "variables", f.vars);
  Emit(&f, fmt::format("{}StateExited", EventPrefix(s.type)), "stateExitedEventDetails",
       json::object{{"name", s.name},
                    {"output", std::move(text)},
                    {"outputDetails", json::object{{"truncated", false}}}});
  ++f.epoch;
  f.task_token.clear();
  f.effective = nullptr;
  if (s.end || s.next.empty()) return FrameEnded(f, std::move(output));
  f.state = s.next;
  f.input = std::move(output);
  f.phase = Phase::kEnter;
  ready_.push_back(f.id);
}

void Execution::HandleError(Frame& f, StatesError err) {
  if (err.error == errors::kRuntime || err.error == errors::kDataLimitExceeded) {
    return FailExecution(std::move(err));
  }
  const State& s = StateOf(f);
  ++f.epoch;
  f.task_token.clear();
  for (size_t i = 0; i < s.retry.size(); ++i) {
    const Retrier& r = s.retry[i];
    if (!ErrorMatches(r.error_equals, err.error)) continue;
    if (f.retry_counts.size() != s.retry.size()) f.retry_counts.assign(s.retry.size(), 0);
    int64_t attempt = f.retry_counts[i];
    if (attempt >= r.max_attempts) break;  // exhausted: go to the catchers
    double delay = r.interval_seconds * std::pow(r.backoff_rate, static_cast<double>(attempt));
    if (r.max_delay_seconds) delay = std::min(delay, *r.max_delay_seconds);
    if (r.full_jitter) {
      thread_local std::mt19937_64 rng{std::random_device{}()};
      delay = std::uniform_real_distribution<double>(0, delay)(rng);
    }
    f.retry_counts[i] = attempt + 1;
    f.failed_children = nullptr;  // a retried Parallel/Map runs whole
    f.phase = Phase::kRetry;
    f.deadline = DelayDeadline(delay);
    ArmTimer(f, TimerKind::kRetry, f.deadline);
    return;
  }
  for (const Catcher& c : s.catchers) {
    if (!ErrorMatches(c.error_equals, err.error)) continue;
    f.failed_children = nullptr;
    if (s.jsonata) {
      CatchQuery(f, s, c, err);
      return;
    }
    json::value error_output = json::object{{"Error", err.error}, {"Cause", err.cause}};
    if (c.assign) {
      StatesError a_err;
      auto a = ApplyTemplate(*c.assign, error_output, Context(f, s), &a_err, &f.vars);
      if (!a) return FailExecution(std::move(a_err));
      if (a->is_object()) {
        for (const auto& [k, v] : a->get_object()) f.vars[k] = v;
      }
    }
    if (!f.vars.empty()) Inspect(f, s, "variables", f.vars);
    StatesError rp_err;
    auto combined = ApplyResultPath(c.result_path, f.input, std::move(error_output), &rp_err);
    if (!combined) return FailExecution(std::move(rp_err));
    Emit(&f, fmt::format("{}StateExited", EventPrefix(s.type)), "stateExitedEventDetails",
         json::object{{"name", s.name},
                      {"output", Text(*combined)},
                      {"outputDetails", json::object{{"truncated", false}}}});
    f.state = c.next;
    f.input = std::move(*combined);
    f.phase = Phase::kEnter;
    f.effective = nullptr;
    ready_.push_back(f.id);
    return;
  }
  FrameFailed(f, std::move(err));
}

void Execution::FrameEnded(Frame& f, json::value output) {
  f.phase = Phase::kDone;
  if (f.parent == 0) {
    output_ = output;
    status_ = ExecutionStatus::kSucceeded;
    stop_micros_ = now_;
    Emit(&f, "ExecutionSucceeded", "executionSucceededEventDetails",
         json::object{{"output", Text(output)},
                      {"outputDetails", json::object{{"truncated", false}}}});
    frames_.clear();
    ready_.clear();
    return;
  }
  Frame& p = frames_.at(f.parent);
  const State& ps = StateOf(p);
  int64_t index = f.index;
  uint64_t last = f.last_event;
  frames_.erase(f.id);
  p.results[index] = std::move(output);
  --p.pending;
  p.last_event = std::max(p.last_event, last);
  if (ps.type == StateType::kMap) {
    Emit(&p, "MapIterationSucceeded", "mapIterationSucceededEventDetails",
         json::object{{"name", ps.name}, {"index", index}});
    if (p.next_item < static_cast<int64_t>(p.results.size())) {
      SpawnIteration(p, ps, p.next_item++);
      return;
    }
  }
  if (p.pending > 0) return;
  Emit(&p, ps.type == StateType::kMap ? "MapStateSucceeded" : "ParallelStateSucceeded", nullptr,
       {});
  json::value results = std::move(p.results);
  p.results = json::array();
  Finish(p, ps, std::move(results));
}

void Execution::AbortChildren(uint64_t parent) {
  std::vector<uint64_t> doomed;
  for (auto& [id, fr] : frames_) {
    if (fr.parent == parent) doomed.push_back(id);
  }
  for (uint64_t id : doomed) {
    AbortChildren(id);
    frames_.erase(id);
  }
}

void Execution::FrameFailed(Frame& f, StatesError err) {
  f.phase = Phase::kDone;
  if (f.parent == 0) return FailExecution(std::move(err));
  Frame& p = frames_.at(f.parent);
  const State& ps = StateOf(p);
  int64_t index = f.index;
  p.last_event = std::max(p.last_event, f.last_event);
  if (ps.type == StateType::kMap) {
    Emit(&p, "MapIterationFailed", "mapIterationFailedEventDetails",
         json::object{{"name", ps.name}, {"index", index}});
  }
  // Before the siblings are aborted: what a redrive reruns if this failure ends the execution.
  p.failed_children = ChildrenPoint(p, err.error != errors::kRuntime);
  AbortChildren(p.id);
  Emit(&p, ps.type == StateType::kMap ? "MapStateFailed" : "ParallelStateFailed", nullptr, {});
  p.pending = 0;
  p.results = json::array();
  HandleError(p, std::move(err));
}

void Execution::FailExecution(StatesError err, std::string_view type) {
  failure_ = err;
  status_ = type == "ExecutionTimedOut"  ? ExecutionStatus::kTimedOut
            : type == "ExecutionAborted" ? ExecutionStatus::kAborted
                                         : ExecutionStatus::kFailed;
  stop_micros_ = now_;
  json::object d;
  if (!err.error.empty()) d["error"] = err.error;
  if (!err.cause.empty()) d["cause"] = err.cause;
  const char* key = type == "ExecutionTimedOut"  ? "executionTimedOutEventDetails"
                    : type == "ExecutionAborted" ? "executionAbortedEventDetails"
                                                 : "executionFailedEventDetails";
  // The last event of the thread that failed (the newest event overall).
  Frame* last = nullptr;
  for (auto& [id, fr] : frames_) {
    if (!last || fr.last_event > last->last_event) last = &fr;
    if (fr.parent == 0) {
      // After DataLimitExceeded the state reruns whole, as on AWS; after States.Runtime a
      // Distributed Map starts a new Map Run.
      redrive_point_ =
          err.error == errors::kDataLimitExceeded
              ? json::object{{"state", fr.state}, {"input", fr.input}, {"vars", fr.vars}}
              : RedrivePointOf(fr, err.error != errors::kRuntime);
    }
  }
  Emit(last, type, key, std::move(d));
  frames_.clear();
  ready_.clear();
}

}  // namespace tidepool::sfn::asl
