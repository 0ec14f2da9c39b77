// BatchGetItem and BatchWriteItem. A BatchWriteItem locks every table it touches (in uid
// order), reads the old items, then stages its changes in one WriteBatch. Each of its writes
// is serializable with transactions, the batch as a whole is not: a write of an item that an
// ongoing TransactWriteItems includes is not made and comes back in UnprocessedItems (AWS
// reports per-item failures of a batch there; BatchWriteItem has no conflict error).
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/dynamodb/input.h"
#include "services/dynamodb/prepared_write.h"
#include "services/dynamodb/request_parts.h"

namespace tidepool::dynamodb {
using protocol::CallPtr;

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
    auto projection = ReadGetProjection(spec);
    if (!projection.ok()) return call->Fail(ToAwsError(projection.status()));
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
  std::vector<std::string_view> request_tables;  // per write: its RequestItems key
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
      request_tables.push_back(kv.key());
    }
  }
  auto locks = LockTables(tables);
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
  json::object unprocessed;             // UnprocessedItems: RequestItems key -> [requests...]
  for (size_t i = 0; i < writes.size(); ++i) {
    PreparedWrite& w = writes[i];
    Table& t = *w.table;
    if (t.InTransaction(w.key)) {
      const bool put = w.kind == PreparedWrite::kPut;
      json::object request{{put ? "PutRequest" : "DeleteRequest",
                            json::object{{put ? "Item" : "Key", std::move(w.object)}}}};
      auto [slot, added] = unprocessed.emplace(request_tables[i], json::array{});
      slot->value().get_array().push_back(std::move(request));
      continue;
    }
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
  json::object output{{"UnprocessedItems", std::move(unprocessed)}};
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
