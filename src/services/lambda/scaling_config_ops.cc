// Function scaling configs (Put/GetFunctionScalingConfig): a Lambda Managed Instances
// version's minimum and maximum number of execution environments. Here an execution
// environment is a sandbox: the minimum is kept warm (like provisioned concurrency, started at
// once and again after a restart), the maximum caps the version's sandboxes (an invoke beyond
// it is throttled).
#include <boost/json.hpp>

#include "services/lambda/lambda_errors.h"
#include "services/lambda/lambda_service.h"

namespace tidepool::lambda {

namespace json = boost::json;
using protocol::CallPtr;

namespace {

// The check both operations make of the qualifier, which the model's pattern has already limited
// to a version number or $LATEST.PUBLISHED.
Status CheckScalingQualifier(const std::string& qualifier) {
  if (qualifier == "$LATEST.PUBLISHED") {
    return InvalidParameter(
        "Qualifier $LATEST.PUBLISHED is not supported by tidepool: it keeps no "
        "$LATEST.PUBLISHED version. Give a published version number (docs/differences.md).");
  }
  return Status::Ok();
}

}  // namespace

void LambdaService::PutFunctionScalingConfig(CallPtr call) {
  const json::object& in = call->input();
  const std::string requested = StringMember(in, "Qualifier");
  if (Status s = CheckScalingQualifier(requested); !s.ok()) return Fail(call, s);
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  json::object config;
  if (const json::value* c = in.if_contains("FunctionScalingConfig"); c && c->is_object()) {
    config = c->get_object();
  }
  const json::value* min = config.if_contains("MinExecutionEnvironments");
  const json::value* max = config.if_contains("MaxExecutionEnvironments");
  if (min && max && min->is_int64() && max->is_int64() && min->get_int64() > max->get_int64()) {
    return Fail(call,
                InvalidParameter("MinExecutionEnvironments (" + std::to_string(min->get_int64()) +
                                 ") must not be greater than MaxExecutionEnvironments (" +
                                 std::to_string(max->get_int64()) + ")."));
  }
  std::lock_guard lock((*fn)->mu);
  const FunctionRecord* version = RecordToRun(**fn, qualifier);
  if (version == nullptr) return Fail(call, NotFound("Function not found: " + qualifier));
  if (!version->config.contains("CapacityProviderConfig")) {
    return Fail(call, InvalidParameter(
                          "Function scaling configs apply to Lambda Managed Instances functions "
                          "only: " +
                          StringMember(version->config, "FunctionArn") +
                          " has no CapacityProviderConfig."));
  }
  FunctionRecord& r = (*fn)->record;
  r.scaling[qualifier] = config;
  ProvisionLocked(**fn, qualifier, RequestedProvisioned(r, qualifier));
  CommitFunction(*fn, call,
                 json::object{{"FunctionState", StringMember(version->config, "State")}});
}

void LambdaService::GetFunctionScalingConfig(CallPtr call) {
  const std::string requested = StringMember(call->input(), "Qualifier");
  if (Status s = CheckScalingQualifier(requested); !s.ok()) return Fail(call, s);
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  const FunctionRecord* version = RecordToRun(**fn, qualifier);
  if (version == nullptr) return Fail(call, NotFound("Function not found: " + qualifier));
  json::object output{{"FunctionArn", StringMember(version->config, "FunctionArn")}};
  // Applied at once: the requested config is the applied one.
  if (const json::value* c = (*fn)->record.scaling.if_contains(qualifier)) {
    output["AppliedFunctionScalingConfig"] = *c;
    output["RequestedFunctionScalingConfig"] = *c;
  }
  call->Reply(std::move(output));
}

}  // namespace tidepool::lambda
