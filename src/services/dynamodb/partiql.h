// PartiQL for DynamoDB: the statements ExecuteStatement, BatchExecuteStatement and
// ExecuteTransaction accept, parsed and translated into DynamoDB's expression language, so
// that they run through the same operations as the JSON API (partiql_ops.cc).
//
// Grammar (keywords case-insensitive; identifiers plain or "double-quoted"):
//   statement := select | insert | update | delete | exists
//   select    := SELECT ( '*' | path (',' path)* ) FROM name ['.' name] [WHERE cond]
//                [ORDER BY name [ASC | DESC] (',' name [ASC | DESC])*]
//   exists    := EXISTS '(' select ')'          (ExecuteTransaction only: a condition check)
//   insert    := INSERT INTO name VALUE value
//   update    := UPDATE name ( SET assign (',' assign)* | REMOVE path (',' path)* )+
//                WHERE cond [returning]
//   delete    := DELETE FROM name WHERE cond [returning]
//   returning := RETURNING ( ALL | MODIFIED ) ( OLD | NEW ) '*'
//   assign    := path '=' ( operand [('+'|'-') operand]
//                         | (list_append | if_not_exists) '(' operand ',' operand ')'
//                         | (set_add | set_delete) '(' path ',' value ')' )
//   cond      := and (OR and)*          and := not (AND not)*       not := NOT not | predicate
//   predicate := '(' cond ')' | fn '(' operand (',' operand)* ')'
//              | operand ( cmp operand | BETWEEN operand AND operand | IN list
//                        | IS [NOT] (MISSING | NULL) )
//   fn        := begins_with | contains | attribute_type | attribute_exists
//              | attribute_not_exists;  cmp := = | <> | != | < | <= | > | >=
//   operand   := path | value | size '(' path ')'
//   value     := 'string' | number | TRUE | FALSE | NULL | '?' | '{' 'k' ':' value, ... '}'
//              | '[' value, ... ']' | '<<' value, ... '>>'
//   path      := name ( '.' name | '[' integer ']' )*
// '?' takes the next of the request's Parameters (AttributeValues). Comments ('--' to the end
// of the line, '/* ... */') count as white space. Errors are ValidationException statuses with
// AWS's texts where known.
//
// A SELECT of a nested path answers it under the path from its last name on, as AWS does:
// `SELECT a.b[0]` gives each item an attribute "b[0]" holding that element (ProjectItem).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tidepool::dynamodb {

namespace json = boost::json;

// One path of a SELECT list.
struct ProjectedPath {
  struct Step {
    std::string name;  // a map key or top-level attribute; empty for a list index
    size_t index = 0;  // the list index when `name` is empty
  };
  std::vector<Step> steps;  // the first is a name
  std::string key;          // the attribute it is answered under
};

struct PartiqlStatement {
  enum Kind : uint8_t { kSelect, kInsert, kUpdate, kDelete, kExists };
  Kind kind = kSelect;
  std::string table, index;  // index: SELECT ... FROM "table"."index"
  // ProjectionExpression; empty for '*'. With nested paths: their top-level attributes.
  std::string projection;
  // The SELECT list's paths when one of them is nested (else empty: items are answered as
  // the ProjectionExpression gives them).
  std::vector<ProjectedPath> nested_projection;
  // SELECT ... ORDER BY: the attributes in order, each true when DESC; empty when none.
  std::vector<std::pair<std::string, bool>> order_by;

  // WHERE's top-level AND terms, each as an expression-language condition.
  struct Term {
    std::string text;
    // When the term compares one top-level attribute with values only (a candidate key
    // condition): its name and comparator ("=", "<", "BETWEEN", "begins_with"...).
    std::string attribute, comparator;
    json::value equal_to;  // the value when comparator is "="
  };
  std::vector<Term> where;

  json::object item;      // INSERT: the item
  std::string update;     // UPDATE: UpdateExpression
  std::string returning;  // ReturnValues (ALL_OLD, ALL_NEW, UPDATED_OLD, UPDATED_NEW) or ""
  json::object names;     // ExpressionAttributeNames of every expression above
  json::object values;    // ExpressionAttributeValues of every expression above
};

// Parses `text` with `parameters` (AttributeValues, may be null) bound to its '?'s in order.
Result<PartiqlStatement> ParsePartiql(std::string_view text, const json::array* parameters);

// `item` as read with the statement's ProjectionExpression (the paths' top-level attributes),
// reshaped to AWS's SELECT answer: each path in `paths` under its key, absent paths left out.
json::object ProjectItem(const json::object& item, const std::vector<ProjectedPath>& paths);

// The expression joining `terms` with AND ("" when there are none).
std::string JoinTerms(const std::vector<const PartiqlStatement::Term*>& terms);

}  // namespace tidepool::dynamodb
