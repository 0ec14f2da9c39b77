// Evaluation of parsed expressions (expression.h) against items.
#include <algorithm>
#include <optional>
#include <unordered_set>

#include "services/dynamodb/attribute_value.h"
#include "services/dynamodb/decimal.h"
#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/expression.h"

namespace tidepool::dynamodb {
namespace {

json::value MakeValue(AttrType t, json::value payload) {
  json::object o;
  o.emplace(TypeName(t), std::move(payload));
  return o;
}

// size(): length of a string or binary, element count of a set, list or map.
std::optional<json::value> SizeOf(const json::value* v) {
  if (!v) return std::nullopt;
  size_t n;
  switch (TypeOf(*v)) {
    case AttrType::kS:
    case AttrType::kB:
      n = Payload(*v).get_string().size();
      break;
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
    case AttrType::kL:
      n = Payload(*v).get_array().size();
      break;
    case AttrType::kM:
      n = Payload(*v).get_object().size();
      break;
    default:
      return std::nullopt;
  }
  return MakeValue(AttrType::kN, json::string(std::to_string(n)));
}

// An operand of a condition: a pointer into the item or the values, or a computed value kept
// in `scratch`.
const json::value* ConditionOperand(const Operand& o, const json::object& item,
                                    std::optional<json::value>& scratch) {
  switch (o.kind) {
    case Operand::kPath:
      return ResolvePath(item, o.path);
    case Operand::kValue:
      return o.value;
    case Operand::kSize: {
      const json::value* target = o.args.empty() ? ResolvePath(item, o.path) : o.args[0].value;
      scratch = SizeOf(target);
      return scratch ? &*scratch : nullptr;
    }
    default:
      return nullptr;
  }
}

bool Contains(const json::value& haystack, const json::value& needle) {
  const AttrType th = TypeOf(haystack), tn = TypeOf(needle);
  const json::value& ph = Payload(haystack);
  switch (th) {
    case AttrType::kS:
    case AttrType::kB:
      return th == tn && std::string_view(ph.get_string()).find(Payload(needle).get_string()) !=
                             std::string_view::npos;
    case AttrType::kSS:
    case AttrType::kBS:
    case AttrType::kNS: {
      const AttrType element = th == AttrType::kSS   ? AttrType::kS
                               : th == AttrType::kBS ? AttrType::kB
                                                     : AttrType::kN;
      if (tn != element) return false;
      for (const auto& e : ph.get_array()) {
        if (ValuesEqual(MakeValue(element, e), needle)) return true;
      }
      return false;
    }
    case AttrType::kL:
      for (const auto& e : ph.get_array()) {
        if (ValuesEqual(e, needle)) return true;
      }
      return false;
    default:
      return false;
  }
}

Status TypeError() {
  return Invalid("An operand in the update expression has an incorrect data type");
}
Status MissingAttribute() {
  return Invalid("The provided expression refers to an attribute that does not exist in the item");
}

Result<json::value> UpdateOperand(const Operand& o, const json::object& item) {
  switch (o.kind) {
    case Operand::kValue:
      return *o.value;
    case Operand::kPath: {
      const json::value* v = ResolvePath(item, o.path);
      if (!v) return MissingAttribute();
      return *v;
    }
    case Operand::kIfNotExists: {
      const json::value* v = ResolvePath(item, o.args[0].path);
      if (v) return *v;
      return UpdateOperand(o.args[1], item);
    }
    case Operand::kListAppend: {
      TP_ASSIGN_OR_RETURN(json::value a, UpdateOperand(o.args[0], item));
      TP_ASSIGN_OR_RETURN(json::value b, UpdateOperand(o.args[1], item));
      if (TypeOf(a) != AttrType::kL || TypeOf(b) != AttrType::kL) return TypeError();
      json::array joined = Payload(a).get_array();
      for (const auto& e : Payload(b).get_array()) joined.push_back(e);
      return MakeValue(AttrType::kL, std::move(joined));
    }
    case Operand::kPlus:
    case Operand::kMinus: {
      TP_ASSIGN_OR_RETURN(json::value a, UpdateOperand(o.args[0], item));
      TP_ASSIGN_OR_RETURN(json::value b, UpdateOperand(o.args[1], item));
      if (TypeOf(a) != AttrType::kN || TypeOf(b) != AttrType::kN) return TypeError();
      TP_ASSIGN_OR_RETURN(Decimal da, Decimal::Parse(Payload(a).get_string()));
      TP_ASSIGN_OR_RETURN(Decimal db, Decimal::Parse(Payload(b).get_string()));
      TP_ASSIGN_OR_RETURN(
          Decimal r, o.kind == Operand::kPlus ? Decimal::Add(da, db) : Decimal::Subtract(da, db));
      return MakeValue(AttrType::kN, json::string(r.ToString()));
    }
    case Operand::kSize:
      return TypeError();
  }
  return TypeError();
}

Status InvalidPath() {
  return Invalid("The document path provided in the update expression is invalid for update");
}

// The container that holds the last element of `path` (creating nothing), or null.
json::value* ParentOf(json::object& item, const DocumentPath& path) {
  if (path.size() < 2) return nullptr;
  json::value* v = item.if_contains(path[0].name);
  for (size_t i = 1; v && i + 1 < path.size(); ++i) {
    const AttrType t = TypeOf(*v);
    if (path[i].is_index()) {
      if (t != AttrType::kL) return nullptr;
      auto& a = v->get_object().begin()->value().get_array();
      v = static_cast<size_t>(path[i].index) < a.size() ? &a[path[i].index] : nullptr;
    } else {
      if (t != AttrType::kM) return nullptr;
      v = v->get_object().begin()->value().get_object().if_contains(path[i].name);
    }
  }
  return v;
}

Status SetAt(json::object& item, const DocumentPath& path, json::value value) {
  if (path.size() == 1) {
    item[path[0].name] = std::move(value);
    return Status::Ok();
  }
  json::value* parent = ParentOf(item, path);
  if (!parent) return InvalidPath();
  const PathElement& last = path.back();
  const AttrType t = TypeOf(*parent);
  json::value& payload = parent->get_object().begin()->value();
  if (last.is_index()) {
    if (t != AttrType::kL) return InvalidPath();
    auto& a = payload.get_array();
    if (static_cast<size_t>(last.index) < a.size()) {
      a[last.index] = std::move(value);
    } else {
      a.push_back(std::move(value));
    }
  } else {
    if (t != AttrType::kM) return InvalidPath();
    payload.get_object()[last.name] = std::move(value);
  }
  return Status::Ok();
}

void RemoveAt(json::object& item, const DocumentPath& path) {
  if (path.size() == 1) {
    item.erase(path[0].name);
    return;
  }
  json::value* parent = ParentOf(item, path);
  if (!parent) return;
  const PathElement& last = path.back();
  json::value& payload = parent->get_object().begin()->value();
  if (last.is_index() && TypeOf(*parent) == AttrType::kL) {
    auto& a = payload.get_array();
    if (static_cast<size_t>(last.index) < a.size()) a.erase(a.begin() + last.index);
  } else if (!last.is_index() && TypeOf(*parent) == AttrType::kM) {
    payload.get_object().erase(last.name);
  }
}

bool IsSet(AttrType t) { return t == AttrType::kSS || t == AttrType::kNS || t == AttrType::kBS; }

}  // namespace

const json::value* ResolvePath(const json::object& item, const DocumentPath& path) {
  if (path.empty() || path[0].is_index()) return nullptr;
  const json::value* v = item.if_contains(path[0].name);
  for (size_t i = 1; v && i < path.size(); ++i) {
    const AttrType t = TypeOf(*v);
    if (path[i].is_index()) {
      if (t != AttrType::kL) return nullptr;
      const auto& a = Payload(*v).get_array();
      v = static_cast<size_t>(path[i].index) < a.size() ? &a[path[i].index] : nullptr;
    } else {
      if (t != AttrType::kM) return nullptr;
      v = Payload(*v).get_object().if_contains(path[i].name);
    }
  }
  return v;
}

bool EvaluateCondition(const Condition& c, const json::object& item) {
  switch (c.kind) {
    case Condition::kOr:
      return EvaluateCondition(c.children[0], item) || EvaluateCondition(c.children[1], item);
    case Condition::kAnd:
      return EvaluateCondition(c.children[0], item) && EvaluateCondition(c.children[1], item);
    case Condition::kNot:
      return !EvaluateCondition(c.children[0], item);
    case Condition::kAttributeExists:
      return ResolvePath(item, c.operands[0].path) != nullptr;
    case Condition::kAttributeNotExists:
      return ResolvePath(item, c.operands[0].path) == nullptr;
    default:
      break;
  }
  std::optional<json::value> s0, s1, s2;
  const json::value* a = ConditionOperand(c.operands[0], item, s0);
  switch (c.kind) {
    case Condition::kCompare: {
      const json::value* b = ConditionOperand(c.operands[1], item, s1);
      if (c.comparator == Condition::kNe) return !a || !b || !ValuesEqual(*a, *b);
      if (!a || !b) return false;
      if (c.comparator == Condition::kEq) return ValuesEqual(*a, *b);
      auto cmp = CompareValues(*a, *b);
      if (!cmp) return false;
      switch (c.comparator) {
        case Condition::kLt:
          return *cmp < 0;
        case Condition::kLe:
          return *cmp <= 0;
        case Condition::kGt:
          return *cmp > 0;
        default:
          return *cmp >= 0;
      }
    }
    case Condition::kBetween: {
      const json::value* low = ConditionOperand(c.operands[1], item, s1);
      const json::value* high = ConditionOperand(c.operands[2], item, s2);
      if (!a || !low || !high) return false;
      auto c1 = CompareValues(*a, *low);
      auto c2 = CompareValues(*a, *high);
      return c1 && c2 && *c1 >= 0 && *c2 <= 0;
    }
    case Condition::kIn: {
      if (!a) return false;
      for (size_t i = 1; i < c.operands.size(); ++i) {
        std::optional<json::value> scratch;
        const json::value* b = ConditionOperand(c.operands[i], item, scratch);
        if (b && ValuesEqual(*a, *b)) return true;
      }
      return false;
    }
    case Condition::kAttributeType: {
      if (!a) return false;
      return TypeName(TypeOf(*a)) == std::string_view(Payload(*c.operands[1].value).get_string());
    }
    case Condition::kBeginsWith: {
      const json::value* b = ConditionOperand(c.operands[1], item, s1);
      if (!a || !b) return false;
      const AttrType t = TypeOf(*a);
      if (t != TypeOf(*b) || (t != AttrType::kS && t != AttrType::kB)) return false;
      return std::string_view(Payload(*a).get_string())
          .starts_with(std::string_view(Payload(*b).get_string()));
    }
    case Condition::kContains: {
      const json::value* b = ConditionOperand(c.operands[1], item, s1);
      return a && b && Contains(*a, *b);
    }
    default:
      return false;
  }
}

Status ApplyUpdate(const std::vector<UpdateAction>& actions, json::object& item) {
  // Every operand reads the item as it was before the update.
  const json::object before = item;
  std::vector<std::pair<const UpdateAction*, json::value>> sets;
  for (const UpdateAction& a : actions) {
    if (a.kind != UpdateAction::kSet) continue;
    TP_ASSIGN_OR_RETURN(json::value v, UpdateOperand(a.value, before));
    sets.emplace_back(&a, std::move(v));
  }
  for (auto& [a, v] : sets) {
    if (Status s = SetAt(item, a->path, std::move(v)); !s.ok()) return s;
  }
  // Removals from the end of a list first, so that indexes refer to the original positions.
  std::vector<const UpdateAction*> removes;
  for (const UpdateAction& a : actions) {
    if (a.kind == UpdateAction::kRemove) removes.push_back(&a);
  }
  std::sort(removes.begin(), removes.end(), [](const UpdateAction* x, const UpdateAction* y) {
    const size_t n = std::min(x->path.size(), y->path.size());
    for (size_t i = 0; i < n; ++i) {
      if (x->path[i] == y->path[i]) continue;
      if (x->path[i].is_index() && y->path[i].is_index()) {
        return x->path[i].index > y->path[i].index;
      }
      return x->path[i].name > y->path[i].name;
    }
    return x->path.size() > y->path.size();
  });
  for (const UpdateAction* a : removes) RemoveAt(item, a->path);
  for (const UpdateAction& a : actions) {
    if (a.kind != UpdateAction::kAdd && a.kind != UpdateAction::kDelete) continue;
    TP_ASSIGN_OR_RETURN(json::value operand, UpdateOperand(a.value, before));
    const AttrType to = TypeOf(operand);
    const json::value* existing = ResolvePath(item, a.path);
    if (a.kind == UpdateAction::kAdd) {
      if (to != AttrType::kN && !IsSet(to)) {
        return Invalid(
            "Invalid UpdateExpression: Incorrect operand type for operator or function; "
            "operator: ADD, operand type: " +
            std::string(TypeName(to)));
      }
      if (!existing) {
        if (Status s = SetAt(item, a.path, std::move(operand)); !s.ok()) return s;
        continue;
      }
      if (TypeOf(*existing) != to) return TypeError();
      if (to == AttrType::kN) {
        TP_ASSIGN_OR_RETURN(Decimal x, Decimal::Parse(Payload(*existing).get_string()));
        TP_ASSIGN_OR_RETURN(Decimal y, Decimal::Parse(Payload(operand).get_string()));
        TP_ASSIGN_OR_RETURN(Decimal sum, Decimal::Add(x, y));
        if (Status s = SetAt(item, a.path, MakeValue(AttrType::kN, json::string(sum.ToString())));
            !s.ok()) {
          return s;
        }
      } else {
        json::array merged = Payload(*existing).get_array();
        std::unordered_set<std::string_view> have;
        for (const auto& e : merged) have.insert(std::string_view(e.get_string()));
        for (const auto& e : Payload(operand).get_array()) {
          if (!have.contains(std::string_view(e.get_string()))) merged.push_back(e);
        }
        if (Status s = SetAt(item, a.path, MakeValue(to, std::move(merged))); !s.ok()) return s;
      }
    } else {
      if (!IsSet(to)) {
        return Invalid(
            "Invalid UpdateExpression: Incorrect operand type for operator or function; "
            "operator: DELETE, operand type: " +
            std::string(TypeName(to)));
      }
      if (!existing) continue;
      if (TypeOf(*existing) != to) return TypeError();
      std::unordered_set<std::string_view> drop;
      for (const auto& e : Payload(operand).get_array())
        drop.insert(std::string_view(e.get_string()));
      json::array kept;
      for (const auto& e : Payload(*existing).get_array()) {
        if (!drop.contains(std::string_view(e.get_string()))) kept.push_back(e);
      }
      if (kept.empty()) {
        RemoveAt(item, a.path);
      } else if (Status s = SetAt(item, a.path, MakeValue(to, std::move(kept))); !s.ok()) {
        return s;
      }
    }
  }
  return Status::Ok();
}

json::object Project(const json::object& item, const std::vector<DocumentPath>& paths) {
  json::object out;
  for (const DocumentPath& path : paths) {
    const json::value* v = ResolvePath(item, path);
    if (!v) continue;
    if (path.size() == 1) {
      out[path[0].name] = *v;
      continue;
    }
    // Rebuild the containers along the path, keeping only the selected parts.
    json::value* slot = &out[path[0].name];
    for (size_t i = 1; i < path.size(); ++i) {
      const bool index = path[i].is_index();
      if (!slot->is_object() || slot->get_object().empty()) {
        *slot = MakeValue(index ? AttrType::kL : AttrType::kM,
                          index ? json::value(json::array()) : json::value(json::object()));
      }
      json::value& payload = slot->get_object().begin()->value();
      if (index) {
        payload.get_array().push_back(json::value());
        slot = &payload.get_array().back();
      } else {
        slot = &payload.get_object()[path[i].name];
      }
    }
    *slot = *v;
  }
  return out;
}

}  // namespace tidepool::dynamodb
