// The JSONata evaluator: walks a syntax tree over Values, with variable frames owned by the
// evaluation (closures point into them, so they live until the Evaluator is destroyed).
// One Evaluator serves one evaluation on one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "services/stepfunctions/jsonata/ast.h"
#include "services/stepfunctions/jsonata/function.h"
#include "services/stepfunctions/jsonata/value.h"

namespace tidepool::sfn::jsonata {

struct Frame {
  std::unordered_map<std::string, Value> vars;
  Frame* parent = nullptr;

  // nullptr when no frame binds `name` (the built-in library is consulted last).
  const Value* Lookup(const std::string& name) const;
  void Bind(const std::string& name, Value v) { vars[name] = std::move(v); }
};

// The built-in function library, by name without the "$".
const std::unordered_map<std::string, Value>& Builtins();

class Evaluator {
 public:
  struct Limits {
    int max_depth = 1500;           // nested evaluations; deeper is U1001
    int64_t time_limit_millis = 0;  // 0 = none; longer is U1001
  };

  Evaluator(std::shared_ptr<const void> tree, Limits limits);

  Frame* NewFrame(Frame* parent);
  Frame* root() { return root_; }

  Value Evaluate(const Node* expr, const Value& input, Frame* env);
  Value Apply(const Value& proc, std::vector<Value> args, const Value& input, Frame* env);
  // Calls a function argument of a higher-order built-in with as many of (a, b, c) as it takes.
  Value CallBack(const Value& fn, const Value& a, const Value& b, const Value& c);
  Value CallBack(const Value& fn, const Value& a, const Value& b, const Value& c, const Value& d);

  int64_t now_millis() const { return now_millis_; }
  bool allow_eval = true;
  // Trees parsed by $eval, kept alive for the closures they create.
  std::vector<std::shared_ptr<const Node>> eval_trees;

 private:
  Value EvaluatePath(const Node* expr, const Value& input, Frame* env);
  Value EvaluateStep(const Node* expr, const Value& input, Frame* env, bool last_step);
  Value EvaluateTupleStep(const Node* expr, const Value& input, Value tuples, Frame* env);
  Value EvaluateStages(const std::vector<Stage>& stages, Value input, Frame* env);
  Value EvaluateFilter(const Node* predicate, Value input, Frame* env);
  Value EvaluateBinary(const Node* expr, const Value& input, Frame* env);
  Value EvaluateUnary(const Node* expr, const Value& input, Frame* env);
  Value EvaluateGroup(const std::vector<std::pair<NodePtr, NodePtr>>& pairs, int position,
                      Value input, Frame* env);
  Value EvaluateSort(const Node* expr, const Value& input, Frame* env);
  Value EvaluateFunction(const Node* expr, const Value& input, Frame* env, const Value* applyto);
  Value EvaluatePartial(const Node* expr, const Value& input, Frame* env);
  Value EvaluateApplyOp(const Node* expr, const Value& input, Frame* env);
  Value ApplyInner(const Value& proc, std::vector<Value> args, const Value& input, Frame* env);
  Value ApplyTransform(const Function& f, const Value& obj);
  Value ApplyRegex(const Function& f, const Value& str);
  Frame* FrameFromTuple(Frame* env, const Value& tuple);

  std::shared_ptr<const void> tree_;
  Limits limits_;
  std::vector<std::unique_ptr<Frame>> frames_;
  Frame* root_ = nullptr;
  int depth_ = 0;
  int64_t now_millis_ = 0;
  std::chrono::steady_clock::time_point deadline_;
  uint64_t steps_ = 0;
  // Stack use is bounded too (deep recursion is U1001, never a crash): bytes below the
  // address of the first Evaluate call.
  static constexpr uintptr_t kMaxStackBytes = 2u << 20;
  uintptr_t stack_base_ = 0;
};

// Shared helpers of the evaluator and the library.
bool IsNumeric(const Value& v);  // throws D1001 for a non-finite number
bool ToBoolean(const Value& v, bool* defined);
bool Truthy(const Value& v);  // ToBoolean, undefined as false
Value Append(const Value& a, const Value& b);
Value Lookup(const Value& input, const std::string& key);
std::string ToStringValue(const Value& v, bool prettify);  // $string; throws D3001
// JSONata's stable merge sort: takes the right element when swap(left, right).
void MergeSort(std::vector<Value>& items,
               const std::function<bool(const Value&, const Value&)>& swap);

}  // namespace tidepool::sfn::jsonata
