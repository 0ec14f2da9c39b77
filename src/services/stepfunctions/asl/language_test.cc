// JSONPath, intrinsic functions, choice helpers and definition validation.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "services/stepfunctions/asl/choice.h"
#include "services/stepfunctions/asl/definition.h"
#include "services/stepfunctions/asl/intrinsics.h"
#include "services/stepfunctions/asl/json_path.h"

namespace tidepool::sfn::asl {
namespace {

namespace json = boost::json;

json::value Eval(std::string_view path, std::string_view doc) {
  auto p = JsonPath::Parse(path);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) return nullptr;
  return p->Evaluate(json::parse(doc)).value_or(json::string("<none>"));
}

TEST(JsonPathTest, Selects) {
  const char* doc = R"({"a":{"b":[1,2,3],"c d":"x"},"l":[{"n":1},{"n":2}],"e":null})";
  EXPECT_EQ(Eval("$", doc), json::parse(doc));
  EXPECT_EQ(Eval("$.a.b[1]", doc), 2);
  EXPECT_EQ(Eval("$.a.b[-1]", doc), 3);
  EXPECT_EQ(Eval("$['a']['c d']", doc), "x");
  EXPECT_EQ(Eval("$.l[*].n", doc), json::parse("[1,2]"));
  EXPECT_EQ(Eval("$.a.b[0:2]", doc), json::parse("[1,2]"));
  EXPECT_EQ(Eval("$..n", doc), json::parse("[1,2]"));
  EXPECT_EQ(Eval("$.a.b[0,2]", doc), json::parse("[1,3]"));
  EXPECT_EQ(Eval("$.e", doc), nullptr);
  EXPECT_EQ(Eval("$.missing", doc), "<none>");
  EXPECT_FALSE(JsonPath::Parse("a.b").ok());
  EXPECT_FALSE(JsonPath::Parse("$.a[").ok());
}

TEST(JsonPathTest, AssignCreatesObjects) {
  auto p = JsonPath::Parse("$.x.y");
  ASSERT_TRUE(p.ok());
  json::value v = json::parse(R"({"a":1})");
  EXPECT_TRUE(p->Assign(v, 5));
  EXPECT_EQ(v, json::parse(R"({"a":1,"x":{"y":5}})"));
  json::value s = "str";
  EXPECT_FALSE(p->Assign(s, 5));
  EXPECT_FALSE(JsonPath::Parse("$.a[*]")->IsReferencePath());
}

json::value Call(std::string_view expr, std::string_view input = "{}") {
  StatesError err;
  auto v = EvaluateIntrinsic(expr, json::parse(input),
                             json::object{{"Execution", json::object{{"Name", "n"}}}}, &err);
  if (!v) return json::string("ERR " + err.error + ": " + err.cause);
  return *v;
}

TEST(IntrinsicsTest, EveryFunction) {
  EXPECT_EQ(Call("States.Format('Hello, {} {}!', $.a, 3)", R"({"a":"w"})"), "Hello, w 3!");
  EXPECT_EQ(Call(R"(States.Format('a\{\}b {}', 'x'))"), "a{}b x");
  EXPECT_EQ(Call("States.StringToJson($.s)", R"({"s":"{\"k\":[1]}"})"),
            json::parse(R"({"k":[1]})"));
  EXPECT_EQ(Call("States.JsonToString($.o)", R"({"o":{"k":1}})"), R"({"k":1})");
  EXPECT_EQ(Call("States.Array(1, 'two', $.x, null)", R"({"x":true})"),
            json::parse(R"([1,"two",true,null])"));
  EXPECT_EQ(Call("States.ArrayPartition($.a, 2)", R"({"a":[1,2,3,4,5]})"),
            json::parse("[[1,2],[3,4],[5]]"));
  EXPECT_EQ(Call("States.ArrayContains($.a, 3)", R"({"a":[1,2,3]})"), true);
  EXPECT_EQ(Call("States.ArrayRange(1, 9, 2)"), json::parse("[1,3,5,7,9]"));
  EXPECT_EQ(Call("States.ArrayGetItem($.a, 1)", R"({"a":[1,2,3]})"), 2);
  EXPECT_EQ(Call("States.ArrayLength($.a)", R"({"a":[1,2,3]})"), 3);
  EXPECT_EQ(Call("States.ArrayUnique($.a)", R"({"a":[1,2,1,"x","x"]})"),
            json::parse(R"([1,2,"x"])"));
  EXPECT_EQ(Call("States.Base64Encode('Data to encode')"), "RGF0YSB0byBlbmNvZGU=");
  EXPECT_EQ(Call("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')"), "Data to encode");
  EXPECT_EQ(Call("States.Hash('input data', 'SHA-1')"), "aaff4a450a104cd177d28d18d74485e8cae074b7");
  EXPECT_EQ(Call("States.JsonMerge($.a, $.b, false)", R"({"a":{"x":1,"y":1},"b":{"y":2}})"),
            json::parse(R"({"x":1,"y":2})"));
  auto r = Call("States.MathRandom(1, 10)");
  ASSERT_TRUE(r.is_int64());
  EXPECT_GE(r.as_int64(), 1);
  EXPECT_LT(r.as_int64(), 10);
  EXPECT_EQ(Call("States.MathRandom(1, 1000, 7)"), Call("States.MathRandom(1, 1000, 7)"));
  EXPECT_EQ(Call("States.MathAdd($.n, -1)", R"({"n":111})"), 110);
  EXPECT_EQ(Call("States.StringSplit('1,2,3', ',')"), json::parse(R"(["1","2","3"])"));
  EXPECT_EQ(Call("States.StringSplit('This.is+a,test=string', '.+,=')"),
            json::parse(R"(["This","is","a","test","string"])"));
  EXPECT_EQ(Call("States.UUID()").as_string().size(), 36u);
  EXPECT_EQ(Call("States.Format('{}', $$.Execution.Name)"), "n");
  EXPECT_EQ(Call("States.ArrayLength(States.Array(1, 2))"), 2);
}

TEST(IntrinsicsTest, Errors) {
  EXPECT_TRUE(Call("States.ArrayGetItem($.a, 5)", R"({"a":[1]})")
                  .as_string()
                  .starts_with("ERR States.IntrinsicFailure"));
  EXPECT_TRUE(
      Call("States.Format('{} {}', 1)").as_string().starts_with("ERR States.IntrinsicFailure"));
  EXPECT_TRUE(
      Call("States.ArrayRange(1, 5000, 1)").as_string().starts_with("ERR States.IntrinsicFailure"));
  EXPECT_TRUE(Call("States.Array($.nope)").as_string().starts_with("ERR States.Runtime"));
  EXPECT_FALSE(ValidateIntrinsic("States.Nope(1)").ok());
  EXPECT_FALSE(ValidateIntrinsic("States.Array(1").ok());
  EXPECT_TRUE(ValidateIntrinsic("States.Array(1, States.UUID())").ok());
}

TEST(ChoiceTest, Timestamps) {
  auto t = ParseTimestamp("2016-03-14T01:59:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, 1457920740LL * 1'000'000);
  EXPECT_EQ(ParseTimestamp("2016-03-14T02:59:00.5+01:00"), *t + 500'000);
  EXPECT_FALSE(ParseTimestamp("2016-03-14"));
  EXPECT_FALSE(ParseTimestamp("2016-02-30T00:00:00Z"));
  EXPECT_EQ(FormatTimestamp(*t + 123'000), "2016-03-14T01:59:00.123Z");
}

std::string Diagnose(std::string_view text) {
  std::vector<Diagnostic> diags;
  auto def = Definition::Parse(text, &diags);
  return def ? "OK" : InvalidDefinitionMessage(diags);
}

TEST(DefinitionTest, Diagnostics) {
  EXPECT_EQ(Diagnose(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})"), "OK");
  EXPECT_EQ(Diagnose("{"),
            "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: "
            "Invalid JSON: incomplete JSON at /'");
  EXPECT_EQ(Diagnose(R"({"StartAt":"pass1","States":{
      "pass1":{"Type":"Pass","Next":"pass3"},"pass2":{"Type":"Pass","End":true}}})"),
            "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: "
            "pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State \"pass2\" is not "
            "reachable. at /States/pass2'");
  EXPECT_EQ(Diagnose(R"({"States":{"A":{"Type":"Pass","End":true}}})"),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are "
            "required: [StartAt] at /'");
  EXPECT_NE(Diagnose(R"({"StartAt":"A","States":{"A":{"Type":"Nope","End":true}}})"), "OK");
  EXPECT_NE(Diagnose(R"({"StartAt":"A","States":{"A":{"Type":"Pass"}}})"), "OK");
  EXPECT_NE(Diagnose(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Foo":1}}})"), "OK");
  EXPECT_NE(Diagnose(R"({"StartAt":"A","States":{"A":{"Type":"Task","End":true}}})"), "OK");
  EXPECT_NE(Diagnose(R"({"StartAt":"A","States":{"A":{"Type":"Wait","End":true}}})"), "OK");
  EXPECT_NE(Diagnose(R"JSON({"StartAt":"A","States":{"A":{"Type":"Pass","End":true,
      "Parameters":{"x.$":"States.Bogus()"}}}})JSON"),
            "OK");
  EXPECT_NE(Diagnose(R"({"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[
      {"Variable":"$.x","NumericEquals":"1","Next":"A"}]}}})"),
            "OK");
  EXPECT_EQ(
      Diagnose(
          R"({"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})"),
      "OK");
  EXPECT_NE(
      Diagnose(
          R"({"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$","End":true}}})"),
      "OK");
  EXPECT_NE(
      Diagnose(
          R"({"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% ( %}","End":true}}})"),
      "OK");
  EXPECT_NE(
      Diagnose(
          R"({"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
      "End":true,"Retry":[{"ErrorEquals":["States.ALL","X"]}]}}})"),
      "OK");
  // State names are unique across nested scopes.
  EXPECT_NE(Diagnose(R"({"StartAt":"A","States":{"A":{"Type":"Parallel","End":true,"Branches":[
      {"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}]}}})"),
            "OK");
}

}  // namespace
}  // namespace tidepool::sfn::asl
