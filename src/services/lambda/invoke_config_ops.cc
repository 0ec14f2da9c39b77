// Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s): per qualifier, the retry count, the
// maximum event age and the destinations of asynchronous invocations, which the async invoke
// flow (engine/lambda_async_invoke.h) reads through AsyncSettingsFor.
#include <boost/json.hpp>

#include "services/lambda/lambda_errors.h"
#include "services/lambda/lambda_service.h"

namespace tidepool::lambda {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

std::string QualifierKey(const std::string& q) { return q.empty() ? "$LATEST" : q; }

// A destination tidepool can deliver to: an SQS queue, an SNS topic or a Lambda function.
Status CheckDestination(const json::value* target, std::string_view which) {
  if (target == nullptr || !target->is_object()) return Status::Ok();
  std::string arn = StringMember(target->get_object(), "Destination");
  if (arn.empty()) return Status::Ok();
  for (std::string_view prefix : {"arn:aws:sqs:", "arn:aws:sns:", "arn:aws:lambda:"}) {
    if (arn.rfind(prefix, 0) == 0) return Status::Ok();
  }
  if (arn.rfind("arn:aws:s3:", 0) == 0 || arn.rfind("arn:aws:events:", 0) == 0) {
    return InvalidParameter("tidepool delivers " + std::string(which) +
                            " destinations to SQS queues, SNS topics and Lambda functions; " + arn +
                            " is not one (docs/differences.md)");
  }
  return InvalidParameter("The provided destination config DestinationArn " + arn + " is invalid.");
}

Status CheckInvokeConfig(const json::object& in) {
  if (const json::value* n = in.if_contains("MaximumRetryAttempts");
      n && n->is_int64() && (n->get_int64() < 0 || n->get_int64() > 2)) {
    return InvalidParameter(
        "1 validation error detected: Value '" + std::to_string(n->get_int64()) +
        "' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value "
        "less than or equal to 2");
  }
  if (const json::value* n = in.if_contains("MaximumEventAgeInSeconds");
      n && n->is_int64() && (n->get_int64() < 60 || n->get_int64() > 21600)) {
    return InvalidParameter(
        "1 validation error detected: Value '" + std::to_string(n->get_int64()) +
        "' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value "
        "between 60 and 21600");
  }
  if (const json::value* d = in.if_contains("DestinationConfig"); d && d->is_object()) {
    if (Status s = CheckDestination(d->get_object().if_contains("OnSuccess"), "OnSuccess");
        !s.ok()) {
      return s;
    }
    if (Status s = CheckDestination(d->get_object().if_contains("OnFailure"), "OnFailure");
        !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

}  // namespace

void LambdaService::PutInvokeConfig(CallPtr call, bool merge) {
  const json::object& in = call->input();
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  if (Status s = CheckInvokeConfig(in); !s.ok()) return Fail(call, s);
  std::lock_guard lock((*fn)->mu);
  FunctionRecord& r = (*fn)->record;
  std::string arn = StringMember(r.config, "FunctionArn") + ":" + QualifierKey(qualifier);
  json::object config;
  if (merge) {
    const json::value* old = r.invoke_configs.if_contains(QualifierKey(qualifier));
    if (old == nullptr || !old->is_object()) {
      return Fail(call, NotFound("The function " + arn + " doesn't have an EventInvokeConfig"));
    }
    config = old->get_object();
  }
  for (std::string_view m : {"MaximumRetryAttempts", "MaximumEventAgeInSeconds"}) {
    if (const json::value* v = in.if_contains(m)) config[m] = *v;
  }
  if (const json::value* d = in.if_contains("DestinationConfig"); d && d->is_object()) {
    json::object dest = merge && config["DestinationConfig"].is_object()
                            ? config["DestinationConfig"].get_object()
                            : json::object();
    for (const auto& kv : d->get_object()) dest[kv.key()] = kv.value();
    config["DestinationConfig"] = std::move(dest);
  }
  if (!config.contains("DestinationConfig")) {
    config["DestinationConfig"] =
        json::object{{"OnSuccess", json::object()}, {"OnFailure", json::object()}};
  }
  config["FunctionArn"] = arn;
  config["LastModified"] = static_cast<double>(clock_.NowMillis()) / 1000.0;
  r.invoke_configs[QualifierKey(qualifier)] = config;
  CommitFunction(*fn, call, std::move(config));
}

void LambdaService::PutFunctionEventInvokeConfig(CallPtr call) {
  PutInvokeConfig(std::move(call), false);
}

void LambdaService::UpdateFunctionEventInvokeConfig(CallPtr call) {
  PutInvokeConfig(std::move(call), true);
}

void LambdaService::GetFunctionEventInvokeConfig(CallPtr call) {
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  const FunctionRecord& r = (*fn)->record;
  const json::value* config = r.invoke_configs.if_contains(QualifierKey(qualifier));
  if (config == nullptr || !config->is_object()) {
    return Fail(call, NotFound("The function " + StringMember(r.config, "FunctionArn") + ":" +
                               QualifierKey(qualifier) + " doesn't have an EventInvokeConfig"));
  }
  call->Reply(config->get_object());
}

void LambdaService::DeleteFunctionEventInvokeConfig(CallPtr call) {
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  FunctionRecord& r = (*fn)->record;
  if (r.invoke_configs.erase(QualifierKey(qualifier)) == 0) {
    return Fail(call, NotFound("The function " + StringMember(r.config, "FunctionArn") + ":" +
                               QualifierKey(qualifier) + " doesn't have an EventInvokeConfig"));
  }
  CommitFunction(*fn, call, {});
}

void LambdaService::ListFunctionEventInvokeConfigs(CallPtr call) {
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  json::array list;
  for (const auto& kv : (*fn)->record.invoke_configs) list.push_back(kv.value());
  call->Reply(json::object{{"FunctionEventInvokeConfigs", std::move(list)}});
}

LambdaService::AsyncSettings LambdaService::AsyncSettingsFor(std::string_view function) const {
  AsyncSettings settings;
  auto ref = ParseFunctionRef(function);
  if (!ref.ok()) return settings;
  std::string arn = "arn:aws:lambda:" + ref->region + ":" + ref->account + ":function:" + ref->name;
  auto fn = FindFunction(arn);
  if (!fn) return settings;
  std::lock_guard lock(fn->mu);
  const json::value* config = fn->record.invoke_configs.if_contains(QualifierKey(ref->qualifier));
  if (config != nullptr && config->is_object()) {
    const json::object& c = config->get_object();
    if (const json::value* n = c.if_contains("MaximumRetryAttempts"); n && n->is_int64()) {
      settings.max_retries = static_cast<int>(n->get_int64());
    }
    if (const json::value* n = c.if_contains("MaximumEventAgeInSeconds"); n && n->is_int64()) {
      settings.max_age_seconds = n->get_int64();
    }
    if (const json::value* d = c.if_contains("DestinationConfig"); d && d->is_object()) {
      for (auto [member, target] :
           {std::pair{"OnSuccess", &settings.on_success}, {"OnFailure", &settings.on_failure}}) {
        if (const json::value* t = d->get_object().if_contains(member); t && t->is_object()) {
          *target = StringMember(t->get_object(), "Destination");
        }
      }
    }
  }
  // The dead-letter queue is part of the configuration of the version that runs.
  const FunctionRecord* record = &fn->record;
  if (!ref->qualifier.empty() && ref->qualifier != "$LATEST") {
    auto alias = fn->aliases.find(ref->qualifier);
    std::string version = alias == fn->aliases.end()
                              ? ref->qualifier
                              : StringMember(alias->second, "FunctionVersion");
    if (!version.empty() && version != "$LATEST" && version.size() <= 18 &&
        version.find_first_not_of("0123456789") == std::string::npos) {
      if (auto it = fn->versions.find(std::stoll(version)); it != fn->versions.end()) {
        record = &it->second;
      }
    }
  }
  if (const json::value* dlq = record->config.if_contains("DeadLetterConfig");
      dlq && dlq->is_object()) {
    settings.dead_letter = StringMember(dlq->get_object(), "TargetArn");
  }
  return settings;
}

}  // namespace tidepool::lambda
