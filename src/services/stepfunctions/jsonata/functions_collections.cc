// Built-ins over arrays and objects, higher-order functions, errors, dates (ISO 8601 only)
// and URL/Base64 encodings; and the library table itself.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <random>

#include "core/base64.h"

using tidepool::AppendBase64;
using tidepool::AppendBase64Decoded;
#include "services/stepfunctions/jsonata/error.h"
#include "services/stepfunctions/jsonata/evaluator.h"
#include "services/stepfunctions/jsonata/functions.h"
#include "services/stepfunctions/jsonata/parser.h"
#include "services/stepfunctions/jsonata/picture_datetime.h"

namespace tidepool::sfn::jsonata {
namespace {

Value SortValues(Evaluator* ev, const Value& arr, const Value& fn) {
  if (arr.undefined()) return arr;
  if (arr.array().size() <= 1) return arr;
  std::vector<Value> items = arr.array().items;
  std::function<bool(const Value&, const Value&)> swap;
  if (fn.undefined()) {
    bool numbers =
        std::all_of(items.begin(), items.end(), [](const Value& v) { return v.is_number(); });
    bool strings =
        std::all_of(items.begin(), items.end(), [](const Value& v) { return v.is_string(); });
    if (!numbers && !strings)
      Fail("D3070",
           "The single argument form of the sort function can only be applied to an array of "
           "strings or an array of numbers",
           arr);
    swap = [numbers](const Value& a, const Value& b) {
      return numbers ? a.number() > b.number() : a.str() > b.str();
    };
  } else {
    swap = [ev, &fn](const Value& a, const Value& b) {
      bool d = false;
      return ToBoolean(ev->CallBack(fn, a, b, Value()), &d);
    };
  }
  MergeSort(items, swap);
  Value out = Value::NewArray();
  out.array().items = std::move(items);
  return out;
}

Value Keys(const Value& v) {
  Value out = Value::Sequence();
  if (v.is_array()) {
    std::vector<std::string> seen;
    for (const auto& item : v.array().items) {
      if (!item.is_object()) continue;
      for (const auto& [k, x] : item.object().entries) {
        if (std::find(seen.begin(), seen.end(), k) == seen.end()) seen.push_back(k);
      }
    }
    for (auto& k : seen) out.array().items.push_back(Value::String(k));
  } else if (v.is_object()) {
    for (const auto& [k, x] : v.object().entries) out.array().items.push_back(Value::String(k));
  }
  return out;
}

Value Spread(const Value& v) {
  if (v.is_array()) {
    Value out = Value::Sequence();
    for (const auto& item : v.array().items) out = Append(out, Spread(item));
    return out;
  }
  if (v.is_object()) {
    Value out = Value::Sequence();
    for (const auto& [k, x] : v.object().entries) {
      auto o = std::make_shared<ObjectData>();
      o->Set(k, x);
      out.array().items.push_back(Value::Object(std::move(o)));
    }
    return out;
  }
  return v;
}

// The picture $fromMillis and $now use when given a timezone but no picture.
std::string PictureOrIso(const Value& picture) {
  if (picture.is_string()) return picture.str();
  return "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";
}

int OffsetArg(const Value& tz) {
  if (!tz.is_string()) return 0;
  auto offset = ParseTimezoneArgument(tz.str());
  if (!offset) Fail("D3134", "The timezone must be written +HHMM or -HHMM", tz);
  return *offset;
}

std::string IsoTime(int64_t millis) {
  auto secs = static_cast<time_t>(std::floor(static_cast<double>(millis) / 1000.0));
  int64_t ms = millis - static_cast<int64_t>(secs) * 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

// ISO 8601 date or date-time; nullopt when the text is not one.
std::optional<double> ParseIso(const std::string& s) {
  static const Regex kIso = CompileRegex(
      R"(^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$)",
      false, false);
  RegexMatch m;
  if (!RegexFullMatch(s, &m, kIso)) return std::nullopt;
  auto num = [&](int i, int dflt) { return m[i].matched ? std::stoi(m.str(i)) : dflt; };
  std::tm tm{};
  tm.tm_year = num(1, 1970) - 1900;
  tm.tm_mon = num(2, 1) - 1;
  tm.tm_mday = num(3, 1);
  tm.tm_hour = num(4, 0);
  tm.tm_min = num(5, 0);
  tm.tm_sec = num(6, 0);
  double millis = static_cast<double>(timegm(&tm)) * 1000;
  if (m[7].matched) {
    std::string frac = m.str(7).substr(0, 3);
    while (frac.size() < 3) frac.push_back('0');
    millis += std::stoi(frac);
  }
  if (m[8].matched && m.str(8) != "Z") {
    std::string z = m.str(8);
    int sign = z[0] == '-' ? -1 : 1;
    std::string digits;
    for (char c : z) {
      if (isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
    }
    int offset = std::stoi(digits.substr(0, 2)) * 60 + std::stoi(digits.substr(2, 2));
    millis -= sign * offset * 60000.0;
  }
  return millis;
}

std::string UrlEncode(const std::string& s, bool component) {
  static const std::string kUnreserved = "-_.!~*'()";
  static const std::string kReserved = ";,/?:@&=+$#";
  for (uint32_t cp : CodePoints(s)) {
    if (cp >= 0xD800 && cp <= 0xDFFF)
      Fail("D3140", "Malformed URL passed to encode function", Value::String(s));
  }
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || kUnreserved.find(static_cast<char>(c)) != std::string::npos ||
        (!component && kReserved.find(static_cast<char>(c)) != std::string::npos)) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

Value UrlDecode(const Value& v, bool component) {
  static const std::string kReserved = ";,/?:@&=+$#";
  const std::string& s = v.str();
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || !isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      Fail("D3140", "Malformed URL passed to decode function", v);
    }
    auto c = static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
    if (!component && kReserved.find(c) != std::string::npos) {
      out += s.substr(i, 3);
    } else {
      out.push_back(c);
    }
    i += 2;
  }
  // Invalid UTF-8 after decoding is a malformed URL, as decodeURIComponent says.
  std::vector<uint32_t> cps = CodePoints(out);
  std::string round_trip = FromCodePoints(cps, 0, cps.size());
  if (round_trip != out) Fail("D3140", "Malformed URL passed to decode function", v);
  return Value::String(out);
}

}  // namespace

void DefineCollectionFunctions(Library& lib) {
  Define(lib, "map", "<af>", [](CallContext& c, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    Value out = Value::Sequence();
    const auto& items = a[0].array().items;
    for (size_t i = 0; i < items.size(); ++i) {
      Value r = c.evaluator->CallBack(a[1], items[i], Value::Number(static_cast<double>(i)), a[0]);
      if (!r.undefined()) out.array().items.push_back(r);
    }
    return out;
  });
  Define(lib, "filter", "<af>", [](CallContext& c, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    Value out = Value::Sequence();
    const auto& items = a[0].array().items;
    for (size_t i = 0; i < items.size(); ++i) {
      bool d = false;
      if (ToBoolean(
              c.evaluator->CallBack(a[1], items[i], Value::Number(static_cast<double>(i)), a[0]),
              &d)) {
        out.array().items.push_back(items[i]);
      }
    }
    return out;
  });
  Define(lib, "single", "<af?>", [](CallContext& c, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    bool found = false;
    Value result;
    const auto& items = a[0].array().items;
    for (size_t i = 0; i < items.size(); ++i) {
      bool pass = true;
      if (!Arg(a, 1).undefined()) {
        bool d = false;
        pass = ToBoolean(
            c.evaluator->CallBack(a[1], items[i], Value::Number(static_cast<double>(i)), a[0]), &d);
      }
      if (!pass) continue;
      if (found) Fail("D3138", "The $single() function expected exactly 1 matching result", a[0]);
      found = true;
      result = items[i];
    }
    if (!found) Fail("D3139", "The $single() function expected exactly 1 matching result", a[0]);
    return result;
  });
  Define(lib, "zip", "<a+>", [](CallContext&, std::vector<Value>& a) {
    Value out = Value::NewArray();
    size_t len = SIZE_MAX;
    for (const auto& arr : a) len = std::min(len, arr.undefined() ? 0 : arr.array().size());
    if (a.empty()) len = 0;
    for (size_t i = 0; i < len; ++i) {
      Value tuple = Value::NewArray();
      for (const auto& arr : a) tuple.array().items.push_back(arr.array().items[i]);
      out.array().items.push_back(tuple);
    }
    return out;
  });
  Define(lib, "reduce", "<afj?:j>", [](CallContext& c, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    if (a[1].function().Arity() < 2)
      Fail("D3050",
           "The second argument of reduce function must be a function with at least two arguments",
           a[1]);
    const auto& items = a[0].array().items;
    size_t index = 0;
    Value result = Arg(a, 2);
    if (result.undefined() && !items.empty()) {
      result = items[0];
      index = 1;
    }
    for (; index < items.size(); ++index) {
      result = c.evaluator->CallBack(a[1], result, items[index],
                                     Value::Number(static_cast<double>(index)), a[0]);
    }
    return result;
  });
  Define(lib, "keys", "<x-:a<s>>", [](CallContext&, std::vector<Value>& a) { return Keys(a[0]); });
  Define(lib, "lookup", "<x-s:x>", [](CallContext&, std::vector<Value>& a) {
    return Lookup(a[0], a[1].undefined() ? "" : a[1].str());
  });
  Define(lib, "append", "<xx:a>",
         [](CallContext&, std::vector<Value>& a) { return Append(a[0], a[1]); });
  Define(lib, "spread", "<x-:a<o>>",
         [](CallContext&, std::vector<Value>& a) { return Spread(a[0]); });
  Define(lib, "merge", "<a<o>:o>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    auto o = std::make_shared<ObjectData>();
    for (const auto& item : a[0].array().items) {
      for (const auto& [k, v] : item.object().entries) o->Set(k, v);
    }
    return Value::Object(std::move(o));
  });
  Define(lib, "reverse", "<a:a>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    if (a[0].array().size() <= 1) return a[0];
    Value out = Value::NewArray();
    out.array().items.assign(a[0].array().items.rbegin(), a[0].array().items.rend());
    return out;
  });
  Define(lib, "each", "<o-f:a>", [](CallContext& c, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    Value out = Value::Sequence();
    for (const auto& [k, v] : a[0].object().entries) {
      Value r = c.evaluator->CallBack(a[1], v, Value::String(k), a[0]);
      if (!r.undefined()) out.array().items.push_back(r);
    }
    return out;
  });
  Define(lib, "sift", "<o-f?:o>", [](CallContext& c, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    auto o = std::make_shared<ObjectData>();
    for (const auto& [k, v] : a[0].object().entries) {
      bool d = false;
      if (ToBoolean(c.evaluator->CallBack(a[1], v, Value::String(k), a[0]), &d)) o->Set(k, v);
    }
    if (o->size() == 0) return Value();
    return Value::Object(std::move(o));
  });
  Define(lib, "error", "<s?:x>", [](CallContext&, std::vector<Value>& a) -> Value {
    Fail("D3137", Arg(a, 0).undefined() ? "$error() function evaluated" : a[0].str(), Value());
  });
  Define(lib, "assert", "<bs?:x>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined() || !a[0].boolean()) {
      Fail("D3141", Arg(a, 1).undefined() ? "$assert() statement failed" : a[1].str(), Value());
    }
    return Value();
  });
  Define(lib, "type", "<x:s>", [](CallContext&, std::vector<Value>& a) {
    switch (a[0].type()) {
      case Value::Type::kUndefined:
        return Value();
      case Value::Type::kNull:
        return Value::String("null");
      case Value::Type::kBool:
        return Value::String("boolean");
      case Value::Type::kNumber:
        return Value::String("number");
      case Value::Type::kString:
        return Value::String("string");
      case Value::Type::kArray:
        return Value::String("array");
      case Value::Type::kFunction:
        return Value::String("function");
      default:
        return Value::String("object");
    }
  });
  Define(lib, "sort", "<af?:a>", [](CallContext& c, std::vector<Value>& a) {
    return SortValues(c.evaluator, a[0], Arg(a, 1));
  });
  Define(lib, "shuffle", "<a:a>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    if (a[0].array().size() <= 1) return a[0];
    Value out = Value::NewArray();
    out.array().items = a[0].array().items;
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::shuffle(out.array().items.begin(), out.array().items.end(), rng);
    return out;
  });
  Define(lib, "distinct", "<x:x>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    if (!a[0].is_array() || a[0].array().size() <= 1) return a[0];
    Value out = a[0].IsSequence() ? Value::Sequence() : Value::NewArray();
    for (const auto& v : a[0].array().items) {
      bool dup = false;
      for (const auto& seen : out.array().items) {
        if (DeepEqual(seen, v)) {
          dup = true;
          break;
        }
      }
      if (!dup) out.array().items.push_back(v);
    }
    return out;
  });
  Define(lib, "clone", "<(oa)-:o>",
         [](CallContext&, std::vector<Value>& a) { return DeepClone(a[0]); });
  Define(lib, "base64encode", "<s-:s>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    std::string out;
    AppendBase64(a[0].str(), out);
    return Value::String(std::move(out));
  });
  Define(lib, "base64decode", "<s-:s>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    std::string out;
    if (!AppendBase64Decoded(a[0].str(), out)) return Value();
    return Value::String(std::move(out));
  });
  Define(lib, "encodeUrlComponent", "<s-:s>", [](CallContext&, std::vector<Value>& a) {
    return a[0].undefined() ? Value() : Value::String(UrlEncode(a[0].str(), true));
  });
  Define(lib, "encodeUrl", "<s-:s>", [](CallContext&, std::vector<Value>& a) {
    return a[0].undefined() ? Value() : Value::String(UrlEncode(a[0].str(), false));
  });
  Define(lib, "decodeUrlComponent", "<s-:s>", [](CallContext&, std::vector<Value>& a) {
    return a[0].undefined() ? Value() : UrlDecode(a[0], true);
  });
  Define(lib, "decodeUrl", "<s-:s>", [](CallContext&, std::vector<Value>& a) {
    return a[0].undefined() ? Value() : UrlDecode(a[0], false);
  });
  Define(lib, "eval", "<sx?:x>", [](CallContext& c, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    if (!c.evaluator->allow_eval) Fail("D3120", "$eval is not supported", a[0]);
    std::shared_ptr<const Node> tree;
    try {
      tree = ParseExpression(a[0].str());
    } catch (JsonataError& e) {
      Fail("D3120", "Syntax error in expression passed to function eval: " + e.code, a[0]);
    }
    c.evaluator->eval_trees.push_back(tree);
    Value input = *c.input;
    if (!Arg(a, 1).undefined()) {
      input = a[1];
      if (input.is_array() && !input.IsSequence()) {
        input = Value::Sequence(input);
        input.array().outer_wrapper = true;
      }
    }
    try {
      return c.evaluator->Evaluate(tree.get(), input, c.env);
    } catch (JsonataError& e) {
      Fail("D3121", "Dynamic error evaluating the expression passed to function eval: " + e.code,
           a[0]);
    }
  });
  Define(lib, "fromMillis", "<n-s?s?:s>", [](CallContext&, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    int64_t millis = SaturatingInt(std::floor(a[0].number()));
    if (Arg(a, 1).undefined() && Arg(a, 2).undefined()) return Value::String(IsoTime(millis));
    return Value::String(FormatDateTime(millis, PictureOrIso(Arg(a, 1)), OffsetArg(Arg(a, 2))));
  });
  Define(lib, "toMillis", "<s-s?:n>", [](CallContext& c, std::vector<Value>& a) {
    if (a[0].undefined()) return Value();
    if (!Arg(a, 1).undefined()) {
      auto millis = ParseDateTime(a[0].str(), a[1].str(), c.evaluator->now_millis());
      return millis ? Value::Number(*millis) : Value();
    }
    auto millis = ParseIso(a[0].str());
    if (!millis) Fail("D3110", "The timestamp cannot be parsed as ISO 8601", a[0]);
    return Value::Number(*millis);
  });
  Define(lib, "now", "<s?s?:s>", [](CallContext& c, std::vector<Value>& a) {
    int64_t millis = c.evaluator->now_millis();
    if (Arg(a, 0).undefined() && Arg(a, 1).undefined()) return Value::String(IsoTime(millis));
    return Value::String(FormatDateTime(millis, PictureOrIso(Arg(a, 0)), OffsetArg(Arg(a, 1))));
  });
  Define(lib, "millis", "<:n>", [](CallContext& c, std::vector<Value>&) {
    return Value::Number(static_cast<double>(c.evaluator->now_millis()));
  });
}

const std::unordered_map<std::string, Value>& Builtins() {
  static const Library* lib = [] {
    auto* l = new Library();
    DefineCoreFunctions(*l);
    DefineCollectionFunctions(*l);
    DefineNumberPictureFunctions(*l);
    DefineIntegerPictureFunctions(*l);
    return l;
  }();
  return *lib;
}

}  // namespace tidepool::sfn::jsonata
