// Roles: CreateRole, CreateServiceLinkedRole and what only roles have (their trust policy,
// description and session duration). Get/List/Delete/tags are in entity_ops.cc.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/iam/iam_errors.h"
#include "services/iam/iam_internal.h"
#include "services/iam/ids.h"
#include "services/iam/policy_document.h"

namespace tidepool::iam {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// "AWSServiceRoleFor" + the service's first label, capitalised ("lambda.amazonaws.com" ->
// AWSServiceRoleForLambda). AWS has its own name per service; tools read it from the reply.
std::string ServiceLinkedRoleName(std::string_view service) {
  std::string label(service.substr(0, service.find('.')));
  if (!label.empty() && label[0] >= 'a' && label[0] <= 'z') label[0] = label[0] - 'a' + 'A';
  return "AWSServiceRoleFor" + label;
}

}  // namespace

void IamService::CreateRole(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string name(InputStringView(in, "RoleName").value_or(""));
  const std::string document(InputStringView(in, "AssumeRolePolicyDocument").value_or(""));
  if (Status st = ValidatePolicyDocument(document, PolicyKind::kTrust); !st.ok()) {
    return Fail(call, st);
  }
  const std::string& account = call->context().account_id;
  const std::string path = PathOf(in);
  json::object doc{{"Path", path},
                   {"RoleName", name},
                   {"RoleId", NewId("AROA")},
                   {"Arn", fmt::format("arn:aws:iam::{}:role{}{}", account, path, name)},
                   {"CreateDate", NowSeconds()},
                   {"AssumeRolePolicyDocument", document}};
  if (auto description = InputStringView(in, "Description")) doc["Description"] = *description;
  doc["MaxSessionDuration"] = InputInt(in, "MaxSessionDuration").value_or(3600);
  if (auto boundary = InputStringView(in, "PermissionsBoundary")) {
    doc["PermissionsBoundary"] =
        json::object{{"PermissionsBoundaryType", "Policy"}, {"PermissionsBoundaryArn", *boundary}};
  }
  if (Status st = MergeTags(doc, in, "TagsPerRole"); !st.ok()) return Fail(call, st);
  std::lock_guard lock(mu_);
  if (FindEntity(kind, account, name) != nullptr) {
    return Fail(call, IamStatus(IamError::kEntityAlreadyExists,
                                fmt::format("Role with name {} already exists.", name)));
  }
  StoredEntity& role = roles_[DirKey(account, name)];
  role.doc = std::move(doc);
  storage::WriteBatch batch;
  PutEntity(batch, kind, role);
  json::object reply = RenderEntity(kind, role, /*listed=*/false);
  reply.erase("RoleLastUsed");
  Commit(std::move(call), json::object{{"Role", std::move(reply)}}, std::move(batch));
}

void IamService::CreateServiceLinkedRole(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string service(InputStringView(in, "AWSServiceName").value_or(""));
  std::string name = ServiceLinkedRoleName(service);
  if (auto suffix = InputStringView(in, "CustomSuffix")) name += "_" + std::string(*suffix);
  const std::string& account = call->context().account_id;
  const std::string path = "/aws-service-role/" + service + "/";
  const std::string trust = fmt::format(
      R"({{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{}"}},"Action":"sts:AssumeRole"}}]}})",
      service);
  json::object doc{{"Path", path},
                   {"RoleName", name},
                   {"RoleId", NewId("AROA")},
                   {"Arn", fmt::format("arn:aws:iam::{}:role{}{}", account, path, name)},
                   {"CreateDate", NowSeconds()},
                   {"AssumeRolePolicyDocument", trust},
                   {"MaxSessionDuration", 3600}};
  if (auto description = InputStringView(in, "Description")) doc["Description"] = *description;
  std::lock_guard lock(mu_);
  if (FindEntity(kind, account, name) != nullptr) {
    return Fail(call, IamStatus(IamError::kInvalidInput,
                                fmt::format("Service role name {} has been taken in this account, "
                                            "please try a different suffix.",
                                            name)));
  }
  StoredEntity& role = roles_[DirKey(account, name)];
  role.doc = std::move(doc);
  storage::WriteBatch batch;
  PutEntity(batch, kind, role);
  json::object reply = RenderEntity(kind, role, /*listed=*/false);
  reply.erase("RoleLastUsed");
  Commit(std::move(call), json::object{{"Role", std::move(reply)}}, std::move(batch));
}

void IamService::UpdateRole(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  std::lock_guard lock(mu_);
  auto role =
      RequireEntity(kind, call->context().account_id, InputStringView(in, "RoleName").value_or(""));
  if (!role.ok()) return Fail(call, role.status());
  if (auto description = InputStringView(in, "Description")) {
    (*role)->doc["Description"] = *description;
  }
  if (auto max = InputInt(in, "MaxSessionDuration")) (*role)->doc["MaxSessionDuration"] = *max;
  storage::WriteBatch batch;
  PutEntity(batch, kind, **role);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::UpdateRoleDescription(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  std::lock_guard lock(mu_);
  auto role =
      RequireEntity(kind, call->context().account_id, InputStringView(in, "RoleName").value_or(""));
  if (!role.ok()) return Fail(call, role.status());
  (*role)->doc["Description"] = InputStringView(in, "Description").value_or("");
  storage::WriteBatch batch;
  PutEntity(batch, kind, **role);
  json::object reply = RenderEntity(kind, **role, /*listed=*/false);
  Commit(std::move(call), json::object{{"Role", std::move(reply)}}, std::move(batch));
}

void IamService::UpdateAssumeRolePolicy(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string document(InputStringView(in, "PolicyDocument").value_or(""));
  if (Status st = ValidatePolicyDocument(document, PolicyKind::kTrust); !st.ok()) {
    return Fail(call, st);
  }
  std::lock_guard lock(mu_);
  auto role =
      RequireEntity(kind, call->context().account_id, InputStringView(in, "RoleName").value_or(""));
  if (!role.ok()) return Fail(call, role.status());
  (*role)->doc["AssumeRolePolicyDocument"] = document;
  storage::WriteBatch batch;
  PutEntity(batch, kind, **role);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::PutPermissionsBoundary(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string arn(InputStringView(in, "PermissionsBoundary").value_or(""));
  std::lock_guard lock(mu_);
  if (Result<StoredPolicy*> policy =
          RequirePolicy(call->context().account_id, arn,
                        fmt::format("Scope ARN: {} does not exist or is not attachable.", arn));
      !policy.ok()) {
    return Fail(call, policy.status());
  }
  auto entity = RequireEntity(kind, call->context().account_id,
                              InputStringView(in, Traits(kind).name_member).value_or(""));
  if (!entity.ok()) return Fail(call, entity.status());
  (*entity)->doc["PermissionsBoundary"] =
      json::object{{"PermissionsBoundaryType", "Policy"}, {"PermissionsBoundaryArn", arn}};
  storage::WriteBatch batch;
  PutEntity(batch, kind, **entity);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::DeletePermissionsBoundary(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  std::lock_guard lock(mu_);
  auto entity = RequireEntity(kind, call->context().account_id,
                              InputStringView(in, Traits(kind).name_member).value_or(""));
  if (!entity.ok()) return Fail(call, entity.status());
  (*entity)->doc.erase("PermissionsBoundary");
  storage::WriteBatch batch;
  PutEntity(batch, kind, **entity);
  Commit(std::move(call), {}, std::move(batch));
}

}  // namespace tidepool::iam
