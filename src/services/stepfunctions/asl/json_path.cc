#include "services/stepfunctions/asl/json_path.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <cctype>
#include <charconv>

namespace tidepool::sfn::asl {
namespace json = boost::json;

namespace {

bool IsNameChar(char c) {
  return c != '.' && c != '[' && c != ']' && c != ' ' && c != '\'' && c != '"';
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

void Collect(const json::value& v, const std::vector<JsonPath::Step>& steps, size_t i,
             json::array& out) {
  if (i == steps.size()) {
    out.push_back(v);
    return;
  }
  const JsonPath::Step& s = steps[i];
  using K = JsonPath::Step::Kind;
  switch (s.kind) {
    case K::kField:
      if (const auto* o = v.if_object()) {
        if (const auto* c = o->if_contains(s.name)) Collect(*c, steps, i + 1, out);
      }
      return;
    case K::kIndex:
      if (const auto* a = v.if_array()) {
        int64_t n = static_cast<int64_t>(a->size());
        int64_t idx = s.index < 0 ? n + s.index : s.index;
        if (idx >= 0 && idx < n) Collect((*a)[idx], steps, i + 1, out);
      }
      return;
    case K::kUnion:
      if (const auto* a = v.if_array()) {
        int64_t n = static_cast<int64_t>(a->size());
        for (int64_t x : s.indexes) {
          int64_t idx = x < 0 ? n + x : x;
          if (idx >= 0 && idx < n) Collect((*a)[idx], steps, i + 1, out);
        }
      }
      return;
    case K::kWildcard:
      if (const auto* a = v.if_array()) {
        for (const auto& e : *a) Collect(e, steps, i + 1, out);
      } else if (const auto* o = v.if_object()) {
        for (const auto& kv : *o) Collect(kv.value(), steps, i + 1, out);
      }
      return;
    case K::kSlice:
      if (const auto* a = v.if_array()) {
        int64_t n = static_cast<int64_t>(a->size());
        int64_t b = s.start.value_or(0), e = s.end.value_or(n);
        if (b < 0) b = std::max<int64_t>(0, n + b);
        if (e < 0) e = std::max<int64_t>(0, n + e);
        e = std::min(e, n);
        for (int64_t k = b; k < e; ++k) Collect((*a)[k], steps, i + 1, out);
      }
      return;
    case K::kDeep: {
      // ..name: every member called `name` at any depth (including this level).
      if (const auto* o = v.if_object()) {
        if (s.name == "*") {
          for (const auto& kv : *o) Collect(kv.value(), steps, i + 1, out);
        } else if (const auto* c = o->if_contains(s.name)) {
          Collect(*c, steps, i + 1, out);
        }
        for (const auto& kv : *o) Collect(kv.value(), steps, i, out);
      } else if (const auto* a = v.if_array()) {
        for (const auto& e : *a) Collect(e, steps, i, out);
      }
      return;
    }
  }
}

}  // namespace

std::optional<std::pair<std::string, std::string>> SplitVariablePath(std::string_view path) {
  if (path.size() < 2 || path[0] != '$') return std::nullopt;
  char c = path[1];
  if (!(std::isalpha(static_cast<unsigned char>(c)) || c == '_')) return std::nullopt;
  size_t end = 1;
  while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
  return std::make_pair(std::string(path.substr(1, end - 1)), "$" + std::string(path.substr(end)));
}

Result<JsonPath> JsonPath::Parse(std::string_view text) {
  JsonPath p;
  p.text_ = std::string(text);
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("Invalid JSONPath '{}': {}", text, why));
  };
  if (text.empty() || text[0] != '$') return bad("must start with '$'");
  size_t i = 1;
  while (i < text.size()) {
    char c = text[i];
    if (c == '.') {
      bool deep = i + 1 < text.size() && text[i + 1] == '.';
      i += deep ? 2 : 1;
      if (i < text.size() && text[i] == '*') {
        ++i;
        p.steps_.push_back({deep ? Step::Kind::kDeep : Step::Kind::kWildcard, "*"});
        p.definite_ = false;
        continue;
      }
      if (deep && i < text.size() && text[i] == '[') {
        // "..[*]" etc: treat as deep wildcard followed by the bracket step.
        p.steps_.push_back({Step::Kind::kDeep, "*"});
        p.definite_ = false;
        continue;
      }
      size_t b = i;
      while (i < text.size() && IsNameChar(text[i])) ++i;
      if (i == b) return bad("empty field name");
      p.steps_.push_back(
          {deep ? Step::Kind::kDeep : Step::Kind::kField, std::string(text.substr(b, i - b))});
      if (deep) p.definite_ = false;
    } else if (c == '[') {
      size_t close;
      if (i + 1 < text.size() && (text[i + 1] == '\'' || text[i + 1] == '"')) {
        char q = text[i + 1];
        std::string name;
        size_t k = i + 2;
        for (; k < text.size() && text[k] != q; ++k) {
          if (text[k] == '\\' && k + 1 < text.size()) ++k;
          name.push_back(text[k]);
        }
        if (k + 1 >= text.size() || text[k + 1] != ']') return bad("unterminated bracket");
        p.steps_.push_back({Step::Kind::kField, std::move(name)});
        i = k + 2;
        continue;
      }
      close = text.find(']', i);
      if (close == std::string_view::npos) return bad("unterminated bracket");
      std::string_view inner = Trim(text.substr(i + 1, close - i - 1));
      i = close + 1;
      if (inner == "*") {
        p.steps_.push_back({Step::Kind::kWildcard, "*"});
        p.definite_ = false;
      } else if (inner.find(':') != std::string_view::npos) {
        Step s{Step::Kind::kSlice, ""};
        size_t colon = inner.find(':');
        std::string_view a = Trim(inner.substr(0, colon)), e = Trim(inner.substr(colon + 1));
        if (e.find(':') != std::string_view::npos) e = Trim(e.substr(0, e.find(':')));
        if (!a.empty()) {
          s.start = ParseInt(a);
          if (!s.start) return bad("bad slice");
        }
        if (!e.empty()) {
          s.end = ParseInt(e);
          if (!s.end) return bad("bad slice");
        }
        p.steps_.push_back(std::move(s));
        p.definite_ = false;
      } else if (inner.find(',') != std::string_view::npos) {
        Step s{Step::Kind::kUnion, ""};
        while (!inner.empty()) {
          size_t comma = inner.find(',');
          auto v = ParseInt(Trim(inner.substr(0, comma)));
          if (!v) return bad("bad index list");
          s.indexes.push_back(*v);
          if (comma == std::string_view::npos) break;
          inner.remove_prefix(comma + 1);
        }
        p.steps_.push_back(std::move(s));
        p.definite_ = false;
      } else if (inner.starts_with("?")) {
        return bad("filter expressions are not supported");
      } else {
        auto v = ParseInt(inner);
        if (!v) return bad("bad index");
        Step s{Step::Kind::kIndex, ""};
        s.index = *v;
        p.steps_.push_back(std::move(s));
      }
    } else {
      return bad(fmt::format("unexpected character '{}'", c));
    }
  }
  return p;
}

bool JsonPath::IsReferencePath() const {
  for (const auto& s : steps_) {
    if (s.kind != Step::Kind::kField && s.kind != Step::Kind::kIndex) return false;
  }
  return true;
}

std::optional<json::value> JsonPath::Evaluate(const json::value& root) const {
  if (definite_) {
    const json::value* v = &root;
    for (const auto& s : steps_) {
      if (s.kind == Step::Kind::kField) {
        const auto* o = v->if_object();
        if (!o) return std::nullopt;
        v = o->if_contains(s.name);
        if (!v) return std::nullopt;
      } else {
        const auto* a = v->if_array();
        if (!a) return std::nullopt;
        int64_t n = static_cast<int64_t>(a->size());
        int64_t idx = s.index < 0 ? n + s.index : s.index;
        if (idx < 0 || idx >= n) return std::nullopt;
        v = &(*a)[idx];
      }
    }
    return *v;
  }
  json::array out;
  Collect(root, steps_, 0, out);
  return json::value(std::move(out));
}

bool JsonPath::Assign(json::value& root, json::value value) const {
  if (!IsReferencePath()) return false;
  json::value* v = &root;
  for (size_t i = 0; i < steps_.size(); ++i) {
    const Step& s = steps_[i];
    if (s.kind == Step::Kind::kField) {
      if (v->is_null() && i > 0) v->emplace_object();
      auto* o = v->if_object();
      if (!o) return false;
      v = &(*o)[s.name];
    } else {
      auto* a = v->if_array();
      if (!a) return false;
      int64_t n = static_cast<int64_t>(a->size());
      int64_t idx = s.index < 0 ? n + s.index : s.index;
      if (idx < 0 || idx >= n) return false;
      v = &(*a)[idx];
    }
  }
  *v = std::move(value);
  return true;
}

}  // namespace tidepool::sfn::asl
