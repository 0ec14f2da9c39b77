// The syntax tree of a JSONata expression, after the post-parse pass that turns "." chains
// into paths of steps with their predicates, stages, focus/index bindings and parent slots.
// A tree is immutable once Parse() returns it and is shared by every function value created
// from it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "services/stepfunctions/jsonata/regex.h"
#include "services/stepfunctions/jsonata/value.h"

namespace tidepool::sfn::jsonata {

class Signature;
struct Node;
using NodePtr = std::unique_ptr<Node>;

// A "%" parent reference: the label names the tuple binding that carries the ancestor.
struct ParentSlot {
  std::string label;
  int level = 1;
  int index = 0;
};

struct Stage {
  enum class Kind : uint8_t { kFilter, kIndex } kind = Kind::kFilter;
  NodePtr expr;       // kFilter
  std::string value;  // kIndex: the variable name
  int position = 0;
};

struct SortTerm {
  bool descending = false;
  NodePtr expression;
};

struct GroupBy {
  std::vector<std::pair<NodePtr, NodePtr>> pairs;
  int position = 0;
};

struct Node {
  enum class Type : uint8_t {
    kPath,
    kBinary,
    kUnary,
    kName,
    kString,
    kNumber,
    kValue,  // true, false, null
    kWildcard,
    kDescendant,
    kParent,
    kCondition,
    kBlock,
    kBind,
    kRegex,
    kFunction,
    kVariable,
    kLambda,
    kPartial,
    kApply,
    kSort,
    kTransform,
    kOperator,  // a bare operator token ("?" placeholder, or "and"/"or"/"in" used as names)
    kEnd,
  };
  Type type = Type::kEnd;
  std::string value;  // operator, name, variable name, string literal
  double number = 0;
  Value literal;  // kValue
  int position = 0;

  NodePtr lhs, rhs;                                // binary, bind, apply
  NodePtr expression;                              // unary "-"
  std::vector<NodePtr> expressions;                // unary "[", block
  std::vector<std::pair<NodePtr, NodePtr>> pairs;  // unary "{", binary "{" (parse only)
  std::vector<NodePtr> steps;                      // path
  std::vector<NodePtr> arguments;                  // function, partial, lambda params
  NodePtr procedure, body;                         // function / lambda
  NodePtr condition, then, otherwise;              // condition
  NodePtr pattern, update, remove;                 // transform
  std::vector<SortTerm> terms;                     // sort (and binary "^" while parsing)
  std::vector<Stage> predicate, stages;
  std::unique_ptr<GroupBy> group;
  std::shared_ptr<Signature> signature;
  std::shared_ptr<Regex> regex;  // kRegex
  std::string regex_source;

  bool keep_array = false;
  bool keep_singleton_array = false;
  bool cons_array = false;
  bool tuple = false;
  bool thunk = false;
  bool has_focus = false, has_index = false;
  std::string focus, index;
  std::shared_ptr<ParentSlot> slot;      // kParent
  std::shared_ptr<ParentSlot> ancestor;  // a step that binds an ancestor
  std::vector<std::shared_ptr<ParentSlot>> seeking_parent;
  bool seeking_parent_set = false;
};

}  // namespace tidepool::sfn::jsonata
