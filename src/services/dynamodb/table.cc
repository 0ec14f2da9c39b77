#include "services/dynamodb/table.h"

#include <fmt/format.h>

#include <algorithm>

#include "services/dynamodb/decimal.h"
#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/keyspace.h"
#include "storage/key_codec.h"

namespace tidepool::dynamodb {
namespace {

json::array KeySchemaJson(const KeyAttr& hash, const std::optional<KeyAttr>& range) {
  json::array a;
  a.push_back(json::object{{"AttributeName", hash.name}, {"KeyType", "HASH"}});
  if (range) a.push_back(json::object{{"AttributeName", range->name}, {"KeyType", "RANGE"}});
  return a;
}

json::object KeyAttrJson(const KeyAttr& k) {
  return json::object{{"name", k.name}, {"type", TypeName(k.type)}};
}

bool KeyAttrFromJson(const json::value* v, KeyAttr* out) {
  if (!v || !v->is_object()) return false;
  const auto& o = v->get_object();
  const auto* n = o.if_contains("name");
  const auto* t = o.if_contains("type");
  if (!n || !n->is_string() || !t || !t->is_string()) return false;
  out->name = std::string(n->get_string());
  out->type = TypeFromName(t->get_string());
  return out->type == AttrType::kS || out->type == AttrType::kN || out->type == AttrType::kB;
}

std::string Str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
int64_t Int(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : 0;
}
double Num(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  return 0;
}
bool Bool(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

Status KeyValueError(const KeyAttr& k, const json::value* v, bool is_item, bool is_range) {
  if (!v) {
    if (is_item) {
      return Invalid("One or more parameter values were invalid: Missing the key " + k.name +
                     " in the item");
    }
    return Invalid("The provided key element does not match the schema");
  }
  const AttrType t = TypeOf(*v);
  if (t != k.type) {
    if (is_item) {
      return Invalid(fmt::format(
          "One or more parameter values were invalid: Type mismatch for key {} expected: {} "
          "actual: {}",
          k.name, TypeName(k.type), TypeName(t)));
    }
    return Invalid("The provided key element does not match the schema");
  }
  const auto size = Payload(*v).get_string().size();
  if (size == 0 && t != AttrType::kN) {
    return Invalid(fmt::format(
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty {} value. Key: {}",
        t == AttrType::kS ? "string" : "binary", k.name));
  }
  if (!is_range && size > 2048) {
    return Invalid(
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
        "size limit of2048 bytes");
  }
  if (is_range && size > 1024) {
    return Invalid(
        "One or more parameter values were invalid: Aggregated size of all range keys has "
        "exceeded the size limit of 1024 bytes");
  }
  return Status::Ok();
}

}  // namespace

void AppendKeyVal(std::string* out, const json::value& value, AttrType type) {
  std::string_view payload = Payload(value).get_string();
  if (type == AttrType::kN) {
    auto d = Decimal::Parse(payload);
    (d.ok() ? *d : Decimal()).AppendKey(out);
  } else {
    storage::AppendOrderedString(out, payload);
  }
}

const SecondaryIndex* Table::FindIndex(std::string_view index_name) const {
  for (const auto& ix : indexes) {
    if (ix.name == index_name) return &ix;
  }
  return nullptr;
}

std::string Table::StreamArn() const {
  if (stream_epoch == 0) return {};
  return arn + "/stream/" + stream_label;
}

Result<std::string> Table::ItemKey(const json::object& key_or_item, bool is_item) const {
  if (!is_item && key_or_item.size() != (range ? 2u : 1u)) {
    return Invalid("The provided key element does not match the schema");
  }
  const json::value* h = key_or_item.if_contains(hash.name);
  if (Status s = KeyValueError(hash, h, is_item, false); !s.ok()) return s;
  std::string key = keyspace::IndexPrefix(uid, 0);
  AppendKeyVal(&key, *h, hash.type);
  if (range) {
    const json::value* r = key_or_item.if_contains(range->name);
    if (Status s = KeyValueError(*range, r, is_item, true); !s.ok()) return s;
    AppendKeyVal(&key, *r, range->type);
  }
  return key;
}

json::object Table::KeyOf(const json::object& item, const SecondaryIndex* index) const {
  json::object key;
  auto copy = [&](const std::string& name) {
    if (const auto* v = item.if_contains(name)) key[name] = *v;
  };
  copy(hash.name);
  if (range) copy(range->name);
  if (index) {
    copy(index->hash.name);
    if (index->range) copy(index->range->name);
  }
  return key;
}

Status Table::CheckIndexKeys(const json::object& item) const {
  for (const auto& ix : indexes) {
    for (const KeyAttr* k : {&ix.hash, ix.range ? &*ix.range : nullptr}) {
      if (!k) continue;
      const json::value* v = item.if_contains(k->name);
      if (!v) continue;
      const AttrType t = TypeOf(*v);
      if (t != k->type) {
        return Invalid(fmt::format(
            "One or more parameter values were invalid: Type mismatch for Index Key {} Expected: "
            "{} Actual: {} IndexName: {}",
            k->name, TypeName(k->type), TypeName(t), ix.name));
      }
      if (t != AttrType::kN && Payload(*v).get_string().empty()) {
        return Invalid(fmt::format(
            "One or more parameter values are not valid. A value specified for a secondary index "
            "key is not supported. The AttributeValue for a key attribute cannot contain an "
            "empty {} value. IndexName: {}, IndexKey: {}",
            t == AttrType::kS ? "string" : "binary", ix.name, k->name));
      }
    }
  }
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> Table::IndexEntries(
    const json::object& item, std::string_view table_key) const {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string_view table_keyvals = table_key.substr(keyspace::IndexPrefix(uid, 0).size());
  for (const auto& ix : indexes) {
    const json::value* h = item.if_contains(ix.hash.name);
    if (!h || TypeOf(*h) != ix.hash.type) continue;  // sparse: not in this index
    const json::value* r = nullptr;
    if (ix.range) {
      r = item.if_contains(ix.range->name);
      if (!r || TypeOf(*r) != ix.range->type) continue;
    }
    std::string key = keyspace::IndexPrefix(uid, ix.id);
    AppendKeyVal(&key, *h, ix.hash.type);
    if (r) AppendKeyVal(&key, *r, ix.range->type);
    key.append(table_keyvals);
    std::string value;
    if (ix.projection_type == "ALL") {
      value = EncodeItem(item);
    } else {
      json::object projected = KeyOf(item, &ix);
      if (ix.projection_type == "INCLUDE") {
        for (const auto& name : ix.non_key_attributes) {
          if (const auto* v = item.if_contains(name)) projected[name] = *v;
        }
      }
      value = EncodeItem(projected);
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

Result<std::optional<json::object>> Table::ReadItem(const storage::Store& store,
                                                    const std::string& store_key) const {
  std::optional<std::string> bytes;
  if (auto it = pending.find(store_key); it != pending.end()) {
    bytes = it->second.value;
  } else {
    TP_ASSIGN_OR_RETURN(bytes, store.Get(store_key));
  }
  if (!bytes) return std::optional<json::object>();
  auto item = DecodeItem(*bytes);
  if (!item) return Status::Corruption("dynamodb: undecodable item in table " + name);
  return std::optional<json::object>(std::move(*item));
}

json::object Table::ToJson() const {
  json::object o;
  o["account"] = account;
  o["region"] = region;
  o["name"] = name;
  o["table_id"] = table_id;
  o["uid"] = uid;
  o["created"] = created;
  o["status"] = status;
  o["hash"] = KeyAttrJson(hash);
  if (range) o["range"] = KeyAttrJson(*range);
  json::array defs;
  for (const auto& [n, t] : attribute_definitions) defs.push_back(json::array{n, t});
  o["attribute_definitions"] = std::move(defs);
  json::array ixs;
  for (const auto& ix : indexes) {
    json::object j{{"name", ix.name},
                   {"global", ix.global},
                   {"id", ix.id},
                   {"hash", KeyAttrJson(ix.hash)},
                   {"projection", ix.projection_type},
                   {"rcu", ix.read_capacity},
                   {"wcu", ix.write_capacity}};
    if (ix.range) j["range"] = KeyAttrJson(*ix.range);
    json::array nka;
    for (const auto& n : ix.non_key_attributes) nka.push_back(json::value(n));
    j["non_key"] = std::move(nka);
    ixs.push_back(std::move(j));
  }
  o["indexes"] = std::move(ixs);
  o["next_index_id"] = next_index_id;
  o["billing_mode"] = billing_mode;
  o["rcu"] = read_capacity;
  o["wcu"] = write_capacity;
  o["billing_changed"] = billing_changed;
  o["stream_enabled"] = stream_enabled;
  o["stream_view_type"] = stream_view_type;
  o["stream_epoch"] = stream_epoch;
  o["stream_label"] = stream_label;
  o["stream_trim_seq"] = stream_trim_seq;
  json::array tag_array;
  for (const auto& [k, v] : tags) tag_array.push_back(json::array{k, v});
  o["tags"] = std::move(tag_array);
  o["ttl_attribute"] = ttl_attribute;
  o["ttl_enabled"] = ttl_enabled;
  o["deletion_protection"] = deletion_protection;
  o["table_class"] = table_class;
  o["pitr_enabled"] = pitr_enabled;
  o["pitr_since"] = pitr_since;
  o["pitr_days"] = pitr_days;
  if (!restore_summary.empty()) o["restore"] = restore_summary;
  if (!kinesis_destinations.empty()) {
    json::array destinations;
    for (const auto& d : kinesis_destinations) {
      destinations.push_back(json::array{d.stream_arn, d.status, d.precision});
    }
    o["kinesis_destinations"] = std::move(destinations);
  }
  return o;
}

Status Table::FromJson(const json::object& o, Table* t) {
  t->account = Str(o, "account");
  t->region = Str(o, "region");
  t->name = Str(o, "name");
  t->table_id = Str(o, "table_id");
  const auto* uid = o.if_contains("uid");
  if (!uid || !(uid->is_uint64() || uid->is_int64()) || t->name.empty()) {
    return Status::Corruption("table meta without name or uid");
  }
  t->uid = uid->is_uint64() ? uid->get_uint64() : static_cast<uint64_t>(uid->get_int64());
  t->arn = fmt::format("arn:aws:dynamodb:{}:{}:table/{}", t->region, t->account, t->name);
  t->created = Num(o, "created");
  t->status = Str(o, "status");
  if (!KeyAttrFromJson(o.if_contains("hash"), &t->hash)) return Status::Corruption("table hash");
  if (o.contains("range")) {
    KeyAttr r;
    if (!KeyAttrFromJson(o.if_contains("range"), &r)) return Status::Corruption("table range");
    t->range = r;
  }
  if (const auto* defs = o.if_contains("attribute_definitions"); defs && defs->is_array()) {
    for (const auto& d : defs->get_array()) {
      if (!d.is_array() || d.get_array().size() != 2 || !d.get_array()[0].is_string() ||
          !d.get_array()[1].is_string()) {
        return Status::Corruption("attribute definition");
      }
      t->attribute_definitions.emplace_back(std::string(d.get_array()[0].get_string()),
                                            std::string(d.get_array()[1].get_string()));
    }
  }
  if (const auto* ixs = o.if_contains("indexes"); ixs && ixs->is_array()) {
    for (const auto& v : ixs->get_array()) {
      if (!v.is_object()) return Status::Corruption("index");
      const auto& j = v.get_object();
      SecondaryIndex ix;
      ix.name = Str(j, "name");
      ix.global = Bool(j, "global");
      ix.id = static_cast<uint32_t>(Int(j, "id"));
      if (!KeyAttrFromJson(j.if_contains("hash"), &ix.hash)) return Status::Corruption("index");
      if (j.contains("range")) {
        KeyAttr r;
        if (!KeyAttrFromJson(j.if_contains("range"), &r)) return Status::Corruption("index");
        ix.range = r;
      }
      ix.projection_type = Str(j, "projection");
      ix.read_capacity = Int(j, "rcu");
      ix.write_capacity = Int(j, "wcu");
      if (const auto* nka = j.if_contains("non_key"); nka && nka->is_array()) {
        for (const auto& n : nka->get_array()) {
          if (n.is_string()) ix.non_key_attributes.emplace_back(n.get_string());
        }
      }
      t->indexes.push_back(std::move(ix));
    }
  }
  t->next_index_id = static_cast<uint32_t>(Int(o, "next_index_id"));
  t->billing_mode = Str(o, "billing_mode");
  t->read_capacity = Int(o, "rcu");
  t->write_capacity = Int(o, "wcu");
  t->billing_changed = Num(o, "billing_changed");
  t->stream_enabled = Bool(o, "stream_enabled");
  t->stream_view_type = Str(o, "stream_view_type");
  t->stream_epoch = static_cast<uint32_t>(Int(o, "stream_epoch"));
  t->stream_label = Str(o, "stream_label");
  t->stream_trim_seq = std::max<uint64_t>(1, static_cast<uint64_t>(Int(o, "stream_trim_seq")));
  if (const auto* tags = o.if_contains("tags"); tags && tags->is_array()) {
    for (const auto& tv : tags->get_array()) {
      if (tv.is_array() && tv.get_array().size() == 2 && tv.get_array()[0].is_string() &&
          tv.get_array()[1].is_string()) {
        t->tags.emplace_back(std::string(tv.get_array()[0].get_string()),
                             std::string(tv.get_array()[1].get_string()));
      }
    }
  }
  t->ttl_attribute = Str(o, "ttl_attribute");
  t->ttl_enabled = Bool(o, "ttl_enabled");
  t->deletion_protection = Bool(o, "deletion_protection");
  t->table_class = Str(o, "table_class");
  t->pitr_enabled = Bool(o, "pitr_enabled");
  t->pitr_since = Num(o, "pitr_since");
  t->pitr_days = o.contains("pitr_days") ? Int(o, "pitr_days") : 35;
  if (const auto* r = o.if_contains("restore"); r && r->is_object()) {
    t->restore_summary = r->get_object();
  }
  if (const auto* ds = o.if_contains("kinesis_destinations"); ds && ds->is_array()) {
    for (const auto& d : ds->get_array()) {
      const json::array* a = d.if_array();
      if (!a || a->size() != 3 || !(*a)[0].is_string() || !(*a)[1].is_string() ||
          !(*a)[2].is_string()) {
        return Status::Corruption("kinesis destination");
      }
      t->kinesis_destinations.push_back({std::string((*a)[0].get_string()),
                                         std::string((*a)[1].get_string()),
                                         std::string((*a)[2].get_string())});
    }
  }
  return Status::Ok();
}

json::object Table::Describe() const {
  json::object d;
  json::array defs;
  for (const auto& [n, t] : attribute_definitions) {
    defs.push_back(json::object{{"AttributeName", n}, {"AttributeType", t}});
  }
  d["AttributeDefinitions"] = std::move(defs);
  d["TableName"] = name;
  d["KeySchema"] = KeySchemaJson(hash, range);
  d["TableStatus"] = status;
  d["CreationDateTime"] = created;
  d["ProvisionedThroughput"] = json::object{{"NumberOfDecreasesToday", 0},
                                            {"ReadCapacityUnits", read_capacity},
                                            {"WriteCapacityUnits", write_capacity}};
  d["TableSizeBytes"] = size_bytes;
  d["ItemCount"] = item_count;
  d["TableArn"] = arn;
  d["TableId"] = table_id;
  if (billing_mode == "PAY_PER_REQUEST") {
    d["BillingModeSummary"] = json::object{{"BillingMode", billing_mode},
                                           {"LastUpdateToPayPerRequestDateTime", billing_changed}};
  }
  json::array gsis, lsis;
  for (const auto& ix : indexes) {
    json::object projection{{"ProjectionType", ix.projection_type}};
    if (!ix.non_key_attributes.empty()) {
      json::array nka;
      for (const auto& n : ix.non_key_attributes) nka.push_back(json::value(n));
      projection["NonKeyAttributes"] = std::move(nka);
    }
    json::object j{{"IndexName", ix.name},
                   {"KeySchema", KeySchemaJson(ix.hash, ix.range)},
                   {"Projection", std::move(projection)},
                   {"IndexSizeBytes", 0},
                   {"ItemCount", 0},
                   {"IndexArn", arn + "/index/" + ix.name}};
    if (ix.global) {
      j["IndexStatus"] = "ACTIVE";
      j["ProvisionedThroughput"] = json::object{{"NumberOfDecreasesToday", 0},
                                                {"ReadCapacityUnits", ix.read_capacity},
                                                {"WriteCapacityUnits", ix.write_capacity}};
      gsis.push_back(std::move(j));
    } else {
      lsis.push_back(std::move(j));
    }
  }
  if (!gsis.empty()) d["GlobalSecondaryIndexes"] = std::move(gsis);
  if (!lsis.empty()) d["LocalSecondaryIndexes"] = std::move(lsis);
  if (stream_enabled) {
    d["StreamSpecification"] =
        json::object{{"StreamEnabled", true}, {"StreamViewType", stream_view_type}};
  }
  if (stream_epoch != 0) {
    d["LatestStreamLabel"] = stream_label;
    d["LatestStreamArn"] = StreamArn();
  }
  d["DeletionProtectionEnabled"] = deletion_protection;
  if (table_class != "STANDARD") {
    d["TableClassSummary"] = json::object{{"TableClass", table_class}};
  }
  if (!restore_summary.empty()) d["RestoreSummary"] = restore_summary;
  return d;
}

}  // namespace tidepool::dynamodb
