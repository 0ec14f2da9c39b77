// Choice rules: comparison operators, And/Or/Not, and their evaluation on a state's input.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/stepfunctions/asl/states_error.h"

namespace tidepool::sfn::asl {

struct ChoiceRule {
  enum class Kind : uint8_t { kCompare, kAnd, kOr, kNot };
  Kind kind = Kind::kCompare;
  std::string variable;              // kCompare
  std::string op;                    // "StringEquals", "NumericLessThanPath", "IsPresent", ...
  boost::json::value operand;        // the literal, or the path text of a *Path operator
  std::vector<ChoiceRule> children;  // kAnd/kOr (several), kNot (one)
  std::string next;                  // top-level rules only
  // JSONata rules: a Condition expression, and the rule's own Assign and Output.
  std::optional<boost::json::value> condition, assign, output;
};

// Whether `op` is a comparison operator the language defines.
bool IsComparisonOperator(std::string_view op);

// Evaluates `rule` against `input` (context paths "$$" read `context`). nullopt and `*error`
// (States.Runtime) when a variable path selects nothing for an operator other than IsPresent.
std::optional<bool> EvaluateChoice(const ChoiceRule& rule, const boost::json::value& input,
                                   const boost::json::value& context, StatesError* error);

// Parses an RFC 3339 timestamp ("2016-03-14T01:59:00Z", fractions and offsets allowed) into
// microseconds since the epoch.
std::optional<int64_t> ParseTimestamp(std::string_view text);
// Formats microseconds since the epoch as "2016-03-14T01:59:00.123Z".
std::string FormatTimestamp(int64_t micros);

}  // namespace tidepool::sfn::asl
