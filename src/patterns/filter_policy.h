// SNS subscription filter policies: parsing with AWS's validation, compiled into a matcher.
//
// The language (https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html):
//   policy    := { key: rules | nested, ..., "$or": [policy, ...] }
//   nested    := policy                      (FilterPolicyScope=MessageBody only; the key
//                                             path is joined with '.')
//   rules     := [ rule, ... ]               (at least one; a key matches if any rule does)
//   rule      := "string" | number | true | false | null      exact match
//              | {"prefix": "s"} | {"suffix": "s"} | {"equals-ignore-case": "s"}
//              | {"anything-but": value | [value, ...] | {"prefix": "s"} | {"suffix": "s"}}
//              | {"numeric": [op, n] | [">"|">=", n, "<"|"<=", m]}    op in = < <= > >=
//              | {"exists": true | false}
//              | {"cidr": "10.0.0.0/24"}                              IPv4 or IPv6
//              | {"wildcard": "a*b"}              ('*' any run of characters; kEventPattern)
// A message matches when, for one branch of the $or expansion, every key matches. Keys
// absent from the message match only {"exists": false}. Limits: at most 5 top-level keys,
// at most 150 value combinations (AWS's formula), no empty arrays.
//
// Values a message offers (FilterInput):
//   MessageAttributes scope: String attributes give a string, Number attributes a number,
//   String.Array attributes every element of their JSON array; Binary attributes are ignored.
//   MessageBody scope: the body must be a JSON object; every leaf gives a value under its
//   dotted path, array elements each give one.
//   EventPattern scope (Lambda event filtering): any JSON object (FromJson), nested as the
//   body; no limit on keys, at most 1,000 value combinations, and {"wildcard": ...} rules.
// Strings match string rules only, numbers numeric and number rules only.
//
// Thread-safety: a FilterPolicy and a FilterInput are immutable after construction and may
// be shared between threads.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/result.h"

namespace tidepool::patterns {

enum class FilterScope : uint8_t { kMessageAttributes, kMessageBody, kEventPattern };

// One value a message offers for a key.
struct FilterValue {
  enum class Kind : uint8_t { kString, kNumber, kBool, kNull };
  Kind kind = Kind::kString;
  std::string text;      // kString
  double number = 0;     // kNumber
  bool boolean = false;  // kBool
};

// The values of a message, built once per published message and matched against every
// subscription's policy.
class FilterInput {
 public:
  struct Attribute {
    std::string_view name;
    std::string_view data_type;  // "String", "Number", "String.Array", "Binary", "String.x"...
    std::string_view value;      // the StringValue (ignored for Binary types)
  };
  static FilterInput FromAttributes(const std::vector<Attribute>& attributes);
  // A body that is not a JSON object gives an input that no non-empty policy matches.
  static FilterInput FromBody(std::string_view body);
  // The leaves of `root` (an object; anything else gives an unusable input), as FromBody.
  static FilterInput FromJson(const boost::json::value& root);

  // The values under `key`, or nullptr when the message has no such key.
  const std::vector<FilterValue>* Find(std::string_view key) const;
  // False for a MessageBody input whose body is not a JSON object.
  bool usable() const { return usable_; }

 private:
  void Add(std::string_view key, FilterValue value);
  void Seal();  // sorts keys_ for Find

  struct Entry {
    std::string key;
    std::vector<FilterValue> values;
  };
  std::vector<Entry> keys_;  // sorted by key after Seal()
  bool usable_ = true;
};

class FilterPolicy {
 public:
  // Parses and validates `json`. On failure the Status is InvalidArgument with AWS's reason
  // text, e.g. "FilterPolicy: Filter policy can not have more than 5 keys"; the caller puts
  // "Invalid parameter: " (SetSubscriptionAttributes) or "Invalid parameter: Attributes
  // Reason: " (Subscribe) in front. An empty object gives a policy that matches everything.
  static Result<std::shared_ptr<const FilterPolicy>> Parse(std::string_view json,
                                                           FilterScope scope);

  FilterScope scope() const { return scope_; }
  bool Matches(const FilterInput& input) const;

  // Compiled form (public for the parser's helpers; treat as private).
  struct Condition {
    enum class Op : uint8_t {
      kExactString,
      kExactNumber,
      kExactBool,
      kExactNull,
      kPrefix,
      kSuffix,
      kEqualsIgnoreCase,
      kAnythingBut,  // none of `strings` / `numbers` / bools / null
      kAnythingButPrefix,
      kAnythingButSuffix,
      kNumeric,
      kExists,
      kCidr,
      kWildcard,
    };
    Op op = Op::kExactString;
    std::string text;  // exact / prefix / suffix text; lower-cased for equals-ignore-case
    double number = 0;
    bool flag = false;  // kExactBool value; kExists value
    std::vector<std::string> strings;
    std::vector<double> numbers;
    uint8_t anything_but_other = 0;  // bit 0: true, bit 1: false, bit 2: null excluded
    // kNumeric: lower/upper bounds (has_*, *_inclusive).
    bool has_lower = false, lower_inclusive = false, has_upper = false, upper_inclusive = false;
    double lower = 0, upper = 0;
    // kCidr: network address (16 bytes, IPv4 mapped to ::ffff:a.b.c.d) and prefix bits.
    std::array<uint8_t, 16> network{};
    int prefix_bits = 0;
    bool ipv4 = false;
  };
  struct KeyRule {
    std::string path;
    std::vector<Condition> conditions;
  };
  using Branch = std::vector<KeyRule>;  // every rule must match

  explicit FilterPolicy(FilterScope scope, std::vector<Branch> branches)
      : scope_(scope), branches_(std::move(branches)) {}

 private:
  FilterScope scope_;
  std::vector<Branch> branches_;  // any branch may match; empty = match all
};

}  // namespace tidepool::patterns
