#include "services/dynamodb/partiql.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "services/dynamodb/dynamodb_errors.h"

namespace tidepool::dynamodb {
namespace {

constexpr size_t kMaxDepth = 64;

struct Token {
  enum Kind : uint8_t { kEnd, kWord, kQuoted, kString, kNumber, kPunct };
  Kind kind = kEnd;
  std::string text;  // words as written; quoted/string contents unescaped
  size_t offset = 0;
};

Status Malformed(std::string_view detail) {
  return Invalid(fmt::format("Statement wasn't well formed, can't be processed: {}", detail));
}

Result<std::vector<Token>> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (s.substr(i, 2) == "--") {
      const size_t end = s.find('\n', i);
      i = end == std::string_view::npos ? s.size() : end + 1;
      continue;
    }
    if (s.substr(i, 2) == "/*") {
      const size_t end = s.find("*/", i + 2);
      if (end == std::string_view::npos) return Malformed("Unterminated comment");
      i = end + 2;
      continue;
    }
    Token t;
    t.offset = i;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      t.kind = Token::kWord, t.text = std::string(s.substr(i, j - i)), i = j;
    } else if (c == '"' || c == '\'') {
      t.kind = c == '"' ? Token::kQuoted : Token::kString;
      size_t j = i + 1;
      for (;;) {
        if (j >= s.size()) return Malformed("Unterminated quoted text");
        if (s[j] == c) {
          if (j + 1 < s.size() && s[j + 1] == c) {  // doubled quote: one quote
            t.text.push_back(c), j += 2;
            continue;
          }
          break;
        }
        t.text.push_back(s[j++]);
      }
      i = j + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               ((c == '-' || c == '.') && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
                (c == '.' || out.empty() || out.back().kind == Token::kPunct))) {
      size_t j = i + (c == '-' ? 1 : 0);
      while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        ++j;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      }
      t.kind = Token::kNumber, t.text = std::string(s.substr(i, j - i)), i = j;
    } else {
      static constexpr std::string_view kTwo[] = {"<>", "!=", "<=", ">=", "<<", ">>"};
      t.kind = Token::kPunct;
      t.text = std::string(1, c);
      for (std::string_view two : kTwo) {
        if (s.substr(i, 2) == two) t.text = std::string(two);
      }
      if (t.text.size() == 1 && std::string_view("*,.[]{}():=<>?+-").find(c) == std::string::npos) {
        return Malformed(fmt::format("Unexpected character '{}'", c));
      }
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
  out.push_back(Token{Token::kEnd, "", s.size()});
  return out;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// One operand as expression-language text, and what a key condition needs to know of it.
struct OperandText {
  std::string text;
  bool is_value = false;
  bool is_missing = false;  // the MISSING literal (text empty)
  std::string top_name;     // a path of one plain name
  json::value value;        // when is_value
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, const json::array* parameters, PartiqlStatement& out)
      : tokens_(std::move(tokens)), parameters_(parameters), out_(out) {}

  Status Statement() {
    if (Keyword("SELECT")) return Select();
    if (Keyword("INSERT")) return Insert();
    if (Keyword("UPDATE")) return Update();
    if (Keyword("DELETE")) return Delete();
    if (Keyword("EXISTS")) {
      if (Status s = Expect("("); !s.ok()) return s;
      if (Status s = ExpectKeyword("SELECT"); !s.ok()) return s;
      if (Status s = Select(); !s.ok()) return s;
      out_.kind = PartiqlStatement::kExists;
      return Expect(")");
    }
    return Unexpected();
  }

  Status Finish() {
    if (Peek().kind != Token::kEnd) return Unexpected();
    const size_t given = parameters_ ? parameters_->size() : 0;
    if (next_parameter_ != given) {
      return Invalid("Number of parameters in request and statement don't match.");
    }
    return Status::Ok();
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  bool Keyword(std::string_view word) {
    if (Peek().kind == Token::kWord && IEquals(Peek().text, word)) return ++pos_, true;
    return false;
  }
  bool Punct(std::string_view p) {
    if (Peek().kind == Token::kPunct && Peek().text == p) return ++pos_, true;
    return false;
  }
  Status Unexpected() const {
    const Token& t = Peek();
    if (t.kind == Token::kEnd) return Malformed("Unexpected end of statement");
    return Malformed(fmt::format("Unexpected {} at offset {}: {}",
                                 t.kind == Token::kWord ? "keyword or identifier" : "token",
                                 t.offset, t.text));
  }
  Status Expect(std::string_view p) { return Punct(p) ? Status::Ok() : Unexpected(); }
  Status ExpectKeyword(std::string_view w) { return Keyword(w) ? Status::Ok() : Unexpected(); }

  std::string NamePlaceholder(const std::string& name) {
    auto [it, added] = name_placeholders_.emplace(name, "");
    if (added) {
      it->second = fmt::format("#p{}", name_placeholders_.size() - 1);
      out_.names[it->second] = name;
    }
    return it->second;
  }
  std::string ValuePlaceholder(json::value v) {
    std::string p = fmt::format(":p{}", out_.values.size());
    out_.values[p] = std::move(v);
    return p;
  }

  Result<std::string> Name() {
    const Token& t = Peek();
    if (t.kind != Token::kWord && t.kind != Token::kQuoted) return Unexpected();
    ++pos_;
    return t.text;
  }

  // path := name ('.' name | '[' integer ']')*; `top` gets the name when the path is one name,
  // `steps` (when given) the path's steps.
  Result<std::string> Path(std::string* top = nullptr,
                           std::vector<ProjectedPath::Step>* steps = nullptr) {
    auto first = Name();
    if (!first.ok()) return first.status();
    std::string text = NamePlaceholder(*first);
    if (steps) steps->push_back({*first, 0});
    bool simple = true;
    for (;;) {
      if (Punct(".")) {
        auto n = Name();
        if (!n.ok()) return n.status();
        text += "." + NamePlaceholder(*n);
        if (steps) steps->push_back({*n, 0});
      } else if (Punct("[")) {
        if (Peek().kind != Token::kNumber ||
            Peek().text.find_first_not_of("0123456789") != std::string::npos ||
            Peek().text.size() > 9) {
          return Unexpected();
        }
        text += "[" + Peek().text + "]";
        if (steps) steps->push_back({"", std::stoul(Peek().text)});
        ++pos_;
        if (Status s = Expect("]"); !s.ok()) return s;
      } else {
        break;
      }
      simple = false;
    }
    if (top) *top = simple ? *first : "";
    return text;
  }

  Result<json::value> Value(size_t depth = 0) {
    if (depth > kMaxDepth) return Malformed("Statement nested too deeply");
    const Token& t = Peek();
    if (t.kind == Token::kString) return ++pos_, json::value(json::object{{"S", t.text}});
    if (t.kind == Token::kNumber) return ++pos_, json::value(json::object{{"N", t.text}});
    if (Keyword("TRUE")) return json::value(json::object{{"BOOL", true}});
    if (Keyword("FALSE")) return json::value(json::object{{"BOOL", false}});
    if (Keyword("NULL")) return json::value(json::object{{"NULL", true}});
    if (Punct("?")) {
      if (!parameters_ || next_parameter_ >= parameters_->size()) {
        return Invalid("Number of parameters in request and statement don't match.");
      }
      return (*parameters_)[next_parameter_++];
    }
    if (Punct("{")) {
      json::object m;
      if (!Punct("}")) {
        do {
          if (Peek().kind != Token::kString) return Unexpected();
          std::string key = Peek().text;
          ++pos_;
          if (Status s = Expect(":"); !s.ok()) return s;
          auto v = Value(depth + 1);
          if (!v.ok()) return v.status();
          m[key] = std::move(*v);
        } while (Punct(","));
        if (Status s = Expect("}"); !s.ok()) return s;
      }
      return json::value(json::object{{"M", std::move(m)}});
    }
    if (Punct("[")) {
      json::array l;
      if (!Punct("]")) {
        do {
          auto v = Value(depth + 1);
          if (!v.ok()) return v.status();
          l.push_back(std::move(*v));
        } while (Punct(","));
        if (Status s = Expect("]"); !s.ok()) return s;
      }
      return json::value(json::object{{"L", std::move(l)}});
    }
    if (Punct("<<")) {
      json::array members;
      std::string type;
      do {
        auto v = Value(depth + 1);
        if (!v.ok()) return v.status();
        const json::object& o = v->as_object();
        if (o.size() != 1 || !(o.contains("S") || o.contains("N") || o.contains("B"))) {
          return Invalid("Set members must be strings, numbers or binaries of one type");
        }
        const std::string member_type(o.begin()->key());
        if (!type.empty() && type != member_type) {
          return Invalid("Set members must be strings, numbers or binaries of one type");
        }
        type = member_type;
        members.push_back(o.begin()->value());
      } while (Punct(","));
      if (Status s = Expect(">>"); !s.ok()) return s;
      return json::value(json::object{{type + "S", std::move(members)}});
    }
    return Unexpected();
  }

  // MISSING (unquoted) is a literal only where `allow_missing` says so: one side of = or <>.
  Result<OperandText> Operand(bool allow_missing = false) {
    OperandText o;
    const Token& t = Peek();
    if (t.kind == Token::kWord && IEquals(t.text, "MISSING")) {
      if (!allow_missing) return MisplacedMissing();
      ++pos_;
      o.is_missing = true;
      return o;
    }
    if (t.kind == Token::kWord && IEquals(t.text, "size") && Peek(1).text == "(") {
      pos_ += 2;
      auto p = Path();
      if (!p.ok()) return p.status();
      if (Status s = Expect(")"); !s.ok()) return s;
      o.text = "size(" + *p + ")";
      return o;
    }
    const bool is_path =
        t.kind == Token::kQuoted || (t.kind == Token::kWord && !IEquals(t.text, "TRUE") &&
                                     !IEquals(t.text, "FALSE") && !IEquals(t.text, "NULL"));
    if (is_path) {
      auto p = Path(&o.top_name);
      if (!p.ok()) return p.status();
      o.text = std::move(*p);
      return o;
    }
    auto v = Value();
    if (!v.ok()) return v.status();
    o.is_value = true;
    o.value = *v;
    o.text = ValuePlaceholder(std::move(*v));
    return o;
  }

  // Fills `term` when the predicate compares one plain attribute with values only.
  static void Describe(PartiqlStatement::Term* term, const OperandText& subject,
                       std::string_view comparator, const OperandText* value) {
    if (!term || subject.top_name.empty() || (value && !value->is_value)) return;
    term->attribute = subject.top_name;
    term->comparator = std::string(comparator);
    if (comparator == "=" && value) term->equal_to = value->value;
  }

  Status MisplacedMissing() const {
    return Malformed(
        "MISSING can only be tested with IS [NOT] MISSING, = or <> on a document path");
  }

  // `path = MISSING` is `path IS MISSING`; `path <> MISSING` is `path IS NOT MISSING` (either
  // side may be the literal); MISSING compares with nothing but a document path.
  Result<std::string> CompareWithMissing(const OperandText& left, std::string_view op,
                                         const OperandText& right) const {
    const OperandText& other = left.is_missing ? right : left;
    const bool is_path = !other.is_missing && !other.is_value && !other.text.starts_with("size(");
    if ((op != "=" && op != "<>") || !is_path) return MisplacedMissing();
    return std::string(op == "=" ? "attribute_not_exists(" : "attribute_exists(") + other.text +
           ")";
  }

  Result<std::string> Predicate(size_t depth, PartiqlStatement::Term* term) {
    if (Punct("(")) {
      auto c = Or(depth + 1, nullptr);
      if (!c.ok()) return c.status();
      if (Status s = Expect(")"); !s.ok()) return s;
      return "(" + *c + ")";
    }
    static constexpr std::string_view kFunctions[] = {"begins_with", "contains", "attribute_type",
                                                      "attribute_exists", "attribute_not_exists"};
    if (Peek().kind == Token::kWord && Peek(1).text == "(") {
      for (std::string_view fn : kFunctions) {
        if (!IEquals(Peek().text, fn)) continue;
        pos_ += 2;
        std::vector<OperandText> args;
        do {
          auto a = Operand();
          if (!a.ok()) return a.status();
          args.push_back(std::move(*a));
        } while (Punct(","));
        if (Status s = Expect(")"); !s.ok()) return s;
        std::string text = std::string(fn) + "(";
        for (size_t i = 0; i < args.size(); ++i) text += (i ? ", " : "") + args[i].text;
        if (fn == "begins_with" && args.size() == 2) Describe(term, args[0], fn, &args[1]);
        return text + ")";
      }
    }
    auto left = Operand(true);
    if (!left.ok()) return left.status();
    static constexpr std::string_view kComparators[] = {"=", "<>", "!=", "<", "<=", ">", ">="};
    for (std::string_view cmp : kComparators) {
      if (!Punct(cmp)) continue;
      auto right = Operand(true);
      if (!right.ok()) return right.status();
      const std::string_view op = cmp == "!=" ? "<>" : cmp;
      if (left->is_missing || right->is_missing) return CompareWithMissing(*left, op, *right);
      Describe(term, *left, op, &*right);
      return left->text + " " + std::string(op) + " " + right->text;
    }
    if (left->is_missing) return MisplacedMissing();
    if (Keyword("BETWEEN")) {
      auto low = Operand();
      if (!low.ok()) return low.status();
      if (Status s = ExpectKeyword("AND"); !s.ok()) return s;
      auto high = Operand();
      if (!high.ok()) return high.status();
      if (low->is_value && high->is_value) Describe(term, *left, "BETWEEN", nullptr);
      return left->text + " BETWEEN " + low->text + " AND " + high->text;
    }
    if (Keyword("IN")) {
      const std::string close = Punct("[") ? "]" : Punct("(") ? ")" : "";
      if (close.empty()) return Unexpected();
      std::string list;
      do {
        auto v = Operand();
        if (!v.ok()) return v.status();
        list += (list.empty() ? "" : ", ") + v->text;
      } while (Punct(","));
      if (Status s = Expect(close); !s.ok()) return s;
      return left->text + " IN (" + list + ")";
    }
    if (Keyword("IS")) {
      const bool negated = Keyword("NOT");
      if (Keyword("MISSING")) {
        return std::string(negated ? "attribute_exists(" : "attribute_not_exists(") + left->text +
               ")";
      }
      if (Keyword("NULL")) {
        const std::string type = ValuePlaceholder(json::object{{"S", "NULL"}});
        return std::string(negated ? "NOT " : "") + "attribute_type(" + left->text + ", " + type +
               ")";
      }
      return Unexpected();
    }
    return Unexpected();
  }

  Result<std::string> Not(size_t depth, PartiqlStatement::Term* term) {
    if (depth > kMaxDepth) return Malformed("Statement nested too deeply");
    if (Keyword("NOT")) {
      auto inner = Not(depth + 1, nullptr);
      if (!inner.ok()) return inner.status();
      return "NOT " + *inner;
    }
    return Predicate(depth, term);
  }

  Result<std::string> And(size_t depth, std::vector<PartiqlStatement::Term>* terms) {
    std::string text;
    do {
      PartiqlStatement::Term term;
      auto t = Not(depth, terms ? &term : nullptr);
      if (!t.ok()) return t.status();
      text += (text.empty() ? "" : " AND ") + *t;
      term.text = std::move(*t);
      if (terms) terms->push_back(std::move(term));
    } while (Keyword("AND"));
    return text;
  }

  Result<std::string> Or(size_t depth, std::vector<PartiqlStatement::Term>* terms) {
    if (depth > kMaxDepth) return Malformed("Statement nested too deeply");
    std::vector<PartiqlStatement::Term> first_terms;
    auto first = And(depth, &first_terms);
    if (!first.ok()) return first.status();
    if (!Keyword("OR")) {
      if (terms) *terms = std::move(first_terms);
      return first;
    }
    std::string text = *first;
    do {
      auto next = And(depth, nullptr);
      if (!next.ok()) return next.status();
      text += " OR " + *next;
    } while (Keyword("OR"));
    if (terms) terms->push_back(PartiqlStatement::Term{text, "", "", nullptr});
    return text;
  }

  Status Where(bool required) {
    if (!Keyword("WHERE")) return required ? Unexpected() : Status::Ok();
    auto c = Or(0, &out_.where);
    return c.ok() ? Status::Ok() : c.status();
  }

  Status TableName(bool allow_index) {
    auto t = Name();
    if (!t.ok()) return t.status();
    out_.table = std::move(*t);
    if (allow_index && Punct(".")) {
      auto i = Name();
      if (!i.ok()) return i.status();
      out_.index = std::move(*i);
    }
    return Status::Ok();
  }

  Status Returning() {
    if (!Keyword("RETURNING")) return Status::Ok();
    const bool all = Keyword("ALL");
    if (!all && !Keyword("MODIFIED")) return Unexpected();
    const bool old = Keyword("OLD");
    if (!old && !Keyword("NEW")) return Unexpected();
    if (Status s = Expect("*"); !s.ok()) return s;
    out_.returning = std::string(all ? "ALL_" : "UPDATED_") + (old ? "OLD" : "NEW");
    return Status::Ok();
  }

  Status Select() {
    out_.kind = PartiqlStatement::kSelect;
    if (!Punct("*")) {
      bool nested = false;
      do {
        ProjectedPath projected;
        auto p = Path(nullptr, &projected.steps);
        if (!p.ok()) return p.status();
        out_.projection += (out_.projection.empty() ? "" : ", ") + *p;
        nested |= projected.steps.size() > 1;
        out_.nested_projection.push_back(std::move(projected));
      } while (Punct(","));
      if (nested) {
        // Read the paths' top-level attributes whole (a projected list keeps only its chosen
        // elements, renumbered): ProjectItem walks the paths in them.
        out_.projection.clear();
        std::set<std::string> read;
        for (ProjectedPath& p : out_.nested_projection) {
          p.key = AnswerKey(p.steps);
          if (!read.insert(p.steps.front().name).second) continue;
          out_.projection +=
              (out_.projection.empty() ? "" : ", ") + NamePlaceholder(p.steps.front().name);
        }
      } else {
        out_.nested_projection.clear();
      }
    }
    if (Status s = ExpectKeyword("FROM"); !s.ok()) return s;
    if (Status s = TableName(true); !s.ok()) return s;
    if (Status s = Where(false); !s.ok()) return s;
    if (Keyword("ORDER")) {
      if (Status s = ExpectKeyword("BY"); !s.ok()) return s;
      do {
        auto name = Name();
        if (!name.ok()) return name.status();
        const bool descending = Keyword("DESC");
        if (!descending) Keyword("ASC");
        out_.order_by.emplace_back(std::move(*name), descending);
      } while (Punct(","));
    }
    return Status::Ok();
  }

  // The attribute a projected path is answered under: the path from its last name on.
  static std::string AnswerKey(const std::vector<ProjectedPath::Step>& steps) {
    size_t last_name = 0;
    for (size_t i = 0; i < steps.size(); ++i) {
      if (!steps[i].name.empty()) last_name = i;
    }
    std::string key = steps[last_name].name;
    for (size_t i = last_name + 1; i < steps.size(); ++i) {
      key += fmt::format("[{}]", steps[i].index);
    }
    return key;
  }

  Status Insert() {
    out_.kind = PartiqlStatement::kInsert;
    if (Status s = ExpectKeyword("INTO"); !s.ok()) return s;
    if (Status s = TableName(false); !s.ok()) return s;
    if (Status s = ExpectKeyword("VALUE"); !s.ok()) return s;
    auto v = Value();
    if (!v.ok()) return v.status();
    if (!v->as_object().contains("M")) return Malformed("INSERT VALUE must be a tuple {...}");
    out_.item = std::move(v->as_object()["M"].as_object());
    return Status::Ok();
  }

  Result<std::string> Assignment(std::string* adds, std::string* deletes) {
    auto target = Path();
    if (!target.ok()) return target.status();
    if (Status s = Expect("="); !s.ok()) return s;
    if (Peek().kind == Token::kWord && Peek(1).text == "(") {
      for (std::string_view fn : {"list_append", "if_not_exists", "set_add", "set_delete"}) {
        if (!IEquals(Peek().text, fn)) continue;
        pos_ += 2;
        auto a = Operand();
        if (!a.ok()) return a.status();
        if (Status s = Expect(","); !s.ok()) return s;
        auto b = Operand();
        if (!b.ok()) return b.status();
        if (Status s = Expect(")"); !s.ok()) return s;
        if (fn == "set_add" || fn == "set_delete") {
          std::string& clause = fn == "set_add" ? *adds : *deletes;
          clause += (clause.empty() ? "" : ", ") + *target + " " + b->text;
          return std::string();
        }
        return *target + " = " + std::string(fn) + "(" + a->text + ", " + b->text + ")";
      }
    }
    auto a = Operand();
    if (!a.ok()) return a.status();
    for (std::string_view op : {"+", "-"}) {
      if (!Punct(op)) continue;
      auto b = Operand();
      if (!b.ok()) return b.status();
      return *target + " = " + a->text + " " + std::string(op) + " " + b->text;
    }
    return *target + " = " + a->text;
  }

  Status Update() {
    out_.kind = PartiqlStatement::kUpdate;
    if (Status s = TableName(false); !s.ok()) return s;
    std::string sets, removes, adds, deletes;
    bool any = false;
    for (;;) {
      if (Keyword("SET")) {
        do {
          auto a = Assignment(&adds, &deletes);
          if (!a.ok()) return a.status();
          if (!a->empty()) sets += (sets.empty() ? "" : ", ") + *a;
        } while (Punct(","));
      } else if (Keyword("REMOVE")) {
        do {
          auto p = Path();
          if (!p.ok()) return p.status();
          removes += (removes.empty() ? "" : ", ") + *p;
        } while (Punct(","));
      } else {
        break;
      }
      any = true;
    }
    if (!any) return Unexpected();
    const std::pair<const char*, const std::string*> clauses[] = {
        {"SET ", &sets}, {"REMOVE ", &removes}, {"ADD ", &adds}, {"DELETE ", &deletes}};
    for (const auto& [clause, body] : clauses) {
      if (body->empty()) continue;
      out_.update += (out_.update.empty() ? "" : " ") + std::string(clause) + *body;
    }
    if (Status s = Where(true); !s.ok()) return s;
    return Returning();
  }

  Status Delete() {
    out_.kind = PartiqlStatement::kDelete;
    if (Status s = ExpectKeyword("FROM"); !s.ok()) return s;
    if (Status s = TableName(false); !s.ok()) return s;
    if (Status s = Where(true); !s.ok()) return s;
    if (Status s = Returning(); !s.ok()) return s;
    if (!out_.returning.empty() && out_.returning != "ALL_OLD") {
      return Invalid("DELETE supports RETURNING ALL OLD * only");
    }
    return Status::Ok();
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  const json::array* parameters_;
  size_t next_parameter_ = 0;
  PartiqlStatement& out_;
  std::map<std::string, std::string> name_placeholders_;
};

}  // namespace

Result<PartiqlStatement> ParsePartiql(std::string_view text, const json::array* parameters) {
  auto tokens = Tokenize(text);
  if (!tokens.ok()) return tokens.status();
  PartiqlStatement out;
  Parser parser(std::move(tokens).value(), parameters, out);
  if (Status s = parser.Statement(); !s.ok()) return s;
  if (Status s = parser.Finish(); !s.ok()) return s;
  return out;
}

json::object ProjectItem(const json::object& item, const std::vector<ProjectedPath>& paths) {
  json::object out;
  for (const ProjectedPath& path : paths) {
    const json::value* at = item.if_contains(path.steps.front().name);
    for (size_t i = 1; at && i < path.steps.size(); ++i) {
      const ProjectedPath::Step& step = path.steps[i];
      const json::object* typed = at->if_object();
      if (!step.name.empty()) {
        const json::value* map = typed ? typed->if_contains("M") : nullptr;
        at = map && map->is_object() ? map->as_object().if_contains(step.name) : nullptr;
      } else {
        const json::value* list = typed ? typed->if_contains("L") : nullptr;
        at = list && list->is_array() && step.index < list->as_array().size()
                 ? &list->as_array()[step.index]
                 : nullptr;
      }
    }
    if (at) out[path.key] = *at;
  }
  return out;
}

std::string JoinTerms(const std::vector<const PartiqlStatement::Term*>& terms) {
  std::string out;
  for (const auto* t : terms) {
    out += (out.empty() ? "(" : " AND (") + t->text + ")";
  }
  return out;
}

}  // namespace tidepool::dynamodb
