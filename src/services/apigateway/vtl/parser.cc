// The VTL parser: recursive descent over the text, into ast.h's nodes.
#include <algorithm>
#include <cctype>

#include "services/apigateway/vtl/ast.h"
#include "services/apigateway/vtl/template.h"

namespace tidepool::apigateway::vtl {
namespace {

constexpr int kMaxDepth = 64;

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<std::vector<Node>> Document() {
    std::vector<Node> nodes;
    std::string end;
    if (Status st = Block(&nodes, &end, 0); !st.ok()) return st;
    if (!end.empty()) return Error("#" + end + " without a matching directive");
    return nodes;
  }

  // Parses the content of a double-quoted string as text and references.
  Result<std::vector<Node>> Interpolated(std::string_view content) {
    Parser inner(content);
    inner.in_string_ = true;
    inner.depth_ = depth_;
    return inner.Document();
  }

 private:
  Status Error(const std::string& what) const {
    return Status::InvalidArgument("Invalid mapping template at position " + std::to_string(pos_) +
                                   ": " + what);
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  std::string_view Rest() const { return s_.substr(std::min(pos_, s_.size())); }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
  bool Consume(std::string_view word) {
    if (Rest().substr(0, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  void SkipBlanks() {
    while (!AtEnd() && std::isspace(static_cast<unsigned char>(Peek()))) ++pos_;
  }

  static void AppendText(std::vector<Node>* nodes, std::string_view text) {
    if (text.empty()) return;
    if (!nodes->empty() && nodes->back().kind == Node::Kind::kText) {
      nodes->back().text += text;
      return;
    }
    Node n;
    n.kind = Node::Kind::kText;
    n.text = std::string(text);
    nodes->push_back(std::move(n));
  }

  // A directive alone on its line renders nothing: drops the blanks before it (already in
  // the last text node) and the blanks and newline after it.
  void GobbleLine(std::vector<Node>* nodes, size_t directive_start) {
    if (in_string_) return;
    size_t p = pos_;
    while (p < s_.size() && (s_[p] == ' ' || s_[p] == '\t')) ++p;
    bool line_end = p >= s_.size() || s_[p] == '\n' || s_[p] == '\r';
    size_t b = directive_start;
    while (b > 0 && (s_[b - 1] == ' ' || s_[b - 1] == '\t')) --b;
    bool line_start = b == 0 || s_[b - 1] == '\n';
    if (!line_end || !line_start) return;
    if (!nodes->empty() && nodes->back().kind == Node::Kind::kText) {
      std::string& t = nodes->back().text;
      size_t drop = directive_start - b;
      if (t.size() >= drop) t.resize(t.size() - drop);
    }
    pos_ = p;
    if (Consume("\r\n") || Consume("\n") || Consume("\r")) return;
  }

  // Parses nodes until a block-ending directive (#end, #else, #elseif), whose name goes to
  // `end` (empty at the end of the text).
  Status Block(std::vector<Node>* nodes, std::string* end, int depth) {
    if (depth > kMaxDepth) return Error("nesting too deep");
    size_t text_start = pos_;
    auto flush = [&](size_t upto) { AppendText(nodes, s_.substr(text_start, upto - text_start)); };
    while (!AtEnd()) {
      char c = Peek();
      if (c == '\\' && (Peek(1) == '$' || Peek(1) == '#')) {
        flush(pos_);
        AppendText(nodes, s_.substr(pos_ + 1, 1));
        pos_ += 2;
        text_start = pos_;
        continue;
      }
      if (c == '$') {
        size_t start = pos_;
        Reference ref;
        auto parsed = ReferenceAt(&ref, depth);
        if (!parsed.ok()) return parsed.status();
        if (!*parsed) {
          ++pos_;
          continue;
        }
        flush(start);
        Node n;
        n.kind = Node::Kind::kReference;
        n.ref = std::move(ref);
        nodes->push_back(std::move(n));
        text_start = pos_;
        continue;
      }
      if (c == '#' && !in_string_) {
        size_t start = pos_;
        if (Consume("##")) {
          flush(start);
          while (!AtEnd() && Peek() != '\n') ++pos_;
          if (!AtEnd()) ++pos_;
          text_start = pos_;
          continue;
        }
        if (Consume("#*")) {
          flush(start);
          size_t close = s_.find("*#", pos_);
          if (close == std::string_view::npos) return Error("unterminated #* comment");
          pos_ = close + 2;
          text_start = pos_;
          continue;
        }
        std::string name = DirectiveName();
        if (name.empty()) {
          pos_ = start + 1;
          continue;
        }
        flush(start);
        if (name == "end" || name == "else" || name == "elseif") {
          if (name != "elseif") GobbleLine(nodes, start);
          *end = name;
          return Status::Ok();
        }
        if (Status st = Directive(name, nodes, start, depth); !st.ok()) return st;
        text_start = pos_;
        continue;
      }
      ++pos_;
    }
    flush(pos_);
    return Status::Ok();
  }

  // "#set", "#{set}", ...: the directive's name, or "" (pos_ unchanged) when not one.
  std::string DirectiveName() {
    size_t save = pos_;
    ++pos_;
    bool braced = Consume("{");
    size_t start = pos_;
    while (!AtEnd() && std::isalpha(static_cast<unsigned char>(Peek()))) ++pos_;
    std::string name(s_.substr(start, pos_ - start));
    if (braced && !Consume("}")) name.clear();
    static constexpr std::string_view kNames[] = {"set", "if", "elseif", "else", "end", "foreach"};
    for (std::string_view known : kNames) {
      if (name == known) return name;
    }
    pos_ = save;
    return "";
  }

  Status Directive(const std::string& name, std::vector<Node>* nodes, size_t start, int depth) {
    Node n;
    SkipSpacesOnLine();
    if (!Consume("(")) return Error("#" + name + " needs '('");
    if (name == "set") {
      n.kind = Node::Kind::kSet;
      SkipBlanks();
      if (Peek() != '$') return Error("#set needs a $variable");
      auto ok = ReferenceAt(&n.ref, depth);
      if (!ok.ok()) return ok.status();
      if (!*ok || !n.ref.chain.empty()) return Error("#set needs a plain $variable");
      SkipBlanks();
      if (!Consume("=")) return Error("#set needs '='");
      auto value = Expression(depth + 1);
      if (!value.ok()) return value.status();
      n.expr = std::move(*value);
      SkipBlanks();
      if (!Consume(")")) return Error("#set needs ')'");
      GobbleLine(nodes, start);
      nodes->push_back(std::move(n));
      return Status::Ok();
    }
    if (name == "foreach") {
      n.kind = Node::Kind::kForeach;
      SkipBlanks();
      auto ok = ReferenceAt(&n.ref, depth);
      if (!ok.ok()) return ok.status();
      if (!*ok || !n.ref.chain.empty()) return Error("#foreach needs a $variable");
      SkipBlanks();
      if (!Consume("in")) return Error("#foreach needs 'in'");
      auto list = Expression(depth + 1);
      if (!list.ok()) return list.status();
      n.expr = std::move(*list);
      SkipBlanks();
      if (!Consume(")")) return Error("#foreach needs ')'");
      GobbleLine(nodes, start);
      std::vector<Node> body;
      std::string end;
      if (Status st = Block(&body, &end, depth + 1); !st.ok()) return st;
      if (end != "end") return Error("#foreach without #end");
      n.bodies.push_back(std::move(body));
      nodes->push_back(std::move(n));
      return Status::Ok();
    }
    if (name != "if") return Error("unexpected #" + name);
    n.kind = Node::Kind::kIf;
    while (true) {
      auto cond = Expression(depth + 1);
      if (!cond.ok()) return cond.status();
      SkipBlanks();
      if (!Consume(")")) return Error("#if needs ')'");
      GobbleLine(nodes, start);
      n.conditions.push_back(std::move(*cond));
      std::vector<Node> body;
      std::string end;
      if (Status st = Block(&body, &end, depth + 1); !st.ok()) return st;
      n.bodies.push_back(std::move(body));
      if (end == "elseif") {
        SkipSpacesOnLine();
        if (!Consume("(")) return Error("#elseif needs '('");
        continue;
      }
      if (end == "else") {
        std::vector<Node> other;
        std::string close;
        if (Status st = Block(&other, &close, depth + 1); !st.ok()) return st;
        if (close != "end") return Error("#else without #end");
        n.bodies.push_back(std::move(other));
      } else if (end != "end") {
        return Error("#if without #end");
      }
      break;
    }
    nodes->push_back(std::move(n));
    return Status::Ok();
  }

  void SkipSpacesOnLine() {
    while (Peek() == ' ' || Peek() == '\t') ++pos_;
  }

  // At '$': a reference, or false (pos_ unchanged) when the text is not one.
  Result<bool> ReferenceAt(Reference* ref, int depth) {
    if (Peek() != '$') return false;
    size_t start = pos_;
    ++pos_;
    ref->quiet = Consume("!");
    bool braced = Consume("{");
    if (!IsIdentStart(Peek())) {
      pos_ = start;
      return false;
    }
    size_t name_start = pos_;
    while (!AtEnd() && IsIdentChar(Peek())) ++pos_;
    ref->root = std::string(s_.substr(name_start, pos_ - name_start));
    while (!AtEnd()) {
      if (Peek() == '.' && IsIdentStart(Peek(1))) {
        ++pos_;
        size_t m = pos_;
        while (!AtEnd() && IsIdentChar(Peek())) ++pos_;
        Accessor a{Accessor::Kind::kProperty, std::string(s_.substr(m, pos_ - m)), {}};
        if (Peek() == '(') {
          ++pos_;
          a.kind = Accessor::Kind::kMethod;
          auto args = ExpressionList(')', depth + 1);
          if (!args.ok()) return args.status();
          a.args = std::move(*args);
        }
        ref->chain.push_back(std::move(a));
      } else if (Peek() == '[') {
        ++pos_;
        auto index = Expression(depth + 1);
        if (!index.ok()) return index.status();
        SkipBlanks();
        if (!Consume("]")) return Error("index needs ']'");
        Accessor a{Accessor::Kind::kIndex, "", {}};
        a.args.push_back(std::move(*index));
        ref->chain.push_back(std::move(a));
      } else {
        break;
      }
    }
    if (braced && !Consume("}")) return Error("${ needs '}'");
    ref->source = std::string(s_.substr(start, pos_ - start));
    return true;
  }

  Result<std::vector<ExprPtr>> ExpressionList(char close, int depth) {
    std::vector<ExprPtr> out;
    SkipBlanks();
    if (Consume(std::string_view(&close, 1))) return out;
    while (true) {
      auto e = Expression(depth);
      if (!e.ok()) return e.status();
      out.push_back(std::move(*e));
      SkipBlanks();
      if (Consume(std::string_view(&close, 1))) return out;
      if (!Consume(",")) return Error(std::string("expected ',' or '") + close + "'");
    }
  }

  static ExprPtr Make(Expr::Kind kind) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    return e;
  }
  static ExprPtr Binary(std::string op, ExprPtr l, ExprPtr r) {
    ExprPtr e = Make(Expr::Kind::kBinary);
    e->op = std::move(op);
    e->children.push_back(std::move(l));
    e->children.push_back(std::move(r));
    return e;
  }

  // Matches one of `ops` (symbols, or words followed by a non-identifier character).
  std::string Operator(std::initializer_list<std::string_view> ops) {
    SkipBlanks();
    for (std::string_view op : ops) {
      if (Rest().substr(0, op.size()) != op) continue;
      if (IsIdentStart(op[0]) && IsIdentChar(Peek(op.size()))) continue;
      if (op == "=" && Peek(1) == '=') continue;
      if ((op == "<" || op == ">" || op == "!") && Peek(1) == '=') continue;
      pos_ += op.size();
      return std::string(op);
    }
    return "";
  }

  Result<ExprPtr> Expression(int depth) {
    if (depth > kMaxDepth) return Error("expression too deep");
    return Or(depth);
  }
  Result<ExprPtr> Or(int depth) {
    auto l = And(depth);
    if (!l.ok()) return l;
    while (true) {
      std::string op = Operator({"||", "or"});
      if (op.empty()) return l;
      auto r = And(depth);
      if (!r.ok()) return r;
      l = Binary("||", std::move(*l), std::move(*r));
    }
  }
  Result<ExprPtr> And(int depth) {
    auto l = Not(depth);
    if (!l.ok()) return l;
    while (true) {
      std::string op = Operator({"&&", "and"});
      if (op.empty()) return l;
      auto r = Not(depth);
      if (!r.ok()) return r;
      l = Binary("&&", std::move(*l), std::move(*r));
    }
  }
  Result<ExprPtr> Not(int depth) {
    if (depth > kMaxDepth) return Error("expression too deep");
    std::string op = Operator({"!", "not"});
    if (op.empty()) return Compare(depth);
    auto inner = Not(depth + 1);
    if (!inner.ok()) return inner;
    ExprPtr e = Make(Expr::Kind::kUnary);
    e->op = "!";
    e->children.push_back(std::move(*inner));
    return e;
  }
  Result<ExprPtr> Compare(int depth) {
    auto l = Additive(depth);
    if (!l.ok()) return l;
    std::string op =
        Operator({"==", "!=", "<=", ">=", "<", ">", "eq", "ne", "le", "ge", "lt", "gt"});
    if (op.empty()) return l;
    static const std::pair<std::string_view, std::string_view> kWords[] = {
        {"eq", "=="}, {"ne", "!="}, {"le", "<="}, {"ge", ">="}, {"lt", "<"}, {"gt", ">"}};
    for (auto [word, symbol] : kWords) {
      if (op == word) op = std::string(symbol);
    }
    auto r = Additive(depth);
    if (!r.ok()) return r;
    return Binary(op, std::move(*l), std::move(*r));
  }
  Result<ExprPtr> Additive(int depth) {
    auto l = Multiplicative(depth);
    if (!l.ok()) return l;
    while (true) {
      std::string op = Operator({"+", "-"});
      if (op.empty()) return l;
      auto r = Multiplicative(depth);
      if (!r.ok()) return r;
      l = Binary(op, std::move(*l), std::move(*r));
    }
  }
  Result<ExprPtr> Multiplicative(int depth) {
    auto l = Unary(depth);
    if (!l.ok()) return l;
    while (true) {
      std::string op = Operator({"*", "/", "%"});
      if (op.empty()) return l;
      auto r = Unary(depth);
      if (!r.ok()) return r;
      l = Binary(op, std::move(*l), std::move(*r));
    }
  }
  Result<ExprPtr> Unary(int depth) {
    if (depth > kMaxDepth) return Error("expression too deep");
    SkipBlanks();
    if (Peek() == '-' && !std::isdigit(static_cast<unsigned char>(Peek(1)))) {
      ++pos_;
      auto inner = Unary(depth + 1);
      if (!inner.ok()) return inner;
      ExprPtr e = Make(Expr::Kind::kUnary);
      e->op = "-";
      e->children.push_back(std::move(*inner));
      return e;
    }
    return Primary(depth + 1);
  }

  Result<ExprPtr> Primary(int depth) {
    SkipBlanks();
    char c = Peek();
    if (c == '(') {
      ++pos_;
      auto e = Expression(depth);
      if (!e.ok()) return e;
      SkipBlanks();
      if (!Consume(")")) return Error("expected ')'");
      return e;
    }
    if (c == '\'' || c == '"') return StringLiteral(c);
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') return Number();
    if (c == '$') {
      ExprPtr e = Make(Expr::Kind::kReference);
      auto ok = ReferenceAt(&e->ref, depth);
      if (!ok.ok()) return ok.status();
      if (!*ok) return Error("expected a reference after '$'");
      return e;
    }
    if (c == '[') {
      // A list [a, b] or a range [a..b]: the first expression is parsed once either way.
      ++pos_;
      SkipBlanks();
      ExprPtr list = Make(Expr::Kind::kList);
      if (Consume("]")) return list;
      auto first = Expression(depth);
      if (!first.ok()) return first;
      SkipBlanks();
      if (Consume("..")) {
        auto to = Expression(depth);
        if (!to.ok()) return to;
        SkipBlanks();
        if (!Consume("]")) return Error("range needs ']'");
        ExprPtr e = Make(Expr::Kind::kRange);
        e->children.push_back(std::move(*first));
        e->children.push_back(std::move(*to));
        return e;
      }
      list->children.push_back(std::move(*first));
      if (Consume("]")) return list;
      if (!Consume(",")) return Error("expected ',' or ']'");
      auto rest = ExpressionList(']', depth);
      if (!rest.ok()) return rest.status();
      for (ExprPtr& item : *rest) list->children.push_back(std::move(item));
      return list;
    }
    if (c == '{') {
      ++pos_;
      ExprPtr e = Make(Expr::Kind::kMap);
      SkipBlanks();
      if (Consume("}")) return e;
      while (true) {
        auto key = Expression(depth);
        if (!key.ok()) return key;
        SkipBlanks();
        if (!Consume(":")) return Error("map entries need ':'");
        auto value = Expression(depth);
        if (!value.ok()) return value;
        e->children.push_back(std::move(*key));
        e->children.push_back(std::move(*value));
        SkipBlanks();
        if (Consume("}")) return e;
        if (!Consume(",")) return Error("expected ',' or '}'");
      }
    }
    for (auto [word, value] : {std::pair<std::string_view, boost::json::value>{"true", true},
                               {"false", false},
                               {"null", nullptr}}) {
      if (Rest().substr(0, word.size()) == word && !IsIdentChar(Peek(word.size()))) {
        pos_ += word.size();
        ExprPtr e = Make(Expr::Kind::kLiteral);
        e->literal = value;
        return e;
      }
    }
    return Error("expected an expression");
  }

  Result<ExprPtr> StringLiteral(char quote) {
    ++pos_;
    std::string raw;
    while (!AtEnd() && Peek() != quote) {
      if (Peek() == '\\' && pos_ + 1 < s_.size() && (Peek(1) == quote || Peek(1) == '\\')) {
        raw.push_back(Peek(1));
        pos_ += 2;
        continue;
      }
      raw.push_back(Peek());
      ++pos_;
    }
    if (!Consume(std::string_view(&quote, 1))) return Error("unterminated string");
    if (quote == '"' && (raw.find('$') != std::string::npos)) {
      auto parts = Interpolated(raw);
      if (!parts.ok()) return parts.status();
      ExprPtr e = Make(Expr::Kind::kInterpolated);
      e->parts = std::move(*parts);
      return e;
    }
    ExprPtr e = Make(Expr::Kind::kLiteral);
    e->literal = boost::json::string(raw);
    return e;
  }

  Result<ExprPtr> Number() {
    size_t start = pos_;
    if (Peek() == '-') ++pos_;
    while (std::isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
    bool fraction = Peek() == '.' && std::isdigit(static_cast<unsigned char>(Peek(1)));
    if (fraction) {
      ++pos_;
      while (std::isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
    }
    std::string text(s_.substr(start, pos_ - start));
    if (text.empty() || text == "-") return Error("expected a number");
    ExprPtr e = Make(Expr::Kind::kLiteral);
    try {
      if (fraction) {
        e->literal = std::stod(text);
      } else {
        e->literal = static_cast<int64_t>(std::stoll(text));
      }
    } catch (const std::exception&) {
      return Error("number out of range");
    }
    return e;
  }

  std::string_view s_;
  size_t pos_ = 0;
  bool in_string_ = false;
  int depth_ = 0;
};

}  // namespace

Result<std::vector<Node>> ParseNodes(std::string_view text) { return Parser(text).Document(); }

}  // namespace tidepool::apigateway::vtl
