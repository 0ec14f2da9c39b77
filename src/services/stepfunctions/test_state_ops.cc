// TestState: runs one state in isolation and answers what it did (status, output, error,
// nextState, and with inspectionLevel DEBUG/TRACE its data flow: the interpreter records the
// tested state's steps, see asl::Execution::set_inspection).
//
// The state runs in the real interpreter, as a throwaway EXPRESS execution that is never
// stored or listed: a machine {StartAt: the state, States: {the state, one Succeed stub per
// state it can transition to}}. Its Retry is taken out (AWS does not retry in TestState: an
// error a retrier matches answers RETRIABLE); a Catch moves to its stub (CAUGHT_ERROR). Which
// stub was entered is the nextState; the stub's input is the state's output. Tasks call the
// real integrations unless `mock` gives their result. The run is held in executions_ until it
// ends, as EXPRESS executions are. Activities, `.sync` and `.waitForTaskToken` tasks, Parallel
// and Map states run only with a mock, as on AWS: a Parallel or Map state becomes a Task whose
// result is the mock (its branches and iterations do not run), with the state's own input and
// output processing, Retry and Catch. stateConfiguration: `retrierRetryCount` (a Retry whose
// MaxAttempts are spent no longer answers RETRIABLE), `mapIterationFailureCount` (beyond the
// Map's ToleratedFailureCount/Percentage the mock becomes States.ExceedToleratedFailureThreshold),
// `mapItemReaderData` (the items a Distributed Map's ItemReader reads, for the percentage) and
// `errorCausedByState` (a state of the Map's or Parallel's children; checked only). `context`
// (only with a mock) replaces members of the context object.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

#include "core/arn.h"
#include "core/encoding.h"
#include "protocol/input.h"
#include "services/stepfunctions/asl/distributed_map.h"
#include "services/stepfunctions/asl/payload.h"
#include "services/stepfunctions/asl/states_error.h"
#include "services/stepfunctions/sfn_errors.h"
#include "services/stepfunctions/stepfunctions_service.h"
#include "services/stepfunctions/test_state_inspection.h"

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

// The fields a Parallel or Map state shares with a Task: what is left when one is tested
// with a mock (its children do not run).
constexpr std::string_view kTaskFields[] = {
    "Type",           "Comment",    "InputPath",  "Parameters", "Arguments",
    "ResultSelector", "ResultPath", "OutputPath", "Output",     "Assign",
    "Retry",          "Catch",      "Next",       "End",        "QueryLanguage"};

// The names of every state under `state`'s Branches, ItemProcessor or Iterator, recursively.
void ChildStateNames(const json::object& state, std::vector<std::string>* out) {
  auto scope = [&](const json::value& v) {
    const json::object* o = v.if_object();
    const json::value* states = o ? o->if_contains("States") : nullptr;
    if (!states || !states->is_object()) return;
    for (const auto& [name, child] : states->get_object()) {
      out->emplace_back(name);
      if (child.is_object()) ChildStateNames(child.get_object(), out);
    }
  };
  if (const auto* b = state.if_contains("Branches"); b && b->is_array()) {
    for (const auto& branch : b->get_array()) scope(branch);
  }
  for (std::string_view k : {"ItemProcessor", "Iterator"}) {
    if (const auto* p = state.if_contains(k)) scope(*p);
  }
}

json::value ParseOr(std::string_view text, json::value fallback) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? fallback : v;
}

// The Resource of the Task a mocked Parallel or Map state becomes (never called: mocked).
constexpr std::string_view kMockResource = "arn:aws:states:::tidepool:testStateMock";

// TestState's stateConfiguration, checked against the tested state.
struct StateConfig {
  int64_t retry_count = 0;
  std::optional<int64_t> map_failures;
  std::optional<std::string> reader_data;
};

Result<StateConfig> ReadStateConfiguration(const json::object& in, const json::object& state,
                                           const std::string& type) {
  StateConfig c;
  const json::object* o = InputObject(in, "stateConfiguration");
  if (o == nullptr) return c;
  auto count = [&](std::string_view k) -> Result<std::optional<int64_t>> {
    const json::value* v = o->if_contains(k);
    if (v == nullptr) return std::optional<int64_t>();
    if (!v->is_int64() || v->get_int64() < 0) {
      return Invalid(fmt::format("stateConfiguration.{} must be an integer >= 0", k));
    }
    return std::optional<int64_t>(v->get_int64());
  };
  auto retries = count("retrierRetryCount");
  if (!retries.ok()) return retries.status();
  c.retry_count = retries->value_or(0);
  auto failures = count("mapIterationFailureCount");
  if (!failures.ok()) return failures.status();
  c.map_failures = *failures;
  if (c.map_failures && type != "Map") {
    return Invalid("stateConfiguration.mapIterationFailureCount is only valid for a Map state");
  }
  if (const json::value* v = o->if_contains("mapItemReaderData")) {
    if (!v->is_string()) return Invalid("stateConfiguration.mapItemReaderData must be a string");
    if (type != "Map" || !state.contains("ItemReader")) {
      return Invalid(
          "stateConfiguration.mapItemReaderData is only valid for a Map state with "
          "an ItemReader");
    }
    c.reader_data = std::string(v->get_string());
  }
  if (const json::value* v = o->if_contains("errorCausedByState")) {
    if (!v->is_string()) return Invalid("stateConfiguration.errorCausedByState must be a string");
    if (type != "Map" && type != "Parallel") {
      return Invalid(
          "stateConfiguration.errorCausedByState is only valid for a Map or Parallel "
          "state");
    }
    std::vector<std::string> names;
    ChildStateNames(state, &names);
    if (std::find(names.begin(), names.end(), std::string_view(v->get_string())) == names.end()) {
      return Invalid(
          fmt::format("stateConfiguration.errorCausedByState: '{}' is not a state of "
                      "the tested state's branches or item processor",
                      std::string_view(v->get_string())));
    }
  }
  return c;
}

// Whether `c.map_failures` failed iterations exceed the Map's ToleratedFailureCount or
// ToleratedFailurePercentage (neither set: they never do, as AWS's TestState answers). The
// percentage counts the items of mapItemReaderData, ItemsPath, Items or the input.
Result<bool> MapFailuresExceeded(const json::object& map, const json::value& input,
                                 const StateConfig& c) {
  auto number = [&](std::string_view literal, std::string_view path) -> Result<json::value> {
    if (const json::value* v = map.if_contains(literal)) {
      if (!v->is_number()) {
        return Invalid(fmt::format("tidepool's TestState reads {} only as a number", literal));
      }
      return *v;
    }
    if (const json::value* p = map.if_contains(path); p && p->is_string()) {
      auto v = asl::SelectPath(p->get_string(), input, json::object());
      if (!v || !v->is_number()) {
        return Invalid(fmt::format("{} does not select a number in the input", path));
      }
      return *v;
    }
    return json::value(nullptr);
  };
  auto count = number("ToleratedFailureCount", "ToleratedFailureCountPath");
  if (!count.ok()) return count.status();
  auto pct = number("ToleratedFailurePercentage", "ToleratedFailurePercentagePath");
  if (!pct.ok()) return pct.status();
  const auto failed = static_cast<double>(*c.map_failures);
  if (count->is_number() && failed > count->to_number<double>()) return true;
  if (!pct->is_number()) return false;
  size_t items = 0;
  if (c.reader_data) {
    auto decoded = ReaderItems(map, *c.reader_data);
    if (!decoded.ok()) return decoded.status();
    items = decoded->size();
  } else {
    json::value selected = input;
    if (const json::value* p = map.if_contains("ItemsPath"); p && p->is_string()) {
      selected = asl::SelectPath(p->get_string(), input, json::object()).value_or(nullptr);
    } else if (const json::value* v = map.if_contains("Items"); v && v->is_array()) {
      selected = *v;
    }
    if (selected.is_array()) items = selected.get_array().size();
  }
  return items > 0 && failed * 100.0 / static_cast<double>(items) > pct->to_number<double>();
}

// The first Retry matching `error` when its MaxAttempts (default 3) are not spent by
// `retry_count` earlier attempts: its index, or -1.
int64_t UnspentRetrier(const json::value& retriers, std::string_view error, int64_t retry_count) {
  const int64_t i = MatchingHandler(&retriers, error);
  if (i < 0) return -1;
  const json::object& r = retriers.get_array()[static_cast<size_t>(i)].get_object();
  const json::value* max = r.if_contains("MaxAttempts");
  const int64_t attempts = max && max->is_int64() ? max->get_int64() : 3;
  return retry_count < attempts ? i : -1;
}

// The backoff before the next attempt: IntervalSeconds x BackoffRate^retry_count, at most
// MaxDelaySeconds, in whole seconds.
int64_t BackoffSeconds(const json::object& retrier, int64_t retry_count) {
  auto num = [&](std::string_view k, double fallback) {
    const json::value* v = retrier.if_contains(k);
    return v && v->is_number() ? v->to_number<double>() : fallback;
  };
  double delay =
      num("IntervalSeconds", 1) * std::pow(num("BackoffRate", 2), static_cast<double>(retry_count));
  if (retrier.contains("MaxDelaySeconds")) delay = std::min(delay, num("MaxDelaySeconds", delay));
  return static_cast<int64_t>(delay);
}

// The test's answer, from the run's history events.
struct TestOutcome {
  std::string next;
  std::optional<std::string> output;
  std::string error, cause;
  bool failed_in_state = false;
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
  const bool with_children = type == "Parallel" || type == "Map";
  if (with_children && !mocked) {
    return Fail(call, SfnStatus(SfnError::kInvalidDefinition,
                                "TestState API does not support Map or Parallel states. "
                                "Supported state types include: [Task, Wait, Pass, Succeed, "
                                "Fail, Choice]"));
  }
  if (type == "Task" &&
      (resource.ends_with(".sync") || resource.ends_with(".sync:2") ||
       resource.ends_with(".waitForTaskToken") ||
       resource.find(":activity:") != std::string::npos) &&
      !mocked) {
    return Fail(call, Invalid("TestState runs Activity tasks, .sync and .waitForTaskToken "
                              "integrations only with a mock"));
  }
  if (mocked && type != "Task" && !with_children) {
    return Fail(call, Invalid(fmt::format(
                          "State type '{}' is not supported when a mock is specified", type)));
  }
  if (mocked) {
    const json::value* reveal = in.if_contains("revealSecrets");
    if (reveal && reveal->is_bool() && reveal->get_bool()) {
      return Fail(call, Invalid("TestState does not support RevealSecrets when a mock is "
                                "specified."));
    }
  }
  json::object context;
  if (auto c = InputStringView(in, "context")) {
    if (!mocked) return Fail(call, Invalid("context may only be specified with a mock"));
    json::value parsed_context = ParseOr(*c, nullptr);
    if (!parsed_context.is_object()) return Fail(call, Invalid("context must be a JSON object"));
    context = std::move(parsed_context.as_object());
  }
  auto config = ReadStateConfiguration(in, state, type);
  if (!config.ok()) return Fail(call, config.status());
  const json::object original = state;
  if (with_children) {
    // The state as written must be valid (its branches or processor too) ...
    json::object check = machine;
    json::object check_states{{name, state}};
    for (const std::string& target : Targets(state)) {
      if (target != name) check_states[target] = json::object{{"Type", "Succeed"}};
    }
    check["StartAt"] = name;
    check["States"] = std::move(check_states);
    std::vector<asl::Diagnostic> problems;
    if (!asl::Definition::Parse(json::serialize(check), &problems)) {
      return Fail(call,
                  SfnStatus(SfnError::kInvalidDefinition, asl::InvalidDefinitionMessage(problems)));
    }
    // ... then it runs as a Task with only the fields a Task shares: the mock stands for the
    // branches or iterations.
    json::object task{{"Resource", kMockResource}};
    for (std::string_view k : kTaskFields) {
      if (k == "Parameters" && type == "Map") continue;  // a Map's (legacy) ItemSelector
      if (const auto* v = state.if_contains(k)) task[k] = *v;
    }
    task["Type"] = "Task";
    state = std::move(task);
  }
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
    if (m->contains("errorOutput") && m->contains("result")) {
      return Fail(call, Invalid("A test mock should have only one of the following fields: "
                                "[result, errorOutput]."));
    }
    if (const auto* e = m->if_contains("errorOutput"); e && e->is_object()) {
      mock = asl::TaskResult{
          false, nullptr, {Str(e->get_object(), "error"), Str(e->get_object(), "cause")}};
    } else if (const auto* r = m->if_contains("result"); r && r->is_string()) {
      json::value result = ParseOr(r->get_string(), nullptr);
      if (result.is_null() && r->get_string() != "null") {
        return Fail(call, Invalid("mock.result must be JSON"));
      }
      // A Parallel's mock is its branches' outputs; a Map's its iterations' (with a
      // ResultWriter: the writer's result object).
      const json::value* branches = original.if_contains("Branches");
      if (type == "Parallel" && !result.is_array()) {
        return Fail(call, Invalid("Mocked result must be an array."));
      }
      if (type == "Parallel" && branches && branches->is_array() &&
          branches->get_array().size() != result.get_array().size()) {
        return Fail(call, Invalid("Mocked result must contain the same number of items as "
                                  "number of Parallel branches."));
      }
      if (type == "Map" && original.contains("ResultWriter") && !result.is_object()) {
        return Fail(call, Invalid("Mocked result must be a JSON object."));
      }
      if (type == "Map" && !original.contains("ResultWriter") && !result.is_array()) {
        return Fail(call, Invalid("Mocked result must be an array."));
      }
      mock = asl::TaskResult{true, std::move(result), {}};
    } else {
      return Fail(call, Invalid("mock needs a result or an errorOutput"));
    }
    // fieldValidationMode (default STRICT): a Task's mocked result must fit its operation's
    // output shape; a Map's or Parallel's mock has none.
    std::string mode = Str(*m, "fieldValidationMode");
    if (mode.empty()) mode = "STRICT";
    if (mode != "STRICT" && mode != "PRESENT" && mode != "NONE") {
      return Fail(call, Invalid(fmt::format("Value '{}' at 'mock.fieldValidationMode' failed to "
                                            "satisfy constraint: Member must satisfy enum value "
                                            "set: [STRICT, PRESENT, NONE]",
                                            mode)));
    }
    if (mock->ok && mode != "NONE" && type == "Task" && tasks_ != nullptr) {
      if (auto problem = tasks_->CheckMockResult(resource, mock->output, mode == "STRICT")) {
        return Fail(call, Invalid(std::move(*problem)));
      }
    }
  }
  if (mock && mock->ok && config->map_failures) {
    auto exceeded = MapFailuresExceeded(original, input, *config);
    if (!exceeded.ok()) return Fail(call, exceeded.status());
    if (*exceeded) {
      mock = asl::TaskResult{false,
                             nullptr,
                             {"States.ExceedToleratedFailureThreshold",
                              "The specified tolerated failure threshold was exceeded"}};
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
  json::object map_inspection;
  if (type == "Map") {
    map_inspection = MapInspection(original);
    const json::value* q = original.if_contains("QueryLanguage");
    if (!q) q = machine.if_contains("QueryLanguage");
    if (!(q && q->is_string() && q->get_string() == "JSONata")) {
      std::optional<json::array> reader_items;
      if (config->reader_data) {
        auto items = ReaderItems(original, *config->reader_data);
        if (!items.ok()) return Fail(call, items.status());
        reader_items = std::move(*items);
      }
      auto steps = MapItemsInspection(original, input, context, vars, reader_items);
      if (!steps.ok()) return Fail(call, steps.status());
      for (const auto& [k, v] : *steps) map_inspection[k] = v;
    }
  }
  ex->run->set_context_override(std::move(context));
  // The interpreter writes the tested state's data-flow steps here (held by on_finish).
  auto steps = std::make_shared<json::object>();
  ex->run->set_inspection(steps.get(), name);
  const int64_t retry_count = config->retry_count;
  ex->on_finish = [call, name, type, retriers, catchers, level, input_text, retry_count,
                   map_inspection, steps](ExecutionRecord& run) {
    TestOutcome o = ReadEvents(run.test_events, name);
    json::object out;
    json::object inspection{{"input", input_text}};
    json::object error_details;
    const bool succeeded = run.run->status() == asl::ExecutionStatus::kSucceeded;
    const bool caught = succeeded && o.failed_in_state && !o.next.empty();
    const std::string& error = succeeded ? o.error : run.run->failure().error;
    // Retry before Catch: a retrier whose attempts are not spent answers RETRIABLE.
    const int64_t retry = type == "Fail" || (succeeded && !caught)
                              ? -1
                              : UnspentRetrier(retriers, error, retry_count);
    if (retry >= 0) {
      const json::object& r = retriers.get_array()[static_cast<size_t>(retry)].get_object();
      out["error"] = error;
      out["cause"] = succeeded ? o.cause : run.run->failure().cause;
      out["status"] = "RETRIABLE";
      error_details["retryIndex"] = retry;
      error_details["retryBackoffIntervalSeconds"] = BackoffSeconds(r, retry_count);
    } else if (succeeded) {
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
      out["status"] = "FAILED";
    }
    if (level != "INFO") {
      for (const auto& [k, v] : *steps) {
        // A mocked Map's mock is not a task result and it has no Parameters step (AWS
        // reports neither).
        if (type == "Map" && (k == "result" || k == "afterParameters" || k == "afterArguments")) {
          continue;
        }
        inspection[k] = v;
      }
      for (const auto& [k, v] : map_inspection) inspection[k] = v;
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
