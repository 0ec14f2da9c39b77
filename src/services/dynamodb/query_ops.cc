// Query and Scan: one Store::Scan over the key range the request selects (keyspace.h orders
// items by hash then range key), evaluated a page at a time (Limit items or 1 MB).
#include <fmt/format.h>

#include <algorithm>

#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/dynamodb/input.h"
#include "services/dynamodb/keyspace.h"
#include "services/dynamodb/legacy.h"
#include "services/dynamodb/request_parts.h"
#include "storage/key_codec.h"

namespace tidepool::dynamodb {
using protocol::CallPtr;

namespace {

constexpr size_t kPageBytes = 1024 * 1024;

struct PageRequest {
  const Table* table = nullptr;
  const SecondaryIndex* index = nullptr;
  std::string begin, end;  // store key range [begin, end)
  bool forward = true;
  int64_t limit = 0;  // 0: none
  const Condition* filter = nullptr;
  const std::vector<DocumentPath>* projection = nullptr;
  bool count_only = false;
  int64_t segment = -1, total_segments = 0;
  bool consistent = false;
};

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Runs one page; fills Items/Count/ScannedCount/LastEvaluatedKey into `out`.
Status ReadPage(const storage::Store& store, const PageRequest& r, json::object& out) {
  json::array items;
  int64_t count = 0, scanned = 0;
  size_t bytes = 0;
  std::optional<json::object> last_key;
  bool stopped = false;
  Status decode_error = Status::Ok();
  auto visit = [&](std::string_view, std::string_view value) {
    auto item = DecodeItem(value);
    if (!item) {
      decode_error = Status::Corruption("dynamodb: undecodable item");
      return false;
    }
    if (r.total_segments > 0) {
      const json::value* h = item->if_contains(r.table->hash.name);
      const std::string_view payload = h ? std::string_view(Payload(*h).get_string()) : "";
      if (static_cast<int64_t>(Fnv1a(payload) % r.total_segments) != r.segment) return true;
    }
    ++scanned;
    bytes += ItemSize(*item);
    if (!r.filter || EvaluateCondition(*r.filter, *item)) {
      ++count;
      if (!r.count_only) {
        items.push_back(r.projection && !r.projection->empty() ? Project(*item, *r.projection)
                                                               : json::value(*item));
      }
    }
    if ((r.limit > 0 && scanned >= r.limit) || bytes >= kPageBytes) {
      last_key = r.table->KeyOf(*item, r.index);
      stopped = true;
      return false;
    }
    return true;
  };
  Status s;
  if (r.forward) {
    s = store.Scan(r.begin, r.end, visit);
  } else {
    // The store scans forward only: collect the range, then walk it backwards.
    std::vector<std::pair<std::string, std::string>> entries;
    s = store.Scan(r.begin, r.end, [&](std::string_view k, std::string_view v) {
      entries.emplace_back(k, v);
      return true;
    });
    for (auto it = entries.rbegin(); s.ok() && it != entries.rend(); ++it) {
      if (!visit(it->first, it->second)) break;
    }
  }
  if (!s.ok()) return s;
  if (!decode_error.ok()) return decode_error;
  if (!r.count_only) out["Items"] = std::move(items);
  out["Count"] = count;
  out["ScannedCount"] = scanned;
  if (stopped && last_key) out["LastEvaluatedKey"] = std::move(*last_key);
  (void)r.consistent;
  return Status::Ok();
}

// The store key of an ExclusiveStartKey (the table's key plus the index's key attributes).
Result<std::string> StartKey(const Table& t, const SecondaryIndex* ix, json::object key) {
  if (Status s = NormalizeItem(key); !s.ok()) return s;
  auto table_key = t.ItemKey(t.KeyOf(key), /*is_item=*/false);
  if (!table_key.ok()) {
    return Invalid("The provided starting key is invalid: " + table_key.status().message());
  }
  if (!ix) return table_key;
  std::string out = keyspace::IndexPrefix(t.uid, ix->id);
  for (const KeyAttr* k : {&ix->hash, ix->range ? &*ix->range : nullptr}) {
    if (!k) continue;
    const json::value* v = key.if_contains(k->name);
    if (!v || TypeOf(*v) != k->type) {
      return Invalid(
          "The provided starting key is invalid: The provided key element does not "
          "match the schema");
    }
    AppendKeyVal(&out, *v, k->type);
  }
  out.append(table_key->substr(keyspace::IndexPrefix(t.uid, 0).size()));
  return out;
}

Status ReadSelect(const json::object& in, const SecondaryIndex* ix, bool has_projection,
                  bool* count_only) {
  auto select = InputStringView(in, "Select");
  *count_only = select == "COUNT";
  if (select == "SPECIFIC_ATTRIBUTES" && !has_projection) {
    return Invalid(
        "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES requires "
        "either ProjectionExpression or AttributesToGet");
  }
  if (select && *select != "SPECIFIC_ATTRIBUTES" && has_projection) {
    return Invalid(
        "One or more parameter values were invalid: Cannot specify the AttributesToGet when "
        "choosing to get " +
        std::string(*select));
  }
  if (select == "ALL_PROJECTED_ATTRIBUTES" && !ix) {
    return Invalid(
        "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is not "
        "supported on the table");
  }
  return Status::Ok();
}

Result<const SecondaryIndex*> ReadIndex(const json::object& in, const Table& t) {
  auto name = InputStringView(in, "IndexName");
  if (!name) return static_cast<const SecondaryIndex*>(nullptr);
  const SecondaryIndex* ix = t.FindIndex(*name);
  if (!ix) return Invalid("The table does not have the specified index: " + std::string(*name));
  if (ix->global && InputBool(in, "ConsistentRead").value_or(false)) {
    return Invalid("Consistent reads are not supported on global secondary indexes");
  }
  return ix;
}

// Narrows [begin, end) to what a key condition on the (index's) keys selects.
Status KeyConditionRange(const Condition& c, const KeyAttr& hash,
                         const std::optional<KeyAttr>& range, const std::string& prefix,
                         std::string* begin, std::string* end) {
  std::vector<const Condition*> parts;
  if (c.kind == Condition::kAnd) {
    for (const auto& child : c.children) {
      if (child.kind == Condition::kAnd) {
        return Invalid("Query key condition not supported");
      }
      parts.push_back(&child);
    }
  } else {
    parts.push_back(&c);
  }
  const Condition* hash_cond = nullptr;
  const Condition* range_cond = nullptr;
  for (const Condition* p : parts) {
    if (p->kind == Condition::kOr || p->kind == Condition::kNot) {
      return Invalid(std::string("Invalid operator used in KeyConditionExpression: ") +
                     (p->kind == Condition::kOr ? "OR" : "NOT"));
    }
    if (p->kind == Condition::kIn) {
      return Invalid("Invalid operator used in KeyConditionExpression: IN");
    }
    if (p->kind == Condition::kCompare && p->comparator == Condition::kNe) {
      return Invalid("Unsupported operator in KeyConditionExpression: <>");
    }
    if (p->kind != Condition::kCompare && p->kind != Condition::kBetween &&
        p->kind != Condition::kBeginsWith) {
      return Invalid("Query key condition not supported");
    }
    const Operand& target = p->operands[0];
    if (target.kind != Operand::kPath || target.path.size() != 1) {
      return Invalid("Query key condition not supported");
    }
    for (size_t i = 1; i < p->operands.size(); ++i) {
      if (p->operands[i].kind != Operand::kValue) {
        return Invalid("Query key condition not supported");
      }
    }
    const std::string& name = target.path[0].name;
    if (name == hash.name && p->kind == Condition::kCompare && p->comparator == Condition::kEq &&
        !hash_cond) {
      hash_cond = p;
    } else if (range && name == range->name && !range_cond) {
      range_cond = p;
    } else if (name == hash.name) {
      return Invalid("Query key condition not supported");
    } else {
      return Invalid(
          "Query condition missed key schema element: " +
          (hash_cond || name != hash.name ? (range ? range->name : hash.name) : hash.name));
    }
  }
  if (!hash_cond) return Invalid("Query condition missed key schema element: " + hash.name);
  const json::value& hv = *hash_cond->operands[1].value;
  if (TypeOf(hv) != hash.type) {
    return Invalid(
        "One or more parameter values were invalid: Condition parameter type does not match "
        "schema type");
  }
  std::string p = prefix;
  AppendKeyVal(&p, hv, hash.type);
  *begin = p;
  *end = storage::PrefixEnd(p);
  if (!range_cond) return Status::Ok();
  for (size_t i = 1; i < range_cond->operands.size(); ++i) {
    if (TypeOf(*range_cond->operands[i].value) != range->type) {
      return Invalid(
          "One or more parameter values were invalid: Condition parameter type does not match "
          "schema type");
    }
  }
  auto enc = [&](const json::value& v) {
    std::string k = p;
    AppendKeyVal(&k, v, range->type);
    return k;
  };
  const auto& ops = range_cond->operands;
  switch (range_cond->kind) {
    case Condition::kBetween:
      *begin = enc(*ops[1].value);
      *end = storage::PrefixEnd(enc(*ops[2].value));
      break;
    case Condition::kBeginsWith: {
      if (range->type == AttrType::kN) {
        return Invalid(
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N");
      }
      std::string k = enc(*ops[1].value);
      k.resize(k.size() - 2);  // drop the string terminator: a prefix of longer strings
      *begin = k;
      *end = storage::PrefixEnd(k);
      break;
    }
    default:
      switch (range_cond->comparator) {
        case Condition::kEq:
          *begin = enc(*ops[1].value);
          *end = storage::PrefixEnd(*begin);
          break;
        case Condition::kLt:
          *end = enc(*ops[1].value);
          break;
        case Condition::kLe:
          *end = storage::PrefixEnd(enc(*ops[1].value));
          break;
        case Condition::kGt:
          *begin = storage::PrefixEnd(enc(*ops[1].value));
          break;
        case Condition::kGe:
          *begin = enc(*ops[1].value);
          break;
        default:
          break;
      }
  }
  return Status::Ok();
}

}  // namespace

void DynamoDbService::Query(CallPtr call) {
  json::object& in = call->mutable_input();
  auto resolved = ResolveTable(*call, *InputStringView(in, "TableName"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  std::shared_ptr<Table> t = std::move(resolved).value();
  auto legacy_keys = LegacyCondition(in, "KeyConditions", "KeyConditionExpression");
  if (!legacy_keys.ok()) return call->Fail(ToAwsError(legacy_keys.status()));
  auto legacy_filter = LegacyCondition(in, "QueryFilter", "FilterExpression");
  if (!legacy_filter.ok()) return call->Fail(ToAwsError(legacy_filter.status()));
  auto key_text = InputStringView(in, "KeyConditionExpression");
  if (!key_text && !*legacy_keys) {
    return call->Fail(ToAwsError(
        Invalid("Either the KeyConditions or KeyConditionExpression parameter must be specified "
                "in the request.")));
  }
  auto filter_text = InputStringView(in, "FilterExpression");
  if (Status s = PrepareExpressionInputs(in, true, ""); !s.ok()) {
    return call->Fail(ToAwsError(s));
  }
  ExpressionContext context(ExpressionNames(in), ExpressionValues(in));
  Result<Condition> key_condition =
      key_text ? ParseCondition(*key_text, "KeyConditionExpression", context)
               : Result<Condition>(std::move(**legacy_keys));
  if (!key_condition.ok()) return call->Fail(ToAwsError(key_condition.status()));
  std::optional<Condition> filter = std::move(*legacy_filter);
  if (filter_text) {
    auto parsed = ParseCondition(*filter_text, "FilterExpression", context);
    if (!parsed.ok()) return call->Fail(ToAwsError(parsed.status()));
    filter = std::move(parsed).value();
  }
  auto projection = ReadProjection(in, context);
  if (!projection.ok()) return call->Fail(ToAwsError(projection.status()));
  if (Status s = context.CheckAllUsed(); !s.ok()) return call->Fail(ToAwsError(s));

  PageRequest r;
  json::object out;
  {
    std::lock_guard lock(t->mu);
    auto ix = ReadIndex(in, *t);
    if (!ix.ok()) return call->Fail(ToAwsError(ix.status()));
    r.index = *ix;
    bool count_only;
    if (Status s = ReadSelect(in, r.index, !projection->empty(), &count_only); !s.ok()) {
      return call->Fail(ToAwsError(s));
    }
    r.count_only = count_only;
    const KeyAttr& hash = r.index ? r.index->hash : t->hash;
    const std::optional<KeyAttr>& range = r.index ? r.index->range : t->range;
    const std::string prefix = keyspace::IndexPrefix(t->uid, r.index ? r.index->id : 0);
    if (Status s = KeyConditionRange(*key_condition, hash, range, prefix, &r.begin, &r.end);
        !s.ok()) {
      return call->Fail(ToAwsError(s));
    }
    if (const auto* esk = InputObject(in, "ExclusiveStartKey")) {
      auto start = StartKey(*t, r.index, *esk);
      if (!start.ok()) return call->Fail(ToAwsError(start.status()));
      r.forward = InputBool(in, "ScanIndexForward").value_or(true);
      if (r.forward) {
        *start += '\0';
        if (*start > r.begin) r.begin = *start;
      } else if (*start < r.end) {
        r.end = *start;
      }
    }
    r.forward = InputBool(in, "ScanIndexForward").value_or(true);
    r.limit = InputInt(in, "Limit").value_or(0);
    r.filter = filter ? &*filter : nullptr;
    r.projection = &*projection;
    r.table = t.get();
    if (Status s = ReadPage(store_, r, out); !s.ok()) return call->Fail(ToAwsError(s));
  }
  AddConsumedCapacity(in, t->name, 0.5, out);
  call->Reply(std::move(out));
}

void DynamoDbService::Scan(CallPtr call) {
  json::object& in = call->mutable_input();
  auto resolved = ResolveTable(*call, *InputStringView(in, "TableName"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  std::shared_ptr<Table> t = std::move(resolved).value();
  auto legacy_filter = LegacyCondition(in, "ScanFilter", "FilterExpression");
  if (!legacy_filter.ok()) return call->Fail(ToAwsError(legacy_filter.status()));
  auto filter_text = InputStringView(in, "FilterExpression");
  const bool has_projection = in.contains("ProjectionExpression");
  if (Status s = PrepareExpressionInputs(in, filter_text || has_projection,
                                         "FilterExpression and ProjectionExpression are null");
      !s.ok()) {
    return call->Fail(ToAwsError(s));
  }
  ExpressionContext context(ExpressionNames(in), ExpressionValues(in));
  std::optional<Condition> filter = std::move(*legacy_filter);
  if (filter_text) {
    auto parsed = ParseCondition(*filter_text, "FilterExpression", context);
    if (!parsed.ok()) return call->Fail(ToAwsError(parsed.status()));
    filter = std::move(parsed).value();
  }
  auto projection = ReadProjection(in, context);
  if (!projection.ok()) return call->Fail(ToAwsError(projection.status()));
  if (Status s = context.CheckAllUsed(); !s.ok()) return call->Fail(ToAwsError(s));
  auto segment = InputInt(in, "Segment");
  auto total = InputInt(in, "TotalSegments");
  if (segment && !total) {
    return call->Fail(ToAwsError(
        Invalid("The TotalSegments parameter is required but was not present in the request "
                "when Segment parameter is present")));
  }
  if (total && !segment) {
    return call->Fail(ToAwsError(
        Invalid("The Segment parameter is required but was not present in the request when "
                "parameter TotalSegments is present")));
  }
  if (segment && *segment >= *total) {
    return call->Fail(ToAwsError(Invalid(fmt::format(
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
        "Segment: {} is not less than TotalSegments: {}",
        *segment, *total))));
  }

  PageRequest r;
  json::object out;
  {
    std::lock_guard lock(t->mu);
    auto ix = ReadIndex(in, *t);
    if (!ix.ok()) return call->Fail(ToAwsError(ix.status()));
    r.index = *ix;
    bool count_only;
    if (Status s = ReadSelect(in, r.index, !projection->empty(), &count_only); !s.ok()) {
      return call->Fail(ToAwsError(s));
    }
    r.count_only = count_only;
    r.begin = keyspace::IndexPrefix(t->uid, r.index ? r.index->id : 0);
    r.end = storage::PrefixEnd(r.begin);
    if (const auto* esk = InputObject(in, "ExclusiveStartKey")) {
      auto start = StartKey(*t, r.index, *esk);
      if (!start.ok()) return call->Fail(ToAwsError(start.status()));
      r.begin = *start + '\0';
    }
    r.limit = InputInt(in, "Limit").value_or(0);
    r.filter = filter ? &*filter : nullptr;
    r.projection = &*projection;
    r.segment = segment.value_or(-1);
    r.total_segments = total.value_or(0);
    r.table = t.get();
    // Under the lock: the page reads the index definition (UpdateTable may drop it).
    if (Status s = ReadPage(store_, r, out); !s.ok()) return call->Fail(ToAwsError(s));
  }
  AddConsumedCapacity(in, t->name, 0.5, out);
  call->Reply(std::move(out));
}

}  // namespace tidepool::dynamodb
