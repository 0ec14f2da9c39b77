// GetAccountSettings, function concurrency, tags.
#include <boost/json.hpp>

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
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "Resource"));
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  for (const auto& kv : in.at("Tags").get_object()) (*fn)->record.tags[kv.key()] = kv.value();
  CommitFunction(*fn, call, {});
}

void LambdaService::UntagResource(CallPtr call) {
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
  auto fn = ResolveFunction(*call, StringMember(call->input(), "Resource"));
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  call->Reply(json::object{{"Tags", (*fn)->record.tags}});
}

}  // namespace tidepool::lambda
