// Intrinsic functions of the States Language ("States.Format('x {}', $.a)" and friends), as
// they appear in payload templates ("field.$": "States.Array($.a, 1)").
// Thread-safe (no state; States.MathRandom and States.UUID use thread-local generators).
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string_view>

#include "core/status.h"
#include "services/stepfunctions/asl/states_error.h"

namespace tidepool::sfn::asl {

// Whether `text` looks like an intrinsic call (starts with "States.").
bool IsIntrinsic(std::string_view text);

// Checks the syntax and the function names of an intrinsic call (definition validation).
Status ValidateIntrinsic(std::string_view text);

// Evaluates the call; path arguments read `input` ("$...") or `context` ("$$..."). On failure
// returns nullopt and sets `*error` (States.IntrinsicFailure, or States.Runtime for a path
// that selects nothing).
std::optional<boost::json::value> EvaluateIntrinsic(std::string_view text,
                                                    const boost::json::value& input,
                                                    const boost::json::value& context,
                                                    StatesError* error);

}  // namespace tidepool::sfn::asl
