// DynamoDB's expression language: condition (ConditionExpression, FilterExpression,
// KeyConditionExpression), update (UpdateExpression) and projection (ProjectionExpression).
//
// A tokenizer and a recursive-descent parser turn the text into a tree; placeholders are
// resolved while parsing (`#n` to the name from ExpressionAttributeNames, `:v` to a pointer
// into ExpressionAttributeValues), and AWS's validation errors come back as
// ValidationException statuses with AWS's texts ("Invalid UpdateExpression: Syntax error;
// token: ...", undefined or unused placeholders, reserved words, overlapping paths).
//
//   condition := or
//   or        := and ("OR" and)*
//   and       := not ("AND" not)*
//   not       := "NOT" not | "(" condition ")" | predicate
//   predicate := operand comparator operand | operand "BETWEEN" operand "AND" operand
//              | operand "IN" "(" operand ("," operand)* ")" | function "(" operand,... ")"
//   operand   := path | ":value" | "size" "(" path ")" | "(" operand ")"
//   path      := name ("." name | "[" digits "]")*        name := identifier | "#name"
//   update    := ("SET" set ("," set)* | "REMOVE" path ("," path)* | "ADD" path operand,...
//                 | "DELETE" path operand,...)+
//   set       := path "=" value     value := term (("+" | "-") term)?
//   term      := operand | "if_not_exists" "(" path "," value ")"
//              | "list_append" "(" value "," value ")"
//   projection := path ("," path)*
//
// The trees hold pointers into the ExpressionAttributeValues object given to the
// ExpressionContext, which must outlive them. Parsing is pure; trees are immutable.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tidepool::dynamodb {

namespace json = boost::json;

struct PathElement {
  std::string name;    // an attribute or map key name (when index < 0)
  int32_t index = -1;  // a list index
  bool is_index() const { return index >= 0; }
  bool operator==(const PathElement&) const = default;
};
using DocumentPath = std::vector<PathElement>;
// "[a, b, [0]]", as AWS prints paths in messages.
std::string PathToString(const DocumentPath& path);

struct Operand {
  enum Kind : uint8_t { kPath, kValue, kSize, kIfNotExists, kListAppend, kPlus, kMinus };
  Kind kind = kPath;
  DocumentPath path;                   // kPath, kSize
  const json::value* value = nullptr;  // kValue: an ExpressionAttributeValues entry
  std::vector<Operand> args;           // functions and arithmetic
};

struct Condition {
  enum Kind : uint8_t {
    kOr,
    kAnd,
    kNot,
    kCompare,
    kBetween,
    kIn,
    kAttributeExists,
    kAttributeNotExists,
    kAttributeType,
    kBeginsWith,
    kContains,
  };
  enum Comparator : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
  Kind kind = kCompare;
  Comparator comparator = kEq;
  std::vector<Condition> children;  // kOr, kAnd, kNot
  std::vector<Operand> operands;    // predicates, in source order
};

struct UpdateAction {
  enum Kind : uint8_t { kSet, kRemove, kAdd, kDelete };
  Kind kind;
  DocumentPath path;
  Operand value;  // unused for kRemove
};

// Placeholder resolution for one request: every expression of the request parses with the
// same context, which then checks that every name and value was used.
class ExpressionContext {
 public:
  // Either may be null (the request has none).
  ExpressionContext(const json::object* names, const json::object* values)
      : names_(names), values_(values) {}

  // "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}" (names
  // first, then values).
  Status CheckAllUsed() const;

  // For the parser.
  Result<std::string> ResolveName(std::string_view placeholder);
  Result<const json::value*> ResolveValue(std::string_view placeholder);

 private:
  const json::object* names_;
  const json::object* values_;
  std::set<std::string, std::less<>> used_names_, used_values_;
};

// `what` names the expression in messages ("ConditionExpression", "FilterExpression",
// "KeyConditionExpression").
Result<Condition> ParseCondition(std::string_view text, std::string_view what,
                                 ExpressionContext& context);
Result<std::vector<UpdateAction>> ParseUpdate(std::string_view text, ExpressionContext& context);
Result<std::vector<DocumentPath>> ParseProjection(std::string_view text,
                                                  ExpressionContext& context);

// ---- Evaluation (expression_eval.cc) --------------------------------------------------------

// The value at `path` in `item`, or null when absent.
const json::value* ResolvePath(const json::object& item, const DocumentPath& path);
// Whether `item` (empty when the item does not exist) satisfies `condition`.
bool EvaluateCondition(const Condition& condition, const json::object& item);
// Applies `actions` to `item` in place (operands read the item as it was before); AWS's
// ValidationException texts for type errors and invalid paths.
Status ApplyUpdate(const std::vector<UpdateAction>& actions, json::object& item);
// The attributes of `item` that `paths` select, nested as in the item.
json::object Project(const json::object& item, const std::vector<DocumentPath>& paths);

}  // namespace tidepool::dynamodb
