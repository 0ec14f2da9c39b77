// libFuzzer target: DynamoDB expression parser and evaluator. The input is an expression; it
// is parsed as a condition, an update and a projection with a fixed set of placeholders, and
// every tree that parses is evaluated against (or applied to) a fixed item.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/dynamodb/attribute_value.h"
#include "services/dynamodb/expression.h"

using namespace tidepool::dynamodb;  // NOLINT(google-build-using-namespace): a fuzz driver

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const boost::json::object kNames =
      boost::json::parse(R"({"#a":"a","#b":"b","#l":"l"})").as_object();
  static const boost::json::object kValues =
      boost::json::parse(
          R"({":s":{"S":"x"},":n":{"N":"1.5"},":l":{"L":[{"N":"1"}]},":ss":{"SS":["p"]},
          ":b":{"B":"ab"},":t":{"S":"N"}})")
          .as_object();
  static const boost::json::object kItem =
      boost::json::parse(
          R"({"a":{"N":"2"},"b":{"S":"xyz"},"l":{"L":[{"N":"1"},{"M":{"k":{"SS":["p"]}}}]},
          "m":{"M":{"x":{"NS":["1","2"]}}}})")
          .as_object();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  {
    ExpressionContext context(&kNames, &kValues);
    auto c = ParseCondition(text, "ConditionExpression", context);
    if (c.ok()) (void)EvaluateCondition(*c, kItem);
    (void)context.CheckAllUsed();
  }
  {
    ExpressionContext context(&kNames, &kValues);
    auto u = ParseUpdate(text, context);
    if (u.ok()) {
      boost::json::object item = kItem;
      (void)ApplyUpdate(*u, item);
      (void)EncodeItem(item);
    }
  }
  {
    ExpressionContext context(&kNames, &kValues);
    auto p = ParseProjection(text, context);
    if (p.ok()) (void)Project(kItem, *p);
  }
  return 0;
}
