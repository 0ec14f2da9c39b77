// CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable, tags, TTL and the
// account-level descriptions.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/dynamodb/input.h"
#include "services/dynamodb/keyspace.h"
#include "services/write_path.h"
#include "storage/key_codec.h"

namespace tidepool::dynamodb {
using protocol::CallPtr;

namespace {

std::string IsoLabel(int64_t micros) {
  const time_t secs = static_cast<time_t>(micros / 1000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (micros / 1000) % 1000);
}

// Reads a KeySchema list into hash/range with AWS's messages.
Status ReadKeySchema(const json::array& schema, KeyAttr* hash, std::optional<KeyAttr>* range,
                     const std::map<std::string, std::string>& defs, std::string_view what) {
  (void)what;
  if (schema.empty() || schema.size() > 2)
    return Invalid("Invalid KeySchema: Some index key attribute have no definition");
  const auto& first = schema[0].get_object();
  if (InputStringView(first, "KeyType") != "HASH") {
    return Invalid("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  }
  hash->name = std::string(*InputStringView(first, "AttributeName"));
  if (schema.size() == 2) {
    const auto& second = schema[1].get_object();
    if (InputStringView(second, "KeyType") != "RANGE") {
      return Invalid("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    }
    KeyAttr r;
    r.name = std::string(*InputStringView(second, "AttributeName"));
    if (r.name == hash->name) {
      return Invalid(
          "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
    *range = r;
  }
  std::vector<std::string> missing;
  for (KeyAttr* k : {hash, *range ? &**range : nullptr}) {
    if (!k) continue;
    auto it = defs.find(k->name);
    if (it == defs.end()) {
      missing.push_back(k->name);
      continue;
    }
    k->type = TypeFromName(it->second);
  }
  if (!missing.empty()) {
    std::string keys, attrs;
    for (const auto& m : missing) keys += (keys.empty() ? "" : ", ") + m;
    for (const auto& [n, t] : defs) attrs += (attrs.empty() ? "" : ", ") + n;
    return Invalid(fmt::format(
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
        keys, attrs));
  }
  return Status::Ok();
}

Status ReadProjection(const json::object* projection, SecondaryIndex* ix) {
  if (!projection)
    return Invalid("One or more parameter values were invalid: Projection is required");
  ix->projection_type = std::string(InputStringView(*projection, "ProjectionType").value_or("ALL"));
  if (const auto* nka = InputArray(*projection, "NonKeyAttributes")) {
    if (ix->projection_type != "INCLUDE") {
      return Invalid("One or more parameter values were invalid: ProjectionType is " +
                     ix->projection_type + ", but NonKeyAttributes is specified");
    }
    for (const auto& n : *nka) ix->non_key_attributes.emplace_back(n.get_string());
  } else if (ix->projection_type == "INCLUDE") {
    return Invalid(
        "One or more parameter values were invalid: NonKeyAttributes must be specified for "
        "ProjectionType INCLUDE");
  }
  return Status::Ok();
}

Status ReadThroughput(const json::object* in, const std::string& billing, int64_t* rcu,
                      int64_t* wcu, std::string_view index) {
  if (billing == "PAY_PER_REQUEST") {
    if (in) {
      return Invalid(
          "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
          "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    }
    *rcu = *wcu = 0;
    return Status::Ok();
  }
  if (!in) {
    if (!index.empty()) {
      return Invalid(
          "One or more parameter values were invalid: ProvisionedThroughput must be specified "
          "for index: " +
          std::string(index));
    }
    return Invalid(
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
        "must both be specified when BillingMode is PROVISIONED");
  }
  *rcu = InputInt(*in, "ReadCapacityUnits").value_or(0);
  *wcu = InputInt(*in, "WriteCapacityUnits").value_or(0);
  return Status::Ok();
}

}  // namespace

void DynamoDbService::CreateTable(CallPtr call) {
  const auto& in = call->input();
  const std::string name(*InputStringView(in, "TableName"));
  auto t = std::make_shared<Table>();
  t->account = call->context().account_id;
  t->region = call->context().region;
  t->name = name;
  t->arn = fmt::format("arn:aws:dynamodb:{}:{}:table/{}", t->region, t->account, name);
  t->created = clock_.NowSeconds();

  std::map<std::string, std::string> defs;
  for (const auto& d : *InputArray(in, "AttributeDefinitions")) {
    const auto& o = d.get_object();
    std::string n(*InputStringView(o, "AttributeName"));
    if (!defs.emplace(n, std::string(*InputStringView(o, "AttributeType"))).second) {
      return call->Fail(ToAwsError(Invalid("Cannot have two attributes with the same name")));
    }
    t->attribute_definitions.emplace_back(n, std::string(*InputStringView(o, "AttributeType")));
  }
  if (Status s = ReadKeySchema(*InputArray(in, "KeySchema"), &t->hash, &t->range, defs, "");
      !s.ok()) {
    return call->Fail(ToAwsError(s));
  }
  t->billing_mode = std::string(InputStringView(in, "BillingMode").value_or("PROVISIONED"));
  if (Status s = ReadThroughput(InputObject(in, "ProvisionedThroughput"), t->billing_mode,
                                &t->read_capacity, &t->write_capacity, "");
      !s.ok()) {
    return call->Fail(ToAwsError(s));
  }
  if (t->billing_mode == "PAY_PER_REQUEST") t->billing_changed = t->created;
  std::set<std::string> used{t->hash.name};
  if (t->range) used.insert(t->range->name);
  std::set<std::string> index_names;
  for (const char* member : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
    const auto* list = InputArray(in, member);
    if (!list) continue;
    const bool global = std::string_view(member) == "GlobalSecondaryIndexes";
    for (const auto& v : *list) {
      const auto& o = v.get_object();
      SecondaryIndex ix;
      ix.global = global;
      ix.name = std::string(*InputStringView(o, "IndexName"));
      if (!index_names.insert(ix.name).second) {
        return call->Fail(ToAwsError(Invalid(
            "One or more parameter values were invalid: Duplicate index name: " + ix.name)));
      }
      if (Status s = ReadKeySchema(*InputArray(o, "KeySchema"), &ix.hash, &ix.range, defs, "");
          !s.ok()) {
        return call->Fail(ToAwsError(s));
      }
      if (!global) {
        if (!t->range) {
          return call->Fail(ToAwsError(Invalid(
              "One or more parameter values were invalid: Table KeySchema does not have a range "
              "key, which is required when specifying a LocalSecondaryIndex")));
        }
        if (ix.hash.name != t->hash.name || !ix.range) {
          return call->Fail(ToAwsError(Invalid(
              "One or more parameter values were invalid: Index KeySchema does not have the same "
              "leading hash key as table KeySchema for index: " +
              ix.name + ". index hash key: " + ix.hash.name +
              ", table hash key: " + t->hash.name)));
        }
      }
      if (Status s = ReadProjection(InputObject(o, "Projection"), &ix); !s.ok()) {
        return call->Fail(ToAwsError(s));
      }
      if (global) {
        if (Status s = ReadThroughput(InputObject(o, "ProvisionedThroughput"), t->billing_mode,
                                      &ix.read_capacity, &ix.write_capacity, ix.name);
            !s.ok()) {
          return call->Fail(ToAwsError(s));
        }
      }
      used.insert(ix.hash.name);
      if (ix.range) used.insert(ix.range->name);
      ix.id = t->next_index_id++;
      t->indexes.push_back(std::move(ix));
    }
  }
  if (used.size() != defs.size()) {
    return call->Fail(ToAwsError(
        Invalid("One or more parameter values were invalid: Number of attributes in KeySchema "
                "does not exactly match number of attributes defined in AttributeDefinitions")));
  }
  if (const auto* spec = InputObject(in, "StreamSpecification")) {
    if (InputBool(*spec, "StreamEnabled").value_or(false)) {
      auto view = InputStringView(*spec, "StreamViewType");
      if (!view) {
        return call->Fail(
            ToAwsError(Invalid("One or more parameter values were invalid: You must specify a "
                               "StreamViewType when enabling a stream")));
      }
      t->stream_enabled = true;
      t->stream_view_type = std::string(*view);
      t->stream_epoch = 1;
      t->stream_label = IsoLabel(clock_.NowMicros());
    }
  }
  if (const auto* tags = InputArray(in, "Tags")) {
    for (const auto& tv : *tags) {
      t->tags.emplace_back(std::string(*InputStringView(tv.get_object(), "Key")),
                           std::string(*InputStringView(tv.get_object(), "Value")));
    }
  }
  t->deletion_protection = InputBool(in, "DeletionProtectionEnabled").value_or(false);
  t->table_class = std::string(InputStringView(in, "TableClass").value_or("STANDARD"));

  storage::WriteBatch batch;
  if (!RegisterTable(t, batch)) {
    return call->Fail(
        ToAwsError(DynamoStatus(DynamoError::kResourceInUse, "Table already exists: " + name)));
  }
  std::lock_guard lock(t->mu);
  json::object description = t->Describe();
  description["TableStatus"] = "CREATING";
  CommitMeta(*t, call, json::object{{"TableDescription", std::move(description)}},
             std::move(batch));
}

void DynamoDbService::DescribeTable(CallPtr call) {
  auto name = *InputStringView(call->input(), "TableName");
  auto t = FindTable(call->context().account_id, call->context().region, name);
  if (!t) {
    return call->Fail(ToAwsError(
        DynamoStatus(DynamoError::kResourceNotFound,
                     fmt::format("Requested resource not found: Table: {} not found", name))));
  }
  std::lock_guard lock(t->mu);
  call->Reply(json::object{{"Table", t->Describe()}});
}

void DynamoDbService::ListTables(CallPtr call) {
  const auto& in = call->input();
  const int64_t limit = InputInt(in, "Limit").value_or(100);
  const auto start = InputStringView(in, "ExclusiveStartTableName");
  json::array names;
  std::string last;
  bool more = false;
  for (const auto& t : TablesOf(call->context().account_id, call->context().region)) {
    if (start && t->name <= *start) continue;
    if (static_cast<int64_t>(names.size()) == limit) {
      more = true;
      break;
    }
    names.push_back(json::value(t->name));
    last = t->name;
  }
  json::object out{{"TableNames", std::move(names)}};
  if (more) out["LastEvaluatedTableName"] = last;
  call->Reply(std::move(out));
}

void DynamoDbService::DeleteTable(CallPtr call) {
  auto name = *InputStringView(call->input(), "TableName");
  auto t = FindTable(call->context().account_id, call->context().region, name);
  if (!t) {
    return call->Fail(ToAwsError(
        DynamoStatus(DynamoError::kResourceNotFound,
                     fmt::format("Requested resource not found: Table: {} not found", name))));
  }
  std::lock_guard lock(t->mu);
  if (t->deletion_protection) {
    return call->Fail(ToAwsError(
        Invalid("Resource cannot be deleted as it is currently protected against deletion. "
                "Disable deletion protection first.")));
  }
  {
    std::unique_lock reg(registry_mu_);
    tables_.erase(RegistryKey(t->account, t->region, t->name));
  }
  t->status = "DELETING";
  json::object description = t->Describe();
  storage::WriteBatch batch;
  batch.Delete(keyspace::TableKey(t->uid));
  const std::string items = keyspace::ItemsPrefix(t->uid);
  batch.DeleteRange(items, storage::PrefixEnd(items));
  const std::string records = keyspace::StreamPrefix(t->uid);
  batch.DeleteRange(records, storage::PrefixEnd(records));
  services::SubmitForCall(
      commits_, std::move(batch), call,
      services::ReplyWhenCommitted(call, json::object{{"TableDescription", std::move(description)}},
                                   &ToAwsError, "dynamodb"),
      &ToAwsError);
}

void DynamoDbService::UpdateTable(CallPtr call) {
  const auto& in = call->input();
  auto resolved = ResolveTable(*call, *InputStringView(in, "TableName"));
  if (!resolved.ok()) {
    return call->Fail(
        ToAwsError(DynamoStatus(DynamoError::kResourceNotFound,
                                fmt::format("Requested resource not found: Table: {} not found",
                                            *InputStringView(in, "TableName")))));
  }
  Table& t = **resolved;
  std::lock_guard lock(t.mu);
  storage::WriteBatch extra;
  if (auto billing = InputStringView(in, "BillingMode")) {
    if (t.billing_mode != *billing) t.billing_changed = clock_.NowSeconds();
    t.billing_mode = std::string(*billing);
    if (t.billing_mode == "PAY_PER_REQUEST") {
      t.read_capacity = t.write_capacity = 0;
      for (auto& ix : t.indexes) ix.read_capacity = ix.write_capacity = 0;
    }
  }
  if (const auto* pt = InputObject(in, "ProvisionedThroughput")) {
    if (t.billing_mode == "PAY_PER_REQUEST") {
      return call->Fail(ToAwsError(
          Invalid("One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                  "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")));
    }
    t.read_capacity = InputInt(*pt, "ReadCapacityUnits").value_or(t.read_capacity);
    t.write_capacity = InputInt(*pt, "WriteCapacityUnits").value_or(t.write_capacity);
  }
  if (auto dp = InputBool(in, "DeletionProtectionEnabled")) t.deletion_protection = *dp;
  if (auto tc = InputStringView(in, "TableClass")) t.table_class = std::string(*tc);
  if (const auto* spec = InputObject(in, "StreamSpecification")) {
    const bool enable = InputBool(*spec, "StreamEnabled").value_or(false);
    if (enable) {
      if (t.stream_enabled) {
        return call->Fail(
            ToAwsError(Invalid("Table already has an enabled stream: TableName: " + t.name)));
      }
      auto view = InputStringView(*spec, "StreamViewType");
      if (!view) {
        return call->Fail(
            ToAwsError(Invalid("One or more parameter values were invalid: You must specify a "
                               "StreamViewType when enabling a stream")));
      }
      // A new stream: the previous epoch's records go.
      if (t.stream_epoch != 0) {
        const std::string old = keyspace::StreamPrefix(t.uid);
        extra.DeleteRange(old, storage::PrefixEnd(old));
      }
      t.stream_enabled = true;
      t.stream_view_type = std::string(*view);
      t.stream_epoch++;
      t.stream_label = IsoLabel(clock_.NowMicros());
      t.next_stream_seq = 1;
      t.stream_trim_seq = 1;
    } else {
      if (!t.stream_enabled) {
        return call->Fail(
            ToAwsError(Invalid("Table already has no stream enabled: TableName: " + t.name)));
      }
      t.stream_enabled = false;
    }
  }
  std::map<std::string, std::string> defs(t.attribute_definitions.begin(),
                                          t.attribute_definitions.end());
  if (const auto* more = InputArray(in, "AttributeDefinitions")) {
    for (const auto& d : *more) {
      const auto& o = d.get_object();
      defs[std::string(*InputStringView(o, "AttributeName"))] =
          std::string(*InputStringView(o, "AttributeType"));
    }
  }
  if (const auto* updates = InputArray(in, "GlobalSecondaryIndexUpdates")) {
    for (const auto& u : *updates) {
      const auto& uo = u.get_object();
      if (const auto* create = InputObject(uo, "Create")) {
        SecondaryIndex ix;
        ix.global = true;
        ix.name = std::string(*InputStringView(*create, "IndexName"));
        if (t.FindIndex(ix.name)) {
          return call->Fail(ToAwsError(Invalid(
              "One or more parameter values were invalid: Duplicate index name: " + ix.name)));
        }
        if (Status s =
                ReadKeySchema(*InputArray(*create, "KeySchema"), &ix.hash, &ix.range, defs, "");
            !s.ok()) {
          return call->Fail(ToAwsError(s));
        }
        if (Status s = ReadProjection(InputObject(*create, "Projection"), &ix); !s.ok()) {
          return call->Fail(ToAwsError(s));
        }
        if (Status s = ReadThroughput(InputObject(*create, "ProvisionedThroughput"), t.billing_mode,
                                      &ix.read_capacity, &ix.write_capacity, ix.name);
            !s.ok()) {
          return call->Fail(ToAwsError(s));
        }
        ix.id = t.next_index_id++;
        for (const KeyAttr* k : {&ix.hash, ix.range ? &*ix.range : nullptr}) {
          if (!k) continue;
          bool defined = false;
          for (auto& [n, ty] : t.attribute_definitions) defined |= n == k->name;
          if (!defined) t.attribute_definitions.emplace_back(k->name, defs[k->name]);
        }
        // Backfill: every item as the next write would see it (store, then pending).
        std::map<std::string, std::string> items;
        const std::string prefix = keyspace::IndexPrefix(t.uid, 0);
        Status scan = store_.Scan(prefix, storage::PrefixEnd(prefix),
                                  [&](std::string_view k, std::string_view v) {
                                    items.emplace(std::string(k), std::string(v));
                                    return true;
                                  });
        if (!scan.ok()) return call->Fail(ToAwsError(scan));
        for (const auto& [k, p] : t.pending) {
          if (!k.starts_with(prefix)) continue;
          if (p.value) {
            items[k] = *p.value;
          } else {
            items.erase(k);
          }
        }
        t.indexes.push_back(ix);
        Table probe_indexes;  // only the new index, to compute its entries
        probe_indexes.uid = t.uid;
        probe_indexes.hash = t.hash;
        probe_indexes.range = t.range;
        probe_indexes.indexes.push_back(ix);
        for (const auto& [k, v] : items) {
          auto item = DecodeItem(v);
          if (!item) continue;
          for (auto& [ek, ev] : probe_indexes.IndexEntries(*item, k)) {
            extra.PutOwned(std::move(ek), std::move(ev));
          }
        }
      } else if (const auto* del = InputObject(uo, "Delete")) {
        auto index_name = *InputStringView(*del, "IndexName");
        auto it = std::find_if(t.indexes.begin(), t.indexes.end(),
                               [&](const SecondaryIndex& ix) { return ix.name == index_name; });
        if (it == t.indexes.end() || !it->global) {
          return call->Fail(ToAwsError(DynamoStatus(
              DynamoError::kResourceNotFound,
              fmt::format("Requested resource not found: Index: {} not found", index_name))));
        }
        const std::string prefix = keyspace::IndexPrefix(t.uid, it->id);
        extra.DeleteRange(prefix, storage::PrefixEnd(prefix));
        t.indexes.erase(it);
      } else if (const auto* upd = InputObject(uo, "Update")) {
        auto index_name = *InputStringView(*upd, "IndexName");
        bool found = false;
        for (auto& ix : t.indexes) {
          if (ix.name != index_name || !ix.global) continue;
          found = true;
          if (const auto* pt = InputObject(*upd, "ProvisionedThroughput")) {
            ix.read_capacity = InputInt(*pt, "ReadCapacityUnits").value_or(ix.read_capacity);
            ix.write_capacity = InputInt(*pt, "WriteCapacityUnits").value_or(ix.write_capacity);
          }
        }
        if (!found) {
          return call->Fail(ToAwsError(DynamoStatus(
              DynamoError::kResourceNotFound,
              fmt::format("Requested resource not found: Index: {} not found", index_name))));
        }
      }
    }
  }
  json::object description = t.Describe();
  CommitMeta(t, call, json::object{{"TableDescription", std::move(description)}}, std::move(extra));
}

// ---------------------------------------------------------------------------- tags

void DynamoDbService::TagResource(CallPtr call) {
  auto resolved = ResolveArn(*call, *InputStringView(call->input(), "ResourceArn"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  Table& t = **resolved;
  std::lock_guard lock(t.mu);
  for (const auto& tv : *InputArray(call->input(), "Tags")) {
    std::string key(*InputStringView(tv.get_object(), "Key"));
    std::string value(*InputStringView(tv.get_object(), "Value"));
    auto it = std::find_if(t.tags.begin(), t.tags.end(), [&](auto& p) { return p.first == key; });
    if (it != t.tags.end()) {
      it->second = value;
    } else {
      t.tags.emplace_back(key, value);
    }
  }
  if (t.tags.size() > 50) {
    return call->Fail(ToAwsError(
        DynamoStatus(DynamoError::kLimitExceeded, "The number of tags exceeds the limit of 50")));
  }
  CommitMeta(t, call, json::object{});
}

void DynamoDbService::UntagResource(CallPtr call) {
  auto resolved = ResolveArn(*call, *InputStringView(call->input(), "ResourceArn"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  Table& t = **resolved;
  std::lock_guard lock(t.mu);
  for (const auto& k : *InputArray(call->input(), "TagKeys")) {
    std::string_view key = k.get_string();
    std::erase_if(t.tags, [&](auto& p) { return p.first == key; });
  }
  CommitMeta(t, call, json::object{});
}

void DynamoDbService::ListTagsOfResource(CallPtr call) {
  auto resolved = ResolveArn(*call, *InputStringView(call->input(), "ResourceArn"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  Table& t = **resolved;
  std::lock_guard lock(t.mu);
  json::array tags;
  for (const auto& [k, v] : t.tags) tags.push_back(json::object{{"Key", k}, {"Value", v}});
  call->Reply(json::object{{"Tags", std::move(tags)}});
}

// ---------------------------------------------------------------------------- TTL

void DynamoDbService::DescribeTimeToLive(CallPtr call) {
  auto resolved = ResolveTable(*call, *InputStringView(call->input(), "TableName"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  Table& t = **resolved;
  std::lock_guard lock(t.mu);
  json::object d{{"TimeToLiveStatus", t.ttl_enabled ? "ENABLED" : "DISABLED"}};
  if (t.ttl_enabled) d["AttributeName"] = t.ttl_attribute;
  call->Reply(json::object{{"TimeToLiveDescription", std::move(d)}});
}

void DynamoDbService::UpdateTimeToLive(CallPtr call) {
  auto resolved = ResolveTable(*call, *InputStringView(call->input(), "TableName"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  Table& t = **resolved;
  const auto& spec = *InputObject(call->input(), "TimeToLiveSpecification");
  const bool enabled = *InputBool(spec, "Enabled");
  const std::string attribute(*InputStringView(spec, "AttributeName"));
  std::lock_guard lock(t.mu);
  if (enabled && t.ttl_enabled) {
    return call->Fail(ToAwsError(Invalid("TimeToLive is already enabled")));
  }
  if (!enabled && !t.ttl_enabled) {
    return call->Fail(ToAwsError(Invalid("TimeToLive is already disabled")));
  }
  t.ttl_enabled = enabled;
  t.ttl_attribute = enabled ? attribute : std::string();
  CommitMeta(t, call,
             json::object{{"TimeToLiveSpecification",
                           json::object{{"Enabled", enabled}, {"AttributeName", attribute}}}});
}

// ---------------------------------------------------------------------------- account

void DynamoDbService::DescribeLimits(CallPtr call) {
  call->Reply(json::object{{"AccountMaxReadCapacityUnits", 80000},
                           {"AccountMaxWriteCapacityUnits", 80000},
                           {"TableMaxReadCapacityUnits", 40000},
                           {"TableMaxWriteCapacityUnits", 40000}});
}

void DynamoDbService::DescribeEndpoints(CallPtr call) {
  json::array endpoints;
  endpoints.push_back(
      json::object{{"Address", fmt::format("dynamodb.{}.amazonaws.com", call->context().region)},
                   {"CachePeriodInMinutes", 1440}});
  call->Reply(json::object{{"Endpoints", std::move(endpoints)}});
}

}  // namespace tidepool::dynamodb
