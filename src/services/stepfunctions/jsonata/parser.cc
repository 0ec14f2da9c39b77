#include "services/stepfunctions/jsonata/parser.h"

#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include "services/stepfunctions/jsonata/error.h"
#include "services/stepfunctions/jsonata/signature.h"
#include "services/stepfunctions/jsonata/tokenizer.h"

namespace tidepool::sfn::jsonata {
namespace {

NodePtr MakeNode(Node::Type type, int position) {
  auto n = std::make_unique<Node>();
  n->type = type;
  n->position = position;
  return n;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), lexer_(text) {}

  NodePtr Parse() {
    Advance(nullptr, false);
    NodePtr expr = Expression(0);
    if (current_.kind != Token::Kind::kEnd) {
      ThrowError("S0201", current_.position, current_.value);
    }
    expr = Process(std::move(expr));
    if (expr->type == Node::Type::kParent || expr->seeking_parent_set) {
      ThrowError("S0217", expr->position);
    }
    return expr;
  }

 private:
  bool Is(const char* op) const {
    return current_.kind == Token::Kind::kOperator && current_.value == op;
  }

  void Advance(const char* expected, bool infix) {
    if (expected != nullptr && !Is(expected)) {
      if (current_.kind == Token::Kind::kEnd) ThrowError("S0203", current_.position, expected);
      ThrowError("S0202", current_.position, current_.value, expected);
    }
    auto next = lexer_.Next(infix);
    if (!next) {
      current_ = Token();
      current_.position = static_cast<int>(text_.size());
      return;
    }
    if (next->kind == Token::Kind::kOperator && !IsKnownOperator(next->value)) {
      ThrowError("S0204", next->position, next->value);
    }
    current_ = std::move(*next);
  }

  NodePtr Expression(int rbp) {
    Token t = current_;
    Advance(nullptr, true);
    NodePtr left = Nud(t);
    while (rbp < BindingPower(current_)) {
      t = current_;
      Advance(nullptr, false);
      left = Led(t, std::move(left));
    }
    return left;
  }

  NodePtr Nud(const Token& t) {
    switch (t.kind) {
      case Token::Kind::kEnd:
        return MakeNode(Node::Type::kEnd, t.position);
      case Token::Kind::kString: {
        auto n = MakeNode(Node::Type::kString, t.position);
        n->value = t.value;
        return n;
      }
      case Token::Kind::kNumber: {
        auto n = MakeNode(Node::Type::kNumber, t.position);
        n->number = t.number;
        n->value = t.value;
        return n;
      }
      case Token::Kind::kValue: {
        auto n = MakeNode(Node::Type::kValue, t.position);
        n->literal = t.literal;
        n->value = t.value;
        return n;
      }
      case Token::Kind::kName: {
        auto n = MakeNode(Node::Type::kName, t.position);
        n->value = t.value;
        return n;
      }
      case Token::Kind::kVariable: {
        auto n = MakeNode(Node::Type::kVariable, t.position);
        n->value = t.value;
        return n;
      }
      case Token::Kind::kRegex: {
        auto n = MakeNode(Node::Type::kRegex, t.position);
        n->regex = t.regex;
        n->regex_source = t.value;
        return n;
      }
      case Token::Kind::kOperator:
        break;
    }
    const std::string& op = t.value;
    if (op == "-") {
      auto n = MakeNode(Node::Type::kUnary, t.position);
      n->value = "-";
      n->expression = Expression(70);
      return n;
    }
    if (op == "*") return MakeNode(Node::Type::kWildcard, t.position);
    if (op == "**") return MakeNode(Node::Type::kDescendant, t.position);
    if (op == "%") return MakeNode(Node::Type::kParent, t.position);
    if (op == "and" || op == "or" || op == "in") {
      auto n = MakeNode(Node::Type::kOperator, t.position);
      n->value = op;
      return n;
    }
    if (op == "(") {
      auto n = MakeNode(Node::Type::kBlock, t.position);
      while (!Is(")")) {
        n->expressions.push_back(Expression(0));
        if (!Is(";")) break;
        Advance(";", false);
      }
      Advance(")", true);
      return n;
    }
    if (op == "[") {
      auto n = MakeNode(Node::Type::kUnary, t.position);
      n->value = "[";
      if (!Is("]")) {
        for (;;) {
          NodePtr item = Expression(0);
          if (Is("..")) {
            auto range = MakeNode(Node::Type::kBinary, current_.position);
            range->value = "..";
            range->lhs = std::move(item);
            Advance("..", false);
            range->rhs = Expression(0);
            item = std::move(range);
          }
          n->expressions.push_back(std::move(item));
          if (!Is(",")) break;
          Advance(",", false);
        }
      }
      Advance("]", true);
      return n;
    }
    if (op == "{") {
      auto n = MakeNode(Node::Type::kUnary, t.position);
      n->value = "{";
      n->pairs = ObjectPairs();
      return n;
    }
    if (op == "|") {
      auto n = MakeNode(Node::Type::kTransform, t.position);
      n->pattern = Expression(0);
      Advance("|", false);
      n->update = Expression(0);
      if (Is(",")) {
        Advance(",", false);
        n->remove = Expression(0);
      }
      Advance("|", false);
      return n;
    }
    ThrowError("S0211", t.position, op);
  }

  std::vector<std::pair<NodePtr, NodePtr>> ObjectPairs() {
    std::vector<std::pair<NodePtr, NodePtr>> pairs;
    if (!Is("}")) {
      for (;;) {
        NodePtr k = Expression(0);
        Advance(":", false);
        NodePtr v = Expression(0);
        pairs.emplace_back(std::move(k), std::move(v));
        if (!Is(",")) break;
        Advance(",", false);
      }
    }
    Advance("}", true);
    return pairs;
  }

  NodePtr Led(const Token& t, NodePtr left) {
    const std::string& op = t.value;
    if (op == "(") return CallOrLambda(t, std::move(left));
    if (op == "[") {
      if (Is("]")) {
        Node* step = left.get();
        while (step->type == Node::Type::kBinary && step->value == "[") step = step->lhs.get();
        step->keep_array = true;
        Advance("]", false);
        return left;
      }
      auto n = MakeNode(Node::Type::kBinary, t.position);
      n->value = "[";
      n->lhs = std::move(left);
      n->rhs = Expression(0);
      Advance("]", true);
      return n;
    }
    if (op == "^") {
      Advance("(", false);
      auto n = MakeNode(Node::Type::kBinary, t.position);
      n->value = "^";
      for (;;) {
        SortTerm term;
        if (Is("<")) {
          Advance("<", false);
        } else if (Is(">")) {
          term.descending = true;
          Advance(">", false);
        }
        term.expression = Expression(0);
        n->terms.push_back(std::move(term));
        if (!Is(",")) break;
        Advance(",", false);
      }
      Advance(")", false);
      n->lhs = std::move(left);
      return n;
    }
    if (op == "{") {
      auto n = MakeNode(Node::Type::kBinary, t.position);
      n->value = "{";
      n->lhs = std::move(left);
      n->pairs = ObjectPairs();
      return n;
    }
    if (op == ":=") {
      if (left->type != Node::Type::kVariable) ThrowError("S0212", left->position, left->value);
      auto n = MakeNode(Node::Type::kBinary, t.position);
      n->value = ":=";
      n->lhs = std::move(left);
      n->rhs = Expression(9);
      return n;
    }
    if (op == "@" || op == "#") {
      auto n = MakeNode(Node::Type::kBinary, t.position);
      n->value = op;
      n->lhs = std::move(left);
      n->rhs = Expression(80);
      if (n->rhs->type != Node::Type::kVariable) ThrowError("S0214", n->rhs->position, op);
      return n;
    }
    if (op == "?") {
      auto n = MakeNode(Node::Type::kCondition, t.position);
      n->condition = std::move(left);
      n->then = Expression(0);
      if (Is(":")) {
        Advance(":", false);
        n->otherwise = Expression(0);
      }
      return n;
    }
    auto n = MakeNode(Node::Type::kBinary, t.position);
    n->value = op;
    n->lhs = std::move(left);
    n->rhs = Expression(BindingPower(t));
    return n;
  }

  NodePtr CallOrLambda(const Token& t, NodePtr left) {
    auto n = MakeNode(Node::Type::kFunction, t.position);
    if (!Is(")")) {
      for (;;) {
        if (Is("?")) {
          n->type = Node::Type::kPartial;
          auto placeholder = MakeNode(Node::Type::kOperator, current_.position);
          placeholder->value = "?";
          n->arguments.push_back(std::move(placeholder));
          Advance("?", false);
        } else {
          n->arguments.push_back(Expression(0));
        }
        if (!Is(",")) break;
        Advance(",", false);
      }
    }
    Advance(")", true);
    if (left->type == Node::Type::kName && (left->value == "function" || left->value == "\u03BB")) {
      for (size_t i = 0; i < n->arguments.size(); ++i) {
        if (n->arguments[i]->type != Node::Type::kVariable) {
          ThrowError("S0208", n->arguments[i]->position, n->arguments[i]->value);
        }
      }
      n->type = Node::Type::kLambda;
      if (Is("<")) {
        int sig_pos = current_.position;
        int depth = 1;
        std::string sig = "<";
        while (depth > 0 && !Is("{") && current_.kind != Token::Kind::kEnd) {
          Advance(nullptr, false);
          if (Is(">")) {
            --depth;
          } else if (Is("<")) {
            ++depth;
          }
          sig += current_.value;
        }
        Advance(">", false);
        n->signature = Signature::Parse(sig, sig_pos);
      }
      Advance("{", false);
      n->body = Expression(0);
      Advance("}", false);
      return n;
    }
    n->procedure = std::move(left);
    return n;
  }

  // ---- post-parse pass ----

  NodePtr Process(NodePtr expr) {
    bool keep_array = expr->keep_array;
    NodePtr result = ProcessInner(std::move(expr));
    if (keep_array) result->keep_array = true;
    return result;
  }

  static void PushAncestry(Node* result, const Node* value) {
    if (!value->seeking_parent_set && value->type != Node::Type::kParent) return;
    std::vector<std::shared_ptr<ParentSlot>> slots = value->seeking_parent;
    if (value->type == Node::Type::kParent) slots.push_back(value->slot);
    result->seeking_parent.insert(result->seeking_parent.end(), slots.begin(), slots.end());
    result->seeking_parent_set = true;
  }

  std::shared_ptr<ParentSlot> SeekParent(Node* node, std::shared_ptr<ParentSlot> slot) {
    switch (node->type) {
      case Node::Type::kName:
      case Node::Type::kWildcard:
        slot->level--;
        if (slot->level == 0) {
          if (!node->ancestor) {
            node->ancestor = slot;
          } else {
            ancestry_[static_cast<size_t>(slot->index)]->label = node->ancestor->label;
            node->ancestor = slot;
          }
          node->tuple = true;
        }
        break;
      case Node::Type::kParent:
        slot->level++;
        break;
      case Node::Type::kBlock:
        if (!node->expressions.empty()) {
          node->tuple = true;
          slot = SeekParent(node->expressions.back().get(), slot);
        }
        break;
      case Node::Type::kPath: {
        node->tuple = true;
        int index = static_cast<int>(node->steps.size()) - 1;
        slot = SeekParent(node->steps[static_cast<size_t>(index--)].get(), slot);
        while (slot->level > 0 && index >= 0) {
          slot = SeekParent(node->steps[static_cast<size_t>(index--)].get(), slot);
        }
        break;
      }
      default:
        ThrowError("S0217", node->position);
    }
    return slot;
  }

  void ResolveAncestry(Node* path) {
    Node* last = path->steps.back().get();
    std::vector<std::shared_ptr<ParentSlot>> slots = last->seeking_parent;
    if (last->type == Node::Type::kParent) slots.push_back(last->slot);
    for (auto slot : slots) {
      int index = static_cast<int>(path->steps.size()) - 2;
      while (slot->level > 0) {
        if (index < 0) {
          path->seeking_parent.push_back(slot);
          path->seeking_parent_set = true;
          break;
        }
        Node* step = path->steps[static_cast<size_t>(index--)].get();
        while (index >= 0 && step->has_focus &&
               path->steps[static_cast<size_t>(index)]->has_focus) {
          step = path->steps[static_cast<size_t>(index--)].get();
        }
        slot = SeekParent(step, slot);
      }
    }
  }

  static NodePtr TailCallOptimize(NodePtr e) {
    if (e->type == Node::Type::kFunction && e->predicate.empty()) {
      auto thunk = MakeNode(Node::Type::kLambda, e->position);
      thunk->thunk = true;
      thunk->body = std::move(e);
      return thunk;
    }
    if (e->type == Node::Type::kCondition) {
      e->then = TailCallOptimize(std::move(e->then));
      if (e->otherwise) e->otherwise = TailCallOptimize(std::move(e->otherwise));
      return e;
    }
    if (e->type == Node::Type::kBlock && !e->expressions.empty()) {
      e->expressions.back() = TailCallOptimize(std::move(e->expressions.back()));
    }
    return e;
  }

  static NodePtr WrapInPath(NodePtr n) {
    if (n->type == Node::Type::kPath) return n;
    auto path = MakeNode(Node::Type::kPath, n->position);
    path->steps.push_back(std::move(n));
    return path;
  }

  NodePtr ProcessDot(NodePtr expr) {
    NodePtr lstep = Process(std::move(expr->lhs));
    std::shared_ptr<ParentSlot> parent_slot =
        lstep->type == Node::Type::kParent ? lstep->slot : nullptr;
    NodePtr result = WrapInPath(std::move(lstep));
    if (parent_slot) {
      result->seeking_parent = {parent_slot};
      result->seeking_parent_set = true;
    }
    NodePtr rest = Process(std::move(expr->rhs));
    if (rest->type == Node::Type::kPath) {
      for (auto& s : rest->steps) result->steps.push_back(std::move(s));
    } else {
      if (!rest->predicate.empty()) rest->stages = std::move(rest->predicate);
      result->steps.push_back(std::move(rest));
    }
    for (auto& step : result->steps) {
      if (step->type == Node::Type::kNumber || step->type == Node::Type::kValue) {
        ThrowError("S0213", step->position, step->value);
      }
      if (step->type == Node::Type::kString) step->type = Node::Type::kName;
      if (step->keep_array) result->keep_singleton_array = true;
    }
    Node* first = result->steps.front().get();
    if (first->type == Node::Type::kUnary && first->value == "[") first->cons_array = true;
    Node* last = result->steps.back().get();
    if (last->type == Node::Type::kUnary && last->value == "[") last->cons_array = true;
    ResolveAncestry(result.get());
    return result;
  }

  NodePtr ProcessBinary(NodePtr expr) {
    const std::string op = expr->value;
    if (op == ".") return ProcessDot(std::move(expr));
    if (op == "[") {
      NodePtr result = Process(std::move(expr->lhs));
      Node* step = result.get();
      bool is_path = result->type == Node::Type::kPath;
      if (is_path) step = result->steps.back().get();
      if (step->group) ThrowError("S0209", expr->position);
      NodePtr predicate = Process(std::move(expr->rhs));
      if (predicate->seeking_parent_set) {
        for (auto& slot : predicate->seeking_parent) {
          if (slot->level == 1) {
            SeekParent(step, slot);
          } else {
            slot->level--;
          }
        }
        PushAncestry(step, predicate.get());
      }
      Stage stage;
      stage.expr = std::move(predicate);
      stage.position = expr->position;
      (is_path ? step->stages : step->predicate).push_back(std::move(stage));
      return result;
    }
    if (op == "{") {
      NodePtr result = Process(std::move(expr->lhs));
      if (result->group) ThrowError("S0210", expr->position);
      result->group = std::make_unique<GroupBy>();
      result->group->position = expr->position;
      for (auto& [k, v] : expr->pairs) {
        NodePtr pk = Process(std::move(k));
        NodePtr pv = Process(std::move(v));
        result->group->pairs.emplace_back(std::move(pk), std::move(pv));
      }
      return result;
    }
    if (op == "^") {
      NodePtr result = WrapInPath(Process(std::move(expr->lhs)));
      auto sort = MakeNode(Node::Type::kSort, expr->position);
      for (auto& term : expr->terms) {
        SortTerm t;
        t.descending = term.descending;
        t.expression = Process(std::move(term.expression));
        PushAncestry(sort.get(), t.expression.get());
        sort->terms.push_back(std::move(t));
      }
      result->steps.push_back(std::move(sort));
      ResolveAncestry(result.get());
      return result;
    }
    if (op == ":=") {
      auto result = MakeNode(Node::Type::kBind, expr->position);
      result->lhs = Process(std::move(expr->lhs));
      result->rhs = Process(std::move(expr->rhs));
      PushAncestry(result.get(), result->rhs.get());
      return result;
    }
    if (op == "@") {
      NodePtr result = Process(std::move(expr->lhs));
      Node* step = result.get();
      if (result->type == Node::Type::kPath) step = result->steps.back().get();
      if (!step->stages.empty() || !step->predicate.empty()) ThrowError("S0215", expr->position);
      if (step->type == Node::Type::kSort) ThrowError("S0216", expr->position);
      if (expr->keep_array) step->keep_array = true;
      step->focus = expr->rhs->value;
      step->has_focus = true;
      step->tuple = true;
      return result;
    }
    if (op == "#") {
      NodePtr result = Process(std::move(expr->lhs));
      Node* step = result.get();
      if (result->type == Node::Type::kPath) {
        step = result->steps.back().get();
      } else {
        result = WrapInPath(std::move(result));
        if (!step->predicate.empty()) step->stages = std::move(step->predicate);
      }
      if (step->stages.empty()) {
        step->index = expr->rhs->value;
        step->has_index = true;
      } else {
        Stage stage;
        stage.kind = Stage::Kind::kIndex;
        stage.value = expr->rhs->value;
        stage.position = expr->position;
        step->stages.push_back(std::move(stage));
      }
      step->tuple = true;
      return result;
    }
    if (op == "~>") {
      auto result = MakeNode(Node::Type::kApply, expr->position);
      result->value = op;
      result->lhs = Process(std::move(expr->lhs));
      result->rhs = Process(std::move(expr->rhs));
      return result;
    }
    auto result = MakeNode(Node::Type::kBinary, expr->position);
    result->value = op;
    result->lhs = Process(std::move(expr->lhs));
    result->rhs = Process(std::move(expr->rhs));
    PushAncestry(result.get(), result->lhs.get());
    PushAncestry(result.get(), result->rhs.get());
    return result;
  }

  NodePtr ProcessInner(NodePtr expr) {
    switch (expr->type) {
      case Node::Type::kBinary:
        return ProcessBinary(std::move(expr));
      case Node::Type::kUnary: {
        auto result = MakeNode(Node::Type::kUnary, expr->position);
        result->value = expr->value;
        if (expr->value == "[") {
          for (auto& item : expr->expressions) {
            NodePtr v = Process(std::move(item));
            PushAncestry(result.get(), v.get());
            result->expressions.push_back(std::move(v));
          }
        } else if (expr->value == "{") {
          for (auto& [k, v] : expr->pairs) {
            NodePtr pk = Process(std::move(k));
            PushAncestry(result.get(), pk.get());
            NodePtr pv = Process(std::move(v));
            PushAncestry(result.get(), pv.get());
            result->pairs.emplace_back(std::move(pk), std::move(pv));
          }
        } else {
          result->expression = Process(std::move(expr->expression));
          if (expr->value == "-" && result->expression->type == Node::Type::kNumber) {
            NodePtr num = std::move(result->expression);
            num->number = -num->number;
            return num;
          }
          PushAncestry(result.get(), result->expression.get());
        }
        return result;
      }
      case Node::Type::kFunction:
      case Node::Type::kPartial: {
        auto result = MakeNode(expr->type, expr->position);
        for (auto& arg : expr->arguments) {
          NodePtr a = Process(std::move(arg));
          PushAncestry(result.get(), a.get());
          result->arguments.push_back(std::move(a));
        }
        result->procedure = Process(std::move(expr->procedure));
        return result;
      }
      case Node::Type::kLambda: {
        auto result = MakeNode(Node::Type::kLambda, expr->position);
        result->arguments = std::move(expr->arguments);
        result->signature = expr->signature;
        result->body = TailCallOptimize(Process(std::move(expr->body)));
        return result;
      }
      case Node::Type::kCondition: {
        auto result = MakeNode(Node::Type::kCondition, expr->position);
        result->condition = Process(std::move(expr->condition));
        PushAncestry(result.get(), result->condition.get());
        result->then = Process(std::move(expr->then));
        PushAncestry(result.get(), result->then.get());
        if (expr->otherwise) {
          result->otherwise = Process(std::move(expr->otherwise));
          PushAncestry(result.get(), result->otherwise.get());
        }
        return result;
      }
      case Node::Type::kTransform: {
        auto result = MakeNode(Node::Type::kTransform, expr->position);
        result->pattern = Process(std::move(expr->pattern));
        result->update = Process(std::move(expr->update));
        if (expr->remove) result->remove = Process(std::move(expr->remove));
        return result;
      }
      case Node::Type::kBlock: {
        auto result = MakeNode(Node::Type::kBlock, expr->position);
        for (auto& item : expr->expressions) {
          NodePtr part = Process(std::move(item));
          PushAncestry(result.get(), part.get());
          if (part->cons_array ||
              (part->type == Node::Type::kPath && part->steps.front()->cons_array)) {
            result->cons_array = true;
          }
          result->expressions.push_back(std::move(part));
        }
        return result;
      }
      case Node::Type::kName: {
        bool keep = expr->keep_array;
        NodePtr path = WrapInPath(std::move(expr));
        if (keep) path->keep_singleton_array = true;
        return path;
      }
      case Node::Type::kParent: {
        auto result = MakeNode(Node::Type::kParent, expr->position);
        result->slot = std::make_shared<ParentSlot>();
        result->slot->label = "!" + std::to_string(ancestor_label_++);
        result->slot->level = 1;
        result->slot->index = static_cast<int>(ancestry_.size());
        ancestry_.push_back(result->slot);
        return result;
      }
      case Node::Type::kString:
      case Node::Type::kNumber:
      case Node::Type::kValue:
      case Node::Type::kWildcard:
      case Node::Type::kDescendant:
      case Node::Type::kVariable:
      case Node::Type::kRegex:
        return expr;
      case Node::Type::kOperator:
        if (expr->value == "and" || expr->value == "or" || expr->value == "in") {
          expr->type = Node::Type::kName;
          return Process(std::move(expr));
        }
        if (expr->value == "?") return expr;
        ThrowError("S0201", expr->position, expr->value);
      case Node::Type::kEnd:
        ThrowError("S0207", expr->position);
      default:
        ThrowError("S0206", expr->position, expr->value);
    }
  }

  std::string_view text_;
  Tokenizer lexer_;
  Token current_;
  int ancestor_label_ = 0;
  std::vector<std::shared_ptr<ParentSlot>> ancestry_;
};

}  // namespace

NodePtr ParseExpression(std::string_view text) {
  Parser parser(text);
  return parser.Parse();
}

}  // namespace tidepool::sfn::jsonata
