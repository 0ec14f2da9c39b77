// CloudWatch Logs filter patterns (FilterLogEvents' filterPattern), parsed once per call and
// matched against each event's message. Three forms, as AWS documents them
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):
//
//   pattern      := "" | unstructured | json | delimited
//   unstructured := term+                        every plain term, at least one `?` term (when
//   term         := ["?" | "-"] (word | "\"" phrase "\"" | "%" regex "%")   there is one), no
//                                                `-` term; substrings, case-sensitive
//   json         := "{" or "}"
//   or           := and ("||" and)*
//   and          := unary ("&&" unary)*
//   unary        := "(" or ")" | selector test
//   selector     := "$" ("." name | "[" digits "]")*
//   test         := ("=" | "!=" | "<" | ">" | "<=" | ">=") value
//                 | "IS" ("NULL" | "TRUE" | "FALSE") | "NOT" "EXISTS" | "EXISTS"
//   value        := number | "\"" text "\"" | "%" regex "%" | word    (`*` in text: any run)
//   delimited    := "[" field ("," field)* "]"
//   field        := "..." | name [op value (("&&" | "||") name op value)*]
//
// A delimited pattern splits the message at spaces; "..." and [...] spans are one field each
// (quotes and brackets stripped). One run of "..." may stand anywhere; named fields bind to the
// fields before it from the left and after it from the right.
//
// Thread-safety: a parsed FilterPattern is immutable; Matches may run on many threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tidepool::logs {

class FilterPattern {
 public:
  struct Node;  // the parsed form (filter_pattern.cc)

  // InvalidArgument with a reason for a pattern AWS would refuse (or one not built here).
  static Result<FilterPattern> Parse(std::string_view text);

  bool Matches(std::string_view message) const;
  bool MatchesEverything() const { return root_ == nullptr; }

 private:
  std::shared_ptr<const Node> root_;  // null: the empty pattern
};

}  // namespace tidepool::logs
