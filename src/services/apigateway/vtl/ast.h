// The parsed form of a VTL template (template.h): nodes of text, references and directives,
// and the expressions they hold. Internal to vtl/.
#pragma once

#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <vector>

namespace tidepool::apigateway::vtl {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;
struct Node;

// One step after a reference's root: .name, .name(args) or [index].
struct Accessor {
  enum class Kind { kProperty, kMethod, kIndex };
  Kind kind;
  std::string name;
  std::vector<ExprPtr> args;  // kMethod: the arguments; kIndex: the one index expression
};

struct Reference {
  std::string root;  // without '$'
  bool quiet = false;
  std::vector<Accessor> chain;
  std::string source;  // the reference as written, rendered when its value is undefined
};

struct Expr {
  enum class Kind {
    kLiteral,       // literal
    kInterpolated,  // parts: a double-quoted string with references
    kReference,     // ref
    kList,          // children
    kMap,           // children: key, value, key, value...
    kRange,         // children: from, to
    kUnary,         // op, children[0]
    kBinary,        // op, children[0], children[1]
  };
  Kind kind;
  boost::json::value literal;
  std::vector<Node> parts;
  Reference ref;
  std::string op;
  std::vector<ExprPtr> children;
};

struct Node {
  enum class Kind { kText, kReference, kSet, kIf, kForeach };
  Kind kind;
  std::string text;  // kText
  Reference ref;     // kReference; kSet: the variable set; kForeach: the loop variable
  ExprPtr expr;      // kSet: the value; kForeach: the collection
  // kIf: conditions[i] guards bodies[i]; a trailing body without a condition is #else.
  std::vector<ExprPtr> conditions;
  std::vector<std::vector<Node>> bodies;  // kForeach: bodies[0]
};

}  // namespace tidepool::apigateway::vtl
