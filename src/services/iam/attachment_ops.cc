// Managed policies attached to roles, users and groups, and their inline policies.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>

#include "services/iam/iam_errors.h"
#include "services/iam/iam_internal.h"
#include "services/iam/policy_document.h"

namespace tidepool::iam {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr size_t kMaxAttachedPolicies = 10;  // AWS's default quota per role, user and group

std::string_view Noun(EntityKind kind) {
  switch (kind) {
    case EntityKind::kUser:
      return "user";
    case EntityKind::kGroup:
      return "group";
    default:
      return "role";
  }
}

std::string_view AttachQuota(EntityKind kind) {
  switch (kind) {
    case EntityKind::kUser:
      return "PoliciesPerUser";
    case EntityKind::kGroup:
      return "PoliciesPerGroup";
    default:
      return "PoliciesPerRole";
  }
}

}  // namespace

void IamService::AttachPolicy(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string arn(InputStringView(in, "PolicyArn").value_or(""));
  const std::string& account = call->context().account_id;
  std::lock_guard lock(mu_);
  auto entity =
      RequireEntity(kind, account, InputStringView(in, Traits(kind).name_member).value_or(""));
  if (!entity.ok()) return Fail(call, entity.status());
  auto policy = RequirePolicy(account, arn,
                              fmt::format("Policy {} does not exist or is not attachable.", arn));
  if (!policy.ok()) return Fail(call, policy.status());
  std::vector<std::string>& attached = (*entity)->attached;
  if (std::find(attached.begin(), attached.end(), arn) != attached.end()) {
    return call->Reply({});  // attaching twice changes nothing, as on AWS
  }
  if (attached.size() >= kMaxAttachedPolicies) {
    return Fail(call, IamStatus(IamError::kLimitExceeded,
                                fmt::format("Cannot exceed quota for {}: {}", AttachQuota(kind),
                                            kMaxAttachedPolicies)));
  }
  attached.push_back(arn);
  ++attachment_counts_[arn];
  storage::WriteBatch batch;
  PutEntity(batch, kind, **entity);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::DetachPolicy(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string arn(InputStringView(in, "PolicyArn").value_or(""));
  std::lock_guard lock(mu_);
  auto entity = RequireEntity(kind, call->context().account_id,
                              InputStringView(in, Traits(kind).name_member).value_or(""));
  if (!entity.ok()) return Fail(call, entity.status());
  std::vector<std::string>& attached = (*entity)->attached;
  auto it = std::find(attached.begin(), attached.end(), arn);
  if (it == attached.end())
    return Fail(call, NoSuchEntity(fmt::format("Policy {} was not found.", arn)));
  attached.erase(it);
  if (--attachment_counts_[arn] <= 0) attachment_counts_.erase(arn);
  storage::WriteBatch batch;
  PutEntity(batch, kind, **entity);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::ListAttachedPolicies(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string& account = call->context().account_id;
  std::lock_guard lock(mu_);
  auto entity =
      RequireEntity(kind, account, InputStringView(in, Traits(kind).name_member).value_or(""));
  if (!entity.ok()) return Fail(call, entity.status());
  std::vector<std::pair<std::string, json::value>> items;
  for (const std::string& arn : (*entity)->attached) {
    auto policy = RequirePolicy(account, arn);
    if (!policy.ok() || !MatchesPathPrefix((*policy)->doc, in)) continue;
    items.emplace_back(fmt::format("{:08}", items.size()),
                       json::object{{"PolicyName", StringMember((*policy)->doc, "PolicyName")},
                                    {"PolicyArn", arn}});
  }
  call->Reply(Page(std::move(items), in, "AttachedPolicies"));
}

void IamService::PutInlinePolicy(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string document(InputStringView(in, "PolicyDocument").value_or(""));
  if (Status st = ValidatePolicyDocument(document, PolicyKind::kIdentity); !st.ok()) {
    return Fail(call, st);
  }
  std::lock_guard lock(mu_);
  auto entity = RequireEntity(kind, call->context().account_id,
                              InputStringView(in, Traits(kind).name_member).value_or(""));
  if (!entity.ok()) return Fail(call, entity.status());
  (*entity)->inline_policies[std::string(InputStringView(in, "PolicyName").value_or(""))] =
      document;
  storage::WriteBatch batch;
  PutEntity(batch, kind, **entity);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::GetInlinePolicy(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string_view name_member = Traits(kind).name_member;
  const std::string policy_name(InputStringView(in, "PolicyName").value_or(""));
  std::lock_guard lock(mu_);
  auto entity = RequireEntity(kind, call->context().account_id,
                              InputStringView(in, name_member).value_or(""));
  if (!entity.ok()) return Fail(call, entity.status());
  auto it = (*entity)->inline_policies.find(policy_name);
  if (it == (*entity)->inline_policies.end()) {
    return Fail(call, NoSuchEntity(fmt::format("The {} policy with name {} cannot be found.",
                                               Noun(kind), policy_name)));
  }
  call->Reply(json::object{{name_member, NameOf((*entity)->doc, Traits(kind))},
                           {"PolicyName", it->first},
                           {"PolicyDocument", EncodePolicyDocument(it->second)}});
}

void IamService::DeleteInlinePolicy(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string policy_name(InputStringView(in, "PolicyName").value_or(""));
  std::lock_guard lock(mu_);
  auto entity = RequireEntity(kind, call->context().account_id,
                              InputStringView(in, Traits(kind).name_member).value_or(""));
  if (!entity.ok()) return Fail(call, entity.status());
  if ((*entity)->inline_policies.erase(policy_name) == 0) {
    return Fail(call, NoSuchEntity(fmt::format("The {} policy with name {} cannot be found.",
                                               Noun(kind), policy_name)));
  }
  storage::WriteBatch batch;
  PutEntity(batch, kind, **entity);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::ListInlinePolicies(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  std::lock_guard lock(mu_);
  auto entity = RequireEntity(kind, call->context().account_id,
                              InputStringView(in, Traits(kind).name_member).value_or(""));
  if (!entity.ok()) return Fail(call, entity.status());
  std::vector<std::pair<std::string, json::value>> items;
  for (const auto& [name, document] : (*entity)->inline_policies) items.emplace_back(name, name);
  call->Reply(Page(std::move(items), in, "PolicyNames"));
}

}  // namespace tidepool::iam
