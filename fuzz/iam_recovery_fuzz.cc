// Fuzzes IAM's recovery: the input is a store image (storage/store_image.h) of records under
// IAM's key root; the service must recover from it without a crash, skipping what it cannot
// read, and then list what it recovered (rendering instance profiles' roles, groups' users,
// policies' attachment counts) and answer credential lookups.
// Seeds: real images written by IamServiceTest (iam_service_test.cc).
#include <boost/json.hpp>

#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"
#include "recovery_fuzz.h"
#include "services/iam/iam_service.h"

namespace {

void List(tidepool::iam::IamService& iam, std::string_view operation, std::string_view account) {
  const auto& model = tidepool::protocol::model::IamModel();
  const auto* op = model.FindOperation(operation);
  auto decoded = tidepool::protocol::json_codec::DecodeRequest(model, *op, "{}");
  if (!std::holds_alternative<boost::json::object>(decoded)) return;
  tidepool::protocol::RequestContext context{std::string(account), "us-east-1", "", "fuzz", ""};
  iam.Invoke(std::make_shared<tidepool::protocol::Call>(
      std::move(context), *op, std::get<boost::json::object>(std::move(decoded)),
      [](tidepool::protocol::Outcome) {}));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tidepool::fuzzing::RecoveryFuzzEnv env;
  if (!env.Load(data, size, std::string_view("iam\0", 4))) return 0;
  {
    tidepool::iam::IamService iam(env.store, env.commits, env.clock);
    if (!iam.Recover().ok()) return 0;
    (void)iam.Health();
    for (std::string_view account : {"000000000000", "123456789012"}) {
      for (std::string_view op :
           {"ListRoles", "ListUsers", "ListGroups", "ListInstanceProfiles", "ListPolicies"}) {
        List(iam, op, account);
      }
    }
    (void)iam.FindCredential("AKIAAAAAAAAAAAAAAAAA");
    env.commits.Flush();
  }
  return 0;
}
