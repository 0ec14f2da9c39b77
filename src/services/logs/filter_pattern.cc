#include "services/logs/filter_pattern.h"

#include <re2/re2.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <vector>

#include "patterns/wildcard.h"

namespace tidepool::logs {
namespace json = boost::json;

namespace {

constexpr size_t kMaxPatternBytes = 1024;  // AWS's FilterPattern limit
constexpr int kMaxDepth = 32;              // nesting of parentheses

Status Invalid(std::string why) {
  return Status::InvalidArgument("Invalid filter pattern: " + std::move(why));
}

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double v = 0;
  const char* begin = text.data();
  if (*begin == '+') ++begin;
  auto [end, ec] = std::from_chars(begin, text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::shared_ptr<RE2> CompileRegex(std::string_view body, Status* error) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(1 << 20);
  auto re = std::make_shared<RE2>(body, options);
  if (!re->ok()) {
    *error = Invalid("bad regular expression %" + std::string(body) + "%");
    return nullptr;
  }
  return re;
}

}  // namespace

struct Value {
  enum class Kind { kNumber, kText, kRegex } kind = Kind::kText;
  double number = 0;
  std::string text;  // a glob for kText; the literal for kNumber
  std::shared_ptr<RE2> re;

  bool MatchesText(std::string_view s) const {
    if (kind == Kind::kRegex) return RE2::PartialMatch(s, *re);
    return patterns::WildcardMatches(text, s);
  }
};

struct Comparison {
  enum class Test { kEq, kNe, kLt, kGt, kLe, kGe, kIsNull, kIsTrue, kIsFalse, kExists, kNotExists };
  Test test = Test::kEq;
  // JSON: the selector's steps (a name, or an index when `index` >= 0); delimited: one name.
  struct Step {
    std::string name;
    int64_t index = -1;
  };
  std::vector<Step> path;
  Value value;
};

struct Expr {
  enum class Kind { kAnd, kOr, kCompare } kind = Kind::kCompare;
  std::vector<Expr> children;
  Comparison compare;
};

struct Term {
  enum class Kind { kRequired, kOptional, kExcluded } kind = Kind::kRequired;
  std::string text;
  std::shared_ptr<RE2> re;
};

struct FilterPattern::Node {
  enum class Kind { kTerms, kJson, kDelimited } kind = Kind::kTerms;
  std::vector<Term> terms;
  Expr expr;
  bool has_expr = false;
  // Delimited: the field names ("" for a field of no name), split at the ellipsis.
  std::vector<std::string> head, tail;
  bool ellipsis = false;
};

namespace {

// The lexer shared by the JSON and delimited forms.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ >= text_.size();
  }
  bool Eat(std::string_view token) {
    SkipSpace();
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  // A keyword: `word` followed by a non-word character.
  bool EatKeyword(std::string_view word) {
    SkipSpace();
    if (text_.size() - pos_ < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(text_[pos_ + i])) != word[i]) return false;
    }
    size_t end = pos_ + word.size();
    if (end < text_.size() && IsWordChar(text_[end])) return false;
    pos_ = end;
    return true;
  }
  static bool IsWordChar(char c) {
    return !std::isspace(static_cast<unsigned char>(c)) &&
           std::string_view("(){}[],=!<>&|\"%").find(c) == std::string_view::npos;
  }
  std::string Word() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  // After an opening quote: the text up to the closing one, with \" and \\ unescaped.
  std::optional<std::string> QuotedRest() {
    std::string out;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '\\' && pos_ < text_.size()) {
        out.push_back(text_[pos_++]);
      } else if (c == '"') {
        return out;
      } else {
        out.push_back(c);
      }
    }
    return std::nullopt;
  }
  // After an opening %: the regex up to the closing one.
  std::optional<std::string> RegexRest() {
    size_t end = text_.find('%', pos_);
    if (end == std::string_view::npos) return std::nullopt;
    std::string out(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return out;
  }
  size_t pos() const { return pos_; }
  std::string_view rest() const { return text_.substr(pos_); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

Status ParseValue(Lexer& lex, Value* out) {
  lex.SkipSpace();
  Status error;
  if (lex.Eat("\"")) {
    auto text = lex.QuotedRest();
    if (!text) return Invalid("unterminated quoted string");
    out->kind = Value::Kind::kText;
    out->text = std::move(*text);
    return Status::Ok();
  }
  if (lex.Eat("%")) {
    auto body = lex.RegexRest();
    if (!body) return Invalid("unterminated regular expression");
    out->kind = Value::Kind::kRegex;
    out->re = CompileRegex(*body, &error);
    return error;
  }
  std::string word = lex.Word();
  if (word.empty()) return Invalid("a value is missing at '" + std::string(lex.rest()) + "'");
  if (auto n = ParseNumber(word)) {
    out->kind = Value::Kind::kNumber;
    out->number = *n;
  } else {
    out->kind = Value::Kind::kText;
  }
  out->text = std::move(word);
  return Status::Ok();
}

Status ParseOperator(Lexer& lex, Comparison* c) {
  using T = Comparison::Test;
  if (lex.Eat("!=")) {
    c->test = T::kNe;
  } else if (lex.Eat("<=")) {
    c->test = T::kLe;
  } else if (lex.Eat(">=")) {
    c->test = T::kGe;
  } else if (lex.Eat("=")) {
    c->test = T::kEq;
  } else if (lex.Eat("<")) {
    c->test = T::kLt;
  } else if (lex.Eat(">")) {
    c->test = T::kGt;
  } else {
    return Invalid("an operator is missing at '" + std::string(lex.rest()) + "'");
  }
  if (Status s = ParseValue(lex, &c->value); !s.ok()) return s;
  if (c->test != T::kEq && c->test != T::kNe && c->value.kind != Value::Kind::kNumber) {
    return Invalid("'<', '>', '<=' and '>=' compare numbers");
  }
  return Status::Ok();
}

// A JSON comparison: selector and test.
Status ParseJsonComparison(Lexer& lex, Comparison* c) {
  if (!lex.Eat("$"))
    return Invalid("a selector must start with '$' at '" + std::string(lex.rest()) + "'");
  for (;;) {
    if (lex.rest().starts_with(".")) {
      lex.Eat(".");
      std::string name;
      while (!lex.rest().empty() && (Lexer::IsWordChar(lex.rest()[0])) && lex.rest()[0] != '.' &&
             lex.rest()[0] != '[') {
        name.push_back(lex.rest()[0]);
        lex.Eat(std::string_view(&lex.rest()[0], 1));
      }
      if (name.empty()) return Invalid("a selector has an empty name");
      c->path.push_back({std::move(name), -1});
    } else if (lex.rest().starts_with("[")) {
      lex.Eat("[");
      std::string digits = lex.Word();
      int64_t index = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
          index < 0 || !lex.Eat("]")) {
        return Invalid("a selector's array index must be a number in brackets");
      }
      c->path.push_back({"", index});
    } else {
      break;
    }
  }
  using T = Comparison::Test;
  if (lex.EatKeyword("IS")) {
    if (lex.EatKeyword("NULL")) {
      c->test = T::kIsNull;
    } else if (lex.EatKeyword("TRUE")) {
      c->test = T::kIsTrue;
    } else if (lex.EatKeyword("FALSE")) {
      c->test = T::kIsFalse;
    } else {
      return Invalid("IS must be followed by NULL, TRUE or FALSE");
    }
    return Status::Ok();
  }
  if (lex.EatKeyword("NOT")) {
    if (!lex.EatKeyword("EXISTS")) return Invalid("NOT must be followed by EXISTS");
    c->test = T::kNotExists;
    return Status::Ok();
  }
  if (lex.EatKeyword("EXISTS")) {
    c->test = T::kExists;
    return Status::Ok();
  }
  return ParseOperator(lex, c);
}

// A delimited condition: name op value.
Status ParseFieldComparison(Lexer& lex, Comparison* c) {
  std::string name = lex.Word();
  if (name.empty()) return Invalid("a field name is missing at '" + std::string(lex.rest()) + "'");
  c->path.push_back({std::move(name), -1});
  return ParseOperator(lex, c);
}

using ComparisonParser = Status (*)(Lexer&, Comparison*);

Status ParseOr(Lexer& lex, ComparisonParser leaf, int depth, Expr* out);

Status ParseUnary(Lexer& lex, ComparisonParser leaf, int depth, Expr* out) {
  if (depth > kMaxDepth) return Invalid("too deeply nested");
  if (lex.Eat("(")) {
    if (Status s = ParseOr(lex, leaf, depth + 1, out); !s.ok()) return s;
    if (!lex.Eat(")")) return Invalid("a ')' is missing");
    return Status::Ok();
  }
  out->kind = Expr::Kind::kCompare;
  return leaf(lex, &out->compare);
}

Status ParseChain(Lexer& lex, ComparisonParser leaf, int depth, Expr* out, bool is_or) {
  Expr first;
  Status s =
      is_or ? ParseChain(lex, leaf, depth, &first, false) : ParseUnary(lex, leaf, depth, &first);
  if (!s.ok()) return s;
  std::string_view op = is_or ? "||" : "&&";
  out->kind = is_or ? Expr::Kind::kOr : Expr::Kind::kAnd;
  out->children.push_back(std::move(first));
  while (lex.Eat(op)) {
    Expr next;
    s = is_or ? ParseChain(lex, leaf, depth, &next, false) : ParseUnary(lex, leaf, depth, &next);
    if (!s.ok()) return s;
    out->children.push_back(std::move(next));
  }
  if (out->children.size() == 1) {
    Expr only = std::move(out->children[0]);
    *out = std::move(only);
  }
  return Status::Ok();
}

Status ParseOr(Lexer& lex, ComparisonParser leaf, int depth, Expr* out) {
  return ParseChain(lex, leaf, depth, out, true);
}

Status ParseJson(std::string_view text, FilterPattern::Node* node) {
  Lexer lex(text);
  lex.Eat("{");
  node->kind = FilterPattern::Node::Kind::kJson;
  node->has_expr = true;
  if (Status s = ParseOr(lex, &ParseJsonComparison, 0, &node->expr); !s.ok()) return s;
  if (!lex.Eat("}")) return Invalid("a '}' is missing at '" + std::string(lex.rest()) + "'");
  if (!lex.AtEnd()) return Invalid("unexpected text after '}'");
  return Status::Ok();
}

Status ParseDelimited(std::string_view text, FilterPattern::Node* node) {
  Lexer lex(text);
  lex.Eat("[");
  node->kind = FilterPattern::Node::Kind::kDelimited;
  std::vector<Expr> conditions;
  if (lex.Eat("]")) return lex.AtEnd() ? Status::Ok() : Invalid("unexpected text after ']'");
  for (;;) {
    lex.SkipSpace();
    if (lex.Eat("...")) {
      if (node->ellipsis && !node->tail.empty()) {
        return Invalid("named fields between two '...' are not supported");
      }
      node->ellipsis = true;
    } else {
      Lexer probe = lex;
      std::string name = probe.Word();
      if (name.empty())
        return Invalid("a field name is missing at '" + std::string(lex.rest()) + "'");
      (node->ellipsis ? node->tail : node->head).push_back(name);
      probe.SkipSpace();
      if (probe.rest().starts_with(",") || probe.rest().starts_with("]")) {
        lex = probe;
      } else {
        Expr condition;
        if (Status s = ParseOr(lex, &ParseFieldComparison, 0, &condition); !s.ok()) return s;
        conditions.push_back(std::move(condition));
      }
    }
    if (lex.Eat(",")) continue;
    if (lex.Eat("]")) break;
    return Invalid("expected ',' or ']' at '" + std::string(lex.rest()) + "'");
  }
  if (!lex.AtEnd()) return Invalid("unexpected text after ']'");
  if (!conditions.empty()) {
    node->has_expr = true;
    node->expr.kind = Expr::Kind::kAnd;
    node->expr.children = std::move(conditions);
  }
  return Status::Ok();
}

Status ParseTerms(std::string_view text, FilterPattern::Node* node) {
  node->kind = FilterPattern::Node::Kind::kTerms;
  Lexer lex(text);
  while (!lex.AtEnd()) {
    Term term;
    if (lex.Eat("?")) {
      term.kind = Term::Kind::kOptional;
    } else if (lex.rest().starts_with("-") && lex.rest().size() > 1 &&
               !std::isspace(static_cast<unsigned char>(lex.rest()[1]))) {
      lex.Eat("-");
      term.kind = Term::Kind::kExcluded;
    }
    if (lex.Eat("\"")) {
      auto phrase = lex.QuotedRest();
      if (!phrase) return Invalid("unterminated quoted string");
      term.text = std::move(*phrase);
    } else if (lex.Eat("%")) {
      auto body = lex.RegexRest();
      if (!body) return Invalid("unterminated regular expression");
      Status error;
      term.re = CompileRegex(*body, &error);
      if (!error.ok()) return error;
    } else {
      // A bare word runs to the next space.
      std::string_view rest = lex.rest();
      size_t end = 0;
      while (end < rest.size() && !std::isspace(static_cast<unsigned char>(rest[end]))) ++end;
      term.text = std::string(rest.substr(0, end));
      lex.Eat(rest.substr(0, end));
      if (term.text.empty()) return Invalid("an empty term");
    }
    node->terms.push_back(std::move(term));
  }
  return Status::Ok();
}

// --- matching

bool CompareNumber(Comparison::Test test, double have, double want) {
  using T = Comparison::Test;
  switch (test) {
    case T::kEq:
      return have == want;
    case T::kNe:
      return have != want;
    case T::kLt:
      return have < want;
    case T::kGt:
      return have > want;
    case T::kLe:
      return have <= want;
    case T::kGe:
      return have >= want;
    default:
      return false;
  }
}

// A value (a JSON scalar's text, or a delimited field) against an operator test.
bool CompareText(const Comparison& c, std::string_view have, std::optional<double> have_number) {
  using T = Comparison::Test;
  if (c.value.kind == Value::Kind::kNumber) {
    if (have_number) return CompareNumber(c.test, *have_number, c.value.number);
    if (c.test == T::kEq) return false;
    if (c.test == T::kNe) return true;
    return false;
  }
  bool equal = c.value.MatchesText(have);
  return c.test == T::kEq ? equal : (c.test == T::kNe ? !equal : false);
}

const json::value* Select(const json::value& root, const std::vector<Comparison::Step>& path) {
  const json::value* at = &root;
  for (const auto& step : path) {
    if (step.index >= 0) {
      const auto* arr = at->if_array();
      if (!arr || static_cast<size_t>(step.index) >= arr->size()) return nullptr;
      at = &(*arr)[static_cast<size_t>(step.index)];
    } else {
      const auto* obj = at->if_object();
      if (!obj) return nullptr;
      auto it = obj->find(step.name);
      if (it == obj->end()) return nullptr;
      at = &it->value();
    }
  }
  return at;
}

bool EvalJson(const Comparison& c, const json::value& root) {
  using T = Comparison::Test;
  const json::value* v = Select(root, c.path);
  switch (c.test) {
    case T::kExists:
      return v != nullptr;
    case T::kNotExists:
      return v == nullptr;
    case T::kIsNull:
      return v != nullptr && v->is_null();
    case T::kIsTrue:
      return v != nullptr && v->is_bool() && v->get_bool();
    case T::kIsFalse:
      return v != nullptr && v->is_bool() && !v->get_bool();
    default:
      break;
  }
  if (v == nullptr || v->is_object() || v->is_array()) return false;
  if (v->is_string()) {
    std::string_view s = v->get_string();
    return CompareText(c, s, c.value.kind == Value::Kind::kNumber ? ParseNumber(s) : std::nullopt);
  }
  if (v->is_bool()) return CompareText(c, v->get_bool() ? "true" : "false", std::nullopt);
  if (v->is_null()) return CompareText(c, "null", std::nullopt);
  double number = v->is_double()  ? v->get_double()
                  : v->is_int64() ? static_cast<double>(v->get_int64())
                                  : static_cast<double>(v->get_uint64());
  if (c.value.kind == Value::Kind::kNumber) return CompareNumber(c.test, number, c.value.number);
  std::string text = v->is_double()  ? std::to_string(v->get_double())
                     : v->is_int64() ? std::to_string(v->get_int64())
                                     : std::to_string(v->get_uint64());
  return CompareText(c, text, number);
}

template <typename Leaf>
bool Eval(const Expr& e, const Leaf& leaf) {
  switch (e.kind) {
    case Expr::Kind::kAnd:
      for (const auto& child : e.children) {
        if (!Eval(child, leaf)) return false;
      }
      return true;
    case Expr::Kind::kOr:
      for (const auto& child : e.children) {
        if (Eval(child, leaf)) return true;
      }
      return false;
    case Expr::Kind::kCompare:
      return leaf(e.compare);
  }
  return false;
}

// Splits a message into space-separated fields; "..." and [...] are one field each.
std::vector<std::string_view> SplitFields(std::string_view message) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < message.size()) {
    while (i < message.size() && std::isspace(static_cast<unsigned char>(message[i]))) ++i;
    if (i >= message.size()) break;
    char close = message[i] == '"' ? '"' : (message[i] == '[' ? ']' : 0);
    if (close != 0) {
      size_t end = message.find(close, i + 1);
      if (end != std::string_view::npos) {
        fields.push_back(message.substr(i + 1, end - i - 1));
        i = end + 1;
        continue;
      }
    }
    size_t start = i;
    while (i < message.size() && !std::isspace(static_cast<unsigned char>(message[i]))) ++i;
    fields.push_back(message.substr(start, i - start));
  }
  return fields;
}

bool MatchDelimited(const FilterPattern::Node& node, std::string_view message) {
  std::vector<std::string_view> fields = SplitFields(message);
  const size_t named = node.head.size() + node.tail.size();
  if (node.ellipsis ? fields.size() < named : fields.size() != named) return false;
  if (!node.has_expr) return true;
  auto lookup = [&](const std::string& name) -> std::optional<std::string_view> {
    for (size_t i = 0; i < node.head.size(); ++i) {
      if (node.head[i] == name) return fields[i];
    }
    for (size_t i = 0; i < node.tail.size(); ++i) {
      if (node.tail[i] == name) return fields[fields.size() - node.tail.size() + i];
    }
    return std::nullopt;
  };
  return Eval(node.expr, [&](const Comparison& c) {
    auto field = lookup(c.path[0].name);
    if (!field) return false;
    return CompareText(c, *field, ParseNumber(*field));
  });
}

bool MatchTerms(const std::vector<Term>& terms, std::string_view message) {
  bool any_optional = false, optional_hit = false;
  for (const auto& term : terms) {
    bool found = term.re ? RE2::PartialMatch(message, *term.re)
                         : message.find(term.text) != std::string_view::npos;
    switch (term.kind) {
      case Term::Kind::kRequired:
        if (!found) return false;
        break;
      case Term::Kind::kExcluded:
        if (found) return false;
        break;
      case Term::Kind::kOptional:
        any_optional = true;
        optional_hit = optional_hit || found;
        break;
    }
  }
  return !any_optional || optional_hit;
}

}  // namespace

Result<FilterPattern> FilterPattern::Parse(std::string_view text) {
  if (text.size() > kMaxPatternBytes) return Invalid("longer than 1024 characters");
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  std::string_view trimmed = text.substr(begin, end - begin);
  FilterPattern pattern;
  if (trimmed.empty() || trimmed == "\"\"") return pattern;
  auto node = std::make_shared<Node>();
  Status s = trimmed.front() == '{'   ? ParseJson(trimmed, node.get())
             : trimmed.front() == '[' ? ParseDelimited(trimmed, node.get())
                                      : ParseTerms(trimmed, node.get());
  if (!s.ok()) return s;
  pattern.root_ = std::move(node);
  return pattern;
}

bool FilterPattern::Matches(std::string_view message) const {
  if (!root_) return true;
  switch (root_->kind) {
    case Node::Kind::kTerms:
      return MatchTerms(root_->terms, message);
    case Node::Kind::kDelimited:
      return MatchDelimited(*root_, message);
    case Node::Kind::kJson: {
      // Only a message that is a JSON object or array can match.
      size_t i = 0;
      while (i < message.size() && std::isspace(static_cast<unsigned char>(message[i]))) ++i;
      if (i >= message.size() || (message[i] != '{' && message[i] != '[')) return false;
      boost::system::error_code ec;
      json::value doc = json::parse(message, ec);
      if (ec) return false;
      return Eval(root_->expr, [&](const Comparison& c) { return EvalJson(c, doc); });
    }
  }
  return false;
}

}  // namespace tidepool::logs
