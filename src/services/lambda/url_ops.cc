// Function URLs: Create/Get/Update/Delete/ListFunctionUrlConfigs. A URL config is stored per
// qualifier in the function's record; url_ids_ maps each URL's id to its function and
// qualifier for the HTTP front door (apigateway's HandleFunctionUrl, through FindFunctionUrl).
#include <boost/json.hpp>

#include <random>

#include "services/lambda/lambda_errors.h"
#include "services/lambda/lambda_service.h"

namespace tidepool::lambda {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

std::string QualifierKey(const std::string& q) { return q.empty() ? "$LATEST" : q; }

// A URL id as AWS makes them: 32 lower-case letters and digits.
std::string NewUrlId() {
  static constexpr std::string_view kChars = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id(32, 'a');
  for (char& c : id) c = kChars[std::uniform_int_distribution<size_t>(0, kChars.size() - 1)(rng)];
  return id;
}

Status CheckUrlInput(const json::object& in, bool create) {
  std::string auth = StringMember(in, "AuthType");
  if ((create || in.contains("AuthType")) && auth != "NONE" && auth != "AWS_IAM") {
    return InvalidParameter("1 validation error detected: Value '" + auth +
                            "' at 'authType' failed to satisfy constraint: Member must satisfy "
                            "enum value set: [NONE, AWS_IAM]");
  }
  std::string mode = StringMember(in, "InvokeMode");
  if (!mode.empty() && mode != "BUFFERED" && mode != "RESPONSE_STREAM") {
    return InvalidParameter("1 validation error detected: Value '" + mode +
                            "' at 'invokeMode' failed to satisfy constraint: Member must satisfy "
                            "enum value set: [BUFFERED, RESPONSE_STREAM]");
  }
  return Status::Ok();
}

}  // namespace

std::string LambdaService::UrlFor(const std::string& id, const std::string& region) const {
  // http://localhost:4566 -> http://<id>.lambda-url.<region>.localhost:4566/
  const std::string& base = options_.public_endpoint;
  size_t scheme = base.find("://");
  size_t host = scheme == std::string::npos ? 0 : scheme + 3;
  return base.substr(0, host) + id + ".lambda-url." + region + "." + base.substr(host) + "/";
}

void LambdaService::CreateFunctionUrlConfig(CallPtr call) {
  const json::object& in = call->input();
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  if (Status s = CheckUrlInput(in, true); !s.ok()) return Fail(call, s);
  if (!qualifier.empty() && qualifier != "$LATEST" &&
      qualifier.find_first_not_of("0123456789") == std::string::npos) {
    return Fail(call, InvalidParameter("Function URLs can be created for $LATEST or an alias, "
                                       "not for a version."));
  }
  std::lock_guard lock((*fn)->mu);
  FunctionRecord& r = (*fn)->record;
  std::string arn = StringMember(r.config, "FunctionArn");
  if (!qualifier.empty() && qualifier != "$LATEST") arn += ":" + qualifier;
  if (r.urls.contains(QualifierKey(qualifier))) {
    return Fail(call, Conflict("Failed to create function url config for [functionArn = " + arn +
                               "]. Error message:  FunctionUrlConfig exists for this Lambda "
                               "function"));
  }
  const std::string id = NewUrlId();
  const std::string now = LastModified(clock_);
  json::object config{{"FunctionUrl", UrlFor(id, call->context().region)},
                      {"FunctionArn", arn},
                      {"AuthType", StringMember(in, "AuthType")},
                      {"CreationTime", now},
                      {"LastModifiedTime", now},
                      {"InvokeMode", in.contains("InvokeMode") ? StringMember(in, "InvokeMode")
                                                               : std::string("BUFFERED")},
                      {"UrlId", id}};
  if (const json::value* cors = in.if_contains("Cors"); cors && cors->is_object()) {
    config["Cors"] = *cors;
  }
  r.urls[QualifierKey(qualifier)] = config;
  {
    std::unique_lock registry(registry_mu_);
    url_ids_[id] = {StringMember(r.config, "FunctionArn"), QualifierKey(qualifier)};
  }
  config.erase("LastModifiedTime");
  config.erase("UrlId");
  CommitFunction(*fn, call, std::move(config));
}

json::object LambdaService::UrlOutput(const json::object& stored) {
  json::object out = stored;
  out.erase("UrlId");
  return out;
}

void LambdaService::GetFunctionUrlConfig(CallPtr call) {
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  const json::value* config = (*fn)->record.urls.if_contains(QualifierKey(qualifier));
  if (config == nullptr || !config->is_object()) {
    return Fail(call, NotFound("The resource you requested does not exist."));
  }
  call->Reply(UrlOutput(config->get_object()));
}

void LambdaService::UpdateFunctionUrlConfig(CallPtr call) {
  const json::object& in = call->input();
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  if (Status s = CheckUrlInput(in, false); !s.ok()) return Fail(call, s);
  std::lock_guard lock((*fn)->mu);
  json::value* slot = (*fn)->record.urls.if_contains(QualifierKey(qualifier));
  if (slot == nullptr || !slot->is_object()) {
    return Fail(call, NotFound("The resource you requested does not exist."));
  }
  json::object& config = slot->get_object();
  if (in.contains("AuthType")) config["AuthType"] = StringMember(in, "AuthType");
  if (in.contains("InvokeMode")) config["InvokeMode"] = StringMember(in, "InvokeMode");
  if (const json::value* cors = in.if_contains("Cors"); cors && cors->is_object()) {
    config["Cors"] = *cors;
  }
  config["LastModifiedTime"] = LastModified(clock_);
  CommitFunction(*fn, call, UrlOutput(config));
}

void LambdaService::DeleteFunctionUrlConfig(CallPtr call) {
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  json::value* slot = (*fn)->record.urls.if_contains(QualifierKey(qualifier));
  if (slot == nullptr || !slot->is_object()) {
    return Fail(call, NotFound("The resource you requested does not exist."));
  }
  std::string id = StringMember(slot->get_object(), "UrlId");
  (*fn)->record.urls.erase(QualifierKey(qualifier));
  {
    std::unique_lock registry(registry_mu_);
    url_ids_.erase(id);
  }
  CommitFunction(*fn, call, {});
}

void LambdaService::ListFunctionUrlConfigs(CallPtr call) {
  auto fn = ResolveFunction(*call, StringMember(call->input(), "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  json::array list;
  for (const auto& kv : (*fn)->record.urls) {
    if (kv.value().is_object()) list.push_back(UrlOutput(kv.value().get_object()));
  }
  call->Reply(json::object{{"FunctionUrlConfigs", std::move(list)}});
}

std::optional<LambdaService::FunctionUrlTarget> LambdaService::FindFunctionUrl(
    std::string_view id) const {
  std::pair<std::string, std::string> where;
  {
    std::shared_lock lock(registry_mu_);
    auto it = url_ids_.find(std::string(id));
    if (it == url_ids_.end()) return std::nullopt;
    where = it->second;
  }
  auto fn = FindFunction(where.first);
  if (!fn) return std::nullopt;
  std::lock_guard lock(fn->mu);
  const json::value* config = fn->record.urls.if_contains(where.second);
  if (config == nullptr || !config->is_object()) return std::nullopt;
  FunctionUrlTarget target;
  target.function_arn = StringMember(config->get_object(), "FunctionArn");
  target.auth_type = StringMember(config->get_object(), "AuthType");
  target.invoke_mode = StringMember(config->get_object(), "InvokeMode");
  if (const json::value* cors = config->get_object().if_contains("Cors");
      cors && cors->is_object()) {
    target.cors = cors->get_object();
  }
  return target;
}

void LambdaService::IndexFunctionUrls() {
  for (const auto& [arn, fn] : functions_) {
    for (const auto& kv : fn->record.urls) {
      if (!kv.value().is_object()) continue;
      std::string id = StringMember(kv.value().get_object(), "UrlId");
      if (!id.empty()) url_ids_[id] = {arn, std::string(kv.key())};
    }
  }
}

}  // namespace tidepool::lambda
