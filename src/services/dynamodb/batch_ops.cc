// BatchGetItem, BatchWriteItem, TransactGetItems, TransactWriteItems. Writes of one request
// lock every table they touch (in uid order), read the old items, then stage all changes in
// one WriteBatch: a batch or transaction commits atomically.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/dynamodb/input.h"
#include "services/dynamodb/keyspace.h"
#include "services/dynamodb/request_parts.h"

namespace tidepool::dynamodb {
using protocol::CallPtr;

namespace {

constexpr int64_t kTokenLifetimeMicros = 10LL * 60 * 1000 * 1000;

// One write of a batch or transaction, validated and parsed.
struct PreparedWrite {
  enum Kind : uint8_t { kPut, kDelete, kUpdate, kCheck };
  Kind kind = kPut;
  std::shared_ptr<Table> table;
  std::string key;      // store key
  json::object object;  // kPut: the item; otherwise the key
  std::vector<UpdateAction> actions;
  std::optional<Condition> condition;
  bool old_on_failure = false;  // ReturnValuesOnConditionCheckFailure ALL_OLD
};

// Locks tables in uid order (no deadlock between concurrent multi-table writes).
std::vector<std::unique_lock<std::mutex>> LockAll(std::vector<std::shared_ptr<Table>> tables) {
  std::sort(tables.begin(), tables.end(),
            [](const auto& a, const auto& b) { return a->uid < b->uid; });
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  for (auto& t : tables) locks.emplace_back(t->mu);
  return locks;
}

}  // namespace

void DynamoDbService::BatchGetItem(CallPtr call) {
  json::object& in = call->mutable_input();
  json::object& request = in.at("RequestItems").get_object();
  size_t total = 0;
  for (auto& kv : request) total += InputArray(kv.value().get_object(), "Keys")->size();
  if (total > 100) {
    return call->Fail(ToAwsError(Invalid("Too many items requested for the BatchGetItem call")));
  }
  json::object responses;
  std::map<std::string, double> units;  // ConsumedCapacity: table name -> read units
  for (auto& kv : request) {
    json::object& spec = kv.value().get_object();
    const bool consistent = InputBool(spec, "ConsistentRead").value_or(false);
    auto resolved = ResolveTable(*call, kv.key());
    if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
    std::shared_ptr<Table> t = std::move(resolved).value();
    if (Status s = PrepareExpressionInputs(spec, spec.contains("ProjectionExpression"),
                                           "ProjectionExpression is null");
        !s.ok()) {
      return call->Fail(ToAwsError(s));
    }
    ExpressionContext context(ExpressionNames(spec), nullptr);
    auto projection = ReadProjection(spec, context);
    if (!projection.ok()) return call->Fail(ToAwsError(projection.status()));
    if (Status s = context.CheckAllUsed(); !s.ok()) return call->Fail(ToAwsError(s));
    std::set<std::string> seen;
    json::array items;
    for (auto& k : spec.at("Keys").get_array()) {
      if (Status s = NormalizeItem(k.get_object()); !s.ok()) return call->Fail(ToAwsError(s));
      auto key = t->ItemKey(k.get_object(), false);
      if (!key.ok()) return call->Fail(ToAwsError(key.status()));
      if (!seen.insert(*key).second) {
        return call->Fail(ToAwsError(Invalid("Provided list of item keys contains duplicates")));
      }
      auto bytes = store_.Get(*key);
      if (!bytes.ok()) return call->Fail(ToAwsError(bytes.status()));
      auto item = *bytes ? DecodeItem(**bytes) : std::nullopt;
      units[t->name] += ReadUnits(item ? ItemSize(*item) : 0, consistent);
      if (!item) continue;
      items.push_back(projection->empty() ? json::value(std::move(*item))
                                          : json::value(Project(*item, *projection)));
    }
    responses[kv.key()] = std::move(items);
  }
  json::object out{{"Responses", std::move(responses)}, {"UnprocessedKeys", json::object{}}};
  AddConsumedCapacities(in, units, out);
  call->Reply(std::move(out));
}

void DynamoDbService::BatchWriteItem(CallPtr call) {
  json::object& in = call->mutable_input();
  json::object& request = in.at("RequestItems").get_object();
  size_t total = 0;
  for (auto& kv : request) total += kv.value().get_array().size();
  if (total > 25) {
    return call->Fail(ToAwsError(Invalid(
        "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map "
        "value must satisfy constraint: [Member must have length less than or equal to 25, "
        "Member must have length greater than or equal to 1]")));
  }
  std::vector<PreparedWrite> writes;
  std::set<std::string> seen;
  std::vector<std::shared_ptr<Table>> tables;
  for (auto& kv : request) {
    auto resolved = ResolveTable(*call, kv.key());
    if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
    std::shared_ptr<Table> t = std::move(resolved).value();
    tables.push_back(t);
    for (auto& r : kv.value().get_array()) {
      json::object& ro = r.get_object();
      PreparedWrite w;
      w.table = t;
      if (auto* put = ro.if_contains("PutRequest")) {
        w.kind = PreparedWrite::kPut;
        w.object = std::move(put->get_object().at("Item").get_object());
        if (Status s = NormalizeItem(w.object); !s.ok()) return call->Fail(ToAwsError(s));
        if (ItemSize(w.object) > kMaxItemSize) {
          return call->Fail(ToAwsError(Invalid("Item size has exceeded the maximum allowed size")));
        }
        auto key = t->ItemKey(w.object, true);
        if (!key.ok()) return call->Fail(ToAwsError(key.status()));
        w.key = std::move(key).value();
      } else if (auto* del = ro.if_contains("DeleteRequest")) {
        w.kind = PreparedWrite::kDelete;
        w.object = std::move(del->get_object().at("Key").get_object());
        if (Status s = NormalizeItem(w.object); !s.ok()) return call->Fail(ToAwsError(s));
        auto key = t->ItemKey(w.object, false);
        if (!key.ok()) return call->Fail(ToAwsError(key.status()));
        w.key = std::move(key).value();
      } else {
        return call->Fail(ToAwsError(Invalid(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes")));
      }
      if (!seen.insert(w.key).second) {
        return call->Fail(ToAwsError(Invalid("Provided list of item keys contains duplicates")));
      }
      writes.push_back(std::move(w));
    }
  }
  auto locks = LockAll(tables);
  storage::WriteBatch batch;
  std::map<Table*, std::vector<std::pair<std::string, uint64_t>>> versions;
  std::map<Table*, bool> streamed;
  for (auto& w : writes) {
    Table& t = *w.table;
    if (w.kind == PreparedWrite::kPut) {
      if (Status s = t.CheckIndexKeys(w.object); !s.ok()) return call->Fail(ToAwsError(s));
    }
  }
  json::object collections;             // ItemCollectionMetrics: table name -> [metrics...]
  std::map<std::string, double> units;  // ConsumedCapacity: table name -> write units
  for (auto& w : writes) {
    Table& t = *w.table;
    AppendItemCollectionMetrics(in, t, w.object, collections);
    auto old = t.ReadItem(store_, w.key);
    if (!old.ok()) return call->Fail(ToAwsError(old.status()));
    const json::object* written = w.kind == PreparedWrite::kPut ? &w.object : nullptr;
    if (written == nullptr && *old) written = &**old;
    units[t.name] += WriteUnits(written != nullptr ? ItemSize(*written) : 0);
    if (w.kind == PreparedWrite::kDelete && !*old) continue;
    ItemChange change{w.key, std::move(*old),
                      w.kind == PreparedWrite::kPut
                          ? std::optional<json::object>(std::move(w.object))
                          : std::nullopt};
    if (StageChange(t, change, batch, versions[&t])) streamed[&t] = true;
  }
  std::vector<std::pair<std::shared_ptr<Table>, std::vector<std::pair<std::string, uint64_t>>>>
      staged;
  std::vector<std::pair<std::shared_ptr<Table>, uint64_t>> streams;
  for (auto& t : tables) {
    auto it = versions.find(t.get());
    if (it == versions.end()) continue;
    staged.emplace_back(t, std::move(it->second));
    versions.erase(it);
    if (streamed[t.get()]) streams.emplace_back(t, t->next_stream_seq - 1);
  }
  json::object output{{"UnprocessedItems", json::object{}}};
  if (!collections.empty()) output["ItemCollectionMetrics"] = std::move(collections);
  AddConsumedCapacities(in, units, output);
  SubmitChanges(std::move(staged), std::move(streams), std::move(batch), call,
                [call, output = std::move(output)](const Status& st) mutable {
                  if (st.ok()) {
                    call->Reply(std::move(output));
                  } else {
                    call->Fail(ToAwsError(st));
                  }
                });
}

void DynamoDbService::TransactGetItems(CallPtr call) {
  json::object& in = call->mutable_input();
  json::array responses;
  std::set<std::string> seen;
  std::map<std::string, double> units;  // ConsumedCapacity: table name -> read units
  for (auto& entry : in.at("TransactItems").get_array()) {
    json::object& get = entry.get_object().at("Get").get_object();
    auto resolved = ResolveTable(*call, *InputStringView(get, "TableName"));
    if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
    std::shared_ptr<Table> t = std::move(resolved).value();
    if (Status s = PrepareExpressionInputs(get, get.contains("ProjectionExpression"),
                                           "ProjectionExpression is null");
        !s.ok()) {
      return call->Fail(ToAwsError(s));
    }
    ExpressionContext context(ExpressionNames(get), nullptr);
    auto projection = ReadProjection(get, context);
    if (!projection.ok()) return call->Fail(ToAwsError(projection.status()));
    if (Status s = context.CheckAllUsed(); !s.ok()) return call->Fail(ToAwsError(s));
    json::object& key_in = get.at("Key").get_object();
    if (Status s = NormalizeItem(key_in); !s.ok()) return call->Fail(ToAwsError(s));
    auto key = t->ItemKey(key_in, false);
    if (!key.ok()) return call->Fail(ToAwsError(key.status()));
    if (!seen.insert(*key).second) {
      return call->Fail(ToAwsError(
          Invalid("Transaction request cannot include multiple operations on one item")));
    }
    auto bytes = store_.Get(*key);
    if (!bytes.ok()) return call->Fail(ToAwsError(bytes.status()));
    json::object response;
    auto item = *bytes ? DecodeItem(**bytes) : std::nullopt;
    // A transactional read costs two strongly consistent reads.
    units[t->name] += 2 * ReadUnits(item ? ItemSize(*item) : 0, true);
    if (item) {
      response["Item"] = projection->empty() ? std::move(*item) : Project(*item, *projection);
    }
    responses.push_back(std::move(response));
  }
  json::object out{{"Responses", std::move(responses)}};
  AddConsumedCapacities(in, units, out);
  call->Reply(std::move(out));
}

void DynamoDbService::TransactWriteItems(CallPtr call) {
  json::object& in = call->mutable_input();
  const auto token = InputStringView(in, "ClientRequestToken");
  std::string fingerprint;
  if (token) {
    json::object copy = in;
    copy.erase("ClientRequestToken");
    fingerprint = json::serialize(copy);
    std::lock_guard lock(tokens_mu_);
    const int64_t now = clock_.NowMicros();
    auto it = tokens_.find(std::string(*token));
    if (it != tokens_.end() && it->second.second > now) {
      if (it->second.first != fingerprint) {
        return call->Fail(ToAwsError(DynamoStatus(
            DynamoError::kIdempotentParameterMismatch,
            "Request token mismatch: the request with this ClientRequestToken was different")));
      }
      return call->Reply(json::object{});  // already applied
    }
  }
  std::vector<PreparedWrite> writes;
  std::vector<std::shared_ptr<Table>> tables;
  std::set<std::string> seen;
  for (auto& entry : in.at("TransactItems").get_array()) {
    json::object& eo = entry.get_object();
    PreparedWrite w;
    json::object* op = nullptr;
    if (auto* v = eo.if_contains("Put")) {
      w.kind = PreparedWrite::kPut, op = &v->get_object();
    } else if (auto* v = eo.if_contains("Delete")) {
      w.kind = PreparedWrite::kDelete, op = &v->get_object();
    } else if (auto* v = eo.if_contains("Update")) {
      w.kind = PreparedWrite::kUpdate, op = &v->get_object();
    } else if (auto* v = eo.if_contains("ConditionCheck")) {
      w.kind = PreparedWrite::kCheck, op = &v->get_object();
    } else {
      return call->Fail(ToAwsError(
          Invalid("TransactItems can only contain one of Check, Put, Update or Delete")));
    }
    auto resolved = ResolveTable(*call, *InputStringView(*op, "TableName"));
    if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
    w.table = std::move(resolved).value();
    tables.push_back(w.table);
    auto condition_text = InputStringView(*op, "ConditionExpression");
    auto update_text = InputStringView(*op, "UpdateExpression");
    if (Status s = PrepareExpressionInputs(*op, condition_text || update_text,
                                           "ConditionExpression is null");
        !s.ok()) {
      return call->Fail(ToAwsError(s));
    }
    w.object = std::move(op->at(w.kind == PreparedWrite::kPut ? "Item" : "Key").get_object());
    if (Status s = NormalizeItem(w.object); !s.ok()) return call->Fail(ToAwsError(s));
    auto key = w.table->ItemKey(w.object, w.kind == PreparedWrite::kPut);
    if (!key.ok()) return call->Fail(ToAwsError(key.status()));
    w.key = std::move(key).value();
    if (!seen.insert(w.key).second) {
      return call->Fail(ToAwsError(
          Invalid("Transaction request cannot include multiple operations on one item")));
    }
    ExpressionContext context(ExpressionNames(*op), ExpressionValues(*op));
    if (update_text) {
      auto parsed = ParseUpdate(*update_text, context);
      if (!parsed.ok()) return call->Fail(ToAwsError(parsed.status()));
      w.actions = std::move(parsed).value();
      for (const auto& a : w.actions) {
        const std::string& top = a.path[0].name;
        if (top == w.table->hash.name || (w.table->range && top == w.table->range->name)) {
          return call->Fail(ToAwsError(Invalid(fmt::format(
              "One or more parameter values were invalid: Cannot update attribute {}. This "
              "attribute is part of the key",
              top))));
        }
      }
    }
    if (condition_text) {
      auto parsed = ParseCondition(*condition_text, "ConditionExpression", context);
      if (!parsed.ok()) return call->Fail(ToAwsError(parsed.status()));
      w.condition = std::move(parsed).value();
    }
    if (Status s = context.CheckAllUsed(); !s.ok()) return call->Fail(ToAwsError(s));
    auto rv = InputStringView(*op, "ReturnValuesOnConditionCheckFailure");
    w.old_on_failure = rv && *rv == "ALL_OLD";
    writes.push_back(std::move(w));
  }

  auto locks = LockAll(tables);
  std::vector<std::optional<json::object>> olds;
  std::string list;
  json::array reasons;  // CancellationReasons, one per TransactItem in order
  bool failed = false;
  for (auto& w : writes) {
    auto old = w.table->ReadItem(store_, w.key);
    if (!old.ok()) return call->Fail(ToAwsError(old.status()));
    const bool ok = !w.condition || EvaluateCondition(*w.condition, *old ? **old : json::object());
    list += list.empty() ? "" : ", ";
    list += ok ? "None" : "ConditionalCheckFailed";
    failed |= !ok;
    json::object reason{{"Code", ok ? "None" : "ConditionalCheckFailed"}};
    if (!ok) {
      reason["Message"] = "The conditional request failed";
      if (w.old_on_failure && *old) reason["Item"] = **old;
    }
    reasons.push_back(std::move(reason));
    olds.push_back(std::move(*old));
  }
  if (failed) {
    protocol::AwsError e = ToAwsError(DynamoStatus(
        DynamoError::kTransactionCanceled,
        "Transaction cancelled, please refer cancellation reasons for specific reasons [" + list +
            "]"));
    e.extra_json = "\"CancellationReasons\":" + json::serialize(reasons);
    return call->Fail(std::move(e));
  }
  storage::WriteBatch batch;
  std::map<Table*, std::vector<std::pair<std::string, uint64_t>>> versions;
  std::map<Table*, bool> streamed;
  json::object collections;             // ItemCollectionMetrics: table name -> [metrics...]
  std::map<std::string, double> units;  // ConsumedCapacity: two write units per KB and item
  for (size_t i = 0; i < writes.size(); ++i) {
    PreparedWrite& w = writes[i];
    Table& t = *w.table;
    if (w.kind != PreparedWrite::kCheck) AppendItemCollectionMetrics(in, t, w.object, collections);
    const json::object* written = w.kind == PreparedWrite::kPut ? &w.object : nullptr;
    if (written == nullptr && olds[i]) written = &*olds[i];
    units[t.name] += 2 * WriteUnits(written != nullptr ? ItemSize(*written) : 0);
    std::optional<json::object> next;
    switch (w.kind) {
      case PreparedWrite::kCheck:
        continue;
      case PreparedWrite::kDelete:
        if (!olds[i]) continue;
        break;
      case PreparedWrite::kPut:
        next = std::move(w.object);
        break;
      case PreparedWrite::kUpdate: {
        json::object item = olds[i] ? *olds[i] : w.object;
        if (Status s = ApplyUpdate(w.actions, item); !s.ok()) return call->Fail(ToAwsError(s));
        next = std::move(item);
        break;
      }
    }
    if (next) {
      if (ItemSize(*next) > kMaxItemSize) {
        return call->Fail(ToAwsError(Invalid("Item size has exceeded the maximum allowed size")));
      }
      if (Status s = t.CheckIndexKeys(*next); !s.ok()) return call->Fail(ToAwsError(s));
    }
    if (StageChange(t, ItemChange{w.key, std::move(olds[i]), std::move(next)}, batch,
                    versions[&t])) {
      streamed[&t] = true;
    }
  }
  if (token) {
    const int64_t expiry = clock_.NowMicros() + kTokenLifetimeMicros;
    batch.Put(keyspace::TokenKey(*token),
              json::serialize(json::object{{"fingerprint", fingerprint}, {"expiry", expiry}}));
    std::lock_guard lock(tokens_mu_);
    tokens_[std::string(*token)] = {fingerprint, expiry};
  }
  std::vector<std::pair<std::shared_ptr<Table>, std::vector<std::pair<std::string, uint64_t>>>>
      staged;
  std::vector<std::pair<std::shared_ptr<Table>, uint64_t>> streams;
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  for (auto& t : tables) {
    auto it = versions.find(t.get());
    if (it == versions.end()) continue;
    staged.emplace_back(t, std::move(it->second));
    versions.erase(it);
    if (streamed[t.get()]) streams.emplace_back(t, t->next_stream_seq - 1);
  }
  json::object output;
  if (!collections.empty()) output["ItemCollectionMetrics"] = std::move(collections);
  AddConsumedCapacities(in, units, output);
  SubmitChanges(std::move(staged), std::move(streams), std::move(batch), call,
                [call, output = std::move(output)](const Status& st) mutable {
                  if (st.ok()) {
                    call->Reply(std::move(output));
                  } else {
                    call->Fail(ToAwsError(st));
                  }
                });
}

}  // namespace tidepool::dynamodb
