// A parsed and validated state machine definition (Amazon States Language, JSONPath query
// language). Parse() checks the definition the way CreateStateMachine does and reports
// problems as AWS's diagnostics (code, message, location).
//
// A Definition is immutable once parsed and shared by every execution that runs it
// (std::shared_ptr<const Definition>): thread-safe to read.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/stepfunctions/asl/choice.h"
#include "services/stepfunctions/asl/distributed_map.h"

namespace tidepool::sfn::asl {

enum class StateType : uint8_t { kPass, kTask, kChoice, kWait, kSucceed, kFail, kParallel, kMap };
std::string_view StateTypeName(StateType t);  // "Pass", "Task", ...

// InputPath / OutputPath / ResultPath: absent (the default "$"), null (discard), or a path.
struct PathField {
  enum class Kind : uint8_t { kDefault, kNull, kPath } kind = Kind::kDefault;
  std::string path;
};

struct Retrier {
  std::vector<std::string> error_equals;
  double interval_seconds = 1;
  int64_t max_attempts = 3;
  double backoff_rate = 2;
  std::optional<double> max_delay_seconds;
  bool full_jitter = false;  // JitterStrategy FULL
};

struct Catcher {
  std::vector<std::string> error_equals;
  PathField result_path;
  std::string next;
  std::optional<boost::json::value> output, assign;  // JSONata Output; Assign in either language
};

struct StateMachineScope;

struct State {
  std::string name;
  StateType type = StateType::kPass;
  std::string next;  // empty when End (or a Choice/Succeed/Fail)
  bool end = false;
  PathField input_path, output_path, result_path;
  std::optional<boost::json::value> parameters;       // Pass/Task/Parallel; Map's ItemSelector
  std::optional<boost::json::value> result_selector;  // Task/Parallel/Map
  std::optional<boost::json::value> result;           // Pass
  std::vector<Retrier> retry;
  std::vector<Catcher> catchers;
  // Task
  std::string resource;
  std::optional<int64_t> timeout_seconds, heartbeat_seconds;
  std::string timeout_seconds_path, heartbeat_seconds_path;
  // Wait
  std::optional<double> seconds;
  std::string timestamp, seconds_path, timestamp_path;
  // Fail
  std::string error, cause, error_path, cause_path;
  // Choice
  std::vector<ChoiceRule> choices;
  std::string default_next;
  // Parallel branches; Map's ItemProcessor/Iterator (one scope)
  std::vector<int> branch_scopes;  // indexes into Definition::scopes
  std::string items_path;          // Map; empty = "$"
  int64_t max_concurrency = 0;     // Map; 0 = unlimited
  std::string max_concurrency_path;
  std::shared_ptr<const DistributedMapSpec> distributed;  // Map in DISTRIBUTED mode
  // QueryLanguage JSONata: `parameters` holds Arguments (Task, Parallel) or ItemSelector (Map);
  // these fields hold values whose "{% %}" strings are expressions.
  bool jsonata = false;
  std::optional<boost::json::value> output, items;
  std::optional<boost::json::value> seconds_expr, timestamp_expr, timeout_expr, heartbeat_expr;
  std::optional<boost::json::value> error_expr, cause_expr;
  // Assign (both query languages): variables set when the state completes.
  std::optional<boost::json::value> assign;
};

// A set of states with a StartAt: the top level, a Parallel branch or a Map's processor.
struct StateMachineScope {
  std::string start_at;
  std::map<std::string, State, std::less<>> states;
  const State* Find(std::string_view name) const {
    auto it = states.find(name);
    return it == states.end() ? nullptr : &it->second;
  }
};

struct Diagnostic {
  std::string code;      // "SCHEMA_VALIDATION_FAILED", "MISSING_TRANSITION_TARGET", ...
  std::string message;   // without the location
  std::string location;  // "/States/A/Next"
};

struct Definition {
  std::string comment;
  bool jsonata = false;  // top-level QueryLanguage
  std::optional<int64_t> timeout_seconds;
  // scopes[0] is the top level; Parallel branches and Map processors follow in pre-order,
  // so an index names the same scope in every parse of the same text.
  std::vector<StateMachineScope> scopes;

  const StateMachineScope& top() const { return scopes[0]; }

  // Parses `text`. On failure returns nullptr and fills `diagnostics` (never empty then).
  static std::shared_ptr<const Definition> Parse(std::string_view text,
                                                 std::vector<Diagnostic>* diagnostics);
};

// AWS's InvalidDefinition message for a failed parse:
// "Invalid State Machine Definition: 'CODE: message at /path, CODE: ...'".
std::string InvalidDefinitionMessage(const std::vector<Diagnostic>& diagnostics);

}  // namespace tidepool::sfn::asl
