#include "protocol/codec/validate.h"

#include <re2/re2.h>
#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

namespace tidepool::protocol::validate {
namespace {

namespace json = boost::json;
using model::Member;
using model::ServiceModel;
using model::Shape;
using model::ShapeType;

constexpr size_t kMaxErrors = 10;  // AWS reports at most ten failures per request

// ---- Compiled patterns -------------------------------------------------------------------

// One compiled pattern, built on first use by some thread and then shared read-only.
struct CompiledPattern {
  std::string_view source;  // the model's pattern this was compiled from
  std::unique_ptr<RE2> re;  // null when RE2 rejected the pattern (the check is skipped)
};

// Per model table: one slot per shape. Slots are filled with compare-and-swap and never freed
// (models are static data that live as long as the process).
struct PatternSlots {
  explicit PatternSlots(size_t n) : slots(new std::atomic<CompiledPattern*>[n]), size(n) {
    for (size_t i = 0; i < n; ++i) slots[i].store(nullptr, std::memory_order_relaxed);
  }
  std::unique_ptr<std::atomic<CompiledPattern*>[]> slots;
  size_t size;
};

constexpr size_t kMaxTables = 64;
std::atomic<const Shape*> g_table_keys[kMaxTables];
std::atomic<PatternSlots*> g_table_slots[kMaxTables];
std::atomic<size_t> g_table_count{0};
std::mutex g_register_mu;

// The slots of `model`'s shape table, registering it on first use; null when the registry is
// full (then patterns are compiled per call, uncached).
PatternSlots* SlotsFor(const ServiceModel& model) {
  const Shape* key = model.shapes.data();
  size_t n = g_table_count.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) {
    if (g_table_keys[i].load(std::memory_order_acquire) == key) {
      PatternSlots* s = g_table_slots[i].load(std::memory_order_acquire);
      if (s->size == model.shapes.size()) return s;
    }
  }
  std::lock_guard lock(g_register_mu);
  n = g_table_count.load(std::memory_order_relaxed);
  for (size_t i = 0; i < n; ++i) {
    if (g_table_keys[i].load(std::memory_order_relaxed) == key) {
      PatternSlots* s = g_table_slots[i].load(std::memory_order_relaxed);
      if (s->size == model.shapes.size()) return s;
    }
  }
  if (n == kMaxTables) return nullptr;
  auto* slots = new PatternSlots(model.shapes.size());  // lives as long as the process
  g_table_slots[n].store(slots, std::memory_order_release);
  g_table_keys[n].store(key, std::memory_order_release);
  g_table_count.store(n + 1, std::memory_order_release);
  return slots;
}

std::unique_ptr<CompiledPattern> Compile(std::string_view pattern, std::string_view shape_name,
                                         bool log) {
  auto compiled = std::make_unique<CompiledPattern>();
  compiled->source = pattern;
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(JavaPatternToRe2(pattern), options);
  if (re->ok()) {
    compiled->re = std::move(re);
  } else if (log) {
    spdlog::warn("model pattern of shape {} not supported by RE2, not checked: {} ({})", shape_name,
                 pattern, re->error());
  }
  return compiled;
}

// True when `value` matches the pattern of shape `index` (or the pattern cannot be checked).
bool MatchesPattern(PatternSlots* slots, const Shape& shape, uint16_t index,
                    std::string_view value) {
  if (slots == nullptr || index >= slots->size) {
    auto compiled = Compile(shape.pattern, shape.name, false);
    return !compiled->re || RE2::FullMatch(value, *compiled->re);
  }
  std::atomic<CompiledPattern*>& slot = slots->slots[index];
  CompiledPattern* compiled = slot.load(std::memory_order_acquire);
  if (compiled == nullptr || compiled->source != shape.pattern) {
    auto fresh = Compile(shape.pattern, shape.name, compiled == nullptr);
    if (compiled == nullptr &&
        slot.compare_exchange_strong(compiled, fresh.get(), std::memory_order_acq_rel)) {
      compiled = fresh.release();  // owned by the slot from now on
    } else if (compiled == nullptr || compiled->source != shape.pattern) {
      // Lost a race to a different table at the same address, or a stale entry: use ours once.
      return !fresh->re || RE2::FullMatch(value, *fresh->re);
    }
  }
  return !compiled->re || RE2::FullMatch(value, *compiled->re);
}

// ---- Rendering values the way Coral prints them ------------------------------------------

std::string JavaDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  double a = std::fabs(v);
  if (a == 0 || (a >= 1e-3 && a < 1e7)) {
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    std::string s(buf, r.ptr);
    if (s.find('.') == std::string::npos) s += ".0";
    return s;
  }
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string s(buf, r.ptr);  // e.g. 1.5e+07
  size_t e = s.find('e');
  std::string mantissa = s.substr(0, e);
  if (mantissa.find('.') == std::string::npos) mantissa += ".0";
  int exponent = std::atoi(s.c_str() + e + 1);
  return mantissa + "E" + std::to_string(exponent);
}

void RenderValue(const ServiceModel& model, const json::value& v, const Shape& shape,
                 std::string& out) {
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      return;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case json::kind::int64:
      out += std::to_string(v.get_int64());
      return;
    case json::kind::uint64:
      out += std::to_string(v.get_uint64());
      return;
    case json::kind::double_:
      out += JavaDouble(v.get_double());
      return;
    case json::kind::string:
      if (shape.type == ShapeType::kBlob) {
        std::string n = std::to_string(v.get_string().size());
        out += "java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]";
      } else {
        out += std::string_view(v.get_string());
      }
      return;
    case json::kind::array: {
      const Shape& element = shape.type == ShapeType::kList ? model.shape(shape.member) : shape;
      out += '[';
      bool first = true;
      for (const json::value& e : v.get_array()) {
        if (!first) out += ", ";
        first = false;
        RenderValue(model, e, element, out);
      }
      out += ']';
      return;
    }
    case json::kind::object:
      if (shape.type == ShapeType::kMap) {
        const Shape& value_shape = model.shape(shape.member);
        out += '{';
        bool first = true;
        for (const auto& kv : v.get_object()) {
          if (!first) out += ", ";
          first = false;
          out += std::string_view(kv.key());
          out += '=';
          RenderValue(model, kv.value(), value_shape, out);
        }
        out += '}';
      } else if (shape.type == ShapeType::kStructure || shape.type == ShapeType::kUnion) {
        // Member by member, so that blobs print as buffers rather than their raw bytes.
        out += '{';
        bool first = true;
        for (const Member& m : model.MembersOf(shape)) {
          const json::value* member = v.get_object().if_contains(m.name);
          if (member == nullptr) continue;
          if (!first) out += ", ";
          first = false;
          out += m.name;
          out += '=';
          RenderValue(model, *member, model.shape(m.shape), out);
        }
        out += '}';
      } else {
        out += json::serialize(v);
      }
      return;
  }
}

// ---- The walk ----------------------------------------------------------------------------

// One step of the member path. Rendered only when a check fails.
struct PathSegment {
  enum Kind : uint8_t { kMember, kLiteral, kIndex } kind;
  std::string_view text;  // kMember (first letter lower-cased when rendered), kLiteral
  size_t index = 0;       // kIndex, 1-based
};

class Walk {
 public:
  // `path` is scratch space, cleared here (reused across calls to avoid an allocation).
  Walk(const ServiceModel& model, std::vector<PathSegment>& path)
      : model_(model), slots_(SlotsFor(model)), path_(path) {
    path_.clear();
  }

  void Structure(const json::object& object, const Shape& shape) {
    for (const Member& m : model_.MembersOf(shape)) {
      if (Full()) return;
      path_.push_back({PathSegment::kMember, m.name});
      Value(object.if_contains(m.name), m.shape, m.required);
      path_.pop_back();
    }
  }

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  bool Full() const { return errors_.size() >= kMaxErrors; }

  std::string RenderPath() const {
    std::string path;
    for (const PathSegment& s : path_) {
      if (!path.empty()) path += '.';
      switch (s.kind) {
        case PathSegment::kMember:
          if (!s.text.empty()) {
            char c = s.text[0];
            path += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            path += s.text.substr(1);
          }
          break;
        case PathSegment::kLiteral:
          path += s.text;
          break;
        case PathSegment::kIndex:
          path += std::to_string(s.index);
          break;
      }
    }
    return path;
  }

  void Fail(const json::value* v, const Shape& shape, std::string_view constraint) {
    if (Full()) return;
    std::string e = "Value ";
    if (v == nullptr || v->is_null()) {
      e += "null";
    } else {
      e += '\'';
      RenderValue(model_, *v, shape, e);
      e += '\'';
    }
    e += " at '";
    e += RenderPath();
    e += "' failed to satisfy constraint: ";
    e += constraint;
    errors_.push_back(std::move(e));
  }

  void Length(const json::value& v, const Shape& shape, int64_t length) {
    if (shape.min != model::kNoLimit && length < shape.min) {
      Fail(&v, shape,
           "Member must have length greater than or equal to " + std::to_string(shape.min));
    }
    if (shape.max != model::kNoLimit && length > shape.max) {
      Fail(&v, shape, "Member must have length less than or equal to " + std::to_string(shape.max));
    }
  }

  void Range(const json::value& v, const Shape& shape) {
    double d;
    if (v.is_int64()) {
      d = static_cast<double>(v.get_int64());
    } else if (v.is_uint64()) {
      d = static_cast<double>(v.get_uint64());
    } else if (v.is_double()) {
      d = v.get_double();
    } else {
      return;
    }
    auto below = [&](int64_t limit) {
      return v.is_int64() ? v.get_int64() < limit : d < static_cast<double>(limit);
    };
    auto above = [&](int64_t limit) {
      return v.is_int64() ? v.get_int64() > limit : d > static_cast<double>(limit);
    };
    if (shape.min != model::kNoLimit && below(shape.min)) {
      Fail(&v, shape,
           "Member must have value greater than or equal to " + std::to_string(shape.min));
    }
    if (shape.max != model::kNoLimit && above(shape.max)) {
      Fail(&v, shape, "Member must have value less than or equal to " + std::to_string(shape.max));
    }
  }

  void String(const json::value& v, const Shape& shape, uint16_t index) {
    std::string_view s = v.get_string();
    if (shape.enum_count > 0 && !model_.aws_query_compatible) {
      bool found = false;
      for (std::string_view e : model_.EnumOf(shape)) found = found || e == s;
      if (!found) {
        std::string c = "Member must satisfy enum value set: [";
        bool first = true;
        for (std::string_view e : model_.EnumOf(shape)) {
          if (!first) c += ", ";
          first = false;
          c += e;
        }
        c += ']';
        Fail(&v, shape, c);
      }
    }
    if (!shape.pattern.empty() && !MatchesPattern(slots_, shape, index, s)) {
      Fail(&v, shape,
           "Member must satisfy regular expression pattern: " + std::string(shape.pattern));
    }
    if (shape.min != model::kNoLimit || shape.max != model::kNoLimit) {
      Length(v, shape, static_cast<int64_t>(Utf16Length(s)));
    }
  }

  // The constraints a map key failed, "" when none; AWS lists the key shape's length limits.
  bool KeyFails(const Shape& key_shape, uint16_t key_index, std::string_view key) {
    if (key_shape.enum_count > 0) {
      bool found = false;
      for (std::string_view e : model_.EnumOf(key_shape)) found = found || e == key;
      if (!found) return true;
    }
    if (!key_shape.pattern.empty() && !MatchesPattern(slots_, key_shape, key_index, key)) {
      return true;
    }
    int64_t len = static_cast<int64_t>(Utf16Length(key));
    return (key_shape.min != model::kNoLimit && len < key_shape.min) ||
           (key_shape.max != model::kNoLimit && len > key_shape.max);
  }

  std::string KeyConstraints(const Shape& key_shape) {
    std::vector<std::string> parts;
    if (key_shape.max != model::kNoLimit) {
      parts.push_back("Member must have length less than or equal to " +
                      std::to_string(key_shape.max));
    }
    if (key_shape.min != model::kNoLimit) {
      parts.push_back("Member must have length greater than or equal to " +
                      std::to_string(key_shape.min));
    }
    if (!key_shape.pattern.empty()) {
      parts.push_back("Member must satisfy regular expression pattern: " +
                      std::string(key_shape.pattern));
    }
    if (key_shape.enum_count > 0) {
      std::string e = "Member must satisfy enum value set: [";
      bool first = true;
      for (std::string_view v : model_.EnumOf(key_shape)) {
        if (!first) e += ", ";
        first = false;
        e += v;
      }
      parts.push_back(e + "]");
    }
    std::string out = "Map keys must satisfy constraint: [";
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += ", ";
      out += parts[i];
    }
    return out + "]";
  }

  void Value(const json::value* v, uint16_t index, bool required) {
    if (Full()) return;
    const Shape& shape = model_.shape(index);
    if (v == nullptr || v->is_null()) {
      if (required) Fail(v, shape, "Member must not be null");
      return;
    }
    switch (shape.type) {
      case ShapeType::kString:
        if (v->is_string()) String(*v, shape, index);
        return;
      case ShapeType::kBlob:
        if (v->is_string()) Length(*v, shape, static_cast<int64_t>(v->get_string().size()));
        return;
      case ShapeType::kInteger:
      case ShapeType::kLong:
      case ShapeType::kFloat:
      case ShapeType::kDouble:
        Range(*v, shape);
        return;
      case ShapeType::kList: {
        if (!v->is_array()) return;
        const json::array& a = v->get_array();
        Length(*v, shape, static_cast<int64_t>(a.size()));
        for (size_t i = 0; i < a.size() && !Full(); ++i) {
          path_.push_back({PathSegment::kIndex, {}, i + 1});
          path_.push_back({PathSegment::kLiteral, "member"});
          Value(&a[i], shape.member, true);
          path_.pop_back();
          path_.pop_back();
        }
        return;
      }
      case ShapeType::kMap: {
        if (!v->is_object()) return;
        const json::object& o = v->get_object();
        Length(*v, shape, static_cast<int64_t>(o.size()));
        if (shape.key != model::kNoShape) {
          const Shape& key_shape = model_.shape(shape.key);
          for (const auto& kv : o) {
            if (KeyFails(key_shape, shape.key, kv.key())) {
              Fail(v, shape, KeyConstraints(key_shape));
              break;
            }
          }
        }
        for (const auto& kv : o) {
          if (Full()) return;
          path_.push_back({PathSegment::kLiteral, kv.key()});
          path_.push_back({PathSegment::kLiteral, "member"});
          Value(&kv.value(), shape.member, true);
          path_.pop_back();
          path_.pop_back();
        }
        return;
      }
      case ShapeType::kStructure:
      case ShapeType::kUnion:
        if (v->is_object()) Structure(v->get_object(), shape);
        return;
      case ShapeType::kBoolean:
      case ShapeType::kTimestamp:
        return;
    }
  }

  const ServiceModel& model_;
  PatternSlots* slots_;
  std::vector<PathSegment>& path_;
  std::vector<std::string> errors_;
};

void AppendCodePoint(uint32_t cp, std::string& out) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\x{%X}", cp);
  out += buf;
}

bool ParseHex4(std::string_view s, size_t at, uint32_t* cp) {
  if (at + 4 > s.size()) return false;
  uint32_t v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v |= c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v |= c - 'A' + 10;
    } else {
      return false;
    }
  }
  *cp = v;
  return true;
}

// Java's POSIX \p{Name} classes and their RE2 bracket names.
std::string_view PosixClass(std::string_view java) {
  static constexpr std::pair<std::string_view, std::string_view> kClasses[] = {
      {"Lower", "lower"}, {"Upper", "upper"}, {"ASCII", "ascii"}, {"Alpha", "alpha"},
      {"Digit", "digit"}, {"Alnum", "alnum"}, {"Punct", "punct"}, {"Graph", "graph"},
      {"Print", "print"}, {"Blank", "blank"}, {"Cntrl", "cntrl"}, {"XDigit", "xdigit"},
      {"Space", "space"},
  };
  for (const auto& [j, r] : kClasses) {
    if (j == java) return r;
  }
  return {};
}

}  // namespace

std::string JavaPatternToRe2(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 8);
  int class_depth = 0;
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char d = p[i + 1];
      uint32_t cp;
      if (d == 'u' && ParseHex4(p, i + 2, &cp)) {
        i += 6;
        uint32_t low;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < p.size() && p[i] == '\\' && p[i + 1] == 'u' &&
            ParseHex4(p, i + 2, &low) && low >= 0xDC00 && low <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
        AppendCodePoint(cp, out);
        continue;
      }
      if ((d == 'p' || d == 'P') && i + 2 < p.size() && p[i + 2] == '{') {
        size_t close = p.find('}', i + 3);
        if (close != std::string_view::npos) {
          std::string_view posix = PosixClass(p.substr(i + 3, close - i - 3));
          if (!posix.empty()) {
            std::string cls = std::string(d == 'P' ? "[:^" : "[:") + std::string(posix) + ":]";
            out += class_depth > 0 ? cls : "[" + cls + "]";
            i = close + 1;
            continue;
          }
        }
      }
      out += c;
      out += d;
      i += 2;
      continue;
    }
    if (c == '[') {
      ++class_depth;
    } else if (c == ']' && class_depth > 0) {
      --class_depth;
    }
    out += c;
    ++i;
  }
  return out;
}

size_t Utf16Length(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) != 0x80) ++n;  // a lead or ASCII byte starts a code point
    if (c >= 0xF0) ++n;           // outside the BMP: a surrogate pair in UTF-16
  }
  return n;
}

std::optional<std::string> ValidateInput(const model::ServiceModel& model, uint16_t shape,
                                         const boost::json::object& input) {
  if (shape == model::kNoShape || shape >= model.shapes.size()) return std::nullopt;
  thread_local std::vector<PathSegment> path;
  Walk walk(model, path);
  walk.Structure(input, model.shape(shape));
  const auto& errors = walk.errors();
  if (errors.empty()) return std::nullopt;
  std::string message = std::to_string(errors.size());
  message += errors.size() == 1 ? " validation error detected: " : " validation errors detected: ";
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) message += "; ";
    message += errors[i];
  }
  return message;
}

}  // namespace tidepool::protocol::validate
