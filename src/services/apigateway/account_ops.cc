// GetAccount/UpdateAccount: an account's API Gateway settings in one region, stored as the
// Account output shape (AccountRecord, keyspace 'c'). The throttle reported is AWS's default
// account limit (10,000 requests/s, burst 5,000), which tidepool does not apply
// (docs/differences.md); the CloudWatch role is stored, not assumed.
#include <re2/re2.h>
#include <boost/json.hpp>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/keyspace.h"
#include "services/apigateway/patch.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

json::object DefaultAccount() {
  return json::object{
      {"throttleSettings", json::object{{"burstLimit", 5000}, {"rateLimit", 10000.0}}},
      {"features", json::array{"UsagePlans"}},
      {"apiKeyVersion", "4"}};
}

Status CheckAccount(const json::object& account) {
  static const re2::RE2 kRoleArn(R"(arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+)");
  if (const json::value* role = account.if_contains("cloudwatchRoleArn");
      role != nullptr && !(role->is_string() && role->get_string().empty())) {
    if (!role->is_string() || !re2::RE2::FullMatch(std::string(role->get_string()), kRoleArn)) {
      return BadRequest("The role ARN is not well formed");
    }
  }
  if (const json::value* features = account.if_contains("features")) {
    if (!features->is_array()) return BadRequest("Invalid features");
    for (const json::value& f : features->get_array()) {
      if (!f.is_string() || f.get_string() != "UsagePlans") {
        return BadRequest("Invalid feature: " +
                          (f.is_string() ? std::string(f.get_string()) : json::serialize(f)));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

void ApiGatewayService::GetAccount(CallPtr call) {
  std::lock_guard lock(account_mu_);
  auto it = accounts_.find(call->context().account_id + "/" + call->context().region);
  call->Reply(it == accounts_.end() ? DefaultAccount() : it->second);
}

void ApiGatewayService::UpdateAccount(CallPtr call) {
  std::lock_guard lock(account_mu_);
  const std::string id = call->context().account_id + "/" + call->context().region;
  auto it = accounts_.find(id);
  json::object account = it == accounts_.end() ? DefaultAccount() : it->second;
  const auto& model = Model();
  if (Status s = ApplyPatch(model, model.FindShape("Account"), PatchOperationsOf(call->input()),
                            account, {"throttleSettings", "apiKeyVersion"});
      !s.ok()) {
    return Fail(call, s);
  }
  if (Status s = CheckAccount(account); !s.ok()) return Fail(call, s);
  if (StringField(account, "cloudwatchRoleArn").empty()) account.erase("cloudwatchRoleArn");
  storage::WriteBatch batch;
  batch.Put(keyspace::AccountKey(call->context().account_id, call->context().region),
            EncodeRecord(account));
  accounts_[id] = account;
  CommitUsage(std::move(batch), call, std::move(account));
}

}  // namespace tidepool::apigateway
