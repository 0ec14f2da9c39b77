// IamService and StsService through their models: the role lifecycle with its conflicts,
// policy versions, access keys as credentials, STS sessions, and recovery of every record
// kind (with expired sessions dropped and unreadable records skipped).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "services/iam/iam_test_harness.h"
#include "services/iam/keyspace.h"
#include "storage/store_image.h"

namespace tidepool::iam::testing {
namespace {

constexpr std::string_view kTrust =
    R"({\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",)"
    R"(\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]})";
constexpr std::string_view kLogs =
    R"({\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",)"
    R"(\"Action\":\"logs:*\",\"Resource\":\"*\"}]})";
constexpr std::string_view kBasic =
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

std::string Body(std::string_view fmt_text, auto&&... args) {
  return fmt::format(fmt::runtime(fmt_text), args...);
}

std::string CreateRole(IamHarness& h, std::string_view name) {
  auto out = h.Ok("CreateRole",
                  Body(R"({{"RoleName":"{}","AssumeRolePolicyDocument":"{}"}})", name, kTrust));
  return out.contains("Role") ? std::string(out["Role"].at("Arn").as_string()) : "";
}

TEST(IamServiceTest, RoleLifecycleWithAttachmentsAndConflicts) {
  IamHarness h;
  EXPECT_EQ(CreateRole(h, "lambda-ex"), "arn:aws:iam::123456789012:role/lambda-ex");
  EXPECT_EQ(h.Err("CreateRole",
                  Body(R"({{"RoleName":"LAMBDA-EX","AssumeRolePolicyDocument":"{}"}})", kTrust))
                .code,
            "EntityAlreadyExists");
  auto role = h.Ok("GetRole", R"({"RoleName":"lambda-ex"})");
  EXPECT_EQ(role["Role"].at("RoleId").as_string().subview().substr(0, 4), "AROA");
  // The trust policy comes back URL-encoded, as AWS sends it.
  EXPECT_EQ(role["Role"].at("AssumeRolePolicyDocument").as_string().subview().substr(0, 9),
            "%7B%22Ver");
  h.Ok("AttachRolePolicy", Body(R"({{"RoleName":"lambda-ex","PolicyArn":"{}"}})", kBasic));
  h.Ok("PutRolePolicy",
       Body(R"({{"RoleName":"lambda-ex","PolicyName":"logs","PolicyDocument":"{}"}})", kLogs));
  EXPECT_EQ(
      h.Ok("GetPolicy", Body(R"({{"PolicyArn":"{}"}})", kBasic))["Policy"].at("AttachmentCount"),
      1);
  auto conflict = h.Err("DeleteRole", R"({"RoleName":"lambda-ex"})");
  EXPECT_EQ(conflict.code, "DeleteConflict");
  EXPECT_EQ(conflict.http_status, 409);
  EXPECT_EQ(conflict.message, "Cannot delete entity, must detach all policies first.");
  h.Ok("DetachRolePolicy", Body(R"({{"RoleName":"lambda-ex","PolicyArn":"{}"}})", kBasic));
  EXPECT_EQ(h.Err("DeleteRole", R"({"RoleName":"lambda-ex"})").message,
            "Cannot delete entity, must delete policies first.");
  h.Ok("DeleteRolePolicy", R"({"RoleName":"lambda-ex","PolicyName":"logs"})");
  h.Ok("CreateInstanceProfile", R"({"InstanceProfileName":"ip"})");
  h.Ok("AddRoleToInstanceProfile", R"({"InstanceProfileName":"ip","RoleName":"lambda-ex"})");
  EXPECT_EQ(h.Err("DeleteRole", R"({"RoleName":"lambda-ex"})").message,
            "Cannot delete entity, must remove roles from instance profile first.");
  h.Ok("RemoveRoleFromInstanceProfile", R"({"InstanceProfileName":"ip","RoleName":"lambda-ex"})");
  h.Ok("DeleteRole", R"({"RoleName":"lambda-ex"})");
  auto missing = h.Err("GetRole", R"({"RoleName":"lambda-ex"})");
  EXPECT_EQ(missing.code, "NoSuchEntity");
  EXPECT_EQ(missing.http_status, 404);
  EXPECT_EQ(missing.message, "The role with name lambda-ex cannot be found.");
  EXPECT_EQ(h.Err("CreateRole", R"({"RoleName":"bad","AssumeRolePolicyDocument":"{"})").code,
            "MalformedPolicyDocument");
}

TEST(IamServiceTest, PolicyVersionsStopAtFive) {
  IamHarness h;
  auto created = h.Ok("CreatePolicy", Body(R"({{"PolicyName":"p","PolicyDocument":"{}"}})", kLogs));
  const std::string arn(created["Policy"].at("Arn").as_string());
  for (int i = 2; i <= 5; ++i) {
    h.Ok("CreatePolicyVersion", Body(R"({{"PolicyArn":"{}","PolicyDocument":"{}"}})", arn, kLogs));
  }
  auto limit = h.Err("CreatePolicyVersion",
                     Body(R"({{"PolicyArn":"{}","PolicyDocument":"{}"}})", arn, kLogs));
  EXPECT_EQ(limit.code, "LimitExceeded");
  EXPECT_EQ(
      h.Err("DeletePolicyVersion", Body(R"({{"PolicyArn":"{}","VersionId":"v1"}})", arn)).code,
      "DeleteConflict");
  h.Ok("SetDefaultPolicyVersion", Body(R"({{"PolicyArn":"{}","VersionId":"v5"}})", arn));
  h.Ok("DeletePolicyVersion", Body(R"({{"PolicyArn":"{}","VersionId":"v1"}})", arn));
  auto versions = h.Ok("ListPolicyVersions", Body(R"({{"PolicyArn":"{}"}})", arn));
  EXPECT_EQ(versions["Versions"].as_array().size(), 4u);
  EXPECT_EQ(h.Err("DeletePolicy", Body(R"({{"PolicyArn":"{}"}})", arn)).code, "DeleteConflict");
}

TEST(IamServiceTest, AccessKeysAndSessionsAreCredentials) {
  IamHarness h;
  h.Ok("CreateUser", R"({"UserName":"alice"})");
  auto key = h.Ok("CreateAccessKey", R"({"UserName":"alice"})")["AccessKey"].as_object();
  const std::string id(key.at("AccessKeyId").as_string());
  EXPECT_EQ(id.substr(0, 4), "AKIA");
  auto credential = h.iam().FindCredential(id);
  ASSERT_TRUE(credential);
  EXPECT_EQ(credential->secret_key, key.at("SecretAccessKey").as_string());
  auto who = h.Ok("GetCallerIdentity", "{}", id);
  EXPECT_EQ(who["Arn"], "arn:aws:iam::123456789012:user/alice");
  h.Ok("UpdateAccessKey",
       Body(R"({{"UserName":"alice","AccessKeyId":"{}","Status":"Inactive"}})", id));
  EXPECT_FALSE(h.iam().FindCredential(id));
  EXPECT_EQ(h.Ok("GetCallerIdentity", "{}")["Arn"], "arn:aws:iam::123456789012:root");

  auto assumed = h.Ok(
      "AssumeRole", R"({"RoleArn":"arn:aws:iam::123456789012:role/nobody","RoleSessionName":"s1",)"
                    R"("DurationSeconds":900})");
  const auto& creds = assumed["Credentials"].as_object();
  const std::string session_id(creds.at("AccessKeyId").as_string());
  EXPECT_EQ(session_id.substr(0, 4), "ASIA");
  EXPECT_EQ(assumed["AssumedRoleUser"].at("Arn"),
            "arn:aws:sts::123456789012:assumed-role/nobody/s1");
  auto session = h.iam().FindCredential(session_id);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->session_token, creds.at("SessionToken").as_string());
  EXPECT_EQ(session->expires_micros, h.clock().NowMicros() + 900'000'000);
  EXPECT_EQ(h.Ok("GetCallerIdentity", "{}", session_id)["Arn"],
            "arn:aws:sts::123456789012:assumed-role/nobody/s1");

  // Sessions survive a restart until they expire; expired ones are deleted by recovery.
  h.Restart();
  EXPECT_TRUE(h.iam().FindCredential(session_id));
  EXPECT_FALSE(h.iam().FindCredential(id));  // still inactive
  h.clock().AdvanceSeconds(901);
  h.Restart();
  h.commits().Flush();
  EXPECT_FALSE(h.iam().FindCredential(session_id));
  EXPECT_EQ(storage::CountRecords(h.store(), keyspace::SessionPrefix()), 0u);
}

TEST(IamServiceTest, EveryRecordKindRecoversAndUnreadableOnesAreSkipped) {
  IamHarness h;
  CreateRole(h, "r");
  h.Ok("AttachRolePolicy", Body(R"({{"RoleName":"r","PolicyArn":"{}"}})", kBasic));
  h.Ok("CreateUser", R"({"UserName":"u","Tags":[{"Key":"k","Value":"v"}]})");
  h.Ok("CreateGroup", R"({"GroupName":"g"})");
  h.Ok("AddUserToGroup", R"({"GroupName":"g","UserName":"u"})");
  h.Ok("CreateInstanceProfile", R"({"InstanceProfileName":"ip"})");
  h.Ok("AddRoleToInstanceProfile", R"({"InstanceProfileName":"ip","RoleName":"r"})");
  h.Ok("CreatePolicy", Body(R"({{"PolicyName":"p","PolicyDocument":"{}"}})", kLogs));
  h.Ok("CreateAccessKey", R"({"UserName":"u"})");
  h.Ok("GetSessionToken", "{}");
  h.commits().Flush();
  for (const auto& kind : keyspace::RecordKinds()) {
    EXPECT_GT(storage::CountRecords(h.store(), kind.prefix), 0u)
        << "no record of kind " << kind.name;
  }
  storage::MaybeWriteSeedImage("iam_recovery",
                               storage::StoreImageOf(h.store(), std::string_view("iam\0", 4)));
  storage::WriteBatch damage;
  damage.Put(keyspace::EntityKey(EntityKind::kRole, kAccount, "broken"), "{");
  damage.Put(keyspace::AccessKeyKey("AKIABROKEN"), "[]");
  ASSERT_TRUE(h.store().Write(damage, false).ok());
  h.Restart();
  auto profile = h.Ok("GetInstanceProfile", R"({"InstanceProfileName":"ip"})");
  EXPECT_EQ(profile["InstanceProfile"].at("Roles").as_array().size(), 1u);
  auto group = h.Ok("GetGroup", R"({"GroupName":"g"})");
  EXPECT_EQ(group["Users"].as_array().size(), 1u);
  EXPECT_EQ(
      h.Ok("GetPolicy", Body(R"({{"PolicyArn":"{}"}})", kBasic))["Policy"].at("AttachmentCount"),
      1);
  EXPECT_EQ(h.Ok("ListRoles", "{}")["Roles"].as_array().size(), 1u);
}

}  // namespace
}  // namespace tidepool::iam::testing
