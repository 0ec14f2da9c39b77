// Execution under QueryLanguage JSONata: how each state type reads its fields as JSONata
// ("{% %}") with $states.input/.context/.result/.errorOutput and the thread's variables.
// JSONPath states are in execution.cc; both share Transition, HandleError and the frames.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>

#include "services/stepfunctions/asl/choice.h"
#include "services/stepfunctions/asl/execution.h"
#include "services/stepfunctions/asl/query.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;

std::optional<json::value> Execution::QueryField(Frame& f, const State& s, const json::value& field,
                                                 std::string_view name, const json::value* result,
                                                 const json::value* error_output) {
  json::value ctx = Context(f, s);
  QueryScope scope{&f.input, &ctx, result, error_output, &f.vars};
  StatesError err;
  auto v = EvaluateQueryField(field, scope, name, &err);
  if (!v) HandleError(f, std::move(err));
  return v;
}

bool Execution::AssignQuery(Frame& f, const State& s, const std::optional<json::value>& assign,
                            const json::value* result, const json::value* error_output) {
  if (!assign) return true;
  auto v = QueryField(f, s, *assign, "Assign", result, error_output);
  if (!v) return false;
  if (v->is_object()) {
    for (const auto& [k, x] : v->get_object()) f.vars[k] = x;
  }
  return true;
}

namespace {

std::optional<double> AsSeconds(const json::value& v) {
  if (!v.is_number()) return std::nullopt;
  double d = v.to_number<double>();
  if (d < 0) return std::nullopt;
  return d;
}

}  // namespace

void Execution::EnterQuery(Frame& f, const State& s) {
  switch (s.type) {
    case StateType::kPass:
    case StateType::kSucceed:
      return FinishQuery(f, s, f.input);
    case StateType::kFail: {
      StatesError fail{s.error, s.cause};
      if (s.error_expr) {
        auto v = QueryField(f, s, *s.error_expr, "Error", nullptr, nullptr);
        if (!v) return;
        fail.error = v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
      }
      if (s.cause_expr) {
        auto v = QueryField(f, s, *s.cause_expr, "Cause", nullptr, nullptr);
        if (!v) return;
        fail.cause = v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
      }
      return FrameFailed(f, std::move(fail));
    }
    case StateType::kChoice: {
      const ChoiceRule* matched = nullptr;
      for (const auto& rule : s.choices) {
        bool yes = false;
        if (rule.condition && rule.condition->is_bool()) {
          yes = rule.condition->get_bool();
        } else if (rule.condition) {
          auto v = QueryField(f, s, *rule.condition, "Condition", nullptr, nullptr);
          if (!v) return;
          if (!v->is_bool()) {
            return HandleError(
                f, {std::string(errors::kQueryEvaluationError),
                    fmt::format("The Condition of a Choice rule in state '{}' evaluated to {}, "
                                "not a boolean",
                                s.name, json::serialize(*v))});
          }
          yes = v->get_bool();
        }
        if (yes) {
          matched = &rule;
          break;
        }
      }
      std::string next = matched ? matched->next : s.default_next;
      if (next.empty()) {
        return HandleError(f, {std::string(errors::kNoChoiceMatched),
                               fmt::format("No Matches! at state {}", s.name)});
      }
      const auto& assign = matched && matched->assign ? matched->assign : s.assign;
      const auto& output_field = matched && matched->output ? matched->output : s.output;
      json::value out = f.input;
      if (output_field) {
        auto v = QueryField(f, s, *output_field, "Output", nullptr, nullptr);
        if (!v) return;
        out = std::move(*v);
      }
      if (!AssignQuery(f, s, assign, nullptr, nullptr)) return;
      Emit(&f, "ChoiceStateExited", "stateExitedEventDetails",
           json::object{{"name", s.name},
                        {"output", json::serialize(out)},
                        {"outputDetails", json::object{{"truncated", false}}}});
      f.state = next;
      f.input = std::move(out);
      f.phase = Phase::kEnter;
      ready_.push_back(f.id);
      return;
    }
    case StateType::kWait: {
      double seconds = s.seconds.value_or(0);
      std::optional<int64_t> until;
      if (!s.timestamp.empty() && !s.timestamp_expr) until = ParseTimestamp(s.timestamp);
      if (s.seconds_expr) {
        auto v = QueryField(f, s, *s.seconds_expr, "Seconds", nullptr, nullptr);
        if (!v) return;
        auto secs = AsSeconds(*v);
        if (!secs) {
          return HandleError(f, {std::string(errors::kQueryEvaluationError),
                                 fmt::format("The Seconds field of state '{}' evaluated to {}, "
                                             "not a non-negative number",
                                             s.name, json::serialize(*v))});
        }
        seconds = *secs;
      }
      if (s.timestamp_expr) {
        auto v = QueryField(f, s, *s.timestamp_expr, "Timestamp", nullptr, nullptr);
        if (!v) return;
        if (v->is_string()) until = ParseTimestamp(v->get_string());
        if (!until) {
          return HandleError(f, {std::string(errors::kQueryEvaluationError),
                                 fmt::format("The Timestamp field of state '{}' evaluated to {}, "
                                             "not an ISO-8601 timestamp",
                                             s.name, json::serialize(*v))});
        }
      }
      if (until) seconds = std::max<double>(0, static_cast<double>(*until - now_) / 1e6);
      f.phase = Phase::kWait;
      f.effective = f.input;
      ++f.epoch;
      f.deadline = DelayDeadline(seconds);
      ArmTimer(f, TimerKind::kWait, f.deadline);
      return;
    }
    case StateType::kTask: {
      json::value args = f.input;
      if (s.parameters) {
        auto v = QueryField(f, s, *s.parameters, "Arguments", nullptr, nullptr);
        if (!v) return;
        args = std::move(*v);
      }
      std::optional<int64_t> timeout, heartbeat;
      for (auto [field, name, dst] :
           {std::tuple{&s.timeout_expr, "TimeoutSeconds", &timeout},
            std::tuple{&s.heartbeat_expr, "HeartbeatSeconds", &heartbeat}}) {
        if (!*field) continue;
        auto v = QueryField(f, s, **field, name, nullptr, nullptr);
        if (!v) return;
        if (!v->is_int64() || v->get_int64() <= 0) {
          return HandleError(f, {std::string(errors::kQueryEvaluationError),
                                 fmt::format("The {} field of state '{}' evaluated to {}, not a "
                                             "positive integer",
                                             name, s.name, json::serialize(*v))});
        }
        *dst = v->get_int64();
      }
      return EnterTask(f, s, args, timeout, heartbeat);
    }
    case StateType::kParallel: {
      json::value args = f.input;
      if (s.parameters) {
        auto v = QueryField(f, s, *s.parameters, "Arguments", nullptr, nullptr);
        if (!v) return;
        args = std::move(*v);
      }
      return EnterChildren(f, s, args);
    }
    case StateType::kMap: {
      if (s.distributed) return EnterDistributed(f, s, f.input);
      json::value items = f.input;
      if (s.items) {
        auto v = QueryField(f, s, *s.items, "Items", nullptr, nullptr);
        if (!v) return;
        items = std::move(*v);
      }
      if (!items.is_array()) {
        return HandleError(f, {std::string(errors::kQueryEvaluationError),
                               fmt::format("The Items of Map state '{}' evaluated to {}, not an "
                                           "array",
                                           s.name, json::serialize(items))});
      }
      return EnterChildren(f, s, items);
    }
  }
}

void Execution::FinishQuery(Frame& f, const State& s, json::value result) {
  if (s.type == StateType::kTask) Inspect(f, s, "result", result);
  json::value out = result;
  if (s.output) {
    auto v = QueryField(f, s, *s.output, "Output", &result, nullptr);
    if (!v) return;
    out = std::move(*v);
  }
  if (!AssignQuery(f, s, s.assign, &result, nullptr)) return;
  if (s.type == StateType::kSucceed) {
    Emit(&f, "SucceedStateExited", "stateExitedEventDetails",
         json::object{{"name", s.name},
                      {"output", json::serialize(out)},
                      {"outputDetails", json::object{{"truncated", false}}}});
    return FrameEnded(f, std::move(out));
  }
  Transition(f, s, std::move(out));
}

bool Execution::CatchQuery(Frame& f, const State& s, const Catcher& c, const StatesError& err) {
  json::value error_output = json::object{{"Error", err.error}, {"Cause", err.cause}};
  json::value out = error_output;
  json::value ctx = Context(f, s);
  QueryScope scope{&f.input, &ctx, nullptr, &error_output, &f.vars};
  StatesError qerr;
  if (c.output) {
    auto v = EvaluateQueryField(*c.output, scope, "Output", &qerr);
    if (!v) {
      FailExecution(std::move(qerr));
      return false;
    }
    out = std::move(*v);
  }
  if (c.assign) {
    auto v = EvaluateQueryField(*c.assign, scope, "Assign", &qerr);
    if (!v) {
      FailExecution(std::move(qerr));
      return false;
    }
    if (v->is_object()) {
      for (const auto& [k, x] : v->get_object()) f.vars[k] = x;
    }
  }
  if (!f.vars.empty()) Inspect(f, s, "variables", f.vars);
  Emit(&f, fmt::format("{}StateExited", StateTypeName(s.type)), "stateExitedEventDetails",
       json::object{{"name", s.name},
                    {"output", json::serialize(out)},
                    {"outputDetails", json::object{{"truncated", false}}}});
  f.state = c.next;
  f.input = std::move(out);
  f.phase = Phase::kEnter;
  f.effective = nullptr;
  ready_.push_back(f.id);
  return true;
}

}  // namespace tidepool::sfn::asl
