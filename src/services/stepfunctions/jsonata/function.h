// Function values: lambdas (closures over an evaluation's frames), the built-in library,
// partial applications, the transform operator, regular expressions and composed chains.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "services/stepfunctions/jsonata/ast.h"
#include "services/stepfunctions/jsonata/value.h"

namespace tidepool::sfn::jsonata {

class Evaluator;
struct Frame;

// What a built-in sees of its call: the evaluator (to apply function arguments) and the
// context value the call was made with.
struct CallContext {
  Evaluator* evaluator;
  const Value* input;
  Frame* env;
};

using NativeFn = std::function<Value(CallContext&, std::vector<Value>&)>;

struct Function {
  enum class Kind : uint8_t { kLambda, kNative, kPartial, kTransform, kRegex, kChain };
  Kind kind = Kind::kLambda;
  std::shared_ptr<Signature> signature;

  // kLambda: `node` is the lambda node; the tree stays alive through `tree`.
  const Node* node = nullptr;
  std::shared_ptr<const void> tree;
  Value input;
  Frame* env = nullptr;  // owned by the evaluation
  bool thunk = false;

  // kNative
  std::string name;
  NativeFn native;
  int arity = 0;

  // kPartial: `target` with `bound` arguments; empty optionals are the "?" placeholders.
  std::shared_ptr<Function> target;
  std::vector<std::optional<Value>> bound;

  // kRegex
  std::shared_ptr<Regex> regex;

  // kChain: second(first(x))
  std::shared_ptr<Function> first, second;

  int Arity() const;
};

}  // namespace tidepool::sfn::jsonata
