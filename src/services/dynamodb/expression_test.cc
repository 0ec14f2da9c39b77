#include "services/dynamodb/expression.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "services/dynamodb/attribute_value.h"

namespace tidepool::dynamodb {
namespace {

json::object Obj(std::string_view text) { return json::parse(text).as_object(); }

std::string ConditionError(std::string_view text, const json::object& names,
                           const json::object& values) {
  ExpressionContext context(names.empty() ? nullptr : &names, values.empty() ? nullptr : &values);
  auto c = ParseCondition(text, "ConditionExpression", context);
  if (!c.ok()) return c.status().message();
  Status s = context.CheckAllUsed();
  return s.ok() ? "" : s.message();
}

bool Eval(std::string_view text, const json::object& item, const json::object& values,
          const json::object& names = {}) {
  ExpressionContext context(names.empty() ? nullptr : &names, values.empty() ? nullptr : &values);
  auto c = ParseCondition(text, "ConditionExpression", context);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() && EvaluateCondition(*c, item);
}

TEST(ExpressionTest, ConditionErrors) {
  json::object v = Obj(R"({":v":{"S":"x"}})");
  EXPECT_EQ(ConditionError("a = :v", {}, v), "");
  EXPECT_EQ(ConditionError("a = :w", {}, v),
            "Invalid ConditionExpression: An expression attribute value used in expression is "
            "not defined; attribute value: :w");
  EXPECT_EQ(ConditionError("#n = :v", {}, v),
            "Invalid ConditionExpression: An expression attribute name used in the document path "
            "is not defined; attribute name: #n");
  EXPECT_EQ(ConditionError("size = :v", {}, v),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "size");
  EXPECT_EQ(ConditionError("a = ", {}, v),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \"");
  EXPECT_EQ(ConditionError("foo(a)", {}, v),
            "Invalid ConditionExpression: Invalid function name; function: foo");
  EXPECT_EQ(ConditionError("a = :v", Obj(R"({"#u":"x"})"), v),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}");
  EXPECT_EQ(ConditionError("attribute_exists(a, b)", {}, {}),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: attribute_exists, number of operands: 2");
}

TEST(ExpressionTest, Evaluates) {
  json::object item = Obj(
      R"({"a":{"N":"10"},"s":{"S":"hello"},"l":{"L":[{"N":"1"},{"S":"x"}]},
          "m":{"M":{"k":{"SS":["p","q"]}}}})");
  json::object v = Obj(
      R"({":n":{"N":"10.0"},":lo":{"N":"5"},":hi":{"N":"20"},":he":{"S":"he"},":x":{"S":"x"},
          ":p":{"S":"p"},":t":{"S":"SS"},":two":{"N":"2"}})");
  EXPECT_TRUE(Eval("a = :n", item, v));
  EXPECT_TRUE(Eval("a BETWEEN :lo AND :hi", item, v));
  EXPECT_TRUE(Eval("begins_with(s, :he) AND contains(l, :x)", item, v));
  EXPECT_TRUE(Eval("contains(m.k, :p) AND attribute_type(m.k, :t)", item, v));
  EXPECT_TRUE(Eval("size(l) = :two AND NOT attribute_exists(zz)", item, v));
  EXPECT_TRUE(Eval("(a < :lo) OR (a IN (:lo, :n))", item, v));
  EXPECT_FALSE(Eval("l[1] = :p", item, v));
  EXPECT_TRUE(Eval("nothere <> :p", item, v));
}

TEST(ExpressionTest, UpdateAndProjection) {
  json::object item = Obj(R"({"n":{"N":"1"},"l":{"L":[{"N":"1"},{"N":"2"},{"N":"3"}]}})");
  json::object v = Obj(R"({":one":{"N":"1"},":l":{"L":[{"S":"z"}]},":s":{"NS":["5"]}})");
  ExpressionContext context(nullptr, &v);
  auto u = ParseUpdate("SET n = n + :one, l = list_append(l, :l) REMOVE l[0] ADD ns :s", context);
  // REMOVE l[0] overlaps SET l.
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().message(),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [l], path two: [l, [0]]");
  auto ok = ParseUpdate("SET n = n + :one, m2 = :l REMOVE l[0], l[2] ADD ns :s", context);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  ASSERT_TRUE(ApplyUpdate(*ok, item).ok());
  EXPECT_EQ(json::serialize(item),
            R"({"n":{"N":"2"},"l":{"L":[{"N":"2"}]},"m2":{"L":[{"S":"z"}]},"ns":{"NS":["5"]}})");
  auto p = ParseProjection("m2[0], n", context);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(json::serialize(Project(item, *p)), R"({"m2":{"L":[{"S":"z"}]},"n":{"N":"2"}})");
}

TEST(AttributeValueTest, ItemRoundTripAndValidation) {
  json::object item = Obj(
      R"({"s":{"S":"x"},"n":{"N":"1"},"b":{"B":"\u0000\u00ff"},"ss":{"SS":["a"]},
          "l":{"L":[{"NULL":true},{"BOOL":false}]},"m":{"M":{"x":{"NS":["1","2"]}}}})");
  ASSERT_TRUE(NormalizeItem(item).ok());
  auto back = DecodeItem(EncodeItem(item));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, item);
  json::value dup = json::parse(R"({"SS":["a","a"]})");
  EXPECT_EQ(NormalizeValue(dup).message(),
            "One or more parameter values were invalid: Input collection [a, a] contains "
            "duplicates.");
  json::value two = json::parse(R"({"S":"a","N":"1"})");
  EXPECT_EQ(NormalizeValue(two).message(),
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
            "the supported datatypes");
  EXPECT_FALSE(DecodeItem("\x05garbage").has_value());
}

}  // namespace
}  // namespace tidepool::dynamodb
