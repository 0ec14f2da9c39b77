#include "patterns/filter_policy.h"
#include "patterns/wildcard.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cstring>

namespace tidepool::patterns {
namespace json = boost::json;
using Condition = FilterPolicy::Condition;
using Op = FilterPolicy::Condition::Op;

namespace {

constexpr size_t kMaxKeys = 5;
constexpr int64_t kMaxCombinations = 150;
// Lambda event filtering documents no such limit; this one bounds the expansion.
constexpr int64_t kMaxEventCombinations = 1000;
// $or expansions beyond this many AND-branches are refused as too complex (a guard for
// pathological nestings that AWS's combination count does not catch).
constexpr size_t kMaxBranches = 1024;

Status Invalid(std::string reason) { return Status::InvalidArgument(std::move(reason)); }
Status PolicyError(std::string_view reason) {
  return Invalid(fmt::format("FilterPolicy: {}", reason));
}

// Python-like text of a JSON value in error messages ("5", "true", "abc").
std::string ValueText(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return json::serialize(v);
}

bool IsNumber(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }
double ToDouble(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

// ---------------------------------------------------------------------------- structure

// Checks the shape of the policy (AWS's order: empty arrays, non-array leaves, nesting in
// attribute scope) and computes the combination count, as AWS documents it: the product of
// (values x depth) over keys, $or alternatives adding up.
Status Aggregate(const json::object& obj, FilterScope scope, int depth, int64_t* combinations,
                 std::vector<const json::array*>* rules) {
  for (const auto& [key, value] : obj) {
    if (value.is_object()) {
      TP_RETURN_IF_ERROR(Aggregate(value.get_object(), scope, depth + 1, combinations, rules));
    } else if (value.is_array()) {
      const auto& arr = value.get_array();
      if (arr.empty()) return PolicyError("Empty arrays are not allowed");
      if (key == "$or") {
        int64_t total = 0;
        for (const auto& alt : arr) {
          if (!alt.is_object()) {
            return PolicyError(fmt::format("\"{}\" must be an object or an array", key));
          }
          int64_t c = *combinations;
          TP_RETURN_IF_ERROR(Aggregate(alt.get_object(), scope, depth, &c, rules));
          total += c;
        }
        *combinations = std::min<int64_t>(total, 1'000'000);
      } else {
        rules->push_back(&arr);
        *combinations =
            std::min<int64_t>(*combinations * static_cast<int64_t>(arr.size()) * depth, 1'000'000);
      }
    } else {
      return PolicyError(fmt::format("\"{}\" must be an object or an array", key));
    }
  }
  if (scope == FilterScope::kMessageAttributes && depth > 1) {
    return Invalid("Filter policy scope MessageAttributes does not support nested filter policy");
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------- rules

bool ParseIp(std::string_view text, std::array<uint8_t, 16>* out, bool* v4) {
  if (text.size() > 64) return false;
  char buf[65];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  uint8_t addr[16];
  if (inet_pton(AF_INET, buf, addr) == 1) {
    out->fill(0);
    (*out)[10] = (*out)[11] = 0xff;
    std::memcpy(out->data() + 12, addr, 4);
    *v4 = true;
    return true;
  }
  if (inet_pton(AF_INET6, buf, addr) == 1) {
    std::memcpy(out->data(), addr, 16);
    *v4 = false;
    return true;
  }
  return false;
}

Status CompileCidr(const json::value& v, Condition* c) {
  if (!v.is_string()) return PolicyError("prefix match pattern must be a string");
  std::string_view text = v.get_string();
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || text.find('/', slash + 1) != std::string_view::npos) {
    return PolicyError("Malformed CIDR, one '/' required");
  }
  std::string_view ip = text.substr(0, slash), mask = text.substr(slash + 1);
  int bits = 0;
  if (mask.empty() || mask.size() > 3 ||
      !std::all_of(mask.begin(), mask.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    return PolicyError("Malformed CIDR, mask bits must be an integer");
  }
  for (char ch : mask) bits = bits * 10 + (ch - '0');
  if (!ParseIp(ip, &c->network, &c->ipv4) || bits > (c->ipv4 ? 32 : 128)) {
    return PolicyError(fmt::format("Nonstandard IP address: {}", ip));
  }
  c->prefix_bits = c->ipv4 ? bits + 96 : bits;
  c->op = Op::kCidr;
  return Status::Ok();
}

Status CompileNumeric(const json::value& v, Condition* c) {
  if (!v.is_array()) return PolicyError("Value of numeric must be an array.");
  const auto& a = v.get_array();
  if (a.empty()) return PolicyError("Invalid member in numeric match: ]");
  if (!a[0].is_string()) {
    return PolicyError(fmt::format("Invalid member in numeric match: {}", ValueText(a[0])));
  }
  const std::string_view op = a[0].get_string();
  if (op != "<" && op != "<=" && op != "=" && op != ">" && op != ">=") {
    return PolicyError(fmt::format("Unrecognized numeric range operator: {}", op));
  }
  if (a.size() < 2 || !IsNumber(a[1])) {
    return PolicyError(fmt::format("Value of {} must be numeric", op == "=" ? "equals" : op));
  }
  const double n = ToDouble(a[1]);
  c->op = Op::kNumeric;
  if (op == "=") {
    c->has_lower = c->has_upper = c->lower_inclusive = c->upper_inclusive = true;
    c->lower = c->upper = n;
  } else if (op[0] == '>') {
    c->has_lower = true;
    c->lower_inclusive = op.size() == 2;
    c->lower = n;
  } else {
    c->has_upper = true;
    c->upper_inclusive = op.size() == 2;
    c->upper = n;
  }
  if (a.size() == 2) return Status::Ok();
  if (op != ">" && op != ">=") return PolicyError("Too many elements in numeric expression");
  if (!a[2].is_string()) {
    return PolicyError(fmt::format("Bad value in numeric range: {}", ValueText(a[2])));
  }
  const std::string_view op2 = a[2].get_string();
  if (op2 != "<" && op2 != "<=") {
    return PolicyError(fmt::format("Bad numeric range operator: {}", op2));
  }
  if (a.size() < 4 || !IsNumber(a[3])) {
    return PolicyError(fmt::format("Value of {} must be numeric", op2));
  }
  const double m = ToDouble(a[3]);
  if (m <= n) return PolicyError("Bottom must be less than top");
  if (a.size() > 4) return PolicyError("Too many terms in numeric range expression");
  c->has_upper = true;
  c->upper_inclusive = op2.size() == 2;
  c->upper = m;
  return Status::Ok();
}

Status AddExclusion(const json::value& v, Condition* c) {
  if (v.is_string()) {
    c->strings.emplace_back(v.get_string());
  } else if (IsNumber(v)) {
    c->numbers.push_back(ToDouble(v));
  } else if (v.is_bool()) {
    c->anything_but_other |= v.get_bool() ? 1 : 2;
  } else if (v.is_null()) {
    c->anything_but_other |= 4;
  } else {
    return PolicyError("Match value must be String, number, true, false, or null");
  }
  return Status::Ok();
}

Status CompileAnythingBut(const json::value& v, Condition* c) {
  if (v.is_array()) {
    if (v.get_array().empty()) return PolicyError("Empty arrays are not allowed");
    c->op = Op::kAnythingBut;
    for (const auto& e : v.get_array()) TP_RETURN_IF_ERROR(AddExclusion(e, c));
    return Status::Ok();
  }
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (o.size() != 1) return PolicyError("Only one key allowed in match expression");
    const auto& [inner, value] = *o.begin();
    if (inner != "prefix" && inner != "suffix") {
      return PolicyError(
          fmt::format("Unsupported anything-but pattern: {}", std::string_view(inner)));
    }
    if (!value.is_string()) {
      return PolicyError(fmt::format("{} match pattern must be a string", std::string_view(inner)));
    }
    c->op = inner == "prefix" ? Op::kAnythingButPrefix : Op::kAnythingButSuffix;
    c->text = std::string(value.get_string());
    return Status::Ok();
  }
  c->op = Op::kAnythingBut;
  return AddExclusion(v, c);
}

Status CompileRule(const json::value& rule, FilterScope scope, Condition* c) {
  if (rule.is_string()) {
    c->op = Op::kExactString;
    c->text = std::string(rule.get_string());
    return Status::Ok();
  }
  if (IsNumber(rule)) {
    c->op = Op::kExactNumber;
    c->number = ToDouble(rule);
    return Status::Ok();
  }
  if (rule.is_bool()) {
    c->op = Op::kExactBool;
    c->flag = rule.get_bool();
    return Status::Ok();
  }
  if (rule.is_null()) {
    c->op = Op::kExactNull;
    return Status::Ok();
  }
  if (!rule.is_object()) {
    return PolicyError("Match value must be String, number, true, false, or null");
  }
  const auto& o = rule.get_object();
  if (o.size() != 1) return PolicyError("Only one key allowed in match expression");
  const auto& [name, value] = *o.begin();
  const std::string_view op = name;
  if (op == "equals-ignore-case" || op == "prefix" || op == "suffix") {
    if (!value.is_string())
      return PolicyError(fmt::format("{} match pattern must be a string", op));
    c->text = std::string(value.get_string());
    if (op == "prefix") {
      c->op = Op::kPrefix;
    } else if (op == "suffix") {
      c->op = Op::kSuffix;
    } else {
      c->op = Op::kEqualsIgnoreCase;
      std::transform(c->text.begin(), c->text.end(), c->text.begin(),
                     [](unsigned char ch) { return std::tolower(ch); });
    }
    return Status::Ok();
  }
  if (op == "anything-but") return CompileAnythingBut(value, c);
  if (op == "exists") {
    if (!value.is_bool()) return PolicyError("exists match pattern must be either true or false.");
    c->op = Op::kExists;
    c->flag = value.get_bool();
    return Status::Ok();
  }
  if (op == "numeric") return CompileNumeric(value, c);
  if (op == "cidr") return CompileCidr(value, c);
  if (op == "wildcard" && scope == FilterScope::kEventPattern) {
    if (!value.is_string()) return PolicyError("wildcard match pattern must be a string");
    c->op = Op::kWildcard;
    c->text = std::string(value.get_string());
    return Status::Ok();
  }
  return PolicyError(fmt::format("Unrecognized match type {}", op));
}

// ---------------------------------------------------------------------------- expansion

using Branch = FilterPolicy::Branch;

std::vector<Branch> Cross(const std::vector<Branch>& a, const std::vector<Branch>& b) {
  std::vector<Branch> out;
  out.reserve(a.size() * b.size());
  for (const auto& x : a) {
    for (const auto& y : b) {
      Branch merged = x;
      merged.insert(merged.end(), y.begin(), y.end());
      out.push_back(std::move(merged));
    }
  }
  return out;
}

Result<std::vector<Branch>> Expand(const json::object& obj, const std::string& prefix,
                                   FilterScope scope) {
  std::vector<Branch> branches(1);
  for (const auto& [key, value] : obj) {
    if (key == "$or" && value.is_array()) {
      std::vector<Branch> alternatives;
      for (const auto& alt : value.get_array()) {
        TP_ASSIGN_OR_RETURN(auto expanded, Expand(alt.get_object(), prefix, scope));
        for (auto& b : expanded) alternatives.push_back(std::move(b));
      }
      branches = Cross(branches, alternatives);
      if (branches.size() > kMaxBranches) return PolicyError("Filter policy is too complex");
      continue;
    }
    const std::string path = prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
    if (value.is_object()) {
      TP_ASSIGN_OR_RETURN(auto expanded, Expand(value.get_object(), path, scope));
      branches = Cross(branches, expanded);
      if (branches.size() > kMaxBranches) return PolicyError("Filter policy is too complex");
      continue;
    }
    FilterPolicy::KeyRule rule{path, {}};
    for (const auto& r : value.get_array()) {
      Condition c;
      TP_RETURN_IF_ERROR(CompileRule(r, scope, &c));
      rule.conditions.push_back(std::move(c));
    }
    for (auto& b : branches) b.push_back(rule);
  }
  return branches;
}

// ---------------------------------------------------------------------------- matching

bool IEquals(std::string_view value, std::string_view lower) {
  if (value.size() != lower.size()) return false;
  for (size_t i = 0; i < value.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != static_cast<unsigned char>(lower[i]))
      return false;
  }
  return true;
}

bool InNetwork(const Condition& c, std::string_view text) {
  std::array<uint8_t, 16> ip;
  bool v4 = false;
  if (!ParseIp(text, &ip, &v4) || v4 != c.ipv4) return false;
  int bits = c.prefix_bits;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((ip[i] & mask) != (c.network[i] & mask)) return false;
  }
  return true;
}

bool ConditionMatches(const Condition& c, const FilterValue& v) {
  using Kind = FilterValue::Kind;
  switch (c.op) {
    case Op::kExactString:
      return v.kind == Kind::kString && v.text == c.text;
    case Op::kExactNumber:
      return v.kind == Kind::kNumber && v.number == c.number;
    case Op::kExactBool:
      return v.kind == Kind::kBool && v.boolean == c.flag;
    case Op::kExactNull:
      return v.kind == Kind::kNull;
    case Op::kPrefix:
      return v.kind == Kind::kString && std::string_view(v.text).starts_with(c.text);
    case Op::kSuffix:
      return v.kind == Kind::kString && std::string_view(v.text).ends_with(c.text);
    case Op::kEqualsIgnoreCase:
      return v.kind == Kind::kString && IEquals(v.text, c.text);
    case Op::kAnythingBut:
      switch (v.kind) {
        case Kind::kString:
          return std::find(c.strings.begin(), c.strings.end(), v.text) == c.strings.end();
        case Kind::kNumber:
          return std::find(c.numbers.begin(), c.numbers.end(), v.number) == c.numbers.end();
        case Kind::kBool:
          return (c.anything_but_other & (v.boolean ? 1 : 2)) == 0;
        case Kind::kNull:
          return (c.anything_but_other & 4) == 0;
      }
      return false;
    case Op::kAnythingButPrefix:
      return v.kind == Kind::kString && !std::string_view(v.text).starts_with(c.text);
    case Op::kAnythingButSuffix:
      return v.kind == Kind::kString && !std::string_view(v.text).ends_with(c.text);
    case Op::kNumeric:
      if (v.kind != Kind::kNumber) return false;
      if (c.has_lower && (c.lower_inclusive ? v.number < c.lower : v.number <= c.lower))
        return false;
      if (c.has_upper && (c.upper_inclusive ? v.number > c.upper : v.number >= c.upper))
        return false;
      return true;
    case Op::kExists:
      return false;  // decided on presence, in RuleMatches
    case Op::kCidr:
      return v.kind == Kind::kString && InNetwork(c, v.text);
    case Op::kWildcard:
      return v.kind == Kind::kString && WildcardMatches(c.text, v.text);
  }
  return false;
}

bool RuleMatches(const FilterPolicy::KeyRule& rule, const FilterInput& input) {
  const std::vector<FilterValue>* values = input.Find(rule.path);
  for (const auto& c : rule.conditions) {
    if (c.op == Op::kExists) {
      if ((values != nullptr) == c.flag) return true;
      continue;
    }
    if (values == nullptr) continue;
    for (const auto& v : *values) {
      if (ConditionMatches(c, v)) return true;
    }
  }
  return false;
}

}  // namespace

Result<std::shared_ptr<const FilterPolicy>> FilterPolicy::Parse(std::string_view text,
                                                                FilterScope scope) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  json::value root = json::parse(text, ec, {}, opts);
  if (ec || !root.is_object()) return PolicyError("failed to parse JSON.");
  const json::object& obj = root.get_object();
  const bool event = scope == FilterScope::kEventPattern;
  if (!event && obj.size() > kMaxKeys) {
    return PolicyError("Filter policy can not have more than 5 keys");
  }
  int64_t combinations = 1;
  std::vector<const json::array*> rules;
  TP_RETURN_IF_ERROR(Aggregate(obj, scope, 1, &combinations, &rules));
  if (combinations > (event ? kMaxEventCombinations : kMaxCombinations)) {
    return PolicyError("Filter policy is too complex");
  }
  for (const json::array* arr : rules) {
    for (const auto& r : *arr) {
      Condition c;
      TP_RETURN_IF_ERROR(CompileRule(r, scope, &c));
    }
  }
  std::vector<Branch> branches;
  if (!obj.empty()) {
    TP_ASSIGN_OR_RETURN(branches, Expand(obj, "", scope));
  }
  return std::shared_ptr<const FilterPolicy>(
      std::make_shared<FilterPolicy>(scope, std::move(branches)));
}

bool FilterPolicy::Matches(const FilterInput& input) const {
  if (branches_.empty()) return true;
  if (!input.usable()) return false;
  for (const auto& branch : branches_) {
    bool all = true;
    for (const auto& rule : branch) {
      if (!RuleMatches(rule, input)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------- FilterInput

namespace {

bool ToFilterValue(const json::value& v, FilterValue* out) {
  if (v.is_string()) {
    out->kind = FilterValue::Kind::kString;
    out->text = std::string(v.get_string());
  } else if (IsNumber(v)) {
    out->kind = FilterValue::Kind::kNumber;
    out->number = ToDouble(v);
  } else if (v.is_bool()) {
    out->kind = FilterValue::Kind::kBool;
    out->boolean = v.get_bool();
  } else if (v.is_null()) {
    out->kind = FilterValue::Kind::kNull;
  } else {
    return false;
  }
  return true;
}

}  // namespace

void FilterInput::Add(std::string_view key, FilterValue value) {
  keys_.push_back({std::string(key), {std::move(value)}});
}

void FilterInput::Seal() {
  std::stable_sort(keys_.begin(), keys_.end(),
                   [](const Entry& a, const Entry& b) { return a.key < b.key; });
  std::vector<Entry> merged;
  for (auto& e : keys_) {
    if (!merged.empty() && merged.back().key == e.key) {
      for (auto& v : e.values) merged.back().values.push_back(std::move(v));
    } else {
      merged.push_back(std::move(e));
    }
  }
  keys_ = std::move(merged);
}

const std::vector<FilterValue>* FilterInput::Find(std::string_view key) const {
  auto it = std::lower_bound(keys_.begin(), keys_.end(), key,
                             [](const Entry& e, std::string_view k) { return e.key < k; });
  if (it == keys_.end() || it->key != key) return nullptr;
  return &it->values;
}

FilterInput FilterInput::FromAttributes(const std::vector<Attribute>& attributes) {
  FilterInput input;
  for (const auto& a : attributes) {
    if (a.data_type.starts_with("Binary")) continue;
    Entry entry{std::string(a.name), {}};
    if (a.data_type == "String.Array") {
      boost::system::error_code ec;
      json::value arr = json::parse(a.value, ec);
      if (!ec && arr.is_array()) {
        for (const auto& e : arr.get_array()) {
          FilterValue v;
          if (ToFilterValue(e, &v)) entry.values.push_back(std::move(v));
        }
      }
    } else if (a.data_type.starts_with("Number")) {
      FilterValue v;
      v.kind = FilterValue::Kind::kNumber;
      char* end = nullptr;
      const std::string text(a.value);
      v.number = std::strtod(text.c_str(), &end);
      if (end != text.c_str() && *end == '\0') entry.values.push_back(std::move(v));
    } else {
      FilterValue v;
      v.text = std::string(a.value);
      entry.values.push_back(std::move(v));
    }
    input.keys_.push_back(std::move(entry));
  }
  input.Seal();
  return input;
}

namespace {

void Flatten(const json::value& v, const std::string& path, int depth,
             std::vector<std::pair<std::string, FilterValue>>* out) {
  if (depth > 64) return;
  if (v.is_object()) {
    for (const auto& [k, child] : v.get_object()) {
      Flatten(child, path.empty() ? std::string(k) : path + "." + std::string(k), depth + 1, out);
    }
  } else if (v.is_array()) {
    for (const auto& child : v.get_array()) Flatten(child, path, depth + 1, out);
  } else {
    FilterValue fv;
    if (ToFilterValue(v, &fv)) out->emplace_back(path, std::move(fv));
  }
}

}  // namespace

FilterInput FilterInput::FromBody(std::string_view body) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  json::value root = json::parse(body, ec, {}, opts);
  if (ec) root = nullptr;
  return FromJson(root);
}

FilterInput FilterInput::FromJson(const json::value& root) {
  FilterInput input;
  if (!root.is_object()) {
    input.usable_ = false;
    return input;
  }
  std::vector<std::pair<std::string, FilterValue>> leaves;
  Flatten(root, "", 0, &leaves);
  for (auto& [k, v] : leaves) input.Add(k, std::move(v));
  input.Seal();
  return input;
}

bool WildcardMatches(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace tidepool::patterns
