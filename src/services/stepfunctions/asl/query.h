// The JSONata query language in a state: fields whose strings are "{% expression %}"
// (Arguments, Output, Assign, Items, ItemSelector, Condition, Seconds, Timestamp, Error,
// Cause...), evaluated with $states (input, context, result, errorOutput) and the execution's
// variables bound, and the functions the States Language adds to JSONata ($partition,
// $range, $hash, $random, $uuid, $parse; no $eval).
// Thread-safe (no shared mutable state).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

#include <functional>
#include <set>

#include "services/stepfunctions/asl/definition.h"
#include "services/stepfunctions/asl/states_error.h"

namespace tidepool::sfn::asl {

// What "$states" and the variables hold while a field is evaluated. Null pointers are absent.
struct QueryScope {
  const boost::json::value* input = nullptr;
  const boost::json::value* context = nullptr;
  const boost::json::value* result = nullptr;
  const boost::json::value* error_output = nullptr;
  const boost::json::object* variables = nullptr;
};

// Whether `v` is a string "{% ... %}".
bool IsQueryExpression(const boost::json::value& v);

// Checks every "{% %}" expression in `field` compiles; the first problem as text otherwise.
std::optional<std::string> ValidateQueryField(const boost::json::value& field);

// Evaluates `field`: an expression string yields its value, objects and arrays are evaluated
// member by member (a member whose expression is undefined is left out), other values are
// literals. nullopt and States.QueryEvaluationError in `*error` on failure; `field_name`
// names the field in the cause.
std::optional<boost::json::value> EvaluateQueryField(const boost::json::value& field,
                                                     const QueryScope& scope,
                                                     std::string_view field_name,
                                                     StatesError* error);

// The fields a state of type `t` accepts under JSONata.
const std::set<std::string_view>& JsonataFields(StateType t);

// Parses the JSONata fields of state object `o` into `s` (Assign in both languages); each
// problem goes to `schema(message, location)`.
void ParseQueryFields(const boost::json::object& o, State& s, const std::string& loc,
                      const std::function<void(std::string, std::string)>& schema);

}  // namespace tidepool::sfn::asl
