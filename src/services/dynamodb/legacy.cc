#include "services/dynamodb/legacy.h"

#include <fmt/format.h>

#include "services/dynamodb/attribute_value.h"
#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/input.h"

namespace tidepool::dynamodb {
namespace {

Operand PathOperand(std::string_view name) {
  Operand o;
  o.kind = Operand::kPath;
  o.path.push_back(PathElement{std::string(name), -1});
  return o;
}

Operand ValueOperand(const json::value& v) {
  Operand o;
  o.kind = Operand::kValue;
  o.value = &v;
  return o;
}

Condition Compare(std::string_view name, Condition::Comparator cmp, const json::value& v) {
  Condition c;
  c.kind = Condition::kCompare;
  c.comparator = cmp;
  c.operands.push_back(PathOperand(name));
  c.operands.push_back(ValueOperand(v));
  return c;
}

Condition Not(Condition inner) {
  Condition c;
  c.kind = Condition::kNot;
  c.children.push_back(std::move(inner));
  return c;
}

Status WrongCount(std::string_view op) {
  return Invalid(fmt::format(
      "One or more parameter values were invalid: Invalid number of argument(s) for the {} "
      "ComparisonOperator",
      op));
}

// One attribute's condition: {ComparisonOperator, AttributeValueList} or {Value, Exists}.
Result<Condition> AttributeCondition(std::string_view name, json::object& spec) {
  json::value* list_value = spec.if_contains("AttributeValueList");
  json::value* value = spec.if_contains("Value");
  auto op = InputStringView(spec, "ComparisonOperator");
  auto exists = InputBool(spec, "Exists");
  if (list_value) {
    for (auto& v : list_value->get_array()) {
      if (Status s = NormalizeValue(v); !s.ok()) return s;
    }
  }
  if (value) {
    if (Status s = NormalizeValue(*value); !s.ok()) return s;
  }
  if (!op) {
    if (list_value) {
      return Invalid(
          "One or more parameter values were invalid: AttributeValueList can only be used with a "
          "ComparisonOperator for Attribute: " +
          std::string(name));
    }
    if (exists.value_or(true)) {
      if (!value) {
        return Invalid(fmt::format(
            "One or more parameter values were invalid: Value must be provided when Exists is {} "
            "for Attribute: {}",
            exists ? "true" : "null", name));
      }
      return Compare(name, Condition::kEq, *value);
    }
    if (value) {
      return Invalid(
          "One or more parameter values were invalid: Value cannot be used when Exists is false "
          "for Attribute: " +
          std::string(name));
    }
    Condition c;
    c.kind = Condition::kAttributeNotExists;
    c.operands.push_back(PathOperand(name));
    return c;
  }
  if (exists) {
    return Invalid(
        "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used "
        "together for Attribute: " +
        std::string(name));
  }
  std::vector<const json::value*> args;
  if (list_value && value) {
    return Invalid(
        "One or more parameter values were invalid: Value and AttributeValueList cannot be used "
        "together for Attribute: " +
        std::string(name));
  }
  if (list_value) {
    for (const auto& v : list_value->get_array()) args.push_back(&v);
  } else if (value) {
    args.push_back(value);
  }
  const std::string_view o = *op;
  auto need = [&](size_t n) { return args.size() == n ? Status::Ok() : WrongCount(o); };
  static constexpr std::pair<std::string_view, Condition::Comparator> kComparators[] = {
      {"EQ", Condition::kEq}, {"NE", Condition::kNe}, {"LT", Condition::kLt},
      {"LE", Condition::kLe}, {"GT", Condition::kGt}, {"GE", Condition::kGe}};
  for (const auto& [text, cmp] : kComparators) {
    if (o == text) {
      if (Status s = need(1); !s.ok()) return s;
      return Compare(name, cmp, *args[0]);
    }
  }
  Condition c;
  c.operands.push_back(PathOperand(name));
  if (o == "NULL" || o == "NOT_NULL") {
    if (Status s = need(0); !s.ok()) return s;
    c.kind = o == "NULL" ? Condition::kAttributeNotExists : Condition::kAttributeExists;
    return c;
  }
  if (o == "CONTAINS" || o == "NOT_CONTAINS" || o == "BEGINS_WITH") {
    if (Status s = need(1); !s.ok()) return s;
    c.kind = o == "BEGINS_WITH" ? Condition::kBeginsWith : Condition::kContains;
    c.operands.push_back(ValueOperand(*args[0]));
    return o == "NOT_CONTAINS" ? Not(std::move(c)) : c;
  }
  if (o == "BETWEEN") {
    if (Status s = need(2); !s.ok()) return s;
    c.kind = Condition::kBetween;
    c.operands.push_back(ValueOperand(*args[0]));
    c.operands.push_back(ValueOperand(*args[1]));
    return c;
  }
  if (o == "IN") {
    if (args.empty()) return WrongCount(o);
    c.kind = Condition::kIn;
    for (const json::value* v : args) c.operands.push_back(ValueOperand(*v));
    return c;
  }
  return Invalid("Unsupported ComparisonOperator: " + std::string(o));
}

}  // namespace

Result<std::optional<Condition>> LegacyCondition(json::object& in, std::string_view member,
                                                 std::string_view expression) {
  json::value* conditions = in.if_contains(member);
  if (!conditions || !conditions->is_object()) return std::optional<Condition>();
  if (in.contains(expression)) {
    return Invalid(fmt::format(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
        member, expression));
  }
  const bool any = InputStringView(in, "ConditionalOperator") == "OR";
  std::optional<Condition> combined;
  for (auto& kv : conditions->get_object()) {
    if (!kv.value().is_object()) continue;
    TP_ASSIGN_OR_RETURN(Condition c, AttributeCondition(kv.key(), kv.value().get_object()));
    if (!combined) {
      combined = std::move(c);
      continue;
    }
    Condition both;
    both.kind = any ? Condition::kOr : Condition::kAnd;
    both.children.push_back(std::move(*combined));
    both.children.push_back(std::move(c));
    combined = std::move(both);
  }
  return combined;
}

Result<std::vector<UpdateAction>> LegacyUpdate(json::object& in) {
  std::vector<UpdateAction> actions;
  json::value* updates = in.if_contains("AttributeUpdates");
  if (!updates || !updates->is_object()) return actions;
  if (in.contains("UpdateExpression")) {
    return Invalid(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributeUpdates} Expression parameters: "
        "{UpdateExpression}");
  }
  for (auto& kv : updates->get_object()) {
    if (!kv.value().is_object()) continue;
    json::object& spec = kv.value().get_object();
    json::value* value = spec.if_contains("Value");
    if (value) {
      if (Status s = NormalizeValue(*value); !s.ok()) return s;
    }
    const std::string_view action = InputStringView(spec, "Action").value_or("PUT");
    UpdateAction a{UpdateAction::kSet, {PathElement{std::string(kv.key()), -1}}, {}};
    if (action == "PUT") {
      if (!value) {
        return Invalid(
            "One or more parameter values were invalid: Only DELETE action is allowed when no "
            "attribute value is specified");
      }
      a.value = ValueOperand(*value);
    } else if (action == "DELETE") {
      a.kind = value ? UpdateAction::kDelete : UpdateAction::kRemove;
      if (value) a.value = ValueOperand(*value);
    } else {
      if (!value) {
        return Invalid(
            "One or more parameter values were invalid: Only DELETE action is allowed when no "
            "attribute value is specified");
      }
      a.kind = UpdateAction::kAdd;
      a.value = ValueOperand(*value);
    }
    actions.push_back(std::move(a));
  }
  return actions;
}

}  // namespace tidepool::dynamodb
