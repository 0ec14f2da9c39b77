// JSONata 2.0 for the States Language: compile an expression once, evaluate it against JSON
// input with variable bindings and extra functions (the States Language adds $partition,
// $range, $hash, $random, $uuid and $parse and removes $eval).
//
// Thread-safety: an Expression is immutable once compiled and may be evaluated concurrently;
// each Evaluate call has its own frames.
#pragma once

#include <boost/json/value.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "services/stepfunctions/jsonata/error.h"
#include "services/stepfunctions/jsonata/function.h"

namespace tidepool::sfn::jsonata {

struct Node;

struct EvaluateOptions {
  // Variables ($name) as JSON; a binding may also be a function (see `functions`).
  std::vector<std::pair<std::string, boost::json::value>> bindings;
  std::vector<std::pair<std::string, Value>> values;  // bindings that are already Values
  bool allow_eval = true;
  int max_depth = 1500;
  int64_t time_limit_millis = 0;
};

// The outcome of an evaluation: a value, or undefined (nullopt), or an error.
struct Outcome {
  bool ok = true;
  std::optional<boost::json::value> value;  // nullopt: undefined
  JsonataError error;                       // when !ok
};

class Expression {
 public:
  // Parses `text`. !ok() with the error's code and message in the Status when it is invalid;
  // `error` (optional) receives the structured error.
  static std::optional<Expression> Compile(std::string_view text, JsonataError* error);

  Outcome Evaluate(const boost::json::value* input, const EvaluateOptions& options) const;

 private:
  std::shared_ptr<const Node> tree_;
};

// A native function value for EvaluateOptions::values (signature as JSONata writes it).
Value MakeNative(const std::string& name, const char* signature, NativeFn fn);

}  // namespace tidepool::sfn::jsonata
