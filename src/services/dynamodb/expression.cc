#include "services/dynamodb/expression.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "services/dynamodb/attribute_value.h"
#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/reserved_words.h"

namespace tidepool::dynamodb {
namespace {

#define TP_RETURN_IF_ERROR_(expr)  \
  do {                             \
    Status tp_s_ = (expr);         \
    if (!tp_s_.ok()) return tp_s_; \
  } while (0)

constexpr int kMaxDepth = 64;  // nesting of parentheses and NOT, against stack exhaustion

struct Token {
  enum Kind : uint8_t {
    kEnd,
    kIdentifier,
    kName,    // #name
    kValue,   // :value
    kNumber,  // digits (list indexes)
    kPunct,   // ( ) [ ] . , = <> < <= > >= + -
    kInvalid,
  };
  Kind kind = kEnd;
  std::string_view text;
  size_t pos = 0;
};

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentPart(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Parser {
 public:
  Parser(std::string_view text, std::string_view what, ExpressionContext& context)
      : text_(text), what_(what), context_(context) {
    Advance();
  }

  // ---- conditions
  Result<Condition> ParseWholeCondition() {
    TP_ASSIGN_OR_RETURN(Condition c, ParseOr());
    if (cur_.kind != Token::kEnd) return SyntaxError();
    return c;
  }

  // ---- update
  Result<std::vector<UpdateAction>> ParseWholeUpdate() {
    std::vector<UpdateAction> actions;
    bool seen[4] = {false, false, false, false};
    if (cur_.kind == Token::kEnd) return SyntaxError();
    while (cur_.kind != Token::kEnd) {
      if (cur_.kind != Token::kIdentifier) return SyntaxError();
      UpdateAction::Kind kind;
      std::string upper = Upper(cur_.text);
      if (upper == "SET") {
        kind = UpdateAction::kSet;
      } else if (upper == "REMOVE") {
        kind = UpdateAction::kRemove;
      } else if (upper == "ADD") {
        kind = UpdateAction::kAdd;
      } else if (upper == "DELETE") {
        kind = UpdateAction::kDelete;
      } else {
        return SyntaxError();
      }
      if (seen[kind]) {
        return Error(fmt::format(
            "The \"{}\" section can only be used once in an update expression;", upper));
      }
      seen[kind] = true;
      Advance();
      while (true) {
        UpdateAction action{kind, {}, {}};
        TP_ASSIGN_OR_RETURN(action.path, ParsePath());
        if (kind == UpdateAction::kSet) {
          if (!IsPunct("=")) return SyntaxError();
          Advance();
          TP_ASSIGN_OR_RETURN(action.value, ParseSetValue());
        } else if (kind != UpdateAction::kRemove) {
          TP_ASSIGN_OR_RETURN(action.value, ParseOperand(/*in_update=*/true));
          if (action.value.kind != Operand::kValue && action.value.kind != Operand::kPath) {
            return SyntaxError();
          }
        }
        actions.push_back(std::move(action));
        if (!IsPunct(",")) break;
        Advance();
      }
    }
    TP_RETURN_IF_ERROR_(CheckPaths(actions));
    return actions;
  }

  // ---- projection
  Result<std::vector<DocumentPath>> ParseWholeProjection() {
    std::vector<DocumentPath> paths;
    while (true) {
      TP_ASSIGN_OR_RETURN(DocumentPath p, ParsePath());
      paths.push_back(std::move(p));
      if (!IsPunct(",")) break;
      Advance();
    }
    if (cur_.kind != Token::kEnd) return SyntaxError();
    // Overlapping projections are refused as in updates.
    for (size_t i = 0; i < paths.size(); ++i) {
      for (size_t j = i + 1; j < paths.size(); ++j) {
        if (Status s = CheckPair(paths[i], paths[j]); !s.ok()) return s;
      }
    }
    return paths;
  }

 private:
  static std::string Upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }

  Status Error(std::string_view message) const {
    return Invalid(fmt::format("Invalid {}: {}", what_, message));
  }

  Status SyntaxError() const {
    // AWS quotes the offending token and the text around it.
    std::string_view token = cur_.kind == Token::kEnd ? "<EOF>" : cur_.text;
    const size_t from = prev_pos_;
    const size_t to = cur_.kind == Token::kEnd ? text_.size() : cur_.pos + cur_.text.size();
    std::string_view near = text_.substr(from, to > from ? to - from : 0);
    return Error(fmt::format("Syntax error; token: \"{}\", near: \"{}\"", token, near));
  }

  void Advance() {
    prev_pos_ = cur_.pos;
    size_t i = next_;
    while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
    Token t;
    t.pos = i;
    if (i >= text_.size()) {
      t.kind = Token::kEnd;
      cur_ = t;
      next_ = i;
      return;
    }
    const char c = text_[i];
    size_t j = i + 1;
    if (IsIdentStart(c)) {
      while (j < text_.size() && IsIdentPart(text_[j])) ++j;
      t.kind = Token::kIdentifier;
    } else if (c == '#' || c == ':') {
      while (j < text_.size() && IsIdentPart(text_[j])) ++j;
      t.kind = j == i + 1 ? Token::kInvalid : (c == '#' ? Token::kName : Token::kValue);
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
      t.kind = Token::kNumber;
    } else if (c == '<' && j < text_.size() && (text_[j] == '>' || text_[j] == '=')) {
      ++j;
      t.kind = Token::kPunct;
    } else if (c == '>' && j < text_.size() && text_[j] == '=') {
      ++j;
      t.kind = Token::kPunct;
    } else if (std::string_view("()[].,=<>+-").find(c) != std::string_view::npos) {
      t.kind = Token::kPunct;
    } else {
      // One UTF-8 character.
      while (j < text_.size() && (static_cast<unsigned char>(text_[j]) & 0xC0) == 0x80) ++j;
      t.kind = Token::kInvalid;
    }
    t.text = text_.substr(i, j - i);
    cur_ = t;
    next_ = j;
  }

  bool IsPunct(std::string_view p) const { return cur_.kind == Token::kPunct && cur_.text == p; }
  bool IsKeyword(std::string_view upper) const {
    if (cur_.kind != Token::kIdentifier || cur_.text.size() != upper.size()) return false;
    for (size_t i = 0; i < upper.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(cur_.text[i])) != upper[i]) return false;
    }
    return true;
  }
  bool AtConditionKeyword() const {
    return IsKeyword("AND") || IsKeyword("OR") || IsKeyword("NOT") || IsKeyword("BETWEEN") ||
           IsKeyword("IN");
  }
  // Whether the token after the current one is "(" (a function call).
  bool NextIsOpenParen() const {
    size_t i = next_;
    while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
    return i < text_.size() && text_[i] == '(';
  }

  Result<Condition> ParseOr() {
    if (++depth_ > kMaxDepth) return SyntaxError();
    TP_ASSIGN_OR_RETURN(Condition left, ParseAnd());
    while (IsKeyword("OR")) {
      Advance();
      TP_ASSIGN_OR_RETURN(Condition right, ParseAnd());
      Condition c;
      c.kind = Condition::kOr;
      c.children.push_back(std::move(left));
      c.children.push_back(std::move(right));
      left = std::move(c);
    }
    --depth_;
    return left;
  }

  Result<Condition> ParseAnd() {
    TP_ASSIGN_OR_RETURN(Condition left, ParseNot());
    while (IsKeyword("AND")) {
      Advance();
      TP_ASSIGN_OR_RETURN(Condition right, ParseNot());
      Condition c;
      c.kind = Condition::kAnd;
      c.children.push_back(std::move(left));
      c.children.push_back(std::move(right));
      left = std::move(c);
    }
    return left;
  }

  Result<Condition> ParseNot() {
    if (IsKeyword("NOT")) {
      if (++depth_ > kMaxDepth) return SyntaxError();
      Advance();
      TP_ASSIGN_OR_RETURN(Condition inner, ParseNot());
      --depth_;
      Condition c;
      c.kind = Condition::kNot;
      c.children.push_back(std::move(inner));
      return c;
    }
    if (IsPunct("(")) {
      // A parenthesized condition, or a parenthesized operand that starts a predicate.
      const Token saved = cur_;
      const size_t saved_next = next_, saved_prev = prev_pos_;
      const int saved_depth = depth_;
      Advance();
      auto inner = ParseOr();
      if (inner.ok() && IsPunct(")")) {
        Advance();
        return inner;
      }
      cur_ = saved;
      next_ = saved_next;
      prev_pos_ = saved_prev;
      depth_ = saved_depth;
      if (!inner.ok() && !IsOperandStart()) return inner.status();
    }
    return ParsePredicate();
  }

  bool IsOperandStart() const { return cur_.kind == Token::kPunct && cur_.text == "("; }

  Result<Condition> ParsePredicate() {
    // Condition functions.
    if (cur_.kind == Token::kIdentifier && NextIsOpenParen() && !AtConditionKeyword()) {
      std::string name(cur_.text);
      Condition::Kind kind;
      size_t arity;
      if (name == "attribute_exists") {
        kind = Condition::kAttributeExists, arity = 1;
      } else if (name == "attribute_not_exists") {
        kind = Condition::kAttributeNotExists, arity = 1;
      } else if (name == "attribute_type") {
        kind = Condition::kAttributeType, arity = 2;
      } else if (name == "begins_with") {
        kind = Condition::kBeginsWith, arity = 2;
      } else if (name == "contains") {
        kind = Condition::kContains, arity = 2;
      } else if (name == "size") {
        return ParseComparison();
      } else {
        return Error("Invalid function name; function: " + name);
      }
      Advance();  // name
      Advance();  // (
      Condition c;
      c.kind = kind;
      while (true) {
        TP_ASSIGN_OR_RETURN(Operand o, ParseOperand(false));
        c.operands.push_back(std::move(o));
        if (!IsPunct(",")) break;
        Advance();
      }
      if (!IsPunct(")")) return SyntaxError();
      Advance();
      if (c.operands.size() != arity) {
        return Error(fmt::format(
            "Incorrect number of operands for operator or function; operator or function: {}, "
            "number of operands: {}",
            name, c.operands.size()));
      }
      if ((kind == Condition::kAttributeExists || kind == Condition::kAttributeNotExists ||
           kind == Condition::kAttributeType || kind == Condition::kBeginsWith ||
           kind == Condition::kContains) &&
          c.operands[0].kind != Operand::kPath && kind != Condition::kContains &&
          kind != Condition::kBeginsWith) {
        return Error("Operator or function requires a document path; operator or function: " +
                     name);
      }
      if (kind == Condition::kAttributeType) {
        const Operand& t = c.operands[1];
        if (t.kind != Operand::kValue || TypeOf(*t.value) != AttrType::kS) {
          return Error(
              "Incorrect operand type for operator or function; operator or function: "
              "attribute_type, operand type: " +
              std::string(t.kind == Operand::kValue ? TypeName(TypeOf(*t.value)) : "M"));
        }
        std::string_view type_name = Payload(*t.value).get_string();
        if (TypeFromName(type_name) == AttrType::kInvalid) {
          return Error(
              fmt::format("Invalid attribute type name found; type: {}, valid types: "
                          "{{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}",
                          type_name));
        }
      }
      if (kind == Condition::kBeginsWith) {
        for (const Operand& o : c.operands) {
          if (o.kind == Operand::kValue) {
            AttrType t = TypeOf(*o.value);
            if (t != AttrType::kS && t != AttrType::kB) {
              return Error(
                  "Incorrect operand type for operator or function; operator or function: "
                  "begins_with, operand type: " +
                  std::string(TypeName(t)));
            }
          }
        }
      }
      if (IsComparatorAhead()) {
        return Error(
            "The function is not allowed to be used this way in an expression; function: " + name);
      }
      return c;
    }
    return ParseComparison();
  }

  bool IsComparatorAhead() const {
    return IsPunct("=") || IsPunct("<>") || IsPunct("<") || IsPunct("<=") || IsPunct(">") ||
           IsPunct(">=");
  }

  Result<Condition> ParseComparison() {
    TP_ASSIGN_OR_RETURN(Operand left, ParseOperand(false));
    Condition c;
    if (IsComparatorAhead()) {
      const std::string_view op = cur_.text;
      c.kind = Condition::kCompare;
      c.comparator = op == "="    ? Condition::kEq
                     : op == "<>" ? Condition::kNe
                     : op == "<"  ? Condition::kLt
                     : op == "<=" ? Condition::kLe
                     : op == ">"  ? Condition::kGt
                                  : Condition::kGe;
      Advance();
      TP_ASSIGN_OR_RETURN(Operand right, ParseOperand(false));
      c.operands.push_back(std::move(left));
      c.operands.push_back(std::move(right));
    } else if (IsKeyword("BETWEEN")) {
      Advance();
      c.kind = Condition::kBetween;
      TP_ASSIGN_OR_RETURN(Operand low, ParseOperand(false));
      if (!IsKeyword("AND")) return SyntaxError();
      Advance();
      TP_ASSIGN_OR_RETURN(Operand high, ParseOperand(false));
      if (low.kind == Operand::kValue && high.kind == Operand::kValue) {
        AttrType tl = TypeOf(*low.value), th = TypeOf(*high.value);
        auto render = [](const Operand& o) {
          std::string s;
          AppendWireJson(&s, *o.value);
          return s;
        };
        if (tl != th) {
          return Error(
              "The BETWEEN operator requires same data type for lower and upper bounds; lower "
              "bound operand: AttributeValue: " +
              render(low) + ", upper bound operand: AttributeValue: " + render(high));
        }
        auto cmp = CompareValues(*low.value, *high.value);
        if (cmp && *cmp > 0) {
          return Error(
              "The BETWEEN operator requires upper bound to be greater than or equal to lower "
              "bound; lower bound operand: AttributeValue: " +
              render(low) + ", upper bound operand: AttributeValue: " + render(high));
        }
      }
      c.operands.push_back(std::move(left));
      c.operands.push_back(std::move(low));
      c.operands.push_back(std::move(high));
    } else if (IsKeyword("IN")) {
      Advance();
      c.kind = Condition::kIn;
      if (!IsPunct("(")) return SyntaxError();
      Advance();
      c.operands.push_back(std::move(left));
      while (true) {
        TP_ASSIGN_OR_RETURN(Operand o, ParseOperand(false));
        c.operands.push_back(std::move(o));
        if (!IsPunct(",")) break;
        Advance();
      }
      if (!IsPunct(")")) return SyntaxError();
      Advance();
      if (c.operands.size() > 101) {
        return Error("The IN operator is provided with too many operands; number of operands: " +
                     std::to_string(c.operands.size() - 1));
      }
    } else {
      if (left.kind == Operand::kSize) {
        return Error(
            "The function is not allowed to be used this way in an expression; function: size");
      }
      return SyntaxError();
    }
    return c;
  }

  // operand := path | :value | size(path) | ( operand ); in updates also the functions.
  Result<Operand> ParseOperand(bool in_update) {
    Operand o;
    if (cur_.kind == Token::kValue) {
      o.kind = Operand::kValue;
      auto value = context_.ResolveValue(cur_.text);
      if (!value.ok()) return Error(value.status().message());
      o.value = *value;
      Advance();
      return o;
    }
    if (IsPunct("(")) {
      if (++depth_ > kMaxDepth) return SyntaxError();
      Advance();
      TP_ASSIGN_OR_RETURN(o, in_update ? ParseSetValue() : ParseOperand(false));
      if (!IsPunct(")")) return SyntaxError();
      Advance();
      --depth_;
      return o;
    }
    if (cur_.kind == Token::kIdentifier && NextIsOpenParen() && !AtConditionKeyword()) {
      std::string name(cur_.text);
      if (!in_update && name == "size") {
        Advance();
        Advance();
        o.kind = Operand::kSize;
        TP_ASSIGN_OR_RETURN(Operand arg, ParseOperand(false));
        if (!IsPunct(")")) return SyntaxError();
        Advance();
        if (arg.kind != Operand::kPath) {
          if (arg.kind == Operand::kValue) {
            AttrType t = TypeOf(*arg.value);
            if (t == AttrType::kN || t == AttrType::kBool || t == AttrType::kNull) {
              return Error(
                  "Incorrect operand type for operator or function; operator or function: size, "
                  "operand type: " +
                  std::string(TypeName(t)));
            }
          }
          o.args.push_back(std::move(arg));
          return o;
        }
        o.path = std::move(arg.path);
        return o;
      }
      if (in_update && (name == "if_not_exists" || name == "list_append")) {
        Advance();
        Advance();
        o.kind = name == "if_not_exists" ? Operand::kIfNotExists : Operand::kListAppend;
        while (true) {
          TP_ASSIGN_OR_RETURN(Operand arg, ParseSetValue());
          o.args.push_back(std::move(arg));
          if (!IsPunct(",")) break;
          Advance();
        }
        if (!IsPunct(")")) return SyntaxError();
        Advance();
        if (o.args.size() != 2) {
          return Error(fmt::format(
              "Incorrect number of operands for operator or function; operator or function: {}, "
              "number of operands: {}",
              name, o.args.size()));
        }
        if (o.kind == Operand::kIfNotExists && o.args[0].kind != Operand::kPath) {
          return Error(
              "Operator or function requires a document path; operator or function: "
              "if_not_exists");
        }
        return o;
      }
      static constexpr std::string_view kConditionFunctions[] = {
          "attribute_exists", "attribute_not_exists",
          "attribute_type",   "begins_with",
          "contains",         "size",
          "if_not_exists",    "list_append"};
      if (std::find(std::begin(kConditionFunctions), std::end(kConditionFunctions), name) !=
          std::end(kConditionFunctions)) {
        return Error(
            "The function is not allowed to be used this way in an expression; function: " + name);
      }
      return Error("Invalid function name; function: " + name);
    }
    o.kind = Operand::kPath;
    TP_ASSIGN_OR_RETURN(o.path, ParsePath());
    return o;
  }

  Result<Operand> ParseSetValue() {
    TP_ASSIGN_OR_RETURN(Operand left, ParseOperand(true));
    if (IsPunct("+") || IsPunct("-")) {
      Operand o;
      o.kind = IsPunct("+") ? Operand::kPlus : Operand::kMinus;
      Advance();
      TP_ASSIGN_OR_RETURN(Operand right, ParseOperand(true));
      o.args.push_back(std::move(left));
      o.args.push_back(std::move(right));
      return o;
    }
    return left;
  }

  Result<std::string> ParseName() {
    if (cur_.kind == Token::kName) {
      auto name = context_.ResolveName(cur_.text);
      if (!name.ok()) return Error(name.status().message());
      Advance();
      return std::move(name).value();
    }
    if (cur_.kind == Token::kIdentifier && !AtConditionKeyword()) {
      if (IsReservedWord(cur_.text)) {
        return Error("Attribute name is a reserved keyword; reserved keyword: " +
                     std::string(cur_.text));
      }
      std::string name(cur_.text);
      Advance();
      return name;
    }
    return SyntaxError();
  }

  Result<DocumentPath> ParsePath() {
    DocumentPath path;
    PathElement first;
    TP_ASSIGN_OR_RETURN(first.name, ParseName());
    path.push_back(std::move(first));
    while (true) {
      if (IsPunct(".")) {
        Advance();
        PathElement e;
        TP_ASSIGN_OR_RETURN(e.name, ParseName());
        path.push_back(std::move(e));
      } else if (IsPunct("[")) {
        Advance();
        if (cur_.kind != Token::kNumber) return SyntaxError();
        if (cur_.text.size() > 9) return Error("List index is out of range");
        PathElement e;
        e.index = std::stoi(std::string(cur_.text));
        Advance();
        if (!IsPunct("]")) return SyntaxError();
        Advance();
        path.push_back(std::move(e));
      } else {
        break;
      }
    }
    if (path.size() > 32) {
      return Error("The document path has too many nesting levels; nesting levels: " +
                   std::to_string(path.size()));
    }
    return path;
  }

  Status CheckPair(const DocumentPath& a, const DocumentPath& b) const {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      if (a[i] == b[i]) continue;
      if (a[i].is_index() != b[i].is_index()) {
        return Error(
            "Two document paths conflict with each other; must remove or rewrite one of these "
            "paths; path one: " +
            PathToString(a) + ", path two: " + PathToString(b));
      }
      return Status::Ok();
    }
    return Error(
        "Two document paths overlap with each other; must remove or rewrite one of these paths; "
        "path one: " +
        PathToString(a) + ", path two: " + PathToString(b));
  }

  Status CheckPaths(const std::vector<UpdateAction>& actions) const {
    for (size_t i = 0; i < actions.size(); ++i) {
      for (size_t j = i + 1; j < actions.size(); ++j) {
        if (Status s = CheckPair(actions[i].path, actions[j].path); !s.ok()) return s;
      }
    }
    return Status::Ok();
  }
#undef TP_RETURN_IF_ERROR_

  std::string_view text_;
  std::string_view what_;
  ExpressionContext& context_;
  Token cur_;
  size_t next_ = 0;
  size_t prev_pos_ = 0;
  int depth_ = 0;
};

}  // namespace

std::string PathToString(const DocumentPath& path) {
  std::string out = "[";
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) out += ", ";
    if (path[i].is_index()) {
      out += "[" + std::to_string(path[i].index) + "]";
    } else {
      out += path[i].name;
    }
  }
  return out + "]";
}

Result<std::string> ExpressionContext::ResolveName(std::string_view placeholder) {
  const json::value* v = names_ ? names_->if_contains(placeholder) : nullptr;
  if (!v || !v->is_string()) {
    return Invalid(
        "An expression attribute name used in the document path is not defined; attribute "
        "name: " +
        std::string(placeholder));
  }
  used_names_.emplace(placeholder);
  return std::string(v->get_string());
}

Result<const json::value*> ExpressionContext::ResolveValue(std::string_view placeholder) {
  const json::value* v = values_ ? values_->if_contains(placeholder) : nullptr;
  if (!v) {
    return Invalid(
        "An expression attribute value used in expression is not defined; attribute value: " +
        std::string(placeholder));
  }
  used_values_.emplace(placeholder);
  return v;
}

Status ExpressionContext::CheckAllUsed() const {
  auto unused = [](const json::object* given, const std::set<std::string, std::less<>>& used) {
    std::vector<std::string> keys;
    if (!given) return keys;
    for (const auto& kv : *given) {
      if (!used.contains(std::string_view(kv.key()))) keys.emplace_back(kv.key());
    }
    std::sort(keys.begin(), keys.end());
    return keys;
  };
  auto render = [](const std::vector<std::string>& keys) {
    std::string out = "{";
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i) out += ", ";
      out += keys[i];
    }
    return out + "}";
  };
  if (auto keys = unused(names_, used_names_); !keys.empty()) {
    return Invalid("Value provided in ExpressionAttributeNames unused in expressions: keys: " +
                   render(keys));
  }
  if (auto keys = unused(values_, used_values_); !keys.empty()) {
    return Invalid("Value provided in ExpressionAttributeValues unused in expressions: keys: " +
                   render(keys));
  }
  return Status::Ok();
}

Result<Condition> ParseCondition(std::string_view text, std::string_view what,
                                 ExpressionContext& context) {
  Parser p(text, what, context);
  return p.ParseWholeCondition();
}

Result<std::vector<UpdateAction>> ParseUpdate(std::string_view text, ExpressionContext& context) {
  Parser p(text, "UpdateExpression", context);
  return p.ParseWholeUpdate();
}

Result<std::vector<DocumentPath>> ParseProjection(std::string_view text,
                                                  ExpressionContext& context) {
  Parser p(text, "ProjectionExpression", context);
  return p.ParseWholeProjection();
}

}  // namespace tidepool::dynamodb
