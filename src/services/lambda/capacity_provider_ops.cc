// Lambda Managed Instances: capacity providers (Create/Get/Update/Delete/ListCapacityProviders,
// ListFunctionVersionsByCapacityProvider), their tags, and a function's CapacityProviderConfig.
//
// A capacity provider is stored as {"provider": CapacityProvider as AWS returns it (State
// Active), "tags": {k: v}} under keyspace::CapacityProviderKey(arn), mirrored in
// capacity_providers_ (registry_mu_). Locally no instances exist: a provider's functions run as
// local processes like any other (docs/differences.md says what its settings change).
#include <boost/json.hpp>

#include <spdlog/spdlog.h>
#include <algorithm>
#include <mutex>
#include <shared_mutex>

#include "services/lambda/keyspace.h"
#include "services/lambda/lambda_errors.h"
#include "services/lambda/lambda_service.h"
#include "services/write_path.h"
#include "storage/key_codec.h"

namespace tidepool::lambda {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr int64_t kMaxListItems = 50;
constexpr std::string_view kArnInfix = ":capacity-provider:";

// The provider name of the input's CapacityProviderName (a name or a capacity provider ARN).
std::string ProviderName(const json::object& in) {
  const std::string text = StringMember(in, "CapacityProviderName");
  size_t at = text.find(kArnInfix);
  return at == std::string::npos ? text : text.substr(at + kArnInfix.size());
}

// The capacity provider ARN a function configuration's CapacityProviderConfig names, or "".
std::string ProviderOfConfig(const json::object& config) {
  const json::value* c = config.if_contains("CapacityProviderConfig");
  if (c == nullptr || !c->is_object()) return "";
  const json::value* lmi =
      c->get_object().if_contains("LambdaManagedInstancesCapacityProviderConfig");
  return lmi && lmi->is_object() ? StringMember(lmi->get_object(), "CapacityProviderArn") : "";
}

// The record of provider `arn` (registry_mu_ held), or ResourceNotFound.
Result<json::object*> FindProvider(std::map<std::string, json::object>& providers,
                                   const std::string& arn) {
  auto it = providers.find(arn);
  if (it == providers.end()) return NotFound("Capacity provider not found: " + arn);
  return &it->second;
}

int64_t MaxItems(const json::object& in) {
  if (const json::value* v = in.if_contains("MaxItems"); v && v->is_int64()) {
    return std::clamp<int64_t>(v->get_int64(), 1, kMaxListItems);
  }
  return kMaxListItems;
}

}  // namespace

std::string LambdaService::CapacityProviderArn(const protocol::Call& call,
                                               std::string_view text) const {
  if (text.rfind("arn:", 0) == 0) return std::string(text);
  return "arn:aws:lambda:" + call.context().region + ":" + call.context().account_id +
         std::string(kArnInfix) + std::string(text);
}

Status LambdaService::RecoverCapacityProviders() {
  return ScanJsonRecords(keyspace::CapacityProviderPrefix(), "capacity provider",
                         [&](std::string_view key, json::object& record) {
                           auto arn = keyspace::ParseCapacityProviderKey(key);
                           const json::value* p = record.if_contains("provider");
                           if (!arn || p == nullptr || !p->is_object()) return false;
                           if (!record["tags"].is_object()) record["tags"] = json::object();
                           capacity_providers_[*arn] = std::move(record);
                           return true;
                         });
}

void LambdaService::CommitCapacityProvider(const std::string& arn, const json::object* record,
                                           CallPtr call, json::object output) {
  storage::WriteBatch batch;
  if (record != nullptr) {
    batch.Put(keyspace::CapacityProviderKey(arn), json::serialize(*record));
  } else {
    batch.Delete(keyspace::CapacityProviderKey(arn));
  }
  services::SubmitForCall(
      commits_, std::move(batch), call,
      services::ReplyWhenCommitted(call, std::move(output), &ToAwsError, "lambda"), &ToAwsError);
}

Status LambdaService::CheckCapacityProviderConfig(const protocol::Call& call,
                                                  const json::object& in) const {
  const json::value* c = in.if_contains("CapacityProviderConfig");
  if (c == nullptr) return Status::Ok();
  const json::value* lmi =
      c->is_object() ? c->get_object().if_contains("LambdaManagedInstancesCapacityProviderConfig")
                     : nullptr;
  if (lmi == nullptr || !lmi->is_object()) {
    return InvalidParameter(
        "CapacityProviderConfig needs a "
        "LambdaManagedInstancesCapacityProviderConfig.");
  }
  const json::object& o = lmi->get_object();
  if (const json::value* n = o.if_contains("PerExecutionEnvironmentMaxConcurrency");
      n && n->is_int64() && n->get_int64() != 1) {
    return InvalidParameter(
        "PerExecutionEnvironmentMaxConcurrency " + std::to_string(n->get_int64()) +
        " is not supported by tidepool: each of its sandboxes runs one invocation at a time, so "
        "only 1 is honoured (docs/differences.md).");
  }
  const std::string arn = StringMember(o, "CapacityProviderArn");
  std::shared_lock lock(registry_mu_);
  if (!capacity_providers_.count(arn)) {
    return InvalidParameter("The capacity provider " + arn +
                            " does not exist. Create it with CreateCapacityProvider first.");
  }
  (void)call;
  return Status::Ok();
}

Status LambdaService::CheckPublishTo(const json::object& in) {
  if (!in.contains("PublishTo")) return Status::Ok();
  return InvalidParameter("PublishTo " + StringMember(in, "PublishTo") +
                          " is not supported by tidepool: it keeps no $LATEST.PUBLISHED version. "
                          "Publish a numbered version instead (docs/differences.md).");
}

void LambdaService::CreateCapacityProvider(CallPtr call) {
  const json::object& in = call->input();
  const std::string name = ProviderName(in);
  const std::string arn = CapacityProviderArn(*call, name);
  json::object provider{{"CapacityProviderArn", arn},
                        {"State", "Active"},
                        {"VpcConfig", in.at("VpcConfig")},
                        {"PermissionsConfig", in.at("PermissionsConfig")},
                        {"InstanceRequirements", json::object{{"Architectures", {"x86_64"}}}},
                        {"CapacityProviderScalingConfig", json::object{{"ScalingMode", "Auto"}}},
                        {"LastModified", LastModified(clock_)}};
  for (std::string_view member : {"InstanceRequirements", "CapacityProviderScalingConfig"}) {
    if (const json::value* v = in.if_contains(member); v && v->is_object()) {
      json::object& target = provider[member].get_object();
      for (const auto& kv : v->get_object()) target[kv.key()] = kv.value();
    }
  }
  const json::object& req = provider["InstanceRequirements"].get_object();
  if (req.contains("AllowedInstanceTypes") && req.contains("ExcludedInstanceTypes")) {
    return Fail(call, InvalidParameter("AllowedInstanceTypes and ExcludedInstanceTypes cannot "
                                       "both be specified."));
  }
  if (const json::value* k = in.if_contains("KmsKeyArn")) provider["KmsKeyArn"] = *k;
  json::object record{{"provider", provider}, {"tags", json::object()}};
  if (const json::value* tags = in.if_contains("Tags"); tags && tags->is_object()) {
    record["tags"] = *tags;
  }
  {
    std::unique_lock lock(registry_mu_);
    if (capacity_providers_.count(arn)) {
      return Fail(call, Conflict("Capacity provider already exists: " + name));
    }
    capacity_providers_[arn] = record;
  }
  // AWS answers Pending while it sets the provider up; tidepool's is ready once durable.
  provider["State"] = "Pending";
  CommitCapacityProvider(arn, &record, call, json::object{{"CapacityProvider", provider}});
}

void LambdaService::GetCapacityProvider(CallPtr call) {
  const std::string arn = CapacityProviderArn(*call, ProviderName(call->input()));
  std::shared_lock lock(registry_mu_);
  auto record = FindProvider(capacity_providers_, arn);
  if (!record.ok()) return Fail(call, record.status());
  call->Reply(json::object{{"CapacityProvider", (*record)->at("provider")}});
}

void LambdaService::UpdateCapacityProvider(CallPtr call) {
  const json::object& in = call->input();
  const std::string arn = CapacityProviderArn(*call, ProviderName(in));
  std::unique_lock lock(registry_mu_);
  auto found = FindProvider(capacity_providers_, arn);
  if (!found.ok()) return Fail(call, found.status());
  json::object& provider = (**found)["provider"].get_object();
  if (const json::value* v = in.if_contains("CapacityProviderScalingConfig"); v && v->is_object()) {
    json::value& target = provider["CapacityProviderScalingConfig"];
    if (!target.is_object()) target = json::object();
    for (const auto& kv : v->get_object()) target.get_object()[kv.key()] = kv.value();
  }
  provider["LastModified"] = LastModified(clock_);
  json::object record = **found;
  lock.unlock();
  CommitCapacityProvider(arn, &record, call,
                         json::object{{"CapacityProvider", record.at("provider")}});
}

void LambdaService::DeleteCapacityProvider(CallPtr call) {
  const std::string arn = CapacityProviderArn(*call, ProviderName(call->input()));
  std::unique_lock lock(registry_mu_);
  auto found = FindProvider(capacity_providers_, arn);
  if (!found.ok()) return Fail(call, found.status());
  if (!FunctionVersionsOf(arn).empty()) {
    return Fail(call, Conflict("The capacity provider " + arn +
                               " is used by function versions. Delete them or move them to "
                               "another capacity provider first."));
  }
  json::object provider = (*found)->at("provider").get_object();
  capacity_providers_.erase(arn);
  lock.unlock();
  provider["State"] = "Deleting";
  CommitCapacityProvider(arn, nullptr, call, json::object{{"CapacityProvider", provider}});
}

void LambdaService::ListCapacityProviders(CallPtr call) {
  const json::object& in = call->input();
  const std::string state = StringMember(in, "State");
  const std::string marker = StringMember(in, "Marker");
  const int64_t max_items = MaxItems(in);
  const std::string prefix = CapacityProviderArn(*call, "");
  json::array list;
  std::string next;
  std::shared_lock lock(registry_mu_);
  for (auto it = capacity_providers_.lower_bound(marker.empty() ? prefix : prefix + marker);
       it != capacity_providers_.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    const json::object& provider = it->second.at("provider").get_object();
    if (!state.empty() && StringMember(provider, "State") != state) continue;
    if (static_cast<int64_t>(list.size()) == max_items) {
      next = it->first.substr(prefix.size());
      break;
    }
    list.push_back(provider);
  }
  json::object output{{"CapacityProviders", std::move(list)}};
  if (!next.empty()) output["NextMarker"] = next;
  call->Reply(std::move(output));
}

json::array LambdaService::FunctionVersionsOf(const std::string& provider_arn) const {
  json::array out;
  for (const auto& entry : functions_) {
    const std::string& function_arn = entry.first;
    const std::shared_ptr<Function>& fn = entry.second;
    std::lock_guard lock(fn->mu);
    if (fn->deleted) continue;
    auto add = [&](const FunctionRecord& r, const std::string& qualifier) {
      if (ProviderOfConfig(r.config) != provider_arn) return;
      std::string state = StringMember(r.config, "State");
      out.push_back(json::object{{"FunctionArn", function_arn + ":" + qualifier},
                                 {"State", state.empty() ? "Active" : state}});
    };
    add(fn->record, "$LATEST");
    for (const auto& [version, record] : fn->versions) add(record, std::to_string(version));
  }
  return out;
}

void LambdaService::ListFunctionVersionsByCapacityProvider(CallPtr call) {
  const json::object& in = call->input();
  const std::string arn = CapacityProviderArn(*call, ProviderName(in));
  const std::string marker = StringMember(in, "Marker");
  const int64_t max_items = MaxItems(in);
  std::shared_lock lock(registry_mu_);
  if (!capacity_providers_.count(arn)) {
    return Fail(call, NotFound("Capacity provider not found: " + arn));
  }
  json::array all = FunctionVersionsOf(arn);
  lock.unlock();
  json::array list;
  std::string next;
  bool started = marker.empty();
  for (auto& item : all) {
    const std::string fn_arn = StringMember(item.get_object(), "FunctionArn");
    if (!started) {
      started = fn_arn == marker;
      if (!started) continue;
    }
    if (static_cast<int64_t>(list.size()) == max_items) {
      next = fn_arn;
      break;
    }
    list.push_back(std::move(item));
  }
  json::object output{{"CapacityProviderArn", arn}, {"FunctionVersions", std::move(list)}};
  if (!next.empty()) output["NextMarker"] = next;
  call->Reply(std::move(output));
}

bool LambdaService::TagCapacityProvider(const CallPtr& call, std::string_view operation) {
  const json::object& in = call->input();
  const std::string resource = StringMember(in, "Resource");
  if (resource.find(kArnInfix) == std::string::npos) return false;
  std::unique_lock lock(registry_mu_);
  auto found = FindProvider(capacity_providers_, resource);
  if (!found.ok()) {
    Fail(call, found.status());
    return true;
  }
  json::object& tags = (**found)["tags"].get_object();
  if (operation == "ListTags") {
    call->Reply(json::object{{"Tags", tags}});
    return true;
  }
  if (operation == "TagResource") {
    for (const auto& kv : in.at("Tags").get_object()) tags[kv.key()] = kv.value();
  } else {
    for (const auto& key : in.at("TagKeys").get_array()) {
      if (key.is_string()) tags.erase(key.get_string());
    }
  }
  json::object record = **found;
  lock.unlock();
  CommitCapacityProvider(resource, &record, call, {});
  return true;
}

}  // namespace tidepool::lambda
