// Function calls: evaluation of calls and partial applications, the trampoline for tail
// calls, lambdas, built-ins, partials, chains, the transform operator and regexes.
#include "services/stepfunctions/jsonata/evaluator.h"

#include <cmath>

#include "services/stepfunctions/jsonata/error.h"
#include "services/stepfunctions/jsonata/signature.h"

namespace tidepool::sfn::jsonata {

Value Evaluator::EvaluateFunction(const Node* expr, const Value& input, Frame* env,
                                  const Value* applyto) {
  Value proc = Evaluate(expr->procedure.get(), input, env);
  const Node* p = expr->procedure.get();
  std::string proc_name = p->type == Node::Type::kPath ? p->steps[0]->value : p->value;
  if (proc.undefined() && p->type == Node::Type::kPath && env->Lookup(p->steps[0]->value)) {
    ThrowError("T1005", expr->position, proc_name);
  }
  std::vector<Value> args;
  if (applyto) args.push_back(*applyto);
  for (const auto& a : expr->arguments) args.push_back(Evaluate(a.get(), input, env));
  try {
    return Apply(proc, std::move(args), input, env);
  } catch (JsonataError& e) {
    if (e.position < 0) e.position = expr->position;
    if (e.token.empty()) e.token = proc_name;
    throw;
  }
}

Value Evaluator::EvaluatePartial(const Node* expr, const Value& input, Frame* env) {
  std::vector<std::optional<Value>> args;
  for (const auto& a : expr->arguments) {
    if (a->type == Node::Type::kOperator && a->value == "?") {
      args.emplace_back(std::nullopt);
    } else {
      args.emplace_back(Evaluate(a.get(), input, env));
    }
  }
  Value proc = Evaluate(expr->procedure.get(), input, env);
  const Node* p = expr->procedure.get();
  std::string proc_name = p->type == Node::Type::kPath ? p->steps[0]->value : p->value;
  if (proc.undefined() && p->type == Node::Type::kPath && env->Lookup(p->steps[0]->value)) {
    ThrowError("T1007", expr->position, proc_name);
  }
  if (!proc.is_function()) ThrowError("T1008", expr->position, proc_name);
  auto f = std::make_shared<Function>();
  f->kind = Function::Kind::kPartial;
  f->target = proc.function_ptr();
  f->bound = std::move(args);
  return Value::Func(std::move(f));
}

Value Evaluator::EvaluateApplyOp(const Node* expr, const Value& input, Frame* env) {
  Value lhs = Evaluate(expr->lhs.get(), input, env);
  if (expr->rhs->type == Node::Type::kFunction) {
    Value result = EvaluateFunction(expr->rhs.get(), input, env, &lhs);
    if (expr->rhs->keep_array && result.IsSequence()) result.array().keep_singleton = true;
    return result;
  }
  Value func = Evaluate(expr->rhs.get(), input, env);
  if (!func.is_function()) {
    JsonataError e{"T2006", expr->position, "", "", func};
    throw e;
  }
  if (lhs.is_function()) {
    auto f = std::make_shared<Function>();
    f->kind = Function::Kind::kChain;
    f->first = lhs.function_ptr();
    f->second = func.function_ptr();
    return Value::Func(std::move(f));
  }
  return Apply(func, {lhs}, Value::Null(), env);
}

Value Evaluator::Apply(const Value& proc, std::vector<Value> args, const Value& input, Frame* env) {
  Value result = ApplyInner(proc, std::move(args), input, env);
  while (result.is_function() && result.function().thunk) {
    const Function& t = result.function();
    const Node* call = t.node->body.get();
    Value next = Evaluate(call->procedure.get(), t.input, t.env);
    std::vector<Value> next_args;
    for (const auto& a : call->arguments) next_args.push_back(Evaluate(a.get(), t.input, t.env));
    result = ApplyInner(next, std::move(next_args), input, env);
  }
  return result;
}

Value Evaluator::ApplyInner(const Value& proc, std::vector<Value> args, const Value& input,
                            Frame* env) {
  if (!proc.is_function()) ThrowError("T1006");
  const Function& f = proc.function();
  if (f.signature) args = f.signature->Validate(args, input);
  switch (f.kind) {
    case Function::Kind::kLambda: {
      Frame* frame = NewFrame(f.env);
      const auto& params = f.node->arguments;
      for (size_t i = 0; i < params.size(); ++i) {
        frame->Bind(params[i]->value, i < args.size() ? args[i] : Value());
      }
      return Evaluate(f.node->body.get(), f.input, frame);
    }
    case Function::Kind::kNative: {
      CallContext ctx{this, &input, env};
      return f.native(ctx, args);
    }
    case Function::Kind::kPartial: {
      std::vector<Value> full;
      size_t next = 0;
      for (const auto& b : f.bound) {
        if (b.has_value()) {
          full.push_back(*b);
        } else {
          full.push_back(next < args.size() ? args[next++] : Value());
        }
      }
      const Function& target = *f.target;
      if (target.kind == Function::Kind::kNative) {
        CallContext ctx{this, &input, env};
        return target.native(ctx, full);
      }
      return ApplyInner(Value::Func(f.target), std::move(full), input, env);
    }
    case Function::Kind::kTransform:
      return ApplyTransform(f, args.empty() ? Value() : args[0]);
    case Function::Kind::kRegex:
      return ApplyRegex(f, args.empty() ? Value() : args[0]);
    case Function::Kind::kChain: {
      Value mid = Apply(Value::Func(f.first), std::move(args), input, env);
      return Apply(Value::Func(f.second), {mid}, input, env);
    }
  }
  ThrowError("T1006");
}

Value Evaluator::ApplyTransform(const Function& f, const Value& obj) {
  if (obj.undefined()) return obj;
  const Value* clone = f.env->Lookup("clone");
  if (clone == nullptr || !clone->is_function()) ThrowError("T2013", f.node->position);
  Value result = Apply(*clone, {obj}, Value(), f.env);
  Value matches = Evaluate(f.node->pattern.get(), result, f.env);
  if (matches.undefined()) return result;
  if (!matches.is_array()) matches = Value::Sequence(matches);
  for (const auto& match : matches.array().items) {
    Value update = Evaluate(f.node->update.get(), match, f.env);
    if (!update.undefined()) {
      if (!update.is_object()) {
        JsonataError e{"T2011", f.node->update->position, "", "", update};
        throw e;
      }
      if (match.is_object()) {
        // A copy, so an update that holds the match itself ({"me": $}) makes no cycle.
        for (const auto& [k, v] : update.object().entries) match.object().Set(k, DeepClone(v));
      }
    }
    if (f.node->remove) {
      Value deletions = Evaluate(f.node->remove.get(), match, f.env);
      if (deletions.undefined()) continue;
      Value list = deletions.is_array() ? deletions : Value::Sequence(deletions);
      for (const auto& d : list.array().items) {
        if (!d.is_string()) {
          JsonataError e{"T2012", f.node->remove->position, "", "", deletions};
          throw e;
        }
      }
      if (match.is_object()) {
        for (const auto& d : list.array().items) match.object().Erase(d.str());
      }
    }
  }
  return result;
}

Value Evaluator::ApplyRegex(const Function& f, const Value& str) {
  if (!str.is_string()) return Value();
  RegexMatch m;
  const std::string& s = str.str();
  if (!RegexSearch(s, 0, &m, *f.regex)) return Value();
  auto o = std::make_shared<ObjectData>();
  o->Set("match", Value::String(m.str(0)));
  const size_t start = MatchStart(s, m);
  o->Set("start", Value::Number(static_cast<double>(start)));
  o->Set("end", Value::Number(static_cast<double>(start + static_cast<size_t>(m[0].length()))));
  Value groups = Value::NewArray();
  for (size_t i = 1; i < m.size(); ++i) groups.array().items.push_back(Value::String(m.str(i)));
  o->Set("groups", groups);
  return Value::Object(std::move(o));
}

Value Evaluator::CallBack(const Value& fn, const Value& a, const Value& b, const Value& c) {
  std::vector<Value> args{a};
  int arity = fn.function().Arity();
  if (arity >= 2) args.push_back(b);
  if (arity >= 3) args.push_back(c);
  return Apply(fn, std::move(args), Value::Null(), root_);
}

Value Evaluator::CallBack(const Value& fn, const Value& a, const Value& b, const Value& c,
                          const Value& d) {
  std::vector<Value> args{a, b};
  int arity = fn.function().Arity();
  if (arity >= 3) args.push_back(c);
  if (arity >= 4) args.push_back(d);
  return Apply(fn, std::move(args), Value::Null(), root_);
}

}  // namespace tidepool::sfn::jsonata
