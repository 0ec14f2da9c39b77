// The JSONata API as the States Language uses it: bindings, limits that turn runaway
// expressions into errors, and $eval switched off.
#include "services/stepfunctions/jsonata/jsonata.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tidepool::sfn::jsonata {
namespace {

namespace json = boost::json;

Outcome Evaluate(std::string_view text, const json::value& input, EvaluateOptions options = {}) {
  JsonataError err;
  auto expr = Expression::Compile(text, &err);
  if (!expr) {
    Outcome o;
    o.ok = false;
    o.error = err;
    return o;
  }
  return expr->Evaluate(&input, options);
}

TEST(JsonataTest, BindingsAndPaths) {
  EvaluateOptions options;
  options.bindings.emplace_back("x", json::value(2));
  auto out = Evaluate("$x + a.b[1]", json::parse(R"({"a":{"b":[10,20]}})"), options);
  ASSERT_TRUE(out.ok) << out.error.code;
  EXPECT_EQ(*out.value, json::value(22));
  out = Evaluate("nothing", json::parse("{}"));
  ASSERT_TRUE(out.ok);
  EXPECT_FALSE(out.value.has_value());  // undefined
}

TEST(JsonataTest, DeepRecursionIsAnErrorNotACrash) {
  auto out = Evaluate("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000000))",
                      json::parse("{}"));
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.error.code, "U1001");
  // A tail call runs in constant stack.
  out = Evaluate("($f := function($n, $acc){ $n = 0 ? $acc : $f($n - 1, $acc + 1) }; $f(20000, 0))",
                 json::parse("{}"));
  ASSERT_TRUE(out.ok) << out.error.code;
  EXPECT_EQ(*out.value, json::value(20000));
}

TEST(JsonataTest, RegexesOnLongStringsAndRunawayPatternsAreSafe) {
  // std::regex overflowed the stack on `.+` over 100 kB; the state's payload may be 256 kB.
  json::object input{{"s", std::string(300000, 'a') + "b"}};
  auto out = Evaluate("$match(s, /a+b/)[0].index", input);
  ASSERT_TRUE(out.ok) << out.error.code << " " << out.error.message;
  EXPECT_EQ(*out.value, json::value(0));
  out = Evaluate("$length($replace(s, /[ac]+/, 'x'))", input);
  ASSERT_TRUE(out.ok) << out.error.code << " " << out.error.message;
  EXPECT_EQ(*out.value, json::value(2));
  // Catastrophic backtracking ends in an error instead of spinning.
  out = Evaluate("$contains(s, /(a*)*c/)", json::object{{"s", std::string(5000, 'a')}});
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.error.code, "D1012");
  // JavaScript's defaults: '.' stops at a newline, '^' only at the start unless /m.
  out = Evaluate(R"([$contains("a\nb", /a.b/), $count($match("x\nx", /^x/)),
                     $count($match("x\nx", /^x/m)), $replace("ab ab", /\bab/, "c")])",
                 json::parse("{}"));
  ASSERT_TRUE(out.ok) << out.error.code;
  EXPECT_EQ(*out.value, json::parse(R"([false, 1, 2, "c c"])"));
  // A backreference too large to represent is a syntax error, not undefined behaviour.
  out = Evaluate(R"($match("a", /\55555555555555555555/))", json::parse("{}"));
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.error.code, "S0302");
}

TEST(JsonataTest, HugeNumbersAsIndexesAndWidthsAreHandled) {
  auto out = Evaluate("[1,2,3][77777777777777777777777]", json::parse("{}"));
  ASSERT_TRUE(out.ok) << out.error.code;
  EXPECT_FALSE(out.value.has_value());
  out = Evaluate("[1,2,3][-1e300]", json::parse("{}"));
  ASSERT_TRUE(out.ok) << out.error.code;
  EXPECT_FALSE(out.value.has_value());
  out = Evaluate("$substring('hello', 1e300, 1e300)", json::parse("{}"));
  ASSERT_TRUE(out.ok) << out.error.code;
  EXPECT_EQ(*out.value, json::value(""));
  out = Evaluate("$pad('x', 1e15)", json::parse("{}"));
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.error.code, "D3010");
  out = Evaluate("$formatBase(1e300, 2)", json::parse("{}"));
  ASSERT_TRUE(out.ok) << out.error.code;
  out = Evaluate("$round(1.5, 1e10)", json::parse("{}"));
  ASSERT_TRUE(out.ok) << out.error.code;
  // Grouping an empty tuple stream.
  out = Evaluate("a#$i.b{'k': $i}", json::parse("{}"));
  ASSERT_TRUE(out.ok) << out.error.code;
}

TEST(JsonataTest, TransformThatNestsTheMatchMakesNoCycle) {
  auto out = Evaluate(R"($ ~> |$|{"me": $}|)", json::parse(R"({"a":1})"));
  ASSERT_TRUE(out.ok) << out.error.code;
  EXPECT_EQ(*out.value, json::parse(R"({"a":1,"me":{"a":1}})"));
}

TEST(JsonataTest, EvalCanBeSwitchedOff) {
  EvaluateOptions options;
  options.allow_eval = false;
  auto out = Evaluate("$eval('1 + 1')", json::parse("{}"), options);
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.error.code, "D3120");
  out = Evaluate("$eval('1 + 1')", json::parse("{}"));
  ASSERT_TRUE(out.ok);
  EXPECT_EQ(*out.value, json::value(2));
}

TEST(JsonataTest, SyntaxErrorsHaveCodes) {
  JsonataError err;
  EXPECT_FALSE(Expression::Compile("a.[", &err).has_value());
  EXPECT_FALSE(err.code.empty());
  EXPECT_EQ(err.code[0], 'S');
  EXPECT_FALSE(Expression::Compile("\"open", &err).has_value());
  EXPECT_EQ(err.code, "S0101");
}

}  // namespace
}  // namespace tidepool::sfn::jsonata
