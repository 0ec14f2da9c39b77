#include "services/apigateway/json_schema.h"

#include <re2/re2.h>

#include <cmath>
#include <optional>
#include <string_view>

namespace tidepool::apigateway {
namespace json = boost::json;

namespace {

// $ref chains (and schemas nesting through them) deeper than this are refused, so a model
// that refers to itself cannot recurse without end.
constexpr int kMaxDepth = 64;
// Schema checks per validation: combinators over references ({"allOf": [{"$ref": "#"},
// {"$ref": "#"}]}) would otherwise branch exponentially within the depth limit.
constexpr int64_t kMaxSteps = 100000;

bool IsInteger(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  return v.is_double() && std::isfinite(v.get_double()) &&
         v.get_double() == std::floor(v.get_double());
}

bool HasType(const json::value& v, std::string_view type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_bool();
  if (type == "null") return v.is_null();
  if (type == "number") return v.is_number();
  if (type == "integer") return v.is_number() && IsInteger(v);
  return true;  // an unknown type name constrains nothing
}

// Numbers compare by value (1 == 1.0); everything else structurally.
bool JsonEqual(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const json::array &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!JsonEqual(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    const json::object &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      const json::value* other = y.if_contains(kv.key());
      if (other == nullptr || !JsonEqual(kv.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::optional<double> Number(const json::object& schema, std::string_view key) {
  const json::value* v = schema.if_contains(key);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->to_number<double>();
}

bool Flag(const json::object& schema, std::string_view key) {
  const json::value* v = schema.if_contains(key);
  return v != nullptr && v->is_bool() && v->get_bool();
}

class Validator {
 public:
  Validator(const json::value& root, const json::object& models) : root_(root), models_(models) {}

  Status Check(const json::value& schema, const json::value& v, const std::string& at, int depth) {
    if (depth > kMaxDepth) return Fail(at, "the schema nests or refers too deeply");
    if (++steps_ > kMaxSteps) return Fail(at, "the schema takes too many steps to check");
    const json::object* s = schema.if_object();
    if (s == nullptr) return Status::Ok();
    if (const json::value* ref = s->if_contains("$ref"); ref && ref->is_string()) {
      auto target = Resolve(ref->get_string());
      if (!target) return Fail(at, "unresolvable $ref " + std::string(ref->get_string()));
      return Check(*target, v, at, depth + 1);
    }
    if (Status st = CheckType(*s, v, at); !st.ok()) return st;
    if (const json::value* e = s->if_contains("enum"); e && e->is_array()) {
      bool found = false;
      for (const json::value& option : e->get_array()) found = found || JsonEqual(option, v);
      if (!found) return Fail(at, "instance value not found in enum");
    }
    if (Status st = CheckCombinators(*s, v, at, depth); !st.ok()) return st;
    if (v.is_number()) return CheckNumber(*s, v.to_number<double>(), at);
    if (v.is_string()) return CheckString(*s, v.get_string(), at);
    if (v.is_array()) return CheckArray(*s, v.get_array(), at, depth);
    if (v.is_object()) return CheckObject(*s, v.get_object(), at, depth);
    return Status::Ok();
  }

 private:
  static Status Fail(const std::string& at, const std::string& what) {
    return Status::InvalidArgument(what + " (at " + (at.empty() ? "/" : at) + ")");
  }

  std::optional<json::value> Resolve(std::string_view ref) {
    if (ref == "#") return root_;
    constexpr std::string_view kDefinitions = "#/definitions/";
    if (ref.starts_with(kDefinitions)) {
      const json::object* root = root_.if_object();
      const json::value* defs = root ? root->if_contains("definitions") : nullptr;
      const json::value* d = defs && defs->is_object()
                                 ? defs->get_object().if_contains(ref.substr(kDefinitions.size()))
                                 : nullptr;
      if (d != nullptr) return *d;
      return std::nullopt;
    }
    size_t models = ref.rfind("/models/");
    if (models == std::string_view::npos) return std::nullopt;
    const json::value* m = models_.if_contains(ref.substr(models + 8));
    if (m == nullptr) return std::nullopt;
    return *m;
  }

  static Status CheckType(const json::object& s, const json::value& v, const std::string& at) {
    const json::value* type = s.if_contains("type");
    if (type == nullptr) return Status::Ok();
    if (type->is_string()) {
      if (HasType(v, type->get_string())) return Status::Ok();
      return Fail(at, "instance type does not match the allowed type \"" +
                          std::string(type->get_string()) + "\"");
    }
    if (!type->is_array()) return Status::Ok();
    for (const json::value& t : type->get_array()) {
      if (t.is_string() && HasType(v, t.get_string())) return Status::Ok();
    }
    return Fail(at, "instance type does not match any allowed primitive type");
  }

  Status CheckCombinators(const json::object& s, const json::value& v, const std::string& at,
                          int depth) {
    if (const json::value* all = s.if_contains("allOf"); all && all->is_array()) {
      for (const json::value& sub : all->get_array()) {
        if (Status st = Check(sub, v, at, depth + 1); !st.ok()) return st;
      }
    }
    for (std::string_view key : {"anyOf", "oneOf"}) {
      const json::value* list = s.if_contains(key);
      if (list == nullptr || !list->is_array()) continue;
      size_t matched = 0;
      for (const json::value& sub : list->get_array()) {
        matched += Check(sub, v, at, depth + 1).ok();
      }
      if (matched == 0)
        return Fail(at, "instance does not match any schema of " + std::string(key));
      if (key == "oneOf" && matched > 1) {
        return Fail(at, "instance matches more than one schema of oneOf");
      }
    }
    if (const json::value* no = s.if_contains("not"); no && Check(*no, v, at, depth + 1).ok()) {
      return Fail(at, "instance matched a schema which it should not");
    }
    return Status::Ok();
  }

  static Status CheckNumber(const json::object& s, double n, const std::string& at) {
    if (auto min = Number(s, "minimum")) {
      bool exclusive = Flag(s, "exclusiveMinimum");
      if (exclusive ? n <= *min : n < *min)
        return Fail(at, "numeric instance is lower than the required minimum");
    }
    if (auto max = Number(s, "maximum")) {
      bool exclusive = Flag(s, "exclusiveMaximum");
      if (exclusive ? n >= *max : n > *max)
        return Fail(at, "numeric instance is greater than the required maximum");
    }
    if (auto m = Number(s, "multipleOf"); m && *m > 0) {
      double q = n / *m;
      if (std::fabs(q - std::round(q)) > 1e-9)
        return Fail(at, "numeric instance is not a multiple of multipleOf");
    }
    return Status::Ok();
  }

  static Status CheckString(const json::object& s, std::string_view text, const std::string& at) {
    size_t length = CodePoints(text);
    if (auto min = Number(s, "minLength"); min && length < *min) {
      return Fail(at, "string is too short");
    }
    if (auto max = Number(s, "maxLength"); max && length > *max) {
      return Fail(at, "string is too long");
    }
    if (const json::value* p = s.if_contains("pattern"); p && p->is_string()) {
      RE2 re(std::string(p->get_string()), RE2::Quiet);
      if (!re.ok()) return Fail(at, "invalid pattern");
      if (!RE2::PartialMatch(text, re)) {
        return Fail(at, "ECMA 262 regex \"" + std::string(p->get_string()) +
                            "\" does not match input string");
      }
    }
    return Status::Ok();
  }

  Status CheckArray(const json::object& s, const json::array& a, const std::string& at, int depth) {
    if (auto min = Number(s, "minItems"); min && a.size() < *min) {
      return Fail(at, "array is too short");
    }
    if (auto max = Number(s, "maxItems"); max && a.size() > *max) {
      return Fail(at, "array is too long");
    }
    if (Flag(s, "uniqueItems")) {
      for (size_t i = 0; i < a.size(); ++i) {
        for (size_t j = i + 1; j < a.size(); ++j) {
          if (JsonEqual(a[i], a[j])) return Fail(at, "array must not contain duplicate elements");
        }
      }
    }
    const json::value* items = s.if_contains("items");
    if (items == nullptr) return Status::Ok();
    for (size_t i = 0; i < a.size(); ++i) {
      const json::value* sub = items;
      if (items->is_array()) {
        const json::array& list = items->get_array();
        if (i < list.size()) {
          sub = &list[i];
        } else {
          const json::value* extra = s.if_contains("additionalItems");
          if (extra && extra->is_bool() && !extra->get_bool()) {
            return Fail(at, "array has more items than the schema allows");
          }
          sub = extra;
        }
      }
      if (sub == nullptr) continue;
      if (Status st = Check(*sub, a[i], at + "/" + std::to_string(i), depth + 1); !st.ok()) {
        return st;
      }
    }
    return Status::Ok();
  }

  Status CheckObject(const json::object& s, const json::object& o, const std::string& at,
                     int depth) {
    if (auto min = Number(s, "minProperties"); min && o.size() < *min) {
      return Fail(at, "object has too few properties");
    }
    if (auto max = Number(s, "maxProperties"); max && o.size() > *max) {
      return Fail(at, "object has too many properties");
    }
    if (const json::value* req = s.if_contains("required"); req && req->is_array()) {
      for (const json::value& name : req->get_array()) {
        if (name.is_string() && !o.contains(name.get_string())) {
          return Fail(at, "object has missing required properties ([\"" +
                              std::string(name.get_string()) + "\"])");
        }
      }
    }
    const json::object* props = nullptr;
    if (const json::value* p = s.if_contains("properties")) props = p->if_object();
    const json::object* patterns = nullptr;
    if (const json::value* p = s.if_contains("patternProperties")) patterns = p->if_object();
    const json::value* additional = s.if_contains("additionalProperties");
    for (const auto& kv : o) {
      std::string where = at + "/" + std::string(kv.key());
      bool described = false;
      if (props != nullptr) {
        if (const json::value* sub = props->if_contains(kv.key())) {
          described = true;
          if (Status st = Check(*sub, kv.value(), where, depth + 1); !st.ok()) return st;
        }
      }
      if (patterns != nullptr) {
        for (const auto& p : *patterns) {
          RE2 re(std::string(p.key()), RE2::Quiet);
          if (!re.ok() || !RE2::PartialMatch(std::string_view(kv.key()), re)) continue;
          described = true;
          if (Status st = Check(p.value(), kv.value(), where, depth + 1); !st.ok()) return st;
        }
      }
      if (described || additional == nullptr) continue;
      if (additional->is_bool() && !additional->get_bool()) {
        return Fail(at, "object instance has properties which are not allowed by the schema: [\"" +
                            std::string(kv.key()) + "\"]");
      }
      if (Status st = Check(*additional, kv.value(), where, depth + 1); !st.ok()) return st;
    }
    return Status::Ok();
  }

  const json::value& root_;
  const json::object& models_;
  int64_t steps_ = 0;
};

}  // namespace

Status ValidateJsonSchema(const json::value& schema, const json::value& instance,
                          const json::object& models) {
  return Validator(schema, models).Check(schema, instance, "", 0);
}

}  // namespace tidepool::apigateway
