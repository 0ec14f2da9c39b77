// API keys, usage plans and their keys, GetUsage, and the invoke-time key check.
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdio>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/keyspace.h"
#include "services/apigateway/patch.h"
#include "services/apigateway/records.h"
#include "services/write_path.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// Whether `list` (a JSON array of strings, or anything else) holds `item`.
bool ListHas(const json::value* list, std::string_view item) {
  if (list == nullptr || !list->is_array()) return false;
  for (const json::value& v : list->get_array()) {
    if (v.is_string() && v.get_string() == item) return true;
  }
  return false;
}

bool BoolField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_bool() && v->get_bool();
}

double NumberField(const json::object& o, std::string_view key, double fallback) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return fallback;
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_double()) return v->get_double();
  return fallback;
}

// An ApiKey as the API returns it: the value only when asked for.
json::object KeyView(const json::object& key, bool include_value) {
  json::object out = key;
  if (!include_value) out.erase("value");
  return out;
}

json::object PlanKeyView(const json::object& key) {
  json::object out{{"id", key.at("id")}, {"type", "API_KEY"}};
  CopyMembers(key, {"value", "name"}, out);
  return out;
}

RateLimit RateOf(const json::object* throttle) {
  RateLimit limit;
  if (throttle == nullptr) return limit;
  limit.rate = NumberField(*throttle, "rateLimit", 0);
  limit.burst = static_cast<int64_t>(NumberField(*throttle, "burstLimit", 0));
  return limit;
}

Quota QuotaOf(const json::object* quota) {
  Quota q;
  if (quota == nullptr) return q;
  q.limit = static_cast<int64_t>(NumberField(*quota, "limit", -1));
  q.period = StringField(*quota, "period");
  return q;
}

Result<std::chrono::sys_days> ParseDay(const std::string& text) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) {
    return BadRequest("Invalid date format: " + text);
  }
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok()) return BadRequest("Invalid date: " + text);
  return std::chrono::sys_days(ymd);
}

}  // namespace

void ApiGatewayService::CommitUsage(storage::WriteBatch batch, CallPtr call, json::object output) {
  services::SubmitForCall(
      commits_, std::move(batch), call,
      services::ReplyWhenCommitted(call, std::move(output), &ToAwsError, "apigateway"),
      &ToAwsError);
}

void ApiGatewayService::CreateApiKey(CallPtr call) {
  const json::object& in = call->input();
  if (in.contains("stageKeys")) {
    return Fail(call, BadRequest("tidepool does not support stageKeys; use usage plans"));
  }
  std::lock_guard lock(usage_mu_);
  std::string value = StringField(in, "value");
  if (value.empty()) {
    value = NewId(40);
  } else if (value.size() < 20) {
    return Fail(call, BadRequest("API Key value should be at least 20 characters"));
  }
  if (key_ids_by_value_.contains(value)) {
    return Fail(call, Conflict("API Key already exists"));
  }
  std::string id;
  do {
    id = NewId(10);
  } while (api_keys_.contains(id));
  json::object key{{"id", id},
                   {"value", value},
                   {"enabled", BoolField(in, "enabled")},
                   {"createdDate", Now()},
                   {"lastUpdatedDate", Now()},
                   {"stageKeys", json::array()}};
  CopyMembers(in, {"name", "description", "customerId", "tags"}, key);
  json::object record{
      {"account", call->context().account_id}, {"region", call->context().region}, {"key", key}};
  storage::WriteBatch batch;
  batch.Put(keyspace::KeyKey(id), EncodeRecord(record));
  api_keys_[id] = std::move(record);
  key_ids_by_value_[value] = id;
  CommitUsage(std::move(batch), call, std::move(key));
}

void ApiGatewayService::GetApiKey(CallPtr call) {
  std::lock_guard lock(usage_mu_);
  auto it = api_keys_.find(StringField(call->input(), "apiKey"));
  if (it == api_keys_.end() || !OwnedByCaller(it->second, *call)) {
    return Fail(call, NotFound("Invalid API Key identifier specified"));
  }
  call->Reply(KeyView(ObjectField(it->second, "key"), BoolField(call->input(), "includeValue")));
}

void ApiGatewayService::GetApiKeys(CallPtr call) {
  const json::object& in = call->input();
  std::string name_query = StringField(in, "nameQuery");
  std::string customer = StringField(in, "customerId");
  std::vector<json::value> items;
  {
    std::lock_guard lock(usage_mu_);
    for (auto& [id, record] : api_keys_) {
      if (!OwnedByCaller(record, *call)) continue;
      const json::object& key = ObjectField(record, "key");
      if (!name_query.empty() && StringField(key, "name").rfind(name_query, 0) != 0) continue;
      if (!customer.empty() && StringField(key, "customerId") != customer) continue;
      items.push_back(KeyView(key, BoolField(in, "includeValues")));
    }
  }
  json::object out;
  if (Status s = PageInto(in, std::move(items), out); !s.ok()) return Fail(call, s);
  call->Reply(std::move(out));
}

void ApiGatewayService::UpdateApiKey(CallPtr call) {
  std::lock_guard lock(usage_mu_);
  auto it = api_keys_.find(StringField(call->input(), "apiKey"));
  if (it == api_keys_.end() || !OwnedByCaller(it->second, *call)) {
    return Fail(call, NotFound("Invalid API Key identifier specified"));
  }
  json::object record = it->second;
  json::object& key = ObjectField(record, "key");
  const auto& model = Model();
  if (Status s = ApplyPatch(model, model.FindShape("ApiKey"), PatchOperationsOf(call->input()), key,
                            {"id", "value", "createdDate", "lastUpdatedDate", "stageKeys"});
      !s.ok()) {
    return Fail(call, s);
  }
  key["lastUpdatedDate"] = Now();
  json::object out = KeyView(key, false);
  storage::WriteBatch batch;
  batch.Put(keyspace::KeyKey(it->first), EncodeRecord(record));
  it->second = std::move(record);
  CommitUsage(std::move(batch), call, std::move(out));
}

void ApiGatewayService::DeleteApiKey(CallPtr call) {
  std::lock_guard lock(usage_mu_);
  std::string id = StringField(call->input(), "apiKey");
  auto it = api_keys_.find(id);
  if (it == api_keys_.end() || !OwnedByCaller(it->second, *call)) {
    return Fail(call, NotFound("Invalid API Key identifier specified"));
  }
  storage::WriteBatch batch;
  batch.Delete(keyspace::KeyKey(id));
  key_ids_by_value_.erase(StringField(ObjectField(it->second, "key"), "value"));
  api_keys_.erase(it);
  // The key leaves every plan it was in, in the same batch.
  for (auto& [plan_id, plan] : usage_plans_) {
    json::value* keys = plan.if_contains("keys");
    if (keys == nullptr || !keys->is_array()) continue;
    json::array& list = keys->get_array();
    for (auto k = list.begin(); k != list.end(); ++k) {
      if (k->is_string() && k->get_string() == id) {
        list.erase(k);
        batch.Put(keyspace::PlanKey(plan_id), EncodeRecord(plan));
        break;
      }
    }
  }
  CommitUsage(std::move(batch), call, {});
}

void ApiGatewayService::CreateUsagePlan(CallPtr call) {
  const json::object& in = call->input();
  json::object plan;
  CopyMembers(in, {"name", "description", "apiStages", "throttle", "quota", "tags"}, plan);
  if (const json::value* stages = plan.if_contains("apiStages"); stages && stages->is_array()) {
    for (const json::value& st : stages->get_array()) {
      const json::object* s = st.if_object();
      RestApiPtr api = s ? FindApiById(StringField(*s, "apiId")) : nullptr;
      bool found = false;
      if (api && api->account == call->context().account_id) {
        std::lock_guard lock(api->mu);
        found = FindObject(ObjectField(api->doc, "stages"), StringField(*s, "stage")) != nullptr;
      }
      if (!found) {
        return Fail(call, BadRequest("Invalid API Stage {api: " +
                                     (s ? StringField(*s, "apiId") : std::string()) +
                                     ", stage: " + (s ? StringField(*s, "stage") : std::string()) +
                                     "} specified for usageplan"));
      }
      if (s->contains("throttle")) {
        return Fail(call, BadRequest("tidepool does not support per-method throttles in usage "
                                     "plans yet"));
      }
    }
  }
  std::lock_guard lock(usage_mu_);
  std::string id;
  do {
    id = NewId(6);
  } while (usage_plans_.contains(id));
  plan["id"] = id;
  json::object record{{"account", call->context().account_id},
                      {"region", call->context().region},
                      {"plan", plan},
                      {"keys", json::array()}};
  storage::WriteBatch batch;
  batch.Put(keyspace::PlanKey(id), EncodeRecord(record));
  usage_plans_[id] = std::move(record);
  CommitUsage(std::move(batch), call, std::move(plan));
}

void ApiGatewayService::GetUsagePlan(CallPtr call) {
  std::lock_guard lock(usage_mu_);
  auto it = usage_plans_.find(StringField(call->input(), "usagePlanId"));
  if (it == usage_plans_.end() || !OwnedByCaller(it->second, *call)) {
    return Fail(call, NotFound("Invalid Usage Plan ID specified"));
  }
  call->Reply(ObjectField(it->second, "plan"));
}

void ApiGatewayService::GetUsagePlans(CallPtr call) {
  std::string key_id = StringField(call->input(), "keyId");
  std::vector<json::value> items;
  {
    std::lock_guard lock(usage_mu_);
    for (auto& [id, record] : usage_plans_) {
      if (!OwnedByCaller(record, *call)) continue;
      if (!key_id.empty()) {
        if (!ListHas(record.if_contains("keys"), key_id)) continue;
      }
      items.push_back(ObjectField(record, "plan"));
    }
  }
  json::object out;
  if (Status s = PageInto(call->input(), std::move(items), out); !s.ok()) return Fail(call, s);
  call->Reply(std::move(out));
}

void ApiGatewayService::UpdateUsagePlan(CallPtr call) {
  std::lock_guard lock(usage_mu_);
  auto it = usage_plans_.find(StringField(call->input(), "usagePlanId"));
  if (it == usage_plans_.end() || !OwnedByCaller(it->second, *call)) {
    return Fail(call, NotFound("Invalid Usage Plan ID specified"));
  }
  json::object record = it->second;
  json::object& plan = ObjectField(record, "plan");
  std::vector<PatchOperation> rest;
  for (const PatchOperation& op : PatchOperationsOf(call->input())) {
    if (op.path != "/apiStages") {
      if (op.path.rfind("/apiStages", 0) == 0) {
        return Fail(call, BadRequest("tidepool does not support per-method throttles in usage "
                                     "plans yet"));
      }
      rest.push_back(op);
      continue;
    }
    // "add"/"remove" with value "<apiId>:<stage>".
    size_t colon = op.value.find(':');
    if (colon == std::string::npos || (op.op != "add" && op.op != "remove")) {
      return Fail(call, BadRequest("Invalid patch operation on /apiStages"));
    }
    json::object stage{{"apiId", op.value.substr(0, colon)}, {"stage", op.value.substr(colon + 1)}};
    json::value& list = plan["apiStages"];
    if (!list.is_array()) list = json::array();
    json::array& stages = list.get_array();
    auto found = std::find(stages.begin(), stages.end(), json::value(stage));
    if (op.op == "remove") {
      if (found == stages.end()) return Fail(call, NotFound("Invalid API Stage specified"));
      stages.erase(found);
    } else if (found == stages.end()) {
      stages.push_back(stage);
    }
  }
  const auto& model = Model();
  if (Status s = ApplyPatch(model, model.FindShape("UsagePlan"), rest, plan, {"id", "apiStages"});
      !s.ok()) {
    return Fail(call, s);
  }
  json::object out = plan;
  storage::WriteBatch batch;
  batch.Put(keyspace::PlanKey(it->first), EncodeRecord(record));
  it->second = std::move(record);
  CommitUsage(std::move(batch), call, std::move(out));
}

void ApiGatewayService::DeleteUsagePlan(CallPtr call) {
  std::lock_guard lock(usage_mu_);
  std::string id = StringField(call->input(), "usagePlanId");
  auto it = usage_plans_.find(id);
  if (it == usage_plans_.end() || !OwnedByCaller(it->second, *call)) {
    return Fail(call, NotFound("Invalid Usage Plan ID specified"));
  }
  storage::WriteBatch batch;
  if (const json::value* keys = it->second.if_contains("keys"); keys && keys->is_array()) {
    for (const json::value& k : keys->get_array()) {
      if (k.is_string()) batch.Delete(keyspace::UsageKey(id, k.get_string()));
    }
  }
  usage_plans_.erase(it);
  batch.Delete(keyspace::PlanKey(id));
  CommitUsage(std::move(batch), call, {});
}

void ApiGatewayService::CreateUsagePlanKey(CallPtr call) {
  const json::object& in = call->input();
  if (StringField(in, "keyType") != "API_KEY") {
    return Fail(call, BadRequest("Invalid key type specified. Valid options are API_KEY"));
  }
  std::lock_guard lock(usage_mu_);
  auto plan = usage_plans_.find(StringField(in, "usagePlanId"));
  if (plan == usage_plans_.end() || !OwnedByCaller(plan->second, *call)) {
    return Fail(call, NotFound("Invalid Usage Plan ID specified"));
  }
  std::string key_id = StringField(in, "keyId");
  auto key = api_keys_.find(key_id);
  if (key == api_keys_.end() || !OwnedByCaller(key->second, *call)) {
    return Fail(call, NotFound("Invalid API Key identifier specified"));
  }
  json::object record = plan->second;
  json::value& keys = record["keys"];
  if (!keys.is_array()) keys = json::array();
  if (ListHas(&keys, key_id)) {
    return Fail(call, Conflict("API Key " + key_id + " is already in usage plan " + plan->first));
  }
  keys.get_array().emplace_back(json::string(key_id));
  storage::WriteBatch batch;
  batch.Put(keyspace::PlanKey(plan->first), EncodeRecord(record));
  plan->second = std::move(record);
  CommitUsage(std::move(batch), call, PlanKeyView(ObjectField(key->second, "key")));
}

void ApiGatewayService::GetUsagePlanKey(CallPtr call) {
  std::lock_guard lock(usage_mu_);
  auto plan = usage_plans_.find(StringField(call->input(), "usagePlanId"));
  if (plan == usage_plans_.end() || !OwnedByCaller(plan->second, *call)) {
    return Fail(call, NotFound("Invalid Usage Plan ID specified"));
  }
  std::string key_id = StringField(call->input(), "keyId");
  auto key = api_keys_.find(key_id);
  if (!ListHas(plan->second.if_contains("keys"), key_id) || key == api_keys_.end()) {
    return Fail(call, NotFound("Invalid Usage Plan Key identifier specified"));
  }
  call->Reply(PlanKeyView(ObjectField(key->second, "key")));
}

void ApiGatewayService::GetUsagePlanKeys(CallPtr call) {
  std::string name_query = StringField(call->input(), "nameQuery");
  std::vector<json::value> items;
  {
    std::lock_guard lock(usage_mu_);
    auto plan = usage_plans_.find(StringField(call->input(), "usagePlanId"));
    if (plan == usage_plans_.end() || !OwnedByCaller(plan->second, *call)) {
      return Fail(call, NotFound("Invalid Usage Plan ID specified"));
    }
    const json::value* keys = plan->second.if_contains("keys");
    if (keys && keys->is_array()) {
      for (const auto& k : keys->get_array()) {
        auto key = k.is_string() ? api_keys_.find(std::string(k.get_string())) : api_keys_.end();
        if (key == api_keys_.end()) continue;
        const json::object& body = ObjectField(key->second, "key");
        if (!name_query.empty() && StringField(body, "name").rfind(name_query, 0) != 0) continue;
        items.push_back(PlanKeyView(body));
      }
    }
  }
  json::object out;
  if (Status s = PageInto(call->input(), std::move(items), out); !s.ok()) return Fail(call, s);
  call->Reply(std::move(out));
}

void ApiGatewayService::DeleteUsagePlanKey(CallPtr call) {
  std::lock_guard lock(usage_mu_);
  auto plan = usage_plans_.find(StringField(call->input(), "usagePlanId"));
  if (plan == usage_plans_.end() || !OwnedByCaller(plan->second, *call)) {
    return Fail(call, NotFound("Invalid Usage Plan ID specified"));
  }
  std::string key_id = StringField(call->input(), "keyId");
  json::object record = plan->second;
  json::value& keys = record["keys"];
  bool removed = false;
  if (keys.is_array()) {
    json::array& list = keys.get_array();
    for (auto k = list.begin(); k != list.end(); ++k) {
      if (k->is_string() && k->get_string() == key_id) {
        list.erase(k);
        removed = true;
        break;
      }
    }
  }
  if (!removed) return Fail(call, NotFound("Invalid Usage Plan Key identifier specified"));
  storage::WriteBatch batch;
  batch.Put(keyspace::PlanKey(plan->first), EncodeRecord(record));
  batch.Delete(keyspace::UsageKey(plan->first, key_id));
  plan->second = std::move(record);
  CommitUsage(std::move(batch), call, {});
}

void ApiGatewayService::GetUsage(CallPtr call) {
  const json::object& in = call->input();
  auto start = ParseDay(StringField(in, "startDate"));
  if (!start.ok()) return Fail(call, start.status());
  auto end = ParseDay(StringField(in, "endDate"));
  if (!end.ok()) return Fail(call, end.status());
  if (*end < *start || (*end - *start).count() > 90) {
    return Fail(call, BadRequest("The usage data period must be between 1 and 90 days"));
  }
  std::string only_key = StringField(in, "keyId");
  std::lock_guard lock(usage_mu_);
  auto plan = usage_plans_.find(StringField(in, "usagePlanId"));
  if (plan == usage_plans_.end() || !OwnedByCaller(plan->second, *call)) {
    return Fail(call, NotFound("Invalid Usage Plan ID specified"));
  }
  const json::object& body = ObjectField(plan->second, "plan");
  Quota quota = QuotaOf(FindObject(body, "quota"));
  const int64_t now = clock_.NowMillis();
  json::object items;
  const json::value* keys = plan->second.if_contains("keys");
  if (keys && keys->is_array()) {
    for (const auto& k : keys->get_array()) {
      if (!k.is_string() || (!only_key.empty() && k.get_string() != only_key)) continue;
      std::string key_id(k.get_string());
      auto daily = meter_.DailyUsage(plan->first, key_id);
      int64_t remaining = meter_.Remaining(plan->first, key_id, quota, now);
      json::array days;
      for (auto day = *start; day <= *end; day += std::chrono::days(1)) {
        int64_t ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(day.time_since_epoch()).count();
        auto it = daily.find(UsageMeter::DayOf(ms));
        days.push_back(json::array{it == daily.end() ? 0 : it->second, remaining});
      }
      items[key_id] = std::move(days);
    }
  }
  call->Reply(json::object{{"usagePlanId", plan->first},
                           {"startDate", StringField(in, "startDate")},
                           {"endDate", StringField(in, "endDate")},
                           {"items", std::move(items)}});
}

void ApiGatewayService::AdmitApiKey(const std::string& api_id, const std::string& stage,
                                    const std::string& value, KeyAdmitted admitted) {
  std::string plan_id, key_id;
  RateLimit rate;
  Quota quota;
  {
    std::lock_guard lock(usage_mu_);
    auto id = key_ids_by_value_.find(value);
    if (id == key_ids_by_value_.end()) return admitted(KeyVerdict::kForbidden, "");
    auto key = api_keys_.find(id->second);
    if (key == api_keys_.end() || !BoolField(ObjectField(key->second, "key"), "enabled")) {
      return admitted(KeyVerdict::kForbidden, "");
    }
    for (auto& [pid, record] : usage_plans_) {
      if (!ListHas(record.if_contains("keys"), id->second)) continue;
      const json::object& plan = ObjectField(record, "plan");
      const json::value* stages = plan.if_contains("apiStages");
      bool has_stage = false;
      if (stages && stages->is_array()) {
        for (const auto& st : stages->get_array()) {
          const json::object* s = st.if_object();
          has_stage = has_stage || (s && StringField(*s, "apiId") == api_id &&
                                    StringField(*s, "stage") == stage);
        }
      }
      if (!has_stage) continue;
      plan_id = pid;
      rate = RateOf(FindObject(plan, "throttle"));
      quota = QuotaOf(FindObject(plan, "quota"));
      key_id = id->second;
      break;
    }
  }
  if (plan_id.empty()) return admitted(KeyVerdict::kForbidden, "");
  const int64_t now = clock_.NowMillis();
  if (!meter_.TakeToken(plan_id + "/" + key_id, rate, now)) {
    return admitted(KeyVerdict::kThrottled, key_id);
  }
  std::lock_guard lock(usage_write_mu_);
  UsageCount count;
  if (!meter_.CountRequest(plan_id, key_id, quota, now, &count)) {
    return admitted(KeyVerdict::kQuotaExceeded, key_id);
  }
  storage::WriteBatch batch;
  batch.Put(keyspace::UsageKey(plan_id, key_id), EncodeUsage(count));
  Status st =
      commits_.Submit(std::move(batch), [this, admitted, key_id](const Status& committed) mutable {
        KeyVerdict verdict = committed.ok() ? KeyVerdict::kAccepted : KeyVerdict::kUnavailable;
        boost::asio::post(io_, [admitted = std::move(admitted), verdict, key_id]() mutable {
          admitted(verdict, std::move(key_id));
        });
      });
  if (!st.ok()) admitted(KeyVerdict::kUnavailable, key_id);
}

}  // namespace tidepool::apigateway
