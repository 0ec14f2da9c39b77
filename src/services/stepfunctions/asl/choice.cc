#include "services/stepfunctions/asl/choice.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <array>
#include <chrono>
#include <cstdio>

#include "services/stepfunctions/asl/json_path.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 38> kOperators = {
    "BooleanEquals",
    "BooleanEqualsPath",
    "IsBoolean",
    "IsNull",
    "IsNumeric",
    "IsPresent",
    "IsString",
    "IsTimestamp",
    "NumericEquals",
    "NumericEqualsPath",
    "NumericGreaterThan",
    "NumericGreaterThanPath",
    "NumericGreaterThanEquals",
    "NumericGreaterThanEqualsPath",
    "NumericLessThan",
    "NumericLessThanPath",
    "NumericLessThanEquals",
    "NumericLessThanEqualsPath",
    "StringEquals",
    "StringEqualsPath",
    "StringGreaterThan",
    "StringGreaterThanPath",
    "StringGreaterThanEquals",
    "StringGreaterThanEqualsPath",
    "StringLessThan",
    "StringLessThanPath",
    "StringLessThanEquals",
    "StringLessThanEqualsPath",
    "StringMatches",
    "TimestampEquals",
    "TimestampEqualsPath",
    "TimestampGreaterThan",
    "TimestampGreaterThanPath",
    "TimestampGreaterThanEquals",
    "TimestampGreaterThanEqualsPath",
    "TimestampLessThan",
    "TimestampLessThanPath",
    "TimestampLessThanEquals",
};

std::optional<json::value> Select(std::string_view path, const json::value& input,
                                  const json::value& context) {
  bool ctx = path.starts_with("$$");
  auto p = JsonPath::Parse(ctx ? path.substr(1) : path);
  if (!p.ok()) return std::nullopt;
  return p->Evaluate(ctx ? context : input);
}

std::optional<double> Num(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

// `*` matches any run of characters; "\*" a literal star, "\\" a backslash.
bool Matches(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
      continue;
    }
    if (pi < p.size()) {
      char want = p[pi];
      size_t adv = 1;
      if (want == '\\' && pi + 1 < p.size()) {
        want = p[pi + 1];
        adv = 2;
      }
      if (want == s[si]) {
        pi += adv;
        ++si;
        continue;
      }
    }
    if (star == std::string_view::npos) return false;
    pi = star + 1;
    si = ++mark;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

template <typename T>
bool Compare(std::string_view cmp, const T& a, const T& b) {
  if (cmp == "Equals") return a == b;
  if (cmp == "LessThan") return a < b;
  if (cmp == "GreaterThan") return a > b;
  if (cmp == "LessThanEquals") return a <= b;
  if (cmp == "GreaterThanEquals") return a >= b;
  return false;
}

}  // namespace

bool IsComparisonOperator(std::string_view op) {
  if (op == "TimestampLessThanEqualsPath") return true;
  return std::find(kOperators.begin(), kOperators.end(), op) != kOperators.end();
}

std::optional<int64_t> ParseTimestamp(std::string_view t) {
  int y, mo, d, h, mi, s;
  if (t.size() < 20) return std::nullopt;
  std::string head(t.substr(0, 19));
  if (std::sscanf(head.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6 ||
      head[4] != '-' || head[7] != '-' || (head[10] != 'T' && head[10] != 't') || head[13] != ':' ||
      head[16] != ':') {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  size_t i = 19;
  int64_t frac = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    int digits = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (digits < 6) frac = frac * 10 + (t[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return std::nullopt;
    for (int k = digits; k < 6; ++k) frac *= 10;
  }
  int64_t offset = 0;
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
    ++i;
  } else if (i + 6 == t.size() && (t[i] == '+' || t[i] == '-') && t[i + 3] == ':') {
    int oh = (t[i + 1] - '0') * 10 + (t[i + 2] - '0');
    int om = (t[i + 4] - '0') * 10 + (t[i + 5] - '0');
    offset = (oh * 60 + om) * 60 * (t[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != t.size()) return std::nullopt;
  using namespace std::chrono;
  auto days = sys_days(year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)});
  if (!(year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)}).ok())
    return std::nullopt;
  int64_t secs = days.time_since_epoch().count() * 86400LL + h * 3600 + mi * 60 + s - offset;
  return secs * 1'000'000 + frac;
}

std::string FormatTimestamp(int64_t micros) {
  using namespace std::chrono;
  int64_t secs = micros >= 0 ? micros / 1'000'000 : (micros - 999'999) / 1'000'000;
  int64_t ms = (micros - secs * 1'000'000) / 1000;
  sys_days days{std::chrono::days{secs >= 0 ? secs / 86400 : (secs - 86399) / 86400}};
  int64_t rem = secs - days.time_since_epoch().count() * 86400LL;
  year_month_day ymd{days};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     rem / 3600, rem / 60 % 60, rem % 60, ms);
}

std::optional<bool> EvaluateChoice(const ChoiceRule& rule, const json::value& input,
                                   const json::value& context, StatesError* error) {
  switch (rule.kind) {
    case ChoiceRule::Kind::kAnd:
      for (const auto& c : rule.children) {
        auto r = EvaluateChoice(c, input, context, error);
        if (!r) return std::nullopt;
        if (!*r) return false;
      }
      return true;
    case ChoiceRule::Kind::kOr:
      for (const auto& c : rule.children) {
        auto r = EvaluateChoice(c, input, context, error);
        if (!r) return std::nullopt;
        if (*r) return true;
      }
      return false;
    case ChoiceRule::Kind::kNot: {
      auto r = EvaluateChoice(rule.children.at(0), input, context, error);
      if (!r) return std::nullopt;
      return !*r;
    }
    case ChoiceRule::Kind::kCompare:
      break;
  }
  std::string_view op = rule.op;
  auto var = Select(rule.variable, input, context);
  if (op == "IsPresent") return var.has_value() == rule.operand.as_bool();
  if (!var) {
    *error = {std::string(errors::kRuntime),
              fmt::format("Invalid path '{}': The choice state's condition path references an "
                          "invalid value.",
                          rule.variable)};
    return std::nullopt;
  }
  const json::value& v = *var;
  if (op == "IsNull") return v.is_null() == rule.operand.as_bool();
  if (op == "IsNumeric") return v.is_number() == rule.operand.as_bool();
  if (op == "IsString") return v.is_string() == rule.operand.as_bool();
  if (op == "IsBoolean") return v.is_bool() == rule.operand.as_bool();
  if (op == "IsTimestamp") {
    bool ts = v.is_string() && ParseTimestamp(v.get_string()).has_value();
    return ts == rule.operand.as_bool();
  }
  json::value operand = rule.operand;
  if (op.ends_with("Path")) {
    auto o = Select(rule.operand.as_string(), input, context);
    if (!o) {
      *error = {std::string(errors::kRuntime),
                fmt::format("Invalid path '{}': The choice state's condition path references an "
                            "invalid value.",
                            std::string_view(rule.operand.as_string()))};
      return std::nullopt;
    }
    operand = std::move(*o);
    op.remove_suffix(4);
  }
  if (op == "StringMatches") {
    return v.is_string() && operand.is_string() && Matches(v.get_string(), operand.get_string());
  }
  if (op.starts_with("String")) {
    if (!v.is_string() || !operand.is_string()) return false;
    return Compare(op.substr(6), std::string_view(v.get_string()),
                   std::string_view(operand.get_string()));
  }
  if (op.starts_with("Numeric")) {
    auto a = Num(v), b = Num(operand);
    if (!a || !b) return false;
    return Compare(op.substr(7), *a, *b);
  }
  if (op.starts_with("Boolean")) {
    return v.is_bool() && operand.is_bool() && v.get_bool() == operand.get_bool();
  }
  if (op.starts_with("Timestamp")) {
    if (!v.is_string() || !operand.is_string()) return false;
    auto a = ParseTimestamp(v.get_string()), b = ParseTimestamp(operand.get_string());
    if (!a || !b) return false;
    return Compare(op.substr(9), *a, *b);
  }
  return false;
}

}  // namespace tidepool::sfn::asl
