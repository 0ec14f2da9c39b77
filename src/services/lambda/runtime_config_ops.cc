// Function settings tidepool keeps but whose behaviour is fixed locally:
//  - recursion config (Get/PutFunctionRecursionConfig): the function's RecursiveLoop, stored on
//    $LATEST's record for the whole function (`Terminate`, AWS's default, until set); the
//    invoke paths honour it (recursion.h).
//  - runtime management config (Get/PutRuntimeManagementConfig): stored per qualifier and
//    returned as AWS does; there is one runtime version locally (the machine's interpreter),
//    so no mode changes what runs (docs/differences.md).
#include <boost/json.hpp>

#include "services/lambda/lambda_errors.h"
#include "services/lambda/lambda_service.h"

namespace tidepool::lambda {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

std::string QualifierKey(const std::string& q) { return q.empty() ? "$LATEST" : q; }

// The FunctionArn the runtime management operations answer: qualified when a qualifier was
// named.
std::string ConfigFunctionArn(const FunctionRecord& r, const std::string& qualifier) {
  std::string arn = StringMember(r.config, "FunctionArn");
  return qualifier.empty() ? arn : arn + ":" + qualifier;
}

}  // namespace

void LambdaService::GetFunctionRecursionConfig(CallPtr call) {
  auto fn = ResolveFunction(*call, StringMember(call->input(), "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  call->Reply(
      json::object{{"RecursiveLoop", (*fn)->record.recursion_allowed ? "Allow" : "Terminate"}});
}

void LambdaService::PutFunctionRecursionConfig(CallPtr call) {
  auto fn = ResolveFunction(*call, StringMember(call->input(), "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  const std::string loop = StringMember(call->input(), "RecursiveLoop");
  if (loop != "Allow" && loop != "Terminate") {
    return Fail(call, InvalidParameter("1 validation error detected: Value '" + loop +
                                       "' at 'recursiveLoop' failed to satisfy constraint: "
                                       "Member must satisfy enum value set: [Allow, Terminate]"));
  }
  std::lock_guard lock((*fn)->mu);
  (*fn)->record.recursion_allowed = loop == "Allow";
  CommitFunction(*fn, call, json::object{{"RecursiveLoop", loop}});
}

void LambdaService::GetRuntimeManagementConfig(CallPtr call) {
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  const FunctionRecord& r = (*fn)->record;
  json::object out{{"UpdateRuntimeOn", "Auto"}, {"FunctionArn", ConfigFunctionArn(r, qualifier)}};
  if (const json::value* s = r.runtime_management.if_contains(QualifierKey(qualifier));
      s && s->is_object()) {
    for (const auto& kv : s->get_object()) out[kv.key()] = kv.value();
  }
  call->Reply(std::move(out));
}

void LambdaService::PutRuntimeManagementConfig(CallPtr call) {
  const json::object& in = call->input();
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  const std::string mode = StringMember(in, "UpdateRuntimeOn");
  const std::string version_arn = StringMember(in, "RuntimeVersionArn");
  if (mode == "Manual" && version_arn.empty()) {
    return Fail(call, InvalidParameter("RuntimeVersionArn is required when UpdateRuntimeOn is "
                                       "Manual."));
  }
  if (mode != "Manual" && !version_arn.empty()) {
    return Fail(call, InvalidParameter("RuntimeVersionArn can be set only when UpdateRuntimeOn "
                                       "is Manual."));
  }
  json::object settings{{"UpdateRuntimeOn", mode}};
  if (!version_arn.empty()) settings["RuntimeVersionArn"] = version_arn;
  std::lock_guard lock((*fn)->mu);
  FunctionRecord& r = (*fn)->record;
  json::object out = settings;
  out["FunctionArn"] = ConfigFunctionArn(r, qualifier);
  if (mode == "Auto") {
    r.runtime_management.erase(QualifierKey(qualifier));
  } else {
    r.runtime_management[QualifierKey(qualifier)] = std::move(settings);
  }
  CommitFunction(*fn, call, std::move(out));
}

}  // namespace tidepool::lambda
