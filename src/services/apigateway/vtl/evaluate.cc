// The VTL evaluator: renders ast.h's nodes against an Environment and local variables.
#include <re2/re2.h>
#include <boost/json.hpp>

#include <cmath>
#include <map>

#include "core/encoding.h"
#include "protocol/http/query_string.h"
#include "services/apigateway/vtl/ast.h"
#include "services/apigateway/vtl/template.h"

namespace tidepool::apigateway::vtl {
namespace json = boost::json;

Result<std::vector<Node>> ParseNodes(std::string_view text);  // parser.cc

namespace {

constexpr size_t kMaxOutput = 10 << 20;
constexpr int64_t kMaxIterations = 100000;
constexpr int kMaxDepth = 64;

using Value = std::optional<json::value>;  // nullopt: undefined

std::string NumberText(const json::value& v) {
  if (v.is_double()) {
    double d = v.get_double();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
      return std::to_string(static_cast<int64_t>(d)) + ".0";
    }
  }
  return json::serialize(v);
}

bool Truthy(const Value& v) {
  if (!v || v->is_null()) return false;
  if (v->is_bool()) return v->get_bool();
  return true;
}

std::optional<double> AsNumber(const Value& v) {
  if (!v) return std::nullopt;
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  if (v->is_double()) return v->get_double();
  return std::nullopt;
}

std::string EscapeJavaScript(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '/':
        out += "\\/";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '*') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// Java's replacement syntax ($1, \$) as RE2's (\1, $).
std::string Re2Rewrite(std::string_view java) {
  std::string out;
  for (size_t i = 0; i < java.size(); ++i) {
    char c = java[i];
    if (c == '$' && i + 1 < java.size() && std::isdigit(static_cast<unsigned char>(java[i + 1]))) {
      out.push_back('\\');
    } else if (c == '\\' && i + 1 < java.size()) {
      c = java[++i];
      if (c == '\\') out.push_back('\\');
      out.push_back(c);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<json::value> Util(std::string_view method, const std::vector<json::value>& args) {
  if (args.size() != 1) {
    return Status::InvalidArgument("$util." + std::string(method) + " takes one argument");
  }
  std::string s = args[0].is_string() ? std::string(args[0].get_string()) : ToText(args[0]);
  if (method == "escapeJavaScript") return json::value(json::string(EscapeJavaScript(s)));
  if (method == "urlEncode") return json::value(json::string(UrlEncode(s)));
  if (method == "urlDecode") {
    return json::value(json::string(protocol::http::PercentDecode(s, true)));
  }
  if (method == "base64Encode") return json::value(json::string(Base64Encode(s)));
  if (method == "base64Decode") {
    auto decoded = Base64Decode(s);
    if (!decoded) return Status::InvalidArgument("$util.base64Decode: not base64");
    return json::value(json::string(*decoded));
  }
  if (method == "parseJson") {
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = 64;
    json::value v = json::parse(s, ec, {}, options);
    if (ec) return Status::InvalidArgument("$util.parseJson: invalid JSON");
    return v;
  }
  return Status::InvalidArgument("unknown method $util." + std::string(method));
}

// A Java-like method of a plain value.
Value ValueMethod(const json::value& v, std::string_view m, const std::vector<json::value>& args) {
  auto arg_text = [&](size_t i) {
    return i < args.size()
               ? (args[i].is_string() ? std::string(args[i].get_string()) : ToText(args[i]))
               : std::string();
  };
  auto arg_int = [&](size_t i) -> std::optional<int64_t> {
    if (i < args.size() && args[i].is_int64()) return args[i].get_int64();
    return std::nullopt;
  };
  if (m == "toString") return json::value(json::string(ToText(v)));
  if (m == "equals" && args.size() == 1) return json::value(ToText(v) == ToText(args[0]));
  if (v.is_string()) {
    std::string_view s = v.get_string();
    if (m == "length" || m == "size") return json::value(static_cast<int64_t>(s.size()));
    if (m == "isEmpty") return json::value(s.empty());
    if (m == "toLowerCase" || m == "toUpperCase") {
      std::string out(s);
      for (char& c : out) {
        c = static_cast<char>(m == "toLowerCase" ? std::tolower(static_cast<unsigned char>(c))
                                                 : std::toupper(static_cast<unsigned char>(c)));
      }
      return json::value(json::string(out));
    }
    if (m == "trim") {
      size_t a = s.find_first_not_of(" \t\r\n");
      size_t b = s.find_last_not_of(" \t\r\n");
      return json::value(json::string(a == std::string_view::npos ? "" : s.substr(a, b - a + 1)));
    }
    if (m == "contains") return json::value(s.find(arg_text(0)) != std::string_view::npos);
    if (m == "startsWith") return json::value(s.starts_with(arg_text(0)));
    if (m == "endsWith") return json::value(s.ends_with(arg_text(0)));
    if (m == "indexOf") {
      size_t at = s.find(arg_text(0));
      return json::value(at == std::string_view::npos ? int64_t{-1} : static_cast<int64_t>(at));
    }
    if (m == "substring") {
      auto a = arg_int(0), b = args.size() > 1 ? arg_int(1) : std::optional<int64_t>(s.size());
      if (!a || !b || *a < 0 || *b > static_cast<int64_t>(s.size()) || *a > *b) return std::nullopt;
      return json::value(json::string(s.substr(*a, *b - *a)));
    }
    if (m == "replace") {
      std::string out(s), from = arg_text(0), to = arg_text(1);
      if (from.empty()) return json::value(json::string(out));
      for (size_t at = 0; (at = out.find(from, at)) != std::string::npos; at += to.size()) {
        out.replace(at, from.size(), to);
      }
      return json::value(json::string(out));
    }
    if (m == "replaceAll" || m == "matches" || m == "split") {
      RE2 re(arg_text(0), RE2::Quiet);
      if (!re.ok()) return std::nullopt;
      std::string out(s);
      if (m == "matches") return json::value(RE2::FullMatch(out, re));
      if (m == "replaceAll") {
        RE2::GlobalReplace(&out, re, Re2Rewrite(arg_text(1)));
        return json::value(json::string(out));
      }
      json::array parts;
      std::string_view input(out);
      size_t at = 0;
      re2::StringPiece match;
      while (at <= input.size() && re.Match(input, at, input.size(), RE2::UNANCHORED, &match, 1) &&
             !match.empty()) {
        size_t start = static_cast<size_t>(match.data() - input.data());
        parts.emplace_back(json::string(input.substr(at, start - at)));
        at = start + match.size();
      }
      parts.emplace_back(json::string(input.substr(std::min(at, input.size()))));
      while (!parts.empty() && parts.back().as_string().empty()) parts.pop_back();
      return json::value(std::move(parts));
    }
    return std::nullopt;
  }
  if (v.is_array()) {
    const json::array& a = v.get_array();
    if (m == "size") return json::value(static_cast<int64_t>(a.size()));
    if (m == "isEmpty") return json::value(a.empty());
    if (m == "get") {
      auto i = arg_int(0);
      if (!i || *i < 0 || *i >= static_cast<int64_t>(a.size())) return std::nullopt;
      return a[*i];
    }
    if (m == "contains" && args.size() == 1) {
      for (const auto& item : a) {
        if (item == args[0]) return json::value(true);
      }
      return json::value(false);
    }
    return std::nullopt;
  }
  if (v.is_object()) {
    const json::object& o = v.get_object();
    if (m == "size") return json::value(static_cast<int64_t>(o.size()));
    if (m == "isEmpty") return json::value(o.empty());
    if (m == "get") {
      const json::value* item = o.if_contains(arg_text(0));
      return item ? Value(*item) : std::nullopt;
    }
    if (m == "containsKey") return json::value(o.contains(arg_text(0)));
    if (m == "keySet" || m == "values") {
      json::array out;
      for (const auto& kv : o) {
        out.push_back(m == "keySet" ? json::value(json::string(kv.key())) : kv.value());
      }
      return json::value(std::move(out));
    }
  }
  return std::nullopt;
}

class Renderer {
 public:
  explicit Renderer(const Environment& env) : env_(env) {}

  Status Render(const std::vector<Node>& nodes, std::string* out, int depth) {
    if (depth > kMaxDepth) return Status::InvalidArgument("template nesting too deep");
    for (const Node& n : nodes) {
      switch (n.kind) {
        case Node::Kind::kText:
          out->append(n.text);
          break;
        case Node::Kind::kReference: {
          auto v = Resolve(n.ref, depth);
          if (!v.ok()) return v.status();
          if (*v && !(*v)->is_null()) {
            out->append(ToText(**v));
          } else if (!n.ref.quiet) {
            out->append(n.ref.source);
          }
          break;
        }
        case Node::Kind::kSet: {
          auto v = Evaluate(*n.expr, depth);
          if (!v.ok()) return v.status();
          if (*v) locals_[n.ref.root] = std::move(**v);  // Velocity keeps the old value on null
          break;
        }
        case Node::Kind::kIf: {
          for (size_t i = 0; i < n.bodies.size(); ++i) {
            if (i < n.conditions.size()) {
              auto c = Evaluate(*n.conditions[i], depth);
              if (!c.ok()) return c.status();
              if (!Truthy(*c)) continue;
            }
            if (Status s = Render(n.bodies[i], out, depth + 1); !s.ok()) return s;
            break;
          }
          break;
        }
        case Node::Kind::kForeach:
          if (Status s = Foreach(n, out, depth); !s.ok()) return s;
          break;
      }
      if (out->size() > kMaxOutput) return Status::InvalidArgument("template output too large");
    }
    return Status::Ok();
  }

 private:
  Status Foreach(const Node& n, std::string* out, int depth) {
    auto collection = Evaluate(*n.expr, depth);
    if (!collection.ok()) return collection.status();
    json::array items;
    if (*collection && (*collection)->is_array()) {
      items = (*collection)->get_array();
    } else if (*collection && (*collection)->is_object()) {
      for (const auto& kv : (*collection)->get_object()) items.push_back(kv.value());
    } else {
      return Status::Ok();
    }
    Value saved_var = Local(n.ref.root), saved_foreach = Local("foreach"),
          saved_count = Local("velocityCount");
    for (size_t i = 0; i < items.size(); ++i) {
      if (++iterations_ > kMaxIterations) return Status::InvalidArgument("too many iterations");
      locals_[n.ref.root] = items[i];
      locals_["foreach"] = json::object{{"index", static_cast<int64_t>(i)},
                                        {"count", static_cast<int64_t>(i + 1)},
                                        {"hasNext", i + 1 < items.size()},
                                        {"first", i == 0},
                                        {"last", i + 1 == items.size()}};
      locals_["velocityCount"] = static_cast<int64_t>(i + 1);
      if (Status s = Render(n.bodies[0], out, depth + 1); !s.ok()) return s;
    }
    Restore(n.ref.root, saved_var);
    Restore("foreach", saved_foreach);
    Restore("velocityCount", saved_count);
    return Status::Ok();
  }

  Value Local(const std::string& name) const {
    auto it = locals_.find(name);
    return it == locals_.end() ? std::nullopt : Value(it->second);
  }
  void Restore(const std::string& name, const Value& v) {
    if (v) {
      locals_[name] = *v;
    } else {
      locals_.erase(name);
    }
  }

  Result<std::vector<json::value>> Arguments(const std::vector<ExprPtr>& args, int depth) {
    std::vector<json::value> out;
    for (const ExprPtr& a : args) {
      auto v = Evaluate(*a, depth + 1);
      if (!v.ok()) return v.status();
      out.push_back(*v ? std::move(**v) : json::value(nullptr));
    }
    return out;
  }

  Result<Value> Resolve(const Reference& ref, int depth) {
    size_t step = 0;
    Value current;
    if (auto it = locals_.find(ref.root); it != locals_.end()) {
      current = it->second;
    } else if (ref.root == "util" && !ref.chain.empty() &&
               ref.chain[0].kind == Accessor::Kind::kMethod) {
      auto args = Arguments(ref.chain[0].args, depth);
      if (!args.ok()) return args.status();
      auto v = Util(ref.chain[0].name, *args);
      if (!v.ok()) return v.status();
      current = std::move(*v);
      step = 1;
    } else if (!ref.chain.empty() && ref.chain[0].kind != Accessor::Kind::kIndex) {
      auto args = Arguments(ref.chain[0].args, depth);
      if (!args.ok()) return args.status();
      if (auto called = env_.Call(ref.root, ref.chain[0].name, *args)) {
        if (!called->ok()) return called->status();
        current = std::move(**called);
        step = 1;
      } else {
        current = env_.Variable(ref.root);
      }
    } else {
      current = env_.Variable(ref.root);
    }
    for (; step < ref.chain.size() && current; ++step) {
      const Accessor& a = ref.chain[step];
      if (a.kind == Accessor::Kind::kProperty) {
        const json::object* o = current->if_object();
        const json::value* member = o ? o->if_contains(a.name) : nullptr;
        current = member ? Value(*member) : std::nullopt;
      } else if (a.kind == Accessor::Kind::kIndex) {
        auto index = Evaluate(*a.args[0], depth + 1);
        if (!index.ok()) return index.status();
        if (!*index) return Value();
        if (current->is_array() && (*index)->is_int64()) {
          const json::array& arr = current->get_array();
          int64_t i = (*index)->get_int64();
          current = i >= 0 && i < static_cast<int64_t>(arr.size()) ? Value(arr[i]) : std::nullopt;
        } else if (current->is_object() && (*index)->is_string()) {
          const json::value* member = current->get_object().if_contains((*index)->get_string());
          current = member ? Value(*member) : std::nullopt;
        } else {
          current = std::nullopt;
        }
      } else {
        auto args = Arguments(a.args, depth);
        if (!args.ok()) return args.status();
        current = ValueMethod(*current, a.name, *args);
      }
    }
    return current;
  }

  Result<Value> Evaluate(const Expr& e, int depth) {
    if (depth > 4 * kMaxDepth) return Status::InvalidArgument("expression too deep");
    switch (e.kind) {
      case Expr::Kind::kLiteral:
        return Value(e.literal);
      case Expr::Kind::kInterpolated: {
        std::string text;
        if (Status s = Render(e.parts, &text, depth + 1); !s.ok()) return s;
        return Value(json::value(json::string(text)));
      }
      case Expr::Kind::kReference:
        return Resolve(e.ref, depth + 1);
      case Expr::Kind::kList: {
        json::array a;
        for (const ExprPtr& c : e.children) {
          auto v = Evaluate(*c, depth + 1);
          if (!v.ok()) return v.status();
          a.push_back(*v ? std::move(**v) : json::value(nullptr));
        }
        return Value(json::value(std::move(a)));
      }
      case Expr::Kind::kMap: {
        json::object o;
        for (size_t i = 0; i + 1 < e.children.size(); i += 2) {
          auto k = Evaluate(*e.children[i], depth + 1);
          if (!k.ok()) return k.status();
          auto v = Evaluate(*e.children[i + 1], depth + 1);
          if (!v.ok()) return v.status();
          o[*k ? ToText(**k) : std::string("null")] = *v ? std::move(**v) : json::value(nullptr);
        }
        return Value(json::value(std::move(o)));
      }
      case Expr::Kind::kRange: {
        auto from = Evaluate(*e.children[0], depth + 1);
        if (!from.ok()) return from.status();
        auto to = Evaluate(*e.children[1], depth + 1);
        if (!to.ok()) return to.status();
        auto a = AsNumber(*from), b = AsNumber(*to);
        if (!a || !b) return Value();
        int64_t lo = static_cast<int64_t>(*a), hi = static_cast<int64_t>(*b);
        if (std::llabs(hi - lo) > kMaxIterations) {
          return Status::InvalidArgument("range too large");
        }
        json::array out;
        for (int64_t i = lo;; i += lo <= hi ? 1 : -1) {
          out.push_back(i);
          if (i == hi) break;
        }
        return Value(json::value(std::move(out)));
      }
      case Expr::Kind::kUnary: {
        auto v = Evaluate(*e.children[0], depth + 1);
        if (!v.ok()) return v.status();
        if (e.op == "!") return Value(json::value(!Truthy(*v)));
        auto n = AsNumber(*v);
        if (!n) return Value();
        if ((*v)->is_int64()) return Value(json::value(-(*v)->get_int64()));
        return Value(json::value(-*n));
      }
      case Expr::Kind::kBinary:
        return Binary(e, depth);
    }
    return Value();
  }

  Result<Value> Binary(const Expr& e, int depth) {
    auto l = Evaluate(*e.children[0], depth + 1);
    if (!l.ok()) return l.status();
    if (e.op == "&&" && !Truthy(*l)) return Value(json::value(false));
    if (e.op == "||" && Truthy(*l)) return Value(json::value(true));
    auto r = Evaluate(*e.children[1], depth + 1);
    if (!r.ok()) return r.status();
    if (e.op == "&&" || e.op == "||") return Value(json::value(Truthy(*r)));
    auto a = AsNumber(*l), b = AsNumber(*r);
    if (e.op == "==" || e.op == "!=") {
      bool equal;
      if (a && b) {
        equal = *a == *b;
      } else if (!*l || !*r || (*l)->is_null() || (*r)->is_null()) {
        equal = (!*l || (*l)->is_null()) && (!*r || (*r)->is_null());
      } else {
        equal = ToText(**l) == ToText(**r);
      }
      return Value(json::value(e.op == "==" ? equal : !equal));
    }
    if (e.op == "<" || e.op == ">" || e.op == "<=" || e.op == ">=") {
      int cmp;
      if (a && b) {
        cmp = *a < *b ? -1 : (*a > *b ? 1 : 0);
      } else if (*l && *r && (*l)->is_string() && (*r)->is_string()) {
        cmp = (*l)->get_string().compare((*r)->get_string());
      } else {
        return Value(json::value(false));
      }
      bool result = e.op == "<"    ? cmp < 0
                    : e.op == ">"  ? cmp > 0
                    : e.op == "<=" ? cmp <= 0
                                   : cmp >= 0;
      return Value(json::value(result));
    }
    if (e.op == "+" && (!a || !b)) {
      if (!*l || !*r) return Value();
      return Value(json::value(json::string(ToText(**l) + ToText(**r))));
    }
    if (!a || !b) return Value();
    bool ints = (*l)->is_int64() && (*r)->is_int64();
    if (ints) {
      int64_t x = (*l)->get_int64(), y = (*r)->get_int64();
      if (e.op == "+")
        return Value(
            json::value(static_cast<int64_t>(static_cast<uint64_t>(x) + static_cast<uint64_t>(y))));
      if (e.op == "-")
        return Value(
            json::value(static_cast<int64_t>(static_cast<uint64_t>(x) - static_cast<uint64_t>(y))));
      if (e.op == "*")
        return Value(
            json::value(static_cast<int64_t>(static_cast<uint64_t>(x) * static_cast<uint64_t>(y))));
      if (y == 0 || (x == INT64_MIN && y == -1)) return Value();
      if (e.op == "/") return Value(json::value(x / y));
      return Value(json::value(x % y));
    }
    if (e.op == "+") return Value(json::value(*a + *b));
    if (e.op == "-") return Value(json::value(*a - *b));
    if (e.op == "*") return Value(json::value(*a * *b));
    if (*b == 0) return Value();
    if (e.op == "/") return Value(json::value(*a / *b));
    return Value(json::value(std::fmod(*a, *b)));
  }

  const Environment& env_;
  std::map<std::string, json::value> locals_;
  int64_t iterations_ = 0;
};

}  // namespace

std::string ToText(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return std::string(v.get_string());
    case json::kind::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ", ";
        first = false;
        out += std::string(kv.key()) + "=" + ToText(kv.value());
      }
      return out + "}";
    }
    case json::kind::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ", ";
        first = false;
        out += ToText(item);
      }
      return out + "]";
    }
    case json::kind::null:
      return "null";
    case json::kind::double_:
      return NumberText(v);
    default:
      return json::serialize(v);
  }
}

Template::Template() = default;
Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

Result<Template> Template::Parse(std::string_view text) {
  auto nodes = ParseNodes(text);
  if (!nodes.ok()) return nodes.status();
  Template t;
  t.nodes_ = std::make_shared<const std::vector<Node>>(std::move(*nodes));
  return t;
}

Result<std::string> Template::Render(const Environment& env) const {
  std::string out;
  if (!nodes_) return out;
  Renderer renderer(env);
  if (Status s = renderer.Render(*nodes_, &out, 0); !s.ok()) return s;
  return out;
}

}  // namespace tidepool::apigateway::vtl
