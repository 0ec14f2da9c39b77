// The value helpers the evaluator and the library share: truthiness, lookup, append,
// $string, sorting, frames and function arity.
#include "services/stepfunctions/jsonata/evaluator.h"

#include <cmath>

#include "services/stepfunctions/jsonata/error.h"
#include "services/stepfunctions/jsonata/signature.h"

namespace tidepool::sfn::jsonata {

const Value* Frame::Lookup(const std::string& name) const {
  for (const Frame* f = this; f != nullptr; f = f->parent) {
    auto it = f->vars.find(name);
    if (it != f->vars.end()) return &it->second;
  }
  const auto& lib = Builtins();
  auto it = lib.find(name);
  return it == lib.end() ? nullptr : &it->second;
}

bool IsNumeric(const Value& v) {
  if (!v.is_number()) return false;
  if (std::isnan(v.number())) return false;
  if (!std::isfinite(v.number())) {
    JsonataError e{"D1001", -1, "", "Number out of range", v};
    throw e;
  }
  return true;
}

bool ToBoolean(const Value& v, bool* defined) {
  *defined = true;
  switch (v.type()) {
    case Value::Type::kUndefined:
      *defined = false;
      return false;
    case Value::Type::kArray: {
      const auto& items = v.array().items;
      if (items.size() == 1) {
        bool d = false;
        return ToBoolean(items[0], &d);
      }
      for (const auto& item : items) {
        bool d = false;
        if (ToBoolean(item, &d)) return true;
      }
      return false;
    }
    case Value::Type::kString:
      return !v.str().empty();
    case Value::Type::kNumber:
      return IsNumeric(v) && v.number() != 0;
    case Value::Type::kObject:
      return v.object().size() > 0;
    case Value::Type::kBool:
      return v.boolean();
    default:
      return false;
  }
}

bool Truthy(const Value& v) {
  bool d = false;
  return ToBoolean(v, &d);
}

Value Append(const Value& a, const Value& b) {
  if (a.undefined()) return b;
  if (b.undefined()) return a;
  Value out = Value::NewArray();
  auto& items = out.array().items;
  if (a.is_array()) {
    items = a.array().items;
  } else {
    items.push_back(a);
  }
  if (b.is_array()) {
    items.insert(items.end(), b.array().items.begin(), b.array().items.end());
  } else {
    items.push_back(b);
  }
  return out;
}

Value Lookup(const Value& input, const std::string& key) {
  if (input.is_array()) {
    Value result = Value::Sequence();
    for (const auto& item : input.array().items) {
      Value res = Lookup(item, key);
      if (res.undefined()) continue;
      if (res.is_array()) {
        for (const auto& v : res.array().items) result.array().items.push_back(v);
      } else {
        result.array().items.push_back(res);
      }
    }
    return result;
  }
  if (input.is_object()) {
    const Value* v = input.object().Find(key);
    return v ? *v : Value();
  }
  return Value();
}

std::string ToStringValue(const Value& v, bool prettify) {
  if (v.is_string()) return v.str();
  if (v.is_function()) return "";
  if (v.is_number() && !std::isfinite(v.number())) {
    JsonataError e{"D3001", -1, "", "Attempting to invoke string function on Infinity or NaN", v};
    throw e;
  }
  if (v.is_array() && v.array().outer_wrapper && v.array().size() == 1) {
    return Stringify(v.array().items[0], prettify ? 2 : 0);
  }
  return Stringify(v, prettify ? 2 : 0);
}

void MergeSort(std::vector<Value>& items,
               const std::function<bool(const Value&, const Value&)>& swap) {
  std::vector<Value> tmp(items.size());
  for (size_t width = 1; width < items.size(); width *= 2) {
    for (size_t lo = 0; lo < items.size(); lo += 2 * width) {
      size_t mid = std::min(lo + width, items.size());
      size_t hi = std::min(lo + 2 * width, items.size());
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = swap(items[i], items[j]) ? items[j++] : items[i++];
      while (i < mid) tmp[k++] = items[i++];
      while (j < hi) tmp[k++] = items[j++];
    }
    items.swap(tmp);
  }
}

int Function::Arity() const {
  switch (kind) {
    case Kind::kLambda:
      return static_cast<int>(node->arguments.size());
    case Kind::kNative:
      return arity;
    case Kind::kPartial: {
      int n = 0;
      for (const auto& b : bound) n += b.has_value() ? 0 : 1;
      return n;
    }
    case Kind::kChain:
      return first->Arity();
    default:
      return 1;
  }
}

}  // namespace tidepool::sfn::jsonata
