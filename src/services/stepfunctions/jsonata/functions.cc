// The built-in function library: aggregation, numbers, strings and regular expressions.
// Arrays, objects, higher-order functions, dates and URL/Base64 encodings are in
// functions_collections.cc. Each entry: name, signature, implementation.
#include <cmath>
#include <random>

#include "services/stepfunctions/jsonata/error.h"
#include "services/stepfunctions/jsonata/evaluator.h"
#include "services/stepfunctions/jsonata/functions.h"
#include "services/stepfunctions/jsonata/jsonata.h"
#include "services/stepfunctions/jsonata/signature.h"

namespace tidepool::sfn::jsonata {

const Value& Arg(const std::vector<Value>& args, size_t i) {
  static const Value kUndefined;
  return i < args.size() ? args[i] : kUndefined;
}

void Define(Library& lib, const std::string& name, const char* signature, NativeFn fn) {
  lib[name] = MakeNative(name, signature, std::move(fn));
}

[[noreturn]] void Fail(const char* code, std::string message, Value value) {
  throw JsonataError{code, -1, "", std::move(message), std::move(value)};
}

// JavaScript shifts the decimal point through the number's text ("4.525e2"), so the halfway
// test sees 452.5 and not 452.49999999999994; this does the same.
double ShiftDecimal(double x, int places) {
  std::string text = NumberToString(x);
  int exp = 0;
  size_t e = text.find('e');
  if (e != std::string::npos) {
    exp = std::stoi(text.substr(e + 1));
    text = text.substr(0, e);
  }
  text += "e" + std::to_string(exp + places);
  return std::strtod(text.c_str(), nullptr);
}

double RoundHalfEven(double arg, double precision_d) {
  auto precision = static_cast<int>(std::clamp<int64_t>(SaturatingInt(precision_d), -400, 400));
  double x = precision != 0 ? ShiftDecimal(arg, precision) : arg;
  double result = std::floor(x + 0.5);
  double diff = result - x;
  if (std::fabs(diff) == 0.5 && std::fabs(std::fmod(result, 2)) == 1) result -= 1;
  if (precision != 0) result = ShiftDecimal(result, -precision);
  if (result == 0) result = 0;
  return result;
}

const Regex& RegexOf(const Value& v) {
  if (!v.is_function() || v.function().kind != Function::Kind::kRegex) {
    Fail("T0410", "Custom matcher functions are not supported", v);
  }
  return *v.function().regex;
}

namespace {

// $pad refuses a width past this (ten million code points) instead of exhausting memory.
constexpr int64_t kMaxPadLength = 10'000'000;

std::vector<uint32_t> Cps(const Value& v) { return CodePoints(v.str()); }

Value Substring(const std::string& s, double start_d, const Value& length) {
  std::vector<uint32_t> cps = CodePoints(s);
  auto len = static_cast<int64_t>(cps.size());
  auto start = SaturatingInt(start_d);
  if (len + start < 0) start = 0;
  auto clamp = [&](int64_t i) {
    if (i < 0) i += len;
    return std::max<int64_t>(0, std::min(i, len));
  };
  if (!length.undefined()) {
    if (length.number() <= 0) return Value::String("");
    int64_t end = start >= 0 ? start + SaturatingInt(length.number())
                             : len + start + SaturatingInt(length.number());
    int64_t b = clamp(start);
    int64_t e = end < 0 ? clamp(end) : std::min(end, len);
    if (e <= b) return Value::String("");
    return Value::String(FromCodePoints(cps, static_cast<size_t>(b), static_cast<size_t>(e)));
  }
  int64_t b = clamp(start);
  return Value::String(FromCodePoints(cps, static_cast<size_t>(b), cps.size()));
}

// The object $match gives for one match that starts at byte `at` of the subject.
Value MatchObject(const RegexMatch& m, size_t at) {
  auto o = std::make_shared<ObjectData>();
  o->Set("match", Value::String(m.str(0)));
  o->Set("index", Value::Number(static_cast<double>(at)));
  Value groups = Value::NewArray();
  for (size_t i = 1; i < m.size(); ++i) groups.array().items.push_back(Value::String(m.str(i)));
  o->Set("groups", groups);
  return Value::Object(std::move(o));
}

// Every non-overlapping match of `re` in `s`, as (byte offset, smatch) in order.
std::vector<std::pair<size_t, RegexMatch>> AllMatches(const std::string& s, const Regex& re,
                                                      const Value& pattern) {
  std::vector<std::pair<size_t, RegexMatch>> out;
  size_t offset = 0;
  RegexMatch m;
  while (offset <= s.size() && RegexSearch(s, offset, &m, re)) {
    if (m[0].length() == 0) Fail("D1004", "Regular expression matches zero length string", pattern);
    size_t at = MatchStart(s, m);
    out.emplace_back(at, m);
    offset = at + static_cast<size_t>(m[0].length());
  }
  return out;
}

std::string Substitute(const std::string& replacement, const RegexMatch& m) {
  std::string out;
  size_t groups = m.size() - 1;
  size_t pos = 0;
  size_t index = replacement.find('$', pos);
  while (index != std::string::npos && pos < replacement.size()) {
    out += replacement.substr(pos, index - pos);
    pos = index + 1;
    char c = pos < replacement.size() ? replacement[pos] : '\0';
    if (c == '$') {
      out += '$';
      ++pos;
    } else if (c == '0') {
      out += m.str(0);
      ++pos;
    } else {
      size_t max_digits = groups == 0 ? 1 : static_cast<size_t>(std::floor(std::log10(groups))) + 1;
      auto parse = [&](size_t n) -> int {
        std::string digits;
        for (size_t i = pos; i < pos + n && i < replacement.size() && isdigit(replacement[i]);
             ++i) {
          digits.push_back(replacement[i]);
        }
        return digits.empty() ? -1 : std::stoi(digits);
      };
      int g = parse(max_digits);
      if (max_digits > 1 && g > static_cast<int>(groups)) g = parse(max_digits - 1);
      if (g >= 0) {
        if (groups > 0 && g >= 1 && static_cast<size_t>(g) <= groups) out += m[g].str();
        pos += std::to_string(g).size();
      } else {
        out += '$';
      }
    }
    index = replacement.find('$', pos);
  }
  if (pos < replacement.size()) out += replacement.substr(pos);
  return out;
}

}  // namespace

void DefineCoreFunctions(Library& lib) {
  Define(lib, "sum", "<a<n>:n>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    double total = 0;
    for (const auto& v : a[0].array().items) total += v.number();
    return Value::Number(total);
  });
  Define(lib, "count", "<a:n>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value::Number(0);
    return Value::Number(static_cast<double>(a[0].array().size()));
  });
  auto extreme = [](bool max) {
    return [max](CallContext&, std::vector<Value>& a) {
      if (a[0].undefined() || a[0].array().size() == 0) return Value();
      double best = max ? -INFINITY : INFINITY;
      for (const auto& v : a[0].array().items)
        best = max ? std::max(best, v.number()) : std::min(best, v.number());
      return Value::Number(best);
    };
  };
  Define(lib, "max", "<a<n>:n>", extreme(true));
  Define(lib, "min", "<a<n>:n>", extreme(false));
  Define(lib, "average", "<a<n>:n>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined() || a[0].array().size() == 0) return Value();
    double total = 0;
    for (const auto& v : a[0].array().items) total += v.number();
    return Value::Number(total / static_cast<double>(a[0].array().size()));
  });
  Define(lib, "string", "<x-b?:s>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    return Value::String(ToStringValue(a[0], Arg(a, 1).is_bool() && Arg(a, 1).boolean()));
  });
  lib["string"].function().arity = 1;  // JavaScript's length ignores the defaulted "prettify"
  Define(lib, "substring", "<s-nn?:s>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    return Substring(a[0].str(), a[1].number(), Arg(a, 2));
  });
  Define(lib, "substringBefore", "<s-s:s>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    if (a[1].undefined()) return a[0];
    size_t i = a[0].str().find(a[1].str());
    return i == std::string::npos ? a[0] : Value::String(a[0].str().substr(0, i));
  });
  Define(lib, "substringAfter", "<s-s:s>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    if (a[1].undefined()) return a[0];
    size_t i = a[0].str().find(a[1].str());
    return i == std::string::npos ? a[0] : Value::String(a[0].str().substr(i + a[1].str().size()));
  });
  auto recase = [](bool upper) {
    return [upper](CallContext&, std::vector<Value>& a) {
      if (a[0].undefined()) return Value();
      std::string s = a[0].str();
      for (auto& c : s)
        c = static_cast<char>(upper ? toupper(static_cast<unsigned char>(c))
                                    : tolower(static_cast<unsigned char>(c)));
      return Value::String(std::move(s));
    };
  };
  Define(lib, "lowercase", "<s-:s>", recase(false));
  Define(lib, "uppercase", "<s-:s>", recase(true));
  Define(lib, "length", "<s-:n>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    return Value::Number(static_cast<double>(Cps(a[0]).size()));
  });
  Define(lib, "trim", "<s-:s>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    std::string out;
    bool in_space = false;
    for (char c : a[0].str()) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (!in_space) out.push_back(' ');
        in_space = true;
      } else {
        out.push_back(c);
        in_space = false;
      }
    }
    if (!out.empty() && out.front() == ' ') out.erase(0, 1);
    if (!out.empty() && out.back() == ' ') out.pop_back();
    return Value::String(std::move(out));
  });
  Define(lib, "pad", "<s-ns?:s>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    std::string pad = Arg(a, 2).undefined() || a[2].str().empty() ? " " : a[2].str();
    std::vector<uint32_t> pad_cps = CodePoints(pad);
    double width = a[1].number();
    auto pad_len =
        SaturatingInt(std::fabs(width)) - static_cast<int64_t>(CodePoints(a[0].str()).size());
    if (pad_len <= 0) return a[0];
    if (pad_len > kMaxPadLength) Fail("D3010", "The width of the pad function is too large", a[1]);
    std::vector<uint32_t> padding;
    for (int64_t i = 0; i < pad_len; ++i)
      padding.push_back(pad_cps[static_cast<size_t>(i) % pad_cps.size()]);
    std::string p = FromCodePoints(padding, 0, padding.size());
    return Value::String(width > 0 ? a[0].str() + p : p + a[0].str());
  });
  Define(lib, "contains", "<s-(sf):b>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    if (a[1].is_string()) return Value::Bool(a[0].str().find(a[1].str()) != std::string::npos);
    RegexMatch m;
    return Value::Bool(RegexSearch(a[0].str(), 0, &m, RegexOf(a[1])));
  });
  Define(lib, "split", "<s-(sf)n?:a<s>>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    const Value& limit = Arg(a, 2);
    if (!limit.undefined() && limit.number() < 0)
      Fail("D3020", "Third argument of split function must evaluate to a positive number", limit);
    Value out = Value::NewArray();
    auto& items = out.array().items;
    const std::string& s = a[0].str();
    if (a[1].is_string()) {
      const std::string& sep = a[1].str();
      if (sep.empty()) {
        std::vector<uint32_t> cps = CodePoints(s);
        for (size_t i = 0; i < cps.size(); ++i)
          items.push_back(Value::String(FromCodePoints(cps, i, i + 1)));
      } else {
        size_t pos = 0;
        for (;;) {
          size_t i = s.find(sep, pos);
          if (i == std::string::npos) break;
          items.push_back(Value::String(s.substr(pos, i - pos)));
          pos = i + sep.size();
        }
        items.push_back(Value::String(s.substr(pos)));
      }
    } else {
      size_t pos = 0;
      for (const auto& [at, m] : AllMatches(s, RegexOf(a[1]), a[1])) {
        items.push_back(Value::String(s.substr(pos, at - pos)));
        pos = at + static_cast<size_t>(m[0].length());
      }
      items.push_back(Value::String(s.substr(pos)));
    }
    if (!limit.undefined() && static_cast<double>(items.size()) > limit.number()) {
      items.resize(static_cast<size_t>(limit.number()));
    }
    return out;
  });
  Define(lib, "join", "<a<s>s?:s>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    std::string sep = Arg(a, 1).undefined() ? "" : a[1].str();
    std::string out;
    bool first = true;
    for (const auto& v : a[0].array().items) {
      if (!first) out += sep;
      first = false;
      out += v.str();
    }
    return Value::String(std::move(out));
  });
  Define(lib, "match", "<s-f<s:o>n?:a<o>>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    const Value& limit = Arg(a, 2);
    if (!limit.undefined() && limit.number() < 0)
      Fail("D3040", "Third argument of match function must evaluate to a positive number", limit);
    Value out = Value::Sequence();
    for (const auto& [at, m] : AllMatches(a[0].str(), RegexOf(a[1]), a[1])) {
      if (!limit.undefined() && static_cast<double>(out.array().size()) >= limit.number()) break;
      out.array().items.push_back(MatchObject(m, at));
    }
    return out;
  });
  Define(lib, "replace", "<s-(sf)(sf)n?:s>", [](CallContext& ctx, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    if (a[1].is_string() && a[1].str().empty())
      Fail("D3010", "Second argument of replace function cannot be an empty string", a[1]);
    const Value& limit = Arg(a, 3);
    if (!limit.undefined() && limit.number() < 0)
      Fail("D3011", "Fourth argument of replace function must evaluate to a positive number",
           limit);
    const std::string& s = a[0].str();
    std::string out;
    size_t pos = 0;
    double count = 0;
    if (a[1].is_string()) {
      const std::string& pat = a[1].str();
      size_t i = s.find(pat, pos);
      while (i != std::string::npos && (limit.undefined() || count < limit.number())) {
        out += s.substr(pos, i - pos);
        out += a[2].is_string() ? a[2].str() : "";
        pos = i + pat.size();
        ++count;
        i = s.find(pat, pos);
      }
      out += s.substr(pos);
      return Value::String(std::move(out));
    }
    for (const auto& [at, m] : AllMatches(s, RegexOf(a[1]), a[1])) {
      if (!limit.undefined() && count >= limit.number()) break;
      out += s.substr(pos, at - pos);
      if (a[2].is_function()) {
        Value r = ctx.evaluator->Apply(a[2], {MatchObject(m, at)}, Value::Null(), ctx.env);
        if (!r.is_string())
          Fail("D3012", "Attempted to replace a matched string with a non-string value", r);
        out += r.str();
      } else if (a[2].is_string()) {
        out += Substitute(a[2].str(), m);
      }  // an undefined replacement removes the match, as with a string pattern
      pos = at + static_cast<size_t>(m[0].length());
      ++count;
    }
    out += s.substr(pos);
    return Value::String(std::move(out));
  });
  Define(lib, "number", "<(nsb)-:n>", [](CallContext&, std::vector<Value>& a) {
    const Value& v = a[0];
    if (v.undefined()) return Value();
    if (v.is_number()) return v;
    if (v.is_bool()) return Value::Number(v.boolean() ? 1 : 0);
    const std::string& s = v.str();
    static const Regex kDecimal =
        CompileRegex("^-?[0-9]+(\\.[0-9]+)?([Ee][-+]?[0-9]+)?$", false, false);
    static const Regex kPrefixed =
        CompileRegex("^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$", false, false);
    if (RegexFullMatch(s, kDecimal)) {
      double d = std::strtod(s.c_str(), nullptr);
      if (std::isfinite(d)) return Value::Number(d);
    } else if (RegexFullMatch(s, kPrefixed)) {
      int base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
      return Value::Number(static_cast<double>(std::strtoull(s.c_str() + 2, nullptr, base)));
    }
    Fail("D3030", "Unable to cast value to a number", v);
  });
  auto unary = [&](const char* name, double (*f)(double)) {
    Define(lib, name, "<n-:n>", [f](CallContext&, std::vector<Value>& a) {
      if (a[0].undefined()) return Value();
      return Value::Number(f(a[0].number()));
    });
  };
  unary("floor", [](double x) { return std::floor(x); });
  unary("ceil", [](double x) { return std::ceil(x); });
  unary("abs", [](double x) { return std::fabs(x); });
  Define(lib, "sqrt", "<n-:n>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    if (a[0].number() < 0)
      Fail("D3060", "The sqrt function cannot be applied to a negative number", a[0]);
    return Value::Number(std::sqrt(a[0].number()));
  });
  Define(lib, "power", "<n-n:n>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    double r = std::pow(a[0].number(), a[1].number());
    if (!std::isfinite(r))
      Fail("D3061",
           "The power function has resulted in a value that cannot be represented as a JSON number",
           a[0]);
    return Value::Number(r);
  });
  Define(lib, "round", "<n-n?:n>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    return Value::Number(RoundHalfEven(a[0].number(), Arg(a, 1).undefined() ? 0 : a[1].number()));
  });
  Define(lib, "random", "<:n>", [](CallContext&, std::vector<Value>&) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return Value::Number(std::uniform_real_distribution<double>(0, 1)(rng));
  });
  Define(lib, "boolean", "<x-:b>", [](CallContext&, std::vector<Value>& a) {
    bool defined = false;
    bool b = ToBoolean(a[0], &defined);
    return defined ? Value::Bool(b) : Value();
  });
  Define(lib, "not", "<x-:b>", [](CallContext&, std::vector<Value>& a) {
    bool defined = false;
    bool b = ToBoolean(a[0], &defined);
    return defined ? Value::Bool(!b) : Value();
  });
  Define(lib, "exists", "<x:b>",
         [](CallContext&, std::vector<Value>& a) { return Value::Bool(!a[0].undefined()); });
  Define(lib, "formatBase", "<n-n?:s>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    double radix = Arg(a, 1).undefined() ? 10 : a[1].number();
    if (radix < 2 || radix > 36)
      Fail("D3100", "The radix of the formatBase function must be between 2 and 36", a[1]);
    double v = RoundHalfEven(a[0].number(), 0);
    bool negative = v < 0;
    auto n = static_cast<uint64_t>(SaturatingInt(std::fabs(v)));
    std::string digits;
    do {
      auto d = static_cast<int>(n % static_cast<uint64_t>(radix));
      digits.insert(digits.begin(), static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10));
      n /= static_cast<uint64_t>(radix);
    } while (n > 0);
    return Value::String((negative ? "-" : "") + digits);
  });
}

}  // namespace tidepool::sfn::jsonata
