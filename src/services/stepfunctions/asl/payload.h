// Input and output processing of a state (JSONPath query language): InputPath, payload
// templates (Parameters, ResultSelector, ItemSelector), ResultPath and OutputPath.
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string_view>

#include "services/stepfunctions/asl/definition.h"
#include "services/stepfunctions/asl/states_error.h"

namespace tidepool::sfn::asl {

// Reads a path that may address the context object ("$$..."). nullopt when a definite path
// selects nothing (or the path is invalid).
// A variable path ("$name.x") reads `variables` (nullopt when absent or unset).
std::optional<boost::json::value> SelectPath(std::string_view path, const boost::json::value& input,
                                             const boost::json::value& context,
                                             const boost::json::object* variables = nullptr);

// InputPath / OutputPath: default keeps `value`, null gives {}, a path selects (nullopt and
// States.Runtime when it selects nothing). `field` names the field in the error's cause.
std::optional<boost::json::value> ApplyInputOutputPath(const PathField& f, std::string_view field,
                                                       const boost::json::value& value,
                                                       const boost::json::value& context,
                                                       StatesError* error);

// Expands a payload template: "x.$" fields become "x" with the path's value or the intrinsic's
// result. nullopt and `*error` (States.Runtime / States.IntrinsicFailure) on failure.
std::optional<boost::json::value> ApplyTemplate(const boost::json::value& tmpl,
                                                const boost::json::value& input,
                                                const boost::json::value& context,
                                                StatesError* error,
                                                const boost::json::object* variables = nullptr);

// ResultPath: default replaces the input by `result`, null keeps `raw_input`, a reference path
// puts `result` into a copy of `raw_input`. nullopt and States.ResultPathMatchFailure when it
// cannot.
std::optional<boost::json::value> ApplyResultPath(const PathField& f,
                                                  const boost::json::value& raw_input,
                                                  boost::json::value result, StatesError* error);

}  // namespace tidepool::sfn::asl
