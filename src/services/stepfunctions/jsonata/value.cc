#include "services/stepfunctions/jsonata/value.h"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "services/stepfunctions/jsonata/error.h"
#include "services/stepfunctions/jsonata/function.h"

namespace tidepool::sfn::jsonata {

Value Value::Sequence() {
  auto a = std::make_shared<ArrayData>();
  a->sequence = true;
  return Array(std::move(a));
}

Value Value::Sequence(Value first) {
  Value v = Sequence();
  v.array().items.push_back(std::move(first));
  return v;
}

Value Value::NewArray() { return Array(std::make_shared<ArrayData>()); }

const Value* ObjectData::Find(std::string_view key) const {
  if (entries.size() < 8) {
    for (const auto& [k, v] : entries) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  auto it = index.find(std::string(key));
  return it == index.end() ? nullptr : &entries[it->second].second;
}

void ObjectData::Set(const std::string& key, Value v) {
  auto it = index.find(key);
  if (it != index.end()) {
    entries[it->second].second = std::move(v);
    return;
  }
  index.emplace(key, entries.size());
  entries.emplace_back(key, std::move(v));
}

void ObjectData::Erase(const std::string& key) {
  auto it = index.find(key);
  if (it == index.end()) return;
  entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(it->second));
  index.clear();
  for (size_t i = 0; i < entries.size(); ++i) index.emplace(entries[i].first, i);
}

Value FromJson(const boost::json::value& j) {
  switch (j.kind()) {
    case boost::json::kind::null:
      return Value::Null();
    case boost::json::kind::bool_:
      return Value::Bool(j.get_bool());
    case boost::json::kind::int64:
      return Value::Number(static_cast<double>(j.get_int64()));
    case boost::json::kind::uint64:
      return Value::Number(static_cast<double>(j.get_uint64()));
    case boost::json::kind::double_:
      return Value::Number(j.get_double());
    case boost::json::kind::string:
      return Value::String(std::string(j.get_string()));
    case boost::json::kind::array: {
      Value a = Value::NewArray();
      a.array().items.reserve(j.get_array().size());
      for (const auto& e : j.get_array()) a.array().items.push_back(FromJson(e));
      return a;
    }
    case boost::json::kind::object: {
      auto o = std::make_shared<ObjectData>();
      for (const auto& [k, v] : j.get_object()) o->Set(std::string(k), FromJson(v));
      return Value::Object(std::move(o));
    }
  }
  return Value();
}

int64_t SaturatingInt(double d) {
  constexpr double kLimit = 9007199254740992.0;  // 2^53
  if (std::isnan(d)) return 0;
  return static_cast<int64_t>(std::trunc(std::clamp(d, -kLimit, kLimit)));
}

namespace {

boost::json::value NumberJson(double d) {
  if (!std::isfinite(d)) return nullptr;
  if (d == std::floor(d) && std::fabs(d) < 9007199254740992.0) {
    if (d == 0 && std::signbit(d)) return 0;
    return static_cast<int64_t>(d);
  }
  return d;
}

}  // namespace

boost::json::value ToJson(const Value& v) {
  switch (v.type()) {
    case Value::Type::kUndefined:
    case Value::Type::kNull:
      return nullptr;
    case Value::Type::kBool:
      return v.boolean();
    case Value::Type::kNumber:
      return NumberJson(v.number());
    case Value::Type::kString:
      return boost::json::string(v.str());
    case Value::Type::kArray: {
      const ArrayData& a = v.array();
      if (a.outer_wrapper && a.size() == 1) return ToJson(a.items[0]);
      boost::json::array out;
      out.reserve(a.size());
      for (const auto& e : a.items) {
        if (e.undefined() || e.is_function()) {
          out.emplace_back(nullptr);
        } else {
          out.push_back(ToJson(e));
        }
      }
      return out;
    }
    case Value::Type::kObject: {
      boost::json::object out;
      for (const auto& [k, e] : v.object().entries) {
        if (e.undefined() || e.is_function()) continue;
        out[k] = ToJson(e);
      }
      return out;
    }
    case Value::Type::kFunction:
      return "";
  }
  return nullptr;
}

std::string NumberToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool negative = false;
  size_t pos = 0;
  if (sci[0] == '-') {
    negative = true;
    pos = 1;
  }
  size_t e = sci.find('e');
  std::string digits;
  for (size_t i = pos; i < e; ++i) {
    if (sci[i] != '.') digits.push_back(sci[i]);
  }
  int exp10 = std::atoi(sci.c_str() + e + 1);
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;
  std::string out = negative ? "-" : "";
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<size_t>(n));
    out += '.';
    out += digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += (n - 1 >= 0) ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

namespace {

void QuoteJson(std::string* out, const std::string& s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

double Precision15(double d) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.15g", d);
  return std::strtod(buf, nullptr);
}

void StringifyInto(std::string* out, const Value& v, int indent, int level) {
  auto newline = [&](int lvl) {
    if (indent <= 0) return;
    out->push_back('\n');
    out->append(static_cast<size_t>(indent * lvl), ' ');
  };
  switch (v.type()) {
    case Value::Type::kUndefined:
    case Value::Type::kNull:
      *out += "null";
      return;
    case Value::Type::kBool:
      *out += v.boolean() ? "true" : "false";
      return;
    case Value::Type::kNumber:
      if (!std::isfinite(v.number())) {
        throw JsonataError{"D1001", -1, "", "Number out of range", v};
      } else {
        *out += NumberToString(Precision15(v.number()));
      }
      return;
    case Value::Type::kString:
      QuoteJson(out, v.str());
      return;
    case Value::Type::kFunction:
      *out += "\"\"";
      return;
    case Value::Type::kArray: {
      const auto& items = v.array().items;
      if (items.empty()) {
        *out += "[]";
        return;
      }
      out->push_back('[');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out->push_back(',');
        newline(level + 1);
        if (items[i].undefined()) {
          *out += "null";
        } else {
          StringifyInto(out, items[i], indent, level + 1);
        }
      }
      newline(level);
      out->push_back(']');
      return;
    }
    case Value::Type::kObject: {
      bool first = true;
      out->push_back('{');
      for (const auto& [k, e] : v.object().entries) {
        if (e.undefined()) continue;
        if (!first) out->push_back(',');
        first = false;
        newline(level + 1);
        QuoteJson(out, k);
        out->push_back(':');
        if (indent > 0) out->push_back(' ');
        StringifyInto(out, e, indent, level + 1);
      }
      if (!first) newline(level);
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

std::string Stringify(const Value& v, int indent) {
  std::string out;
  StringifyInto(&out, v, indent, 0);
  return out;
}

bool DeepEqual(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::Type::kUndefined:
    case Value::Type::kNull:
      return true;
    case Value::Type::kBool:
      return a.boolean() == b.boolean();
    case Value::Type::kNumber:
      return a.number() == b.number();
    case Value::Type::kString:
      return a.str() == b.str();
    case Value::Type::kFunction:
      return a.function_ptr() == b.function_ptr();
    case Value::Type::kArray: {
      const auto& x = a.array().items;
      const auto& y = b.array().items;
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!DeepEqual(x[i], y[i])) return false;
      }
      return true;
    }
    case Value::Type::kObject: {
      const auto& x = a.object();
      const auto& y = b.object();
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x.entries) {
        const Value* o = y.Find(k);
        if (o == nullptr || !DeepEqual(v, *o)) return false;
      }
      return true;
    }
  }
  return false;
}

Value DeepClone(const Value& v) {
  if (v.is_array()) {
    auto a = std::make_shared<ArrayData>(v.array());
    for (auto& e : a->items) e = DeepClone(e);
    return Value::Array(std::move(a));
  }
  if (v.is_object()) {
    auto o = std::make_shared<ObjectData>();
    for (const auto& [k, e] : v.object().entries) o->Set(k, DeepClone(e));
    return Value::Object(std::move(o));
  }
  return v;
}

Value CopyArray(const Value& v) { return Value::Array(std::make_shared<ArrayData>(v.array())); }

std::vector<uint32_t> CodePoints(std::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t n = 1;
    if (c >= 0xF0 && i + 3 < s.size() + 0) {
      cp = c & 0x07;
      n = 4;
    } else if (c >= 0xE0) {
      cp = c & 0x0F;
      n = 3;
    } else if (c >= 0xC0) {
      cp = c & 0x1F;
      n = 2;
    }
    if (i + n > s.size()) n = 1, cp = c;
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string FromCodePoints(const std::vector<uint32_t>& cps, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end && i < cps.size(); ++i) AppendUtf8(&out, cps[i]);
  return out;
}

}  // namespace tidepool::sfn::jsonata
