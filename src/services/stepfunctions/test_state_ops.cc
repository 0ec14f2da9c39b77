// TestState: runs one state in isolation and answers what it did (status, output, error,
// nextState, and with inspectionLevel DEBUG/TRACE some of its data flow).
//
// The state runs in the real interpreter, as a throwaway EXPRESS execution that is never
// stored or listed: a machine {StartAt: the state, States: {the state, one Succeed stub per
// state it can transition to}}. Its Retry is taken out (AWS does not retry in TestState: an
// error a retrier matches answers RETRIABLE); a Catch moves to its stub (CAUGHT_ERROR). Which
// stub was entered is the nextState; the stub's input is the state's output. Tasks call the
// real integrations unless `mock` gives their result. The run is held in executions_ until it
// ends, as EXPRESS executions are. Activities, `.sync` and
// `.waitForTaskToken` tasks, Parallel and Map states are refused (AWS runs those only with a
// mock; tidepool does not mock them).
#include <fmt/format.h>
#include <boost/json.hpp>

#include <cmath>

#include "core/arn.h"
#include "core/encoding.h"
#include "protocol/input.h"
#include "services/stepfunctions/asl/states_error.h"
#include "services/stepfunctions/sfn_errors.h"
#include "services/stepfunctions/stepfunctions_service.h"

namespace tidepool::sfn {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputObject;
using protocol::InputStringView;

namespace {

Status Invalid(std::string message) { return SfnStatus(SfnError::kValidation, std::move(message)); }

std::string Str(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The names a state can move to: Next, Default, Choices[].Next, Catch[].Next.
std::vector<std::string> Targets(const json::object& state) {
  std::vector<std::string> out;
  auto add = [&](const json::object& o) {
    if (std::string n = Str(o, "Next"); !n.empty()) out.push_back(std::move(n));
  };
  add(state);
  if (std::string d = Str(state, "Default"); !d.empty()) out.push_back(std::move(d));
  for (std::string_view list : {"Choices", "Catch"}) {
    if (const auto* l = state.if_contains(list); l && l->is_array()) {
      for (const auto& e : l->get_array()) {
        if (e.is_object()) add(e.get_object());
      }
    }
  }
  return out;
}

// Whether an ErrorEquals list matches `error`, by AWS's rules for States.ALL and
// States.TaskFailed.
bool Matches(const json::value& names, std::string_view error) {
  if (!names.is_array()) return false;
  for (const auto& n : names.get_array()) {
    if (!n.is_string()) continue;
    std::string_view name = n.get_string();
    if (name == error) return true;
    if (name == asl::errors::kAll && error != asl::errors::kRuntime &&
        error != asl::errors::kDataLimitExceeded) {
      return true;
    }
    if (name == asl::errors::kTaskFailed && error != asl::errors::kTimeout &&
        !error.starts_with("States.")) {
      return true;
    }
  }
  return false;
}

// The first handler of `list` (Retry or Catch) matching `error`: its index, or -1.
int64_t MatchingHandler(const json::value* list, std::string_view error) {
  if (list == nullptr || !list->is_array()) return -1;
  const auto& a = list->get_array();
  for (size_t i = 0; i < a.size(); ++i) {
    const auto* o = a[i].if_object();
    if (o != nullptr && o->contains("ErrorEquals") && Matches(o->at("ErrorEquals"), error)) {
      return static_cast<int64_t>(i);
    }
  }
  return -1;
}

json::value ParseOr(std::string_view text, json::value fallback) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? fallback : v;
}

// The test's answer, from the run's history events.
struct TestOutcome {
  std::string next;
  std::optional<std::string> output;
  std::string error, cause;
  bool failed_in_state = false;
  std::optional<std::string> result, parameters;
};

TestOutcome ReadEvents(const std::vector<json::object>& events, const std::string& tested) {
  TestOutcome out;
  for (const auto& e : events) {
    const std::string type = Str(e, "type");
    const json::object* details = nullptr;
    for (const auto& kv : e) {
      if (kv.key().ends_with("EventDetails") && kv.value().is_object()) {
        details = &kv.value().get_object();
      }
    }
    if (details == nullptr) continue;
    if (type.ends_with("StateEntered")) {
      if (Str(*details, "name") != tested && out.next.empty()) {
        out.next = Str(*details, "name");
        out.output = Str(*details, "input");
      }
    } else if (type.ends_with("StateExited")) {
      if (Str(*details, "name") == tested && out.next.empty()) out.output = Str(*details, "output");
    } else if (type == "TaskScheduled") {
      out.parameters = Str(*details, "parameters");
    } else if (type == "LambdaFunctionScheduled") {
      out.parameters = Str(*details, "input");
    } else if (type == "TaskSucceeded" || type == "LambdaFunctionSucceeded") {
      out.result = Str(*details, "output");
    } else if (!type.starts_with("Execution") &&
               (type.ends_with("Failed") || type.ends_with("TimedOut"))) {
      out.failed_in_state = true;
      out.error = Str(*details, "error");
      out.cause = Str(*details, "cause");
    }
  }
  return out;
}

}  // namespace

void StepFunctionsService::TestState(CallPtr call) {
  const auto& in = call->input();
  for (std::string_view unbuilt : {"context", "stateConfiguration"}) {
    if (in.contains(unbuilt)) {
      return Fail(call,
                  Invalid(fmt::format("tidepool does not support TestState's {} yet", unbuilt)));
    }
  }
  json::value doc = ParseOr(InputStringView(in, "definition").value_or(""), nullptr);
  if (!doc.is_object()) {
    return Fail(call, SfnStatus(SfnError::kInvalidDefinition,
                                "Invalid State Machine Definition: 'the definition is not a JSON "
                                "object'"));
  }
  std::string name(InputStringView(in, "stateName").value_or(""));
  json::object state;
  json::object machine;
  if (const auto* states = doc.as_object().if_contains("States"); states && states->is_object()) {
    // A whole machine: test one of its states, in the machine's query language.
    if (name.empty()) name = Str(doc.as_object(), "StartAt");
    const auto* s = states->get_object().if_contains(name);
    if (s == nullptr || !s->is_object()) {
      return Fail(call, Invalid(fmt::format("State '{}' is not in the definition", name)));
    }
    state = s->get_object();
    if (const auto* q = doc.as_object().if_contains("QueryLanguage")) machine["QueryLanguage"] = *q;
  } else {
    if (!name.empty()) {
      return Fail(call, Invalid("stateName requires a definition of a whole state machine"));
    }
    name = "TestState";
    state = doc.as_object();
  }
  const std::string type = Str(state, "Type");
  const std::string resource = Str(state, "Resource");
  const bool mocked = in.contains("mock");
  if (type == "Parallel" || type == "Map") {
    return Fail(call, Invalid(fmt::format("tidepool's TestState does not run {} states", type)));
  }
  if (type == "Task" &&
      (resource.ends_with(".sync") || resource.ends_with(".sync:2") ||
       resource.ends_with(".waitForTaskToken") ||
       resource.find(":activity:") != std::string::npos) &&
      !mocked) {
    return Fail(call, Invalid("TestState runs Activity tasks, .sync and .waitForTaskToken "
                              "integrations only with a mock"));
  }
  if (mocked && type != "Task") return Fail(call, Invalid("A mock is only valid for Task states"));
  json::value retriers = nullptr;
  if (auto* r = state.if_contains("Retry")) {
    retriers = *r;
    state.erase("Retry");
  }
  const json::value catchers = state.contains("Catch") ? state.at("Catch") : json::value();
  json::object states{{name, state}};
  for (const std::string& target : Targets(state)) {
    if (target != name) states[target] = json::object{{"Type", "Succeed"}};
  }
  machine["StartAt"] = name;
  machine["States"] = std::move(states);
  std::vector<asl::Diagnostic> diags;
  auto parsed = asl::Definition::Parse(json::serialize(machine), &diags);
  if (!parsed) {
    return Fail(call,
                SfnStatus(SfnError::kInvalidDefinition, asl::InvalidDefinitionMessage(diags)));
  }
  const std::string input_text(InputStringView(in, "input").value_or("{}"));
  json::value input = ParseOr(input_text, json::value(json::string("\x01invalid")));
  if (input.is_string() && input.get_string() == "\x01invalid") {
    return Fail(call, SfnStatus(SfnError::kInvalidExecutionInput,
                                "Invalid State Machine Execution Input: 'not JSON'"));
  }
  json::object vars;
  if (auto v = InputStringView(in, "variables")) {
    json::value parsed_vars = ParseOr(*v, nullptr);
    if (!parsed_vars.is_object()) return Fail(call, Invalid("variables must be a JSON object"));
    vars = parsed_vars.as_object();
  }
  std::optional<asl::TaskResult> mock;
  if (const auto* m = InputObject(in, "mock")) {
    if (const auto* e = m->if_contains("errorOutput"); e && e->is_object()) {
      mock = asl::TaskResult{
          false, nullptr, {Str(e->get_object(), "error"), Str(e->get_object(), "cause")}};
    } else if (const auto* r = m->if_contains("result"); r && r->is_string()) {
      json::value result = ParseOr(r->get_string(), nullptr);
      if (result.is_null() && r->get_string() != "null") {
        return Fail(call, Invalid("mock.result must be JSON"));
      }
      mock = asl::TaskResult{true, std::move(result), {}};
    } else {
      return Fail(call, Invalid("mock needs a result or an errorOutput"));
    }
  }
  const std::string level(InputStringView(in, "inspectionLevel").value_or("INFO"));
  const auto& ctx = call->context();
  auto ex = std::make_shared<ExecutionRecord>();
  ex->express = true;
  ex->name = NewUuid();
  ex->arn = fmt::format("arn:aws:states:{}:{}:express:TestState:{}:{}", ctx.region, ctx.account_id,
                        ex->name, NewUuid());
  ex->machine_arn =
      fmt::format("arn:aws:states:{}:{}:stateMachine:TestState", ctx.region, ctx.account_id);
  ex->account = ctx.account_id;
  ex->region = ctx.region;
  ex->input_text = input_text;
  ex->mock = std::move(mock);
  const int64_t now = clock_.NowMicros();
  ex->start = static_cast<double>(now) / 1e6;
  asl::ExecutionInfo info{ex->arn,
                          ex->name,
                          std::string(InputStringView(in, "roleArn").value_or("")),
                          ex->machine_arn,
                          "TestState",
                          ex->region,
                          now};
  ex->run =
      std::make_unique<asl::Execution>(std::move(parsed), std::move(info), InterpreterOptions());
  ex->on_finish = [call, name, type, retriers, catchers, level, input_text](ExecutionRecord& run) {
    TestOutcome o = ReadEvents(run.test_events, name);
    json::object out;
    json::object inspection{{"input", input_text}};
    json::object error_details;
    if (run.run->status() == asl::ExecutionStatus::kSucceeded) {
      const bool caught = o.failed_in_state && !o.next.empty();
      out["status"] = caught ? "CAUGHT_ERROR" : "SUCCEEDED";
      if (caught) {
        out["error"] = o.error;
        out["cause"] = o.cause;
        error_details["catchIndex"] = MatchingHandler(&catchers, o.error);
      }
      if (!o.next.empty()) out["nextState"] = o.next;
      if (o.output) {
        out["output"] = *o.output;
      } else if (run.run->output()) {
        out["output"] = json::serialize(*run.run->output());
      }
    } else {
      const auto& failure = run.run->failure();
      out["error"] = failure.error;
      out["cause"] = failure.cause;
      const int64_t retry = type == "Fail" ? -1 : MatchingHandler(&retriers, failure.error);
      out["status"] = retry >= 0 ? "RETRIABLE" : "FAILED";
      if (retry >= 0) {
        const json::object& r = retriers.get_array()[static_cast<size_t>(retry)].get_object();
        const auto* interval = r.if_contains("IntervalSeconds");
        error_details["retryIndex"] = retry;
        error_details["retryBackoffIntervalSeconds"] =
            interval && interval->is_number() ? interval->to_number<int64_t>() : 1;
      }
    }
    if (level != "INFO") {
      if (o.parameters) inspection["afterParameters"] = *o.parameters;
      if (o.result) inspection["result"] = *o.result;
      if (out.contains("output") && out.at("status") == "SUCCEEDED") {
        inspection["afterResultPath"] = out.at("output");
      }
      if (!error_details.empty()) inspection["errorDetails"] = std::move(error_details);
      out["inspectionData"] = std::move(inspection);
    }
    call->Reply(std::move(out));
  };
  {
    // Held like any EXPRESS execution until it ends (timers and task callbacks hold it weakly).
    std::unique_lock lock(mu_);
    executions_[ex->arn] = ex;
  }
  std::lock_guard lock(ex->mu);
  asl::Effects fx = ex->run->Start(std::move(input), now, std::move(vars));
  ApplyEffects(ex, std::move(fx));
}

}  // namespace tidepool::sfn
