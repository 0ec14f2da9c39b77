// JSONPath as the Amazon States Language uses it (InputPath, OutputPath, ResultPath,
// Parameters' "x.$" fields, Choice variables, ItemsPath...).
//
// Supported: "$" root, ".name" and "['name']" fields, "[n]" indexes (negative from the end),
// "[*]" and ".*" wildcards, "[a:b]" slices, "..name" deep scan, "[a,b]" unions of indexes.
// A path is *definite* when it has none of wildcard, slice, deep scan or union: it then
// selects at most one value; otherwise its result is the array of every match.
// Thread-safe (immutable after Parse).
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace tidepool::sfn::asl {

// A variable reference "$name.rest" / "$name[0]" (JSONPath states read Assign's variables so):
// the name and the path "$.rest" / "$[0]" into the variable's value. nullopt for "$", "$.x",
// "$[..]" and "$$...".
std::optional<std::pair<std::string, std::string>> SplitVariablePath(std::string_view path);

class JsonPath {
 public:
  struct Step {
    enum class Kind : uint8_t { kField, kIndex, kWildcard, kSlice, kDeep, kUnion };
    Kind kind;
    std::string name;              // kField, kDeep
    int64_t index = 0;             // kIndex
    std::optional<int64_t> start;  // kSlice
    std::optional<int64_t> end;    // kSlice
    std::vector<int64_t> indexes;  // kUnion
  };

  // `text` must start with "$". InvalidArgument with a reason otherwise.
  static Result<JsonPath> Parse(std::string_view text);

  const std::string& text() const { return text_; }
  bool definite() const { return definite_; }
  // Only fields and indexes: what ResultPath accepts.
  bool IsReferencePath() const;

  // The value the path selects in `root`: for a definite path the one value, nullopt when
  // absent; for an indefinite path an array of the matches (possibly empty).
  std::optional<boost::json::value> Evaluate(const boost::json::value& root) const;

  // Puts `value` at this (reference) path inside `root`, creating missing objects on the way.
  // "$" replaces root. False when the path crosses a value that is not an object (or an
  // array, for an index step) or the index is out of range.
  bool Assign(boost::json::value& root, boost::json::value value) const;

 private:
  std::string text_;
  std::vector<Step> steps_;
  bool definite_ = true;
};

}  // namespace tidepool::sfn::asl
