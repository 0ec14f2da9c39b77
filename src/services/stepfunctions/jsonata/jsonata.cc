#include "services/stepfunctions/jsonata/jsonata.h"

#include "services/stepfunctions/jsonata/evaluator.h"
#include "services/stepfunctions/jsonata/parser.h"
#include "services/stepfunctions/jsonata/signature.h"

namespace tidepool::sfn::jsonata {

std::optional<Expression> Expression::Compile(std::string_view text, JsonataError* error) {
  try {
    Expression e;
    e.tree_ = ParseExpression(text);
    return e;
  } catch (JsonataError& e) {
    if (error) *error = std::move(e);
  } catch (const std::exception& ex) {
    if (error) *error = JsonataError{"S0500", -1, "", ex.what(), Value()};
  }
  return std::nullopt;
}

Outcome Expression::Evaluate(const boost::json::value* input,
                             const EvaluateOptions& options) const {
  Outcome out;
  try {
    Evaluator ev(tree_, Evaluator::Limits{options.max_depth, options.time_limit_millis});
    ev.allow_eval = options.allow_eval;
    Frame* env = ev.NewFrame(ev.root());
    for (const auto& [name, v] : options.bindings) env->Bind(name, FromJson(v));
    for (const auto& [name, v] : options.values) env->Bind(name, v);
    Value in;
    if (input) in = FromJson(*input);
    env->Bind("$", in);
    if (in.is_array()) {
      in = Value::Sequence(in);
      in.array().outer_wrapper = true;
    }
    Value result = ev.Evaluate(tree_.get(), in, env);
    if (!result.undefined()) out.value = ToJson(result);
  } catch (JsonataError& e) {
    out.ok = false;
    out.error = std::move(e);
    if (out.error.message.empty()) out.error.message = ErrorMessage(out.error);
  } catch (const std::exception& ex) {
    out.ok = false;
    out.error = JsonataError{"U1001", -1, "", ex.what(), Value()};
  }
  return out;
}

Value MakeNative(const std::string& name, const char* signature, NativeFn fn) {
  auto f = std::make_shared<Function>();
  f->kind = Function::Kind::kNative;
  f->name = name;
  f->signature = Signature::Parse(signature);
  f->arity = f->signature->param_count();
  f->native = std::move(fn);
  return Value::Func(std::move(f));
}

std::string ErrorMessage(const JsonataError& e) {
  if (!e.message.empty()) return e.message;
  const std::string& c = e.code;
  std::string tok = e.token.empty() ? "" : " '" + e.token + "'";
  if (c == "T2001") return "The left side of the" + tok + " operator must evaluate to a number";
  if (c == "T2002") return "The right side of the" + tok + " operator must evaluate to a number";
  if (c == "T2003") return "The left side of the range operator (..) must evaluate to an integer";
  if (c == "T2004") return "The right side of the range operator (..) must evaluate to an integer";
  if (c == "T2009" || c == "T2010")
    return "The values either side of the" + tok +
           " operator must be of the same data type and be numbers or strings";
  if (c == "T1006") return "Attempted to invoke a non-function";
  if (c == "T1005") return "Attempted to invoke a non-function. Did you mean '$" + e.token + "'?";
  if (c == "D1001") return "Number out of range";
  if (c == "S0201") return "Syntax error:" + tok;
  if (c == "S0202" || c == "S0203") return "Expected" + tok + " before end of expression";
  if (c == "S0101") return "String literal must be terminated by a matching quote";
  return "JSONata error " + c;
}

}  // namespace tidepool::sfn::jsonata
