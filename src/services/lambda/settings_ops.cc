// GetAccountSettings, function concurrency, tags.
#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "services/lambda/lambda_errors.h"
#include "services/lambda/lambda_service.h"
#include "services/write_path.h"

namespace tidepool::lambda {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr int64_t kAccountConcurrency = 1000;
constexpr int64_t kUnreservedMinimum = 100;

}  // namespace

void LambdaService::GetAccountSettings(CallPtr call) {
  const std::string prefix =
      "arn:aws:lambda:" + call->context().region + ":" + call->context().account_id + ":function:";
  int64_t count = 0, code_size = 0, reserved = 0;
  std::vector<std::shared_ptr<Function>> all;
  {
    std::shared_lock lock(registry_mu_);
    for (auto it = functions_.lower_bound(prefix);
         it != functions_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      all.push_back(it->second);
    }
  }
  for (const auto& fn : all) {
    std::lock_guard lock(fn->mu);
    ++count;
    if (const json::value* v = fn->record.config.if_contains("CodeSize"); v && v->is_int64()) {
      code_size += v->get_int64();
    }
    reserved += fn->record.reserved_concurrency.value_or(0);
  }
  call->Reply(json::object{
      {"AccountLimit",
       json::object{{"TotalCodeSize", int64_t{80530636800}},
                    {"CodeSizeUnzipped", 262144000},
                    {"CodeSizeZipped", 52428800},
                    {"ConcurrentExecutions", kAccountConcurrency},
                    {"UnreservedConcurrentExecutions", kAccountConcurrency - reserved}}},
      {"AccountUsage", json::object{{"TotalCodeSize", code_size}, {"FunctionCount", count}}}});
}

void LambdaService::PutFunctionConcurrency(CallPtr call) {
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  int64_t n = in.at("ReservedConcurrentExecutions").as_int64();
  if (n > kAccountConcurrency - kUnreservedMinimum) {
    return Fail(call, InvalidParameter(
                          "Specified ReservedConcurrentExecutions for function decreases "
                          "account's UnreservedConcurrentExecution below its minimum value of [" +
                          std::to_string(kUnreservedMinimum) + "]."));
  }
  std::lock_guard lock((*fn)->mu);
  (*fn)->record.reserved_concurrency = n;
  CommitFunction(*fn, call, json::object{{"ReservedConcurrentExecutions", n}});
}

void LambdaService::GetFunctionConcurrency(CallPtr call) {
  auto fn = ResolveFunction(*call, StringMember(call->input(), "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  json::object output;
  if ((*fn)->record.reserved_concurrency) {
    output["ReservedConcurrentExecutions"] = *(*fn)->record.reserved_concurrency;
  }
  call->Reply(std::move(output));
}

void LambdaService::DeleteFunctionConcurrency(CallPtr call) {
  auto fn = ResolveFunction(*call, StringMember(call->input(), "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  (*fn)->record.reserved_concurrency.reset();
  CommitFunction(*fn, call, {});
}

void LambdaService::TagResource(CallPtr call) {
  if (TagCapacityProvider(call, "TagResource")) return;
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "Resource"));
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  for (const auto& kv : in.at("Tags").get_object()) (*fn)->record.tags[kv.key()] = kv.value();
  CommitFunction(*fn, call, {});
}

void LambdaService::UntagResource(CallPtr call) {
  if (TagCapacityProvider(call, "UntagResource")) return;
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "Resource"));
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  for (const auto& key : in.at("TagKeys").get_array()) {
    if (key.is_string()) (*fn)->record.tags.erase(key.get_string());
  }
  CommitFunction(*fn, call, {});
}

void LambdaService::ListTags(CallPtr call) {
  if (TagCapacityProvider(call, "ListTags")) return;
  auto fn = ResolveFunction(*call, StringMember(call->input(), "Resource"));
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  call->Reply(json::object{{"Tags", (*fn)->record.tags}});
}

}  // namespace tidepool::lambda

namespace tidepool::lambda {

namespace {

// A provisioned concurrency config as AWS shows it; `available` sandboxes run for it.
json::object ProvisionedOutput(const json::object& stored, int available) {
  json::object out = stored;
  const int64_t requested = out.at("RequestedProvisionedConcurrentExecutions").as_int64();
  out["AvailableProvisionedConcurrentExecutions"] = std::min<int64_t>(available, requested);
  out["AllocatedProvisionedConcurrentExecutions"] = std::min<int64_t>(available, requested);
  out["Status"] = available >= requested ? "READY" : "IN_PROGRESS";
  return out;
}

bool IsPublishedQualifier(const std::string& q) { return !q.empty() && q != "$LATEST"; }

}  // namespace

int LambdaService::ProvisionLocked(Function& fn, const std::string& qualifier, int count) {
  const FunctionRecord* record = RecordToRun(fn, qualifier);
  if (record == nullptr) return 0;
  auto spec = SpecFor(fn, *record);
  if (!spec.ok()) return 0;
  // A scaling config's MinExecutionEnvironments keeps at least that many warm as well.
  count = std::max(count, ScalingLimit(fn.record, (*spec)->version, "MinExecutionEnvironments"));
  return invoker_.Provision(*spec, count);
}

void LambdaService::PutProvisionedConcurrencyConfig(CallPtr call) {
  const json::object& in = call->input();
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  if (!IsPublishedQualifier(qualifier)) {
    return Fail(call, InvalidParameter("Provisioned Concurrency Configs cannot be applied to "
                                       "unpublished function versions."));
  }
  const int64_t n = in.at("ProvisionedConcurrentExecutions").as_int64();
  if (n < 1 || n > kAccountConcurrency - kUnreservedMinimum) {
    return Fail(call, InvalidParameter("ProvisionedConcurrentExecutions must be between 1 and " +
                                       std::to_string(kAccountConcurrency - kUnreservedMinimum)));
  }
  std::lock_guard lock((*fn)->mu);
  FunctionRecord& r = (*fn)->record;
  if (r.reserved_concurrency && n > *r.reserved_concurrency) {
    return Fail(call, InvalidParameter("Requested Provisioned Concurrency should not be greater "
                                       "than the reservedConcurrentExecution for function"));
  }
  json::object stored{{"FunctionArn", StringMember(r.config, "FunctionArn") + ":" + qualifier},
                      {"RequestedProvisionedConcurrentExecutions", n},
                      {"LastModified", LastModified(clock_)}};
  r.provisioned[qualifier] = stored;
  ProvisionLocked(**fn, qualifier, static_cast<int>(n));
  // AWS answers IN_PROGRESS and turns READY once the environments are up.
  json::object output = ProvisionedOutput(stored, 0);
  output.erase("FunctionArn");
  CommitFunction(*fn, call, std::move(output));
}

void LambdaService::GetProvisionedConcurrencyConfig(CallPtr call) {
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  const json::value* stored = (*fn)->record.provisioned.if_contains(qualifier);
  if (stored == nullptr || !stored->is_object()) {
    return Fail(call, LambdaStatus(LambdaError::kProvisionedConcurrencyConfigNotFound,
                                   "No Provisioned Concurrency Config found for this function"));
  }
  const int64_t n = stored->get_object().at("RequestedProvisionedConcurrentExecutions").as_int64();
  json::object output = ProvisionedOutput(stored->get_object(),
                                          ProvisionLocked(**fn, qualifier, static_cast<int>(n)));
  output.erase("FunctionArn");
  call->Reply(std::move(output));
}

void LambdaService::DeleteProvisionedConcurrencyConfig(CallPtr call) {
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  if ((*fn)->record.provisioned.erase(qualifier) == 0) {
    return Fail(call, LambdaStatus(LambdaError::kProvisionedConcurrencyConfigNotFound,
                                   "No Provisioned Concurrency Config found for this function"));
  }
  ProvisionLocked(**fn, qualifier, 0);
  CommitFunction(*fn, call, {});
}

void LambdaService::ListProvisionedConcurrencyConfigs(CallPtr call) {
  auto fn = ResolveFunction(*call, StringMember(call->input(), "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  json::array list;
  for (const auto& kv : (*fn)->record.provisioned) {
    if (!kv.value().is_object()) continue;
    const int64_t n =
        kv.value().get_object().at("RequestedProvisionedConcurrentExecutions").as_int64();
    list.push_back(
        ProvisionedOutput(kv.value().get_object(),
                          ProvisionLocked(**fn, std::string(kv.key()), static_cast<int>(n))));
  }
  call->Reply(json::object{{"ProvisionedConcurrencyConfigs", std::move(list)}});
}

void LambdaService::StartProvisionedConcurrency() {
  std::vector<std::shared_ptr<Function>> all;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [arn, fn] : functions_) all.push_back(fn);
  }
  for (const auto& fn : all) {
    std::lock_guard lock(fn->mu);
    // Every qualifier that keeps sandboxes warm: provisioned concurrency, or a version's scaling
    // config minimum (ProvisionLocked takes the larger of the two).
    std::set<std::string> warm;
    for (const auto& kv : fn->record.provisioned) warm.insert(std::string(kv.key()));
    for (const auto& kv : fn->record.scaling) warm.insert(std::string(kv.key()));
    for (const std::string& qualifier : warm) {
      ProvisionLocked(*fn, qualifier, RequestedProvisioned(fn->record, qualifier));
    }
  }
}

}  // namespace tidepool::lambda
