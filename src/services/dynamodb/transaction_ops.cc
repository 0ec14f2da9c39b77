// TransactGetItems and TransactWriteItems, with AWS's conflict handling.
//
// A TransactWriteItems is "ongoing" from the moment it is staged (every table it touches
// locked, every condition met) until its commit completes: then its items are in their
// tables' `transacting` markers. While it is ongoing:
//   - a PutItem, UpdateItem or DeleteItem of one of its items fails with
//     TransactionConflictException (item_ops.cc);
//   - another TransactWriteItems including one of its items is canceled, its
//     CancellationReasons saying TransactionConflict at that item;
//   - a BatchWriteItem leaves that item unprocessed (batch_ops.cc);
//   - a TransactGetItems including one of its items is canceled likewise; a TransactGetItems
//     also conflicts with a staged single-item or batch write (the table's `pending`).
// GetItem, BatchGetItem, Query and Scan read committed items and never conflict. A request
// that does not collide pays one lookup in an (almost always empty) map under the table lock
// it takes anyway.
//
// ClientRequestToken: the first request with a token reserves it while it runs; a repeat
// with the same parameters gets TransactionInProgressException until the first completes,
// then the first one's (empty) reply, for 10 minutes; with other parameters,
// IdempotentParameterMismatchException.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/dynamodb/input.h"
#include "services/dynamodb/keyspace.h"
#include "services/dynamodb/prepared_write.h"
#include "services/dynamodb/request_parts.h"

namespace tidepool::dynamodb {
using protocol::CallPtr;

namespace {

constexpr int64_t kTokenLifetimeMicros = 10LL * 60 * 1000 * 1000;

json::object ConflictReason() {
  return json::object{{"Code", "TransactionConflict"}, {"Message", kTransactionOngoing}};
}

// TransactionCanceledException with `reasons` (one per TransactItem, in order) listed in the
// message and returned as CancellationReasons.
protocol::AwsError Canceled(const json::array& reasons) {
  std::string list;
  for (const auto& r : reasons) {
    list += list.empty() ? "" : ", ";
    list += r.at("Code").get_string();
  }
  protocol::AwsError e = ToAwsError(DynamoStatus(
      DynamoError::kTransactionCanceled,
      "Transaction cancelled, please refer cancellation reasons for specific reasons [" + list +
          "]"));
  e.extra_json = "\"CancellationReasons\":" + json::serialize(reasons);
  return e;
}

// One Get of a TransactGetItems, validated.
struct PlannedGet {
  std::shared_ptr<Table> table;
  std::string key;  // store key
  std::vector<DocumentPath> projection;
};

}  // namespace

void DynamoDbService::TransactGetItems(CallPtr call) {
  json::object& in = call->mutable_input();
  std::vector<PlannedGet> gets;
  std::vector<std::shared_ptr<Table>> tables;
  std::set<std::string> seen;
  for (auto& entry : in.at("TransactItems").get_array()) {
    json::object& get = entry.get_object().at("Get").get_object();
    auto resolved = ResolveTable(*call, *InputStringView(get, "TableName"));
    if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
    std::shared_ptr<Table> t = std::move(resolved).value();
    auto projection = ReadGetProjection(get);
    if (!projection.ok()) return call->Fail(ToAwsError(projection.status()));
    json::object& key_in = get.at("Key").get_object();
    if (Status s = NormalizeItem(key_in); !s.ok()) return call->Fail(ToAwsError(s));
    auto key = t->ItemKey(key_in, false);
    if (!key.ok()) return call->Fail(ToAwsError(key.status()));
    if (!seen.insert(*key).second) {
      return call->Fail(ToAwsError(
          Invalid("Transaction request cannot include multiple operations on one item")));
    }
    tables.push_back(t);
    gets.push_back({std::move(t), std::move(key).value(), std::move(projection).value()});
  }

  // Under every table's lock no write of these items can be staged or completed: what is
  // not in flight now is committed, and the items are read as one snapshot.
  auto locks = LockTables(tables);
  json::array reasons;
  bool conflict = false;
  for (const auto& g : gets) {
    const bool in_flight = g.table->WriteInFlight(g.key);
    conflict |= in_flight;
    reasons.push_back(in_flight ? ConflictReason() : json::object{{"Code", "None"}});
  }
  if (conflict) return call->Fail(Canceled(reasons));
  json::array responses;
  std::map<std::string, double> units;  // ConsumedCapacity: table name -> read units
  for (const auto& g : gets) {
    auto bytes = store_.Get(g.key);
    if (!bytes.ok()) return call->Fail(ToAwsError(bytes.status()));
    json::object response;
    auto item = *bytes ? DecodeItem(**bytes) : std::nullopt;
    // A transactional read costs two strongly consistent reads.
    units[g.table->name] += 2 * ReadUnits(item ? ItemSize(*item) : 0, true);
    if (item) {
      response["Item"] = g.projection.empty() ? std::move(*item) : Project(*item, g.projection);
    }
    responses.push_back(std::move(response));
  }
  locks.clear();
  json::object out{{"Responses", std::move(responses)}};
  AddConsumedCapacities(in, units, out);
  call->Reply(std::move(out));
}

// Releases a ClientRequestToken reserved by a TransactWriteItems that ends before it is
// submitted (validation error, canceled): the token stays free for a corrected retry.
class DynamoDbService::TokenReservation {
 public:
  TokenReservation(DynamoDbService& service, std::optional<std::string> token)
      : service_(service), token_(std::move(token)) {}
  ~TokenReservation() {
    if (token_) service_.ReleaseTransactionToken(*token_, /*committed=*/false);
  }
  TokenReservation(const TokenReservation&) = delete;
  TokenReservation& operator=(const TokenReservation&) = delete;
  // The token now belongs to the submitted transaction's completion.
  std::optional<std::string> Hand() { return std::exchange(token_, std::nullopt); }

 private:
  DynamoDbService& service_;
  std::optional<std::string> token_;
};

void DynamoDbService::ReleaseTransactionToken(const std::string& token, bool committed) {
  std::lock_guard lock(tokens_mu_);
  auto it = tokens_.find(token);
  if (it == tokens_.end() || !it->second.in_progress) return;
  if (committed) {
    it->second.in_progress = false;
  } else {
    tokens_.erase(it);
  }
}

void DynamoDbService::TransactWriteItems(CallPtr call) {
  json::object& in = call->mutable_input();
  const auto token = InputStringView(in, "ClientRequestToken");
  std::string fingerprint;
  const int64_t token_expiry = clock_.NowMicros() + kTokenLifetimeMicros;
  if (token) {
    json::object copy = in;
    copy.erase("ClientRequestToken");
    fingerprint = json::serialize(copy);
    std::lock_guard lock(tokens_mu_);
    const int64_t now = clock_.NowMicros();
    auto [it, fresh] = tokens_.try_emplace(std::string(*token));
    if (!fresh && it->second.expiry_micros > now) {
      if (it->second.fingerprint != fingerprint) {
        return call->Fail(ToAwsError(DynamoStatus(
            DynamoError::kIdempotentParameterMismatch,
            "Request token mismatch: the request with this ClientRequestToken was different")));
      }
      if (it->second.in_progress) {
        return call->Fail(ToAwsError(
            DynamoStatus(DynamoError::kTransactionInProgress,
                         "The transaction with the given request token is already in progress.")));
      }
      return call->Reply(json::object{});  // already applied
    }
    it->second = {fingerprint, token_expiry, /*in_progress=*/true};
  }
  TokenReservation reservation(*this, token ? std::optional<std::string>(*token) : std::nullopt);

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

  auto locks = LockTables(tables);
  // Conflicts and conditions: one reason per item.
  std::vector<std::optional<json::object>> olds(writes.size());
  json::array reasons;
  bool failed = false;
  for (size_t i = 0; i < writes.size(); ++i) {
    PreparedWrite& w = writes[i];
    if (w.table->InTransaction(w.key)) {
      failed = true;
      reasons.push_back(ConflictReason());
      continue;
    }
    auto old = w.table->ReadItem(store_, w.key);
    if (!old.ok()) return call->Fail(ToAwsError(old.status()));
    const bool ok = !w.condition || EvaluateCondition(*w.condition, *old ? **old : json::object());
    failed |= !ok;
    json::object reason{{"Code", ok ? "None" : "ConditionalCheckFailed"}};
    if (!ok) {
      reason["Message"] = "The conditional request failed";
      if (w.old_on_failure && *old) reason["Item"] = **old;
    }
    reasons.push_back(std::move(reason));
    olds[i] = std::move(*old);
  }
  if (failed) return call->Fail(Canceled(reasons));

  // Every new item is made and checked before anything is staged: a request refused here
  // leaves no trace in the tables' pending state.
  std::vector<std::optional<json::object>> nexts(writes.size());
  std::vector<bool> writes_item(writes.size(), false);
  json::object collections;             // ItemCollectionMetrics: table name -> [metrics...]
  std::map<std::string, double> units;  // ConsumedCapacity: two write units per KB and item
  for (size_t i = 0; i < writes.size(); ++i) {
    PreparedWrite& w = writes[i];
    Table& t = *w.table;
    if (w.kind != PreparedWrite::kCheck) AppendItemCollectionMetrics(in, t, w.object, collections);
    const json::object* written = w.kind == PreparedWrite::kPut ? &w.object : nullptr;
    if (written == nullptr && olds[i]) written = &*olds[i];
    units[t.name] += 2 * WriteUnits(written != nullptr ? ItemSize(*written) : 0);
    switch (w.kind) {
      case PreparedWrite::kCheck:
        continue;
      case PreparedWrite::kDelete:
        writes_item[i] = olds[i].has_value();
        continue;
      case PreparedWrite::kPut:
        nexts[i] = std::move(w.object);
        break;
      case PreparedWrite::kUpdate: {
        json::object item = olds[i] ? *olds[i] : w.object;
        if (Status s = ApplyUpdate(w.actions, item); !s.ok()) return call->Fail(ToAwsError(s));
        nexts[i] = std::move(item);
        break;
      }
    }
    if (ItemSize(*nexts[i]) > kMaxItemSize) {
      return call->Fail(ToAwsError(Invalid("Item size has exceeded the maximum allowed size")));
    }
    if (Status s = t.CheckIndexKeys(*nexts[i]); !s.ok()) return call->Fail(ToAwsError(s));
    writes_item[i] = true;
  }

  storage::WriteBatch batch;
  std::map<Table*, std::vector<std::pair<std::string, uint64_t>>> versions;
  std::map<Table*, bool> streamed;
  const uint64_t transaction_id = next_transaction_id_.fetch_add(1, std::memory_order_relaxed);
  for (size_t i = 0; i < writes.size(); ++i) {
    PreparedWrite& w = writes[i];
    Table& t = *w.table;
    t.transacting.emplace(w.key, transaction_id);
    if (!writes_item[i]) continue;
    if (StageChange(t, ItemChange{w.key, std::move(olds[i]), std::move(nexts[i])}, batch,
                    versions[&t])) {
      streamed[&t] = true;
    }
  }
  if (token) {
    batch.Put(keyspace::TokenKey(*token), json::serialize(json::object{{"fingerprint", fingerprint},
                                                                       {"expiry", token_expiry}}));
  }
  std::vector<std::pair<std::shared_ptr<Table>, std::vector<std::pair<std::string, uint64_t>>>>
      staged;
  std::vector<std::pair<std::shared_ptr<Table>, uint64_t>> streams;
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  // The markers to clear once the commit completes, by table.
  std::vector<std::pair<std::shared_ptr<Table>, std::vector<std::string>>> claimed;
  for (auto& t : tables) {
    std::vector<std::string> keys;
    for (const auto& w : writes) {
      if (w.table == t) keys.push_back(w.key);
    }
    claimed.emplace_back(t, std::move(keys));
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
                [this, call, output = std::move(output), claimed = std::move(claimed),
                 transaction_id, token = reservation.Hand()](const Status& st) mutable {
                  for (const auto& [t, keys] : claimed) {
                    std::lock_guard lock(t->mu);
                    for (const auto& key : keys) {
                      auto it = t->transacting.find(key);
                      if (it != t->transacting.end() && it->second == transaction_id) {
                        t->transacting.erase(it);
                      }
                    }
                  }
                  if (token) ReleaseTransactionToken(*token, st.ok());
                  if (st.ok()) {
                    call->Reply(std::move(output));
                  } else {
                    call->Fail(ToAwsError(st));
                  }
                });
}

}  // namespace tidepool::dynamodb
