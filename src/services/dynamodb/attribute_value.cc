#include "services/dynamodb/attribute_value.h"

#include <algorithm>
#include <set>
#include <unordered_set>
#include <vector>

#include "protocol/codec/json_text.h"
#include "services/dynamodb/decimal.h"
#include "services/dynamodb/dynamodb_errors.h"

namespace tidepool::dynamodb {
namespace {

constexpr std::string_view kTypeNames[] = {"",   "S", "N", "B",    "SS",   "NS",
                                           "BS", "M", "L", "NULL", "BOOL", ""};

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
bool ReadVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    auto b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      *v = result;
      return true;
    }
  }
  return false;
}
void AppendBytes(std::string* out, std::string_view s) {
  AppendVarint(out, s.size());
  out->append(s);
}
bool ReadBytes(std::string_view* in, std::string_view* s) {
  uint64_t n;
  if (!ReadVarint(in, &n) || n > in->size()) return false;
  *s = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

std::string JoinForMessage(const json::array& a) {
  std::string out = "[";
  for (size_t i = 0; i < a.size(); ++i) {
    if (i) out += ", ";
    if (a[i].is_string()) out += std::string_view(a[i].get_string());
  }
  return out + "]";
}

Status NormalizeSet(AttrType t, json::array& a) {
  if (a.empty()) {
    if (t == AttrType::kSS) {
      return Invalid("One or more parameter values were invalid: An string set  may not be empty");
    }
    if (t == AttrType::kNS) {
      return Invalid("One or more parameter values were invalid: An number set  may not be empty");
    }
    return Invalid("One or more parameter values were invalid: Binary sets should not be empty");
  }
  std::unordered_set<std::string_view> seen;
  for (auto& e : a) {
    if (!e.is_string()) return Invalid("Supplied AttributeValue has an invalid set member");
    if (t == AttrType::kNS) {
      auto d = Decimal::Parse(e.get_string());
      if (!d.ok()) return d.status();
      e = d->ToString();
    }
  }
  for (auto& e : a) {
    if (!seen.insert(std::string_view(e.get_string())).second) {
      if (t == AttrType::kNS) return Invalid("Input collection contains duplicates");
      if (t == AttrType::kBS) {
        return Invalid(
            "One or more parameter values were invalid: Input collection contains duplicates.");
      }
      return Invalid("One or more parameter values were invalid: Input collection " +
                     JoinForMessage(a) + " contains duplicates.");
    }
  }
  return Status::Ok();
}

bool SetsEqual(const json::array& a, const json::array& b) {
  if (a.size() != b.size()) return false;
  std::unordered_set<std::string_view> sa;
  for (const auto& e : a) sa.insert(std::string_view(e.get_string()));
  for (const auto& e : b) {
    if (!sa.contains(std::string_view(e.get_string()))) return false;
  }
  return true;
}

}  // namespace

AttrType TypeFromName(std::string_view name) {
  for (int i = 1; i <= static_cast<int>(AttrType::kBool); ++i) {
    if (kTypeNames[i] == name) return static_cast<AttrType>(i);
  }
  return AttrType::kInvalid;
}

std::string_view TypeName(AttrType t) {
  const auto i = static_cast<size_t>(t);
  return i < std::size(kTypeNames) ? kTypeNames[i] : std::string_view();
}

AttrType TypeOf(const json::value& v) {
  const auto* o = v.if_object();
  if (!o || o->size() != 1) return AttrType::kInvalid;
  return TypeFromName(o->begin()->key());
}

const json::value& Payload(const json::value& v) { return v.get_object().begin()->value(); }

Status NormalizeValue(json::value& v) {
  auto* o = v.if_object();
  if (!o || o->empty()) {
    return Invalid(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  }
  if (o->size() > 1) {
    return Invalid(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
        "the supported datatypes");
  }
  const AttrType t = TypeFromName(o->begin()->key());
  json::value& p = o->begin()->value();
  switch (t) {
    case AttrType::kS:
    case AttrType::kB:
      if (!p.is_string()) break;
      return Status::Ok();
    case AttrType::kN: {
      if (!p.is_string()) break;
      auto d = Decimal::Parse(p.get_string());
      if (!d.ok()) return d.status();
      p = d->ToString();
      return Status::Ok();
    }
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
      if (!p.is_array()) break;
      return NormalizeSet(t, p.get_array());
    case AttrType::kM:
      if (!p.is_object()) break;
      return NormalizeItem(p.get_object());
    case AttrType::kL:
      if (!p.is_array()) break;
      for (auto& e : p.get_array()) {
        if (Status s = NormalizeValue(e); !s.ok()) return s;
      }
      return Status::Ok();
    case AttrType::kNull:
      if (!p.is_bool()) break;
      if (!p.get_bool()) {
        return Invalid(
            "One or more parameter values were invalid: Null attribute value types must have the "
            "value of true");
      }
      return Status::Ok();
    case AttrType::kBool:
      if (!p.is_bool()) break;
      return Status::Ok();
    case AttrType::kInvalid:
      break;
  }
  return Invalid(
      "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
}

Status NormalizeItem(json::object& item) {
  for (auto& kv : item) {
    if (Status s = NormalizeValue(kv.value()); !s.ok()) return s;
  }
  return Status::Ok();
}

bool ValuesEqual(const json::value& a, const json::value& b) {
  const AttrType ta = TypeOf(a);
  if (ta != TypeOf(b) || ta == AttrType::kInvalid) return false;
  const json::value& pa = Payload(a);
  const json::value& pb = Payload(b);
  switch (ta) {
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
      return SetsEqual(pa.get_array(), pb.get_array());
    case AttrType::kL: {
      const auto& la = pa.get_array();
      const auto& lb = pb.get_array();
      if (la.size() != lb.size()) return false;
      for (size_t i = 0; i < la.size(); ++i) {
        if (!ValuesEqual(la[i], lb[i])) return false;
      }
      return true;
    }
    case AttrType::kM:
      return ItemsEqual(pa.get_object(), pb.get_object());
    case AttrType::kN: {
      auto da = Decimal::Parse(pa.get_string());
      auto db = Decimal::Parse(pb.get_string());
      return da.ok() && db.ok() && Decimal::Compare(*da, *db) == 0;
    }
    default:
      return pa == pb;
  }
}

bool ItemsEqual(const json::object& a, const json::object& b) {
  if (a.size() != b.size()) return false;
  for (const auto& kv : a) {
    const json::value* other = b.if_contains(kv.key());
    if (!other || !ValuesEqual(kv.value(), *other)) return false;
  }
  return true;
}

std::optional<int> CompareValues(const json::value& a, const json::value& b) {
  const AttrType ta = TypeOf(a);
  if (ta != TypeOf(b)) return std::nullopt;
  if (ta == AttrType::kN) {
    auto da = Decimal::Parse(Payload(a).get_string());
    auto db = Decimal::Parse(Payload(b).get_string());
    if (!da.ok() || !db.ok()) return std::nullopt;
    return Decimal::Compare(*da, *db);
  }
  if (ta == AttrType::kS || ta == AttrType::kB) {
    // Unsigned byte order (UTF-8 code point order for strings).
    std::string_view sa = Payload(a).get_string(), sb = Payload(b).get_string();
    int c = sa.compare(sb);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

size_t ValueSize(const json::value& v) {
  const AttrType t = TypeOf(v);
  if (t == AttrType::kInvalid) return 0;
  const json::value& p = Payload(v);
  switch (t) {
    case AttrType::kS:
    case AttrType::kB:
      return p.get_string().size();
    case AttrType::kN: {
      auto d = Decimal::Parse(p.get_string());
      return d.ok() ? d->StoredSize() : 0;
    }
    case AttrType::kSS:
    case AttrType::kBS: {
      size_t n = 0;
      for (const auto& e : p.get_array()) n += e.get_string().size();
      return n;
    }
    case AttrType::kNS: {
      size_t n = 0;
      for (const auto& e : p.get_array()) {
        auto d = Decimal::Parse(e.get_string());
        if (d.ok()) n += d->StoredSize();
      }
      return n;
    }
    case AttrType::kL: {
      size_t n = 3;
      for (const auto& e : p.get_array()) n += 1 + ValueSize(e);
      return n;
    }
    case AttrType::kM: {
      size_t n = 3;
      for (const auto& kv : p.get_object()) n += 1 + kv.key().size() + ValueSize(kv.value());
      return n;
    }
    default:
      return 1;
  }
}

size_t ItemSize(const json::object& item) {
  size_t n = 0;
  for (const auto& kv : item) n += kv.key().size() + ValueSize(kv.value());
  return n;
}

// ---------------------------------------------------------------------------- binary form

namespace {

void AppendValue(std::string* out, const json::value& v) {
  const AttrType t = TypeOf(v);
  out->push_back(static_cast<char>(t));
  if (t == AttrType::kInvalid) return;
  const json::value& p = Payload(v);
  switch (t) {
    case AttrType::kS:
    case AttrType::kN:
    case AttrType::kB:
      AppendBytes(out, p.get_string());
      return;
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
      AppendVarint(out, p.get_array().size());
      for (const auto& e : p.get_array()) AppendBytes(out, e.get_string());
      return;
    case AttrType::kL:
      AppendVarint(out, p.get_array().size());
      for (const auto& e : p.get_array()) AppendValue(out, e);
      return;
    case AttrType::kM:
      AppendItem(out, p.get_object());
      return;
    case AttrType::kNull:
      return;
    case AttrType::kBool:
      out->push_back(p.get_bool() ? 1 : 0);
      return;
    case AttrType::kInvalid:
      return;
  }
}

bool ReadItem(std::string_view* in, json::object* item, int depth);

bool ReadValue(std::string_view* in, json::value* v, int depth) {
  if (in->empty() || depth > 64) return false;
  const auto t = static_cast<AttrType>(static_cast<uint8_t>(in->front()));
  in->remove_prefix(1);
  json::object o;
  const std::string_view name = TypeName(t);
  switch (t) {
    case AttrType::kS:
    case AttrType::kN:
    case AttrType::kB: {
      std::string_view s;
      if (!ReadBytes(in, &s)) return false;
      o.emplace(name, json::string(s));
      break;
    }
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
    case AttrType::kL: {
      uint64_t n;
      if (!ReadVarint(in, &n) || n > in->size()) return false;
      json::array a;
      a.reserve(n);
      for (uint64_t i = 0; i < n; ++i) {
        if (t == AttrType::kL) {
          json::value e;
          if (!ReadValue(in, &e, depth + 1)) return false;
          a.push_back(std::move(e));
        } else {
          std::string_view s;
          if (!ReadBytes(in, &s)) return false;
          a.emplace_back(json::string(s));
        }
      }
      o.emplace(name, std::move(a));
      break;
    }
    case AttrType::kM: {
      json::object m;
      if (!ReadItem(in, &m, depth + 1)) return false;
      o.emplace(name, std::move(m));
      break;
    }
    case AttrType::kNull:
      o.emplace(name, true);
      break;
    case AttrType::kBool:
      if (in->empty()) return false;
      o.emplace(name, in->front() != 0);
      in->remove_prefix(1);
      break;
    default:
      return false;
  }
  *v = std::move(o);
  return true;
}

bool ReadItem(std::string_view* in, json::object* item, int depth) {
  uint64_t n;
  if (!ReadVarint(in, &n) || n > in->size()) return false;
  item->reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view name;
    if (!ReadBytes(in, &name)) return false;
    json::value v;
    if (!ReadValue(in, &v, depth)) return false;
    item->emplace(name, std::move(v));
  }
  return true;
}

}  // namespace

void AppendItem(std::string* out, const json::object& item) {
  AppendVarint(out, item.size());
  for (const auto& kv : item) {
    AppendBytes(out, kv.key());
    AppendValue(out, kv.value());
  }
}

std::string EncodeItem(const json::object& item) {
  std::string out;
  out.reserve(64);
  AppendItem(&out, item);
  return out;
}

std::optional<json::object> DecodeItem(std::string_view bytes) {
  json::object item;
  if (!ReadItem(&bytes, &item, 0) || !bytes.empty()) return std::nullopt;
  return item;
}

void AppendWireJson(std::string* out, const json::value& v) {
  using protocol::json_text::AppendBlob;
  using protocol::json_text::AppendStringSafe;
  const AttrType t = TypeOf(v);
  if (t == AttrType::kInvalid) {
    *out += "null";
    return;
  }
  const json::value& p = Payload(v);
  *out += "{\"";
  *out += TypeName(t);
  *out += "\":";
  switch (t) {
    case AttrType::kS:
    case AttrType::kN:
      AppendStringSafe(p.get_string(), *out);
      break;
    case AttrType::kB:
      AppendBlob(p.get_string(), *out);
      break;
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS: {
      *out += '[';
      bool first = true;
      for (const auto& e : p.get_array()) {
        if (!first) *out += ',';
        first = false;
        if (t == AttrType::kBS) {
          AppendBlob(e.get_string(), *out);
        } else {
          AppendStringSafe(e.get_string(), *out);
        }
      }
      *out += ']';
      break;
    }
    case AttrType::kL: {
      *out += '[';
      bool first = true;
      for (const auto& e : p.get_array()) {
        if (!first) *out += ',';
        first = false;
        AppendWireJson(out, e);
      }
      *out += ']';
      break;
    }
    case AttrType::kM:
      AppendWireJson(out, p.get_object());
      break;
    default:
      *out += p.get_bool() ? "true" : "false";
  }
  *out += '}';
}

void AppendWireJson(std::string* out, const json::object& item) {
  *out += '{';
  bool first = true;
  for (const auto& kv : item) {
    if (!first) *out += ',';
    first = false;
    protocol::json_text::AppendStringSafe(kv.key(), *out);
    *out += ':';
    AppendWireJson(out, kv.value());
  }
  *out += '}';
}

}  // namespace tidepool::dynamodb
