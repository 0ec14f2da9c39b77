#include "services/stepfunctions/jsonata/evaluator.h"

#include <cmath>

#include "services/stepfunctions/jsonata/error.h"
#include "services/stepfunctions/jsonata/signature.h"

namespace tidepool::sfn::jsonata {

Evaluator::Evaluator(std::shared_ptr<const void> tree, Limits limits)
    : tree_(std::move(tree)), limits_(limits) {
  root_ = NewFrame(nullptr);
  now_millis_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  if (limits_.time_limit_millis > 0) {
    deadline_ =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(limits_.time_limit_millis);
  }
}

Frame* Evaluator::NewFrame(Frame* parent) {
  frames_.push_back(std::make_unique<Frame>());
  frames_.back()->parent = parent;
  return frames_.back().get();
}

Frame* Evaluator::FrameFromTuple(Frame* env, const Value& tuple) {
  Frame* f = NewFrame(env);
  if (!tuple.is_object()) return f;
  for (const auto& [k, v] : tuple.object().entries) f->Bind(k, v);
  return f;
}

namespace {
struct DepthGuard {
  int* depth;
  ~DepthGuard() { --*depth; }
};

Value TupleOf(const Value& at) {
  auto o = std::make_shared<ObjectData>();
  o->Set("@", at);
  return Value::Object(std::move(o));
}

Value CopyTuple(const Value& t) { return Value::Object(std::make_shared<ObjectData>(t.object())); }

const Value& TupleAt(const Value& t) {
  static const Value kUndefined;
  if (!t.is_object()) return kUndefined;
  const Value* v = t.object().Find("@");
  return v ? *v : kUndefined;
}

Value AsSequence(const Value& v) {
  if (v.is_array()) return v;
  return Value::Sequence(v);
}
}  // namespace

Value Evaluator::Evaluate(const Node* expr, const Value& input, Frame* env) {
  char probe = 0;
  auto here = reinterpret_cast<uintptr_t>(&probe);
  if (stack_base_ == 0) stack_base_ = here;
  if (++depth_ > limits_.max_depth || stack_base_ - here > kMaxStackBytes) {
    --depth_;
    ThrowError("U1001", expr->position, "", "Stack overflow error");
  }
  DepthGuard guard{&depth_};
  if (limits_.time_limit_millis > 0 && (++steps_ & 0xFF) == 0 &&
      std::chrono::steady_clock::now() > deadline_) {
    ThrowError("U1001", expr->position, "", "Expression evaluation timeout");
  }
  Value result;
  switch (expr->type) {
    case Node::Type::kPath:
      result = EvaluatePath(expr, input, env);
      break;
    case Node::Type::kBinary:
      result = EvaluateBinary(expr, input, env);
      break;
    case Node::Type::kUnary:
      result = EvaluateUnary(expr, input, env);
      break;
    case Node::Type::kName:
      result = Lookup(input, expr->value);
      break;
    case Node::Type::kString:
      result = Value::String(expr->value);
      break;
    case Node::Type::kNumber:
      result = Value::Number(expr->number);
      break;
    case Node::Type::kValue:
      result = expr->literal;
      break;
    case Node::Type::kWildcard: {
      Value in = input;
      if (in.is_array() && in.array().outer_wrapper && in.array().size() > 0) {
        in = in.array().items[0];
      }
      result = Value::Sequence();
      std::vector<Value> members;
      if (in.is_object()) {
        for (const auto& [k, v] : in.object().entries) members.push_back(v);
      } else if (in.is_array()) {
        members = in.array().items;  // an array's members are its (index-keyed) properties
      }
      {
        for (const auto& v : members) {
          if (v.is_array()) {
            Value flat = Value::NewArray();
            std::vector<const Value*> stack;
            auto flatten = [&](auto& self, const Value& x) -> void {
              if (x.is_array()) {
                for (const auto& e : x.array().items) self(self, e);
              } else {
                flat.array().items.push_back(x);
              }
            };
            flatten(flatten, v);
            result = Append(result, flat);
          } else {
            result.array().items.push_back(v);
          }
        }
      }
      break;
    }
    case Node::Type::kDescendant: {
      if (input.undefined()) break;
      Value seq = Value::Sequence();
      auto recurse = [&](auto& self, const Value& x) -> void {
        if (!x.is_array()) seq.array().items.push_back(x);
        if (x.is_array()) {
          for (const auto& e : x.array().items) self(self, e);
        } else if (x.is_object()) {
          for (const auto& [k, v] : x.object().entries) self(self, v);
        }
      };
      recurse(recurse, input);
      result = seq.array().size() == 1 ? seq.array().items[0] : seq;
      break;
    }
    case Node::Type::kParent: {
      const Value* v = env->Lookup(expr->slot->label);
      if (v) result = *v;
      break;
    }
    case Node::Type::kCondition: {
      Value cond = Evaluate(expr->condition.get(), input, env);
      if (Truthy(cond)) {
        result = Evaluate(expr->then.get(), input, env);
      } else if (expr->otherwise) {
        result = Evaluate(expr->otherwise.get(), input, env);
      }
      break;
    }
    case Node::Type::kBlock: {
      Frame* frame = NewFrame(env);
      for (const auto& e : expr->expressions) result = Evaluate(e.get(), input, frame);
      break;
    }
    case Node::Type::kBind: {
      result = Evaluate(expr->rhs.get(), input, env);
      env->Bind(expr->lhs->value, result);
      break;
    }
    case Node::Type::kRegex: {
      auto f = std::make_shared<Function>();
      f->kind = Function::Kind::kRegex;
      f->regex = expr->regex;
      f->name = expr->regex_source;
      result = Value::Func(std::move(f));
      break;
    }
    case Node::Type::kFunction:
      result = EvaluateFunction(expr, input, env, nullptr);
      break;
    case Node::Type::kVariable:
      if (expr->value.empty()) {
        result = (input.is_array() && input.array().outer_wrapper && input.array().size() > 0)
                     ? input.array().items[0]
                     : input;
      } else {
        const Value* v = env->Lookup(expr->value);
        if (v) result = *v;
      }
      break;
    case Node::Type::kLambda: {
      auto f = std::make_shared<Function>();
      f->kind = Function::Kind::kLambda;
      f->node = expr;
      f->tree = tree_;
      f->input = input;
      f->env = env;
      f->thunk = expr->thunk;
      f->signature = expr->signature;
      result = Value::Func(std::move(f));
      break;
    }
    case Node::Type::kPartial:
      result = EvaluatePartial(expr, input, env);
      break;
    case Node::Type::kApply:
      result = EvaluateApplyOp(expr, input, env);
      break;
    case Node::Type::kTransform: {
      auto f = std::make_shared<Function>();
      f->kind = Function::Kind::kTransform;
      f->node = expr;
      f->env = env;
      static const std::shared_ptr<Signature> kSig = Signature::Parse("<(oa):o>");
      f->signature = kSig;
      result = Value::Func(std::move(f));
      break;
    }
    default:
      ThrowError("S0206", expr->position);
  }

  for (const auto& stage : expr->predicate) {
    result = EvaluateFilter(stage.expr.get(), result, env);
  }
  if (expr->type != Node::Type::kPath && expr->group) {
    result = EvaluateGroup(expr->group->pairs, expr->group->position, result, env);
  }
  if (result.IsSequence() && !result.array().tuple_stream) {
    if (expr->keep_array) result.array().keep_singleton = true;
    if (result.array().size() == 0) {
      result = Value();
    } else if (result.array().size() == 1 && !result.array().keep_singleton) {
      Value only = result.array().items[0];
      result = only;
    }
  }
  return result;
}

Value Evaluator::EvaluatePath(const Node* expr, const Value& input, Frame* env) {
  Value input_seq = (input.is_array() && expr->steps[0]->type != Node::Type::kVariable)
                        ? input
                        : Value::Sequence(input);
  Value result_seq;
  bool is_tuple = false;
  Value tuples;
  for (size_t ii = 0; ii < expr->steps.size(); ++ii) {
    const Node* step = expr->steps[ii].get();
    if (step->tuple) is_tuple = true;
    if (ii == 0 && step->cons_array) {
      result_seq = AsSequence(Evaluate(step, input_seq, env));
    } else if (is_tuple) {
      tuples = EvaluateTupleStep(step, input_seq, tuples, env);
    } else {
      result_seq = EvaluateStep(step, input_seq, env, ii == expr->steps.size() - 1);
    }
    if (!is_tuple &&
        (result_seq.undefined() || (result_seq.is_array() && result_seq.array().size() == 0))) {
      break;
    }
    if (!step->has_focus) input_seq = result_seq;
  }
  if (is_tuple) {
    if (expr->tuple) {
      result_seq = tuples;
    } else {
      result_seq = Value::Sequence();
      if (tuples.is_array()) {
        for (const auto& t : tuples.array().items) {
          result_seq.array().items.push_back(TupleAt(t));
        }
      }
    }
  }
  if (expr->keep_singleton_array && result_seq.is_array()) {
    if (result_seq.array().cons && !result_seq.array().sequence) {
      result_seq = Value::Sequence(result_seq);
    } else if (!result_seq.array().sequence) {
      result_seq = CopyArray(result_seq);
    }
    result_seq.array().keep_singleton = true;
  }
  if (expr->group) {
    result_seq = EvaluateGroup(expr->group->pairs, expr->group->position,
                               is_tuple ? tuples : result_seq, env);
  }
  return result_seq;
}

Value Evaluator::EvaluateStep(const Node* expr, const Value& input, Frame* env, bool last_step) {
  if (expr->type == Node::Type::kSort) {
    Value result = EvaluateSort(expr, input, env);
    if (!expr->stages.empty()) result = EvaluateStages(expr->stages, result, env);
    return result;
  }
  std::vector<Value> results;
  for (const auto& item : input.array().items) {
    Value res = Evaluate(expr, item, env);
    for (const auto& stage : expr->stages) {
      if (stage.kind == Stage::Kind::kFilter) res = EvaluateFilter(stage.expr.get(), res, env);
    }
    if (!res.undefined()) results.push_back(std::move(res));
  }
  if (last_step && results.size() == 1 && results[0].is_array() && !results[0].IsSequence()) {
    return results[0];
  }
  Value seq = Value::Sequence();
  auto& out = seq.array().items;
  for (auto& res : results) {
    if (!res.is_array() || res.array().cons) {
      out.push_back(std::move(res));
    } else {
      for (const auto& v : res.array().items) out.push_back(v);
    }
  }
  return seq;
}

Value Evaluator::EvaluateStages(const std::vector<Stage>& stages, Value input, Frame* env) {
  Value result = std::move(input);
  for (const auto& stage : stages) {
    if (stage.kind == Stage::Kind::kFilter) {
      result = EvaluateFilter(stage.expr.get(), result, env);
    } else if (result.is_array()) {
      for (size_t i = 0; i < result.array().size(); ++i) {
        result.array().items[i].object().Set(stage.value, Value::Number(static_cast<double>(i)));
      }
    }
  }
  return result;
}

Value Evaluator::EvaluateTupleStep(const Node* expr, const Value& input, Value tuples, Frame* env) {
  Value result;
  if (expr->type == Node::Type::kSort) {
    if (!tuples.undefined()) {
      result = EvaluateSort(expr, tuples, env);
    } else {
      Value sorted = AsSequence(EvaluateSort(expr, input, env));
      result = Value::Sequence();
      result.array().tuple_stream = true;
      for (size_t i = 0; i < sorted.array().size(); ++i) {
        Value t = TupleOf(sorted.array().items[i]);
        if (expr->has_index) t.object().Set(expr->index, Value::Number(static_cast<double>(i)));
        result.array().items.push_back(t);
      }
    }
    if (!expr->stages.empty()) result = EvaluateStages(expr->stages, result, env);
    return result;
  }
  result = Value::Sequence();
  result.array().tuple_stream = true;
  if (tuples.undefined()) {
    tuples = Value::Sequence();
    for (const auto& item : input.array().items) tuples.array().items.push_back(TupleOf(item));
  }
  for (const auto& tuple : tuples.array().items) {
    Frame* step_env = FrameFromTuple(env, tuple);
    Value res = Evaluate(expr, TupleAt(tuple), step_env);
    if (res.undefined()) continue;
    if (!res.is_array()) res = Value::Sequence(res);
    for (size_t bb = 0; bb < res.array().size(); ++bb) {
      Value t = CopyTuple(tuple);
      const Value& r = res.array().items[bb];
      if (res.array().tuple_stream) {
        for (const auto& [k, v] : r.object().entries) t.object().Set(k, v);
      } else {
        if (expr->has_focus) {
          t.object().Set(expr->focus, r);
          t.object().Set("@", TupleAt(tuple));
        } else {
          t.object().Set("@", r);
        }
        if (expr->has_index) t.object().Set(expr->index, Value::Number(static_cast<double>(bb)));
        if (expr->ancestor) t.object().Set(expr->ancestor->label, TupleAt(tuple));
      }
      result.array().items.push_back(t);
    }
  }
  if (!expr->stages.empty()) result = EvaluateStages(expr->stages, result, env);
  return result;
}

Value Evaluator::EvaluateFilter(const Node* predicate, Value input, Frame* env) {
  Value results = Value::Sequence();
  bool tuple_stream = input.is_array() && input.array().tuple_stream;
  if (tuple_stream) results.array().tuple_stream = true;
  if (!input.is_array()) input = Value::Sequence(input);
  const auto& items = input.array().items;
  const auto n = static_cast<int64_t>(items.size());
  if (predicate->type == Node::Type::kNumber) {
    auto index = SaturatingInt(std::floor(predicate->number));
    if (index < 0) index += n;
    if (index >= 0 && index < n && !items[static_cast<size_t>(index)].undefined()) {
      const Value& item = items[static_cast<size_t>(index)];
      if (item.is_array()) return item;
      results.array().items.push_back(item);
    }
    return results;
  }
  for (int64_t index = 0; index < n; ++index) {
    const Value& item = items[static_cast<size_t>(index)];
    Value context = item;
    Frame* e = env;
    if (tuple_stream) {
      context = TupleAt(item);
      e = FrameFromTuple(env, item);
    }
    Value res = Evaluate(predicate, context, e);
    if (IsNumeric(res)) res = Value::Sequence(res);
    bool numbers = res.is_array();
    if (numbers) {
      for (const auto& v : res.array().items) {
        if (!v.is_number()) numbers = false;
      }
    }
    if (numbers) {
      for (const auto& v : res.array().items) {
        IsNumeric(v);
        auto ii = SaturatingInt(std::floor(v.number()));
        if (ii < 0) ii += n;
        if (ii == index) results.array().items.push_back(item);
      }
    } else if (Truthy(res)) {
      results.array().items.push_back(item);
    }
  }
  return results;
}

namespace {

JsonataError TypeError(const char* code, const Value& v) {
  return JsonataError{code, -1, "", "", v};
}

}  // namespace

Value Evaluator::EvaluateBinary(const Node* expr, const Value& input, Frame* env) {
  Value lhs = Evaluate(expr->lhs.get(), input, env);
  const std::string& op = expr->value;
  if (op == "and" || op == "or") {
    bool l = Truthy(lhs);
    if (op == "and") return Value::Bool(l && Truthy(Evaluate(expr->rhs.get(), input, env)));
    return Value::Bool(l || Truthy(Evaluate(expr->rhs.get(), input, env)));
  }
  Value rhs = Evaluate(expr->rhs.get(), input, env);
  try {
    if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") {
      if (!lhs.undefined() && !IsNumeric(lhs)) throw TypeError("T2001", lhs);
      if (!rhs.undefined() && !IsNumeric(rhs)) throw TypeError("T2002", rhs);
      if (lhs.undefined() || rhs.undefined()) return Value();
      double a = lhs.number(), b = rhs.number();
      switch (op[0]) {
        case '+':
          return Value::Number(a + b);
        case '-':
          return Value::Number(a - b);
        case '*':
          return Value::Number(a * b);
        case '/':
          return Value::Number(a / b);
        default:
          return Value::Number(std::fmod(a, b));
      }
    }
    if (op == "=" || op == "!=") {
      if (lhs.undefined() || rhs.undefined()) return Value::Bool(false);
      bool eq = DeepEqual(lhs, rhs);
      return Value::Bool(op == "=" ? eq : !eq);
    }
    if (op == "<" || op == "<=" || op == ">" || op == ">=") {
      auto comparable = [](const Value& v) {
        return v.undefined() || v.is_string() || v.is_number();
      };
      if (!comparable(lhs) || !comparable(rhs)) {
        throw TypeError("T2010", (lhs.is_string() || lhs.is_number()) ? rhs : lhs);
      }
      if (lhs.undefined() || rhs.undefined()) return Value();
      if (lhs.type() != rhs.type()) throw TypeError("T2009", lhs);
      int c = 0;
      if (lhs.is_number()) {
        double a = lhs.number(), b = rhs.number();
        if (op == "<") return Value::Bool(a < b);
        if (op == "<=") return Value::Bool(a <= b);
        if (op == ">") return Value::Bool(a > b);
        return Value::Bool(a >= b);
      }
      c = lhs.str().compare(rhs.str());
      if (op == "<") return Value::Bool(c < 0);
      if (op == "<=") return Value::Bool(c <= 0);
      if (op == ">") return Value::Bool(c > 0);
      return Value::Bool(c >= 0);
    }
    if (op == "&") {
      std::string s = lhs.undefined() ? "" : ToStringValue(lhs, false);
      if (!rhs.undefined()) s += ToStringValue(rhs, false);
      return Value::String(std::move(s));
    }
    if (op == "..") {
      auto is_int = [](const Value& v) {
        return v.is_number() && std::isfinite(v.number()) && std::floor(v.number()) == v.number();
      };
      if (!lhs.undefined() && !is_int(lhs)) throw TypeError("T2003", lhs);
      if (!rhs.undefined() && !is_int(rhs)) throw TypeError("T2004", rhs);
      if (lhs.undefined() || rhs.undefined()) return Value();
      double a = lhs.number(), b = rhs.number();
      if (a > b) return Value();
      if (b - a + 1 > 1e7) throw TypeError("D2014", Value::Number(b - a + 1));
      Value seq = Value::Sequence();
      seq.array().items.reserve(static_cast<size_t>(b - a + 1));
      for (double x = a; x <= b; x += 1) seq.array().items.push_back(Value::Number(x));
      return seq;
    }
    if (op == "in") {
      if (lhs.undefined() || rhs.undefined()) return Value::Bool(false);
      auto same = [&](const Value& x) {
        if (x.type() != lhs.type()) return false;
        switch (x.type()) {
          case Value::Type::kNull:
            return true;
          case Value::Type::kBool:
            return x.boolean() == lhs.boolean();
          case Value::Type::kNumber:
            return x.number() == lhs.number();
          case Value::Type::kString:
            return x.str() == lhs.str();
          case Value::Type::kArray:
            return x.array_ptr() == lhs.array_ptr();
          case Value::Type::kObject:
            return x.object_ptr() == lhs.object_ptr();
          default:
            return false;
        }
      };
      if (rhs.is_array()) {
        for (const auto& x : rhs.array().items) {
          if (same(x)) return Value::Bool(true);
        }
        return Value::Bool(false);
      }
      return Value::Bool(same(rhs));
    }
  } catch (JsonataError& e) {
    e.position = expr->position;
    e.token = op;
    throw;
  }
  ThrowError("S0201", expr->position, op);
}

Value Evaluator::EvaluateUnary(const Node* expr, const Value& input, Frame* env) {
  if (expr->value == "-") {
    Value v = Evaluate(expr->expression.get(), input, env);
    if (v.undefined()) return v;
    if (IsNumeric(v)) return Value::Number(-v.number());
    JsonataError e{"D1002", expr->position, "-", "", v};
    throw e;
  }
  if (expr->value == "[") {
    Value result = Value::NewArray();
    for (const auto& item : expr->expressions) {
      Value v = Evaluate(item.get(), input, env);
      if (v.undefined()) continue;
      if (item->type == Node::Type::kUnary && item->value == "[") {
        result.array().items.push_back(v);
      } else {
        result = Append(result, v);
      }
    }
    if (expr->cons_array) {
      if (result.array_ptr().use_count() > 1) result = CopyArray(result);
      result.array().cons = true;
    }
    return result;
  }
  return EvaluateGroup(expr->pairs, expr->position, input, env);
}

Value Evaluator::EvaluateGroup(const std::vector<std::pair<NodePtr, NodePtr>>& pairs, int position,
                               Value input, Frame* env) {
  bool reduce = input.is_array() && input.array().tuple_stream;
  if (!input.is_array()) input = Value::Sequence(input);
  std::vector<Value> items = input.array().items;
  if (items.empty()) {
    items.emplace_back();  // as JSONata does: the group expression sees `undefined`
    reduce = false;        // an empty tuple stream has no tuple to bind
  }
  struct Entry {
    Value data;
    size_t expr_index;
  };
  std::vector<std::pair<std::string, Entry>> groups;
  std::unordered_map<std::string, size_t> group_index;
  for (const auto& item : items) {
    Frame* e = reduce ? FrameFromTuple(env, item) : env;
    for (size_t pi = 0; pi < pairs.size(); ++pi) {
      Value key = Evaluate(pairs[pi].first.get(), reduce ? TupleAt(item) : item, e);
      if (key.undefined()) continue;
      if (!key.is_string()) {
        JsonataError err{"T1003", position, "", "", key};
        throw err;
      }
      auto it = group_index.find(key.str());
      if (it == group_index.end()) {
        group_index.emplace(key.str(), groups.size());
        groups.push_back({key.str(), Entry{item, pi}});
      } else {
        Entry& entry = groups[it->second].second;
        if (entry.expr_index != pi) {
          JsonataError err{"D1009", position, "", "", key};
          throw err;
        }
        entry.data = Append(entry.data, item);
      }
    }
  }
  auto out = std::make_shared<ObjectData>();
  for (auto& [key, entry] : groups) {
    Value context = entry.data;
    Frame* e = env;
    if (reduce) {
      Value tuple;
      if (entry.data.is_array()) {
        tuple = CopyTuple(entry.data.array().items[0]);
        for (size_t i = 1; i < entry.data.array().size(); ++i) {
          for (const auto& [k, v] : entry.data.array().items[i].object().entries) {
            const Value* prev = tuple.object().Find(k);
            tuple.object().Set(k, Append(prev ? *prev : Value(), v));
          }
        }
      } else {
        tuple = CopyTuple(entry.data);
      }
      context = TupleAt(tuple);
      tuple.object().Erase("@");
      e = FrameFromTuple(env, tuple);
    }
    Value v = Evaluate(pairs[entry.expr_index].second.get(), context, e);
    if (!v.undefined()) out->Set(key, v);
  }
  return Value::Object(std::move(out));
}

Value Evaluator::EvaluateSort(const Node* expr, const Value& input, Frame* env) {
  if (input.undefined()) return input;
  if (!input.is_array() || input.array().size() <= 1) return input;
  bool tuple_sort = input.array().tuple_stream;
  auto comparator = [&](const Value& a, const Value& b) -> bool {
    int comp = 0;
    for (size_t i = 0; comp == 0 && i < expr->terms.size(); ++i) {
      const SortTerm& term = expr->terms[i];
      Value ctx_a = tuple_sort ? TupleAt(a) : a;
      Frame* env_a = tuple_sort ? FrameFromTuple(env, a) : env;
      Value aa = Evaluate(term.expression.get(), ctx_a, env_a);
      Value ctx_b = tuple_sort ? TupleAt(b) : b;
      Frame* env_b = tuple_sort ? FrameFromTuple(env, b) : env;
      Value bb = Evaluate(term.expression.get(), ctx_b, env_b);
      if (aa.undefined()) {
        comp = bb.undefined() ? 0 : 1;
        continue;
      }
      if (bb.undefined()) {
        comp = -1;
        continue;
      }
      bool a_ok = aa.is_string() || aa.is_number();
      bool b_ok = bb.is_string() || bb.is_number();
      if (!a_ok || !b_ok) {
        JsonataError err{"T2008", expr->position, "", "", a_ok ? bb : aa};
        throw err;
      }
      if (aa.type() != bb.type()) {
        JsonataError err{"T2007", expr->position, "", "", aa};
        throw err;
      }
      if (aa.is_number() ? aa.number() == bb.number() : aa.str() == bb.str()) continue;
      bool less = aa.is_number() ? aa.number() < bb.number() : aa.str() < bb.str();
      comp = less ? -1 : 1;
      if (term.descending) comp = -comp;
    }
    return comp == 1;
  };
  std::vector<Value> items = input.array().items;
  MergeSort(items, comparator);
  Value out = Value::Sequence();
  out.array().items = std::move(items);
  out.array().tuple_stream = tuple_sort;
  return out;
}

}  // namespace tidepool::sfn::jsonata
