// ImportApiKeys (the CSV file of api_key_csv.h) and UpdateUsage (a grant to the remaining quota
// of a key in a usage plan).
#include <boost/json.hpp>

#include <cstdlib>
#include <set>

#include "services/apigateway/api_key_csv.h"
#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/keyspace.h"
#include "services/apigateway/patch.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// Adds `id` to the "keys" of a UsagePlanRecord; false when it was there.
bool AddPlanKey(json::object& plan, const std::string& id) {
  json::value& keys = plan["keys"];
  if (!keys.is_array()) keys = json::array();
  for (const json::value& k : keys.get_array()) {
    if (k.is_string() && k.get_string() == id) return false;
  }
  keys.get_array().push_back(json::string(id));
  return true;
}

}  // namespace

void ApiGatewayService::ImportApiKeys(CallPtr call) {
  const json::object& in = call->input();
  if (StringField(in, "format") != "csv") {
    return Fail(call, BadRequest("Invalid format: only csv is supported"));
  }
  auto file = ParseApiKeyCsv(StringField(in, "body"));
  if (!file.ok()) return Fail(call, file.status());
  const json::value* fail_on = in.if_contains("failOnWarnings");
  const bool fail_on_warnings = fail_on != nullptr && fail_on->is_bool() && fail_on->get_bool();
  std::lock_guard lock(usage_mu_);
  // Rows naming a plan the caller does not have, or a key value another account holds, are
  // warnings too.
  std::vector<const ImportedApiKey*> rows;
  for (const ImportedApiKey& key : file->keys) {
    std::string problem;
    for (const std::string& plan : key.usage_plan_ids) {
      auto it = usage_plans_.find(plan);
      if (it == usage_plans_.end() || !OwnedByCaller(it->second, *call)) {
        problem = "Invalid usage plan identifier " + plan;
      }
    }
    if (auto id = key_ids_by_value_.find(key.value); id != key_ids_by_value_.end()) {
      if (!OwnedByCaller(api_keys_.at(id->second), *call)) problem = "API Key already exists";
    }
    if (!problem.empty()) {
      file->warnings.push_back("Line " + std::to_string(key.line) + ": " + problem);
      continue;
    }
    rows.push_back(&key);
  }
  if (fail_on_warnings && !file->warnings.empty()) {
    std::string message = "Warnings found during import:";
    for (const std::string& w : file->warnings) message += " " + w + ";";
    return Fail(call, BadRequest(message));
  }
  storage::WriteBatch batch;
  json::array ids;
  std::set<std::string> plans_changed;
  for (const ImportedApiKey* row : rows) {
    std::string id;
    json::object record;
    if (auto found = key_ids_by_value_.find(row->value); found != key_ids_by_value_.end()) {
      id = found->second;  // the same value imported again: the latest row wins
      record = api_keys_.at(id);
    } else {
      do {
        id = NewId(10);
      } while (api_keys_.contains(id));
      record = json::object{{"account", call->context().account_id},
                            {"region", call->context().region},
                            {"key", json::object{{"id", id},
                                                 {"value", row->value},
                                                 {"createdDate", Now()},
                                                 {"stageKeys", json::array()}}}};
    }
    json::object& key = ObjectField(record, "key");
    key["name"] = row->name;
    key["description"] = row->description;
    key["enabled"] = row->enabled;
    key["lastUpdatedDate"] = Now();
    batch.Put(keyspace::KeyKey(id), EncodeRecord(record));
    api_keys_[id] = std::move(record);
    key_ids_by_value_[row->value] = id;
    for (const std::string& plan : row->usage_plan_ids) {
      if (AddPlanKey(usage_plans_.at(plan), id)) plans_changed.insert(plan);
    }
    ids.push_back(json::string(id));
  }
  for (const std::string& plan : plans_changed) {
    batch.Put(keyspace::PlanKey(plan), EncodeRecord(usage_plans_.at(plan)));
  }
  json::array warnings;
  for (std::string& w : file->warnings) warnings.push_back(json::string(std::move(w)));
  CommitUsage(std::move(batch), call,
              json::object{{"ids", std::move(ids)}, {"warnings", std::move(warnings)}});
}

void ApiGatewayService::UpdateUsage(CallPtr call) {
  const json::object& in = call->input();
  std::string key_id = StringField(in, "keyId");
  std::lock_guard lock(usage_mu_);
  auto plan = usage_plans_.find(StringField(in, "usagePlanId"));
  if (plan == usage_plans_.end() || !OwnedByCaller(plan->second, *call)) {
    return Fail(call, NotFound("Invalid Usage Plan ID specified"));
  }
  bool in_plan = false;
  if (const json::value* keys = plan->second.if_contains("keys"); keys && keys->is_array()) {
    for (const json::value& k : keys->get_array())
      in_plan = in_plan || (k.is_string() && k.get_string() == key_id);
  }
  if (!in_plan) return Fail(call, NotFound("Invalid Usage Plan Key identifier specified"));
  const json::object* quota_doc = FindObject(ObjectField(plan->second, "plan"), "quota");
  if (quota_doc == nullptr) return Fail(call, BadRequest("The usage plan has no quota to update"));
  Quota quota;
  if (const json::value* limit = quota_doc->if_contains("limit"); limit && limit->is_int64()) {
    quota.limit = limit->get_int64();
  }
  quota.period = StringField(*quota_doc, "period");
  int64_t remaining = -1;
  for (const PatchOperation& op : PatchOperationsOf(in)) {
    if (op.op != "replace" || op.path != "/remaining") {
      return Fail(call, BadRequest("Invalid patch operation: only replace /remaining is "
                                   "supported, not " +
                                   op.op + " " + op.path));
    }
    char* end = nullptr;
    long long v = std::strtoll(op.value.c_str(), &end, 10);
    if (op.value.empty() || *end != '\0' || v < 0) {
      return Fail(call, BadRequest("Invalid remaining quota: " + op.value));
    }
    remaining = v;
  }
  if (remaining < 0) return Fail(call, BadRequest("Specify replace /remaining"));
  const int64_t now = clock_.NowMillis();
  std::lock_guard write(usage_write_mu_);
  UsageCount count = meter_.SetRemaining(plan->first, key_id, quota, remaining, now);
  storage::WriteBatch batch;
  batch.Put(keyspace::UsageKey(plan->first, key_id), EncodeUsage(count));
  const std::string today = UsageMeter::DayOf(now);
  auto used_today = count.by_day.find(today);
  json::array day{used_today == count.by_day.end() ? 0 : used_today->second,
                  meter_.Remaining(plan->first, key_id, quota, now)};
  json::array days;  // one day: [requests, remaining] (not json::array{day}: a copy of it)
  days.push_back(std::move(day));
  CommitUsage(std::move(batch), call,
              json::object{{"usagePlanId", plan->first},
                           {"startDate", today},
                           {"endDate", today},
                           {"items", json::object{{key_id, std::move(days)}}}});
}

}  // namespace tidepool::apigateway
