#include "services/iam/iam_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>

#include "protocol/model/models.h"
#include "services/iam/aws_managed_policies.h"
#include "services/iam/iam_errors.h"
#include "services/iam/iam_internal.h"
#include "services/write_path.h"
#include "storage/key_codec.h"
#include "storage/skipped_records.h"

namespace tidepool::iam {
namespace json = boost::json;
using protocol::CallPtr;

// The registration table: operation name -> handler, and the kind of entity the handler works
// on (handlers shared by roles, users, groups and instance profiles take it as an argument).
// Operations of the IAM model that are not listed (MFA, login profiles, SAML/OIDC providers,
// certificates, account settings, simulation, reports) fail with InvalidAction.
struct IamServiceTable {
  struct Entry {
    std::string_view operation;
    IamService::Handler handler;
    EntityKind kind;
  };
  using K = EntityKind;
  using S = IamService;
  static constexpr std::array<Entry, 81> kEntries{{
      {"AddRoleToInstanceProfile", &S::AddRoleToInstanceProfile, K::kInstanceProfile},
      {"AddUserToGroup", &S::AddUserToGroup, K::kGroup},
      {"AttachGroupPolicy", &S::AttachPolicy, K::kGroup},
      {"AttachRolePolicy", &S::AttachPolicy, K::kRole},
      {"AttachUserPolicy", &S::AttachPolicy, K::kUser},
      {"CreateAccessKey", &S::CreateAccessKey, K::kUser},
      {"CreateGroup", &S::CreateEntity, K::kGroup},
      {"CreateInstanceProfile", &S::CreateEntity, K::kInstanceProfile},
      {"CreatePolicy", &S::CreatePolicy, K::kPolicy},
      {"CreatePolicyVersion", &S::CreatePolicyVersion, K::kPolicy},
      {"CreateRole", &S::CreateRole, K::kRole},
      {"CreateServiceLinkedRole", &S::CreateServiceLinkedRole, K::kRole},
      {"CreateUser", &S::CreateEntity, K::kUser},
      {"DeleteAccessKey", &S::DeleteAccessKey, K::kUser},
      {"DeleteGroup", &S::DeleteEntity, K::kGroup},
      {"DeleteGroupPolicy", &S::DeleteInlinePolicy, K::kGroup},
      {"DeleteInstanceProfile", &S::DeleteEntity, K::kInstanceProfile},
      {"DeletePolicy", &S::DeletePolicy, K::kPolicy},
      {"DeletePolicyVersion", &S::DeletePolicyVersion, K::kPolicy},
      {"DeleteRole", &S::DeleteEntity, K::kRole},
      {"DeleteRolePermissionsBoundary", &S::DeletePermissionsBoundary, K::kRole},
      {"DeleteRolePolicy", &S::DeleteInlinePolicy, K::kRole},
      {"DeleteServiceLinkedRole", &S::DeleteEntity, K::kRole},
      {"DeleteUser", &S::DeleteEntity, K::kUser},
      {"DeleteUserPermissionsBoundary", &S::DeletePermissionsBoundary, K::kUser},
      {"DeleteUserPolicy", &S::DeleteInlinePolicy, K::kUser},
      {"DetachGroupPolicy", &S::DetachPolicy, K::kGroup},
      {"DetachRolePolicy", &S::DetachPolicy, K::kRole},
      {"DetachUserPolicy", &S::DetachPolicy, K::kUser},
      {"GetAccessKeyLastUsed", &S::GetAccessKeyLastUsed, K::kUser},
      {"GetGroup", &S::GetEntity, K::kGroup},
      {"GetGroupPolicy", &S::GetInlinePolicy, K::kGroup},
      {"GetInstanceProfile", &S::GetEntity, K::kInstanceProfile},
      {"GetPolicy", &S::GetPolicy, K::kPolicy},
      {"GetPolicyVersion", &S::GetPolicyVersion, K::kPolicy},
      {"GetRole", &S::GetEntity, K::kRole},
      {"GetRolePolicy", &S::GetInlinePolicy, K::kRole},
      {"GetUser", &S::GetEntity, K::kUser},
      {"GetUserPolicy", &S::GetInlinePolicy, K::kUser},
      {"ListAccessKeys", &S::ListAccessKeys, K::kUser},
      {"ListAttachedGroupPolicies", &S::ListAttachedPolicies, K::kGroup},
      {"ListAttachedRolePolicies", &S::ListAttachedPolicies, K::kRole},
      {"ListAttachedUserPolicies", &S::ListAttachedPolicies, K::kUser},
      {"ListEntitiesForPolicy", &S::ListEntitiesForPolicy, K::kPolicy},
      {"ListGroupPolicies", &S::ListInlinePolicies, K::kGroup},
      {"ListGroups", &S::ListEntities, K::kGroup},
      {"ListGroupsForUser", &S::ListGroupsForUser, K::kGroup},
      {"ListInstanceProfileTags", &S::ListEntityTags, K::kInstanceProfile},
      {"ListInstanceProfiles", &S::ListEntities, K::kInstanceProfile},
      {"ListInstanceProfilesForRole", &S::ListInstanceProfilesForRole, K::kInstanceProfile},
      {"ListPolicies", &S::ListPolicies, K::kPolicy},
      {"ListPolicyTags", &S::ListPolicyTags, K::kPolicy},
      {"ListPolicyVersions", &S::ListPolicyVersions, K::kPolicy},
      {"ListRolePolicies", &S::ListInlinePolicies, K::kRole},
      {"ListRoleTags", &S::ListEntityTags, K::kRole},
      {"ListRoles", &S::ListEntities, K::kRole},
      {"ListUserPolicies", &S::ListInlinePolicies, K::kUser},
      {"ListUserTags", &S::ListEntityTags, K::kUser},
      {"ListUsers", &S::ListEntities, K::kUser},
      {"PutGroupPolicy", &S::PutInlinePolicy, K::kGroup},
      {"PutRolePermissionsBoundary", &S::PutPermissionsBoundary, K::kRole},
      {"PutRolePolicy", &S::PutInlinePolicy, K::kRole},
      {"PutUserPermissionsBoundary", &S::PutPermissionsBoundary, K::kUser},
      {"PutUserPolicy", &S::PutInlinePolicy, K::kUser},
      {"RemoveRoleFromInstanceProfile", &S::RemoveRoleFromInstanceProfile, K::kInstanceProfile},
      {"RemoveUserFromGroup", &S::RemoveUserFromGroup, K::kGroup},
      {"SetDefaultPolicyVersion", &S::SetDefaultPolicyVersion, K::kPolicy},
      {"TagInstanceProfile", &S::TagEntity, K::kInstanceProfile},
      {"TagPolicy", &S::TagPolicy, K::kPolicy},
      {"TagRole", &S::TagEntity, K::kRole},
      {"TagUser", &S::TagEntity, K::kUser},
      {"UntagInstanceProfile", &S::UntagEntity, K::kInstanceProfile},
      {"UntagPolicy", &S::UntagPolicy, K::kPolicy},
      {"UntagRole", &S::UntagEntity, K::kRole},
      {"UntagUser", &S::UntagEntity, K::kUser},
      {"UpdateAccessKey", &S::UpdateAccessKey, K::kUser},
      {"UpdateAssumeRolePolicy", &S::UpdateAssumeRolePolicy, K::kRole},
      {"UpdateGroup", &S::UpdateEntity, K::kGroup},
      {"UpdateRole", &S::UpdateRole, K::kRole},
      {"UpdateRoleDescription", &S::UpdateRoleDescription, K::kRole},
      {"UpdateUser", &S::UpdateEntity, K::kUser},
  }};
  static const Entry* Find(std::string_view operation) {
    auto it =
        std::lower_bound(kEntries.begin(), kEntries.end(), operation,
                         [](const Entry& e, std::string_view op) { return e.operation < op; });
    return (it != kEntries.end() && it->operation == operation) ? &*it : nullptr;
  }
};

const IamService::EntityTraits& IamService::Traits(EntityKind kind) {
  static constexpr EntityTraits kRole{"RoleName",
                                      "RoleId",
                                      "AROA",
                                      "role",
                                      "Roles",
                                      "Role",
                                      "The role with name {} cannot be found.",
                                      "Role with name {} already exists."};
  static constexpr EntityTraits kUser{"UserName",
                                      "UserId",
                                      "AIDA",
                                      "user",
                                      "Users",
                                      "User",
                                      "The user with name {} cannot be found.",
                                      "User with name {} already exists."};
  static constexpr EntityTraits kGroup{"GroupName",
                                       "GroupId",
                                       "AGPA",
                                       "group",
                                       "Groups",
                                       "Group",
                                       "The group with name {} cannot be found.",
                                       "Group with name {} already exists."};
  static constexpr EntityTraits kProfile{"InstanceProfileName",
                                         "InstanceProfileId",
                                         "AIPA",
                                         "instance-profile",
                                         "InstanceProfiles",
                                         "InstanceProfile",
                                         "Instance Profile {} cannot be found.",
                                         "Instance Profile {} already exists."};
  switch (kind) {
    case EntityKind::kUser:
      return kUser;
    case EntityKind::kGroup:
      return kGroup;
    case EntityKind::kInstanceProfile:
      return kProfile;
    default:
      return kRole;
  }
}

IamService::IamService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock)
    : store_(store), commits_(commits), clock_(clock) {
  for (const AwsManagedPolicy& p : AwsManagedPolicies()) {
    StoredPolicy policy;
    policy.aws_managed = true;
    const std::string arn = "arn:aws:iam::aws:policy" + std::string(p.path) + std::string(p.name);
    policy.doc = json::object{{"PolicyName", p.name},
                              {"PolicyId", p.policy_id},
                              {"Arn", arn},
                              {"Path", p.path},
                              {"DefaultVersionId", p.version_id},
                              {"PermissionsBoundaryUsageCount", 0},
                              {"IsAttachable", true},
                              {"Description", p.description},
                              {"CreateDate", 1423699200.0},  // 2015-02-12, as AWS's
                              {"UpdateDate", 1423699200.0}};
    policy.versions.push_back(
        PolicyVersion{std::string(p.version_id), std::string(p.document), 1423699200.0});
    aws_policies_.emplace(arn, std::move(policy));
  }
}

IamService::~IamService() = default;

const protocol::model::ServiceModel& IamService::Model() const {
  return protocol::model::IamModel();
}

void IamService::Invoke(CallPtr call) {
  const IamServiceTable::Entry* entry = IamServiceTable::Find(call->operation().name);
  if (entry == nullptr) {
    return Fail(call, IamStatus(IamError::kInvalidAction,
                                fmt::format("The action {} is not implemented by tidepool (IAM "
                                            "serves roles, policies, instance profiles, users, "
                                            "groups and access keys).",
                                            call->operation().name)));
  }
  (this->*entry->handler)(std::move(call), entry->kind);
}

json::object IamService::Health() const {
  std::lock_guard lock(mu_);
  return json::object{{"status", "running"},
                      {"roles", roles_.size()},
                      {"users", users_.size()},
                      {"policies", policies_.size()}};
}

void IamService::Fail(const CallPtr& call, const Status& status) {
  if (call) call->Fail(ToAwsError(status));
}

// ---------------------------------------------------------------------------- directory

std::string IamService::DirKey(std::string_view account, std::string_view name) {
  std::string key(account);
  key.push_back('\0');
  key += keyspace::Lower(name);
  return key;
}

std::map<std::string, StoredEntity>& IamService::EntitiesOf(EntityKind kind) {
  switch (kind) {
    case EntityKind::kUser:
      return users_;
    case EntityKind::kGroup:
      return groups_;
    case EntityKind::kInstanceProfile:
      return profiles_;
    default:
      return roles_;
  }
}

StoredEntity* IamService::FindEntity(EntityKind kind, std::string_view account,
                                     std::string_view name) {
  auto& map = EntitiesOf(kind);
  auto it = map.find(DirKey(account, name));
  return it == map.end() ? nullptr : &it->second;
}

Result<StoredEntity*> IamService::RequireEntity(EntityKind kind, std::string_view account,
                                                std::string_view name) {
  if (StoredEntity* e = FindEntity(kind, account, name)) return e;
  return NoSuchEntity(fmt::format(fmt::runtime(Traits(kind).missing_fmt), name));
}

Result<StoredPolicy*> IamService::RequirePolicy(std::string_view account, std::string_view arn,
                                                std::string_view missing_text) {
  auto missing = [&] {
    return NoSuchEntity(missing_text.empty() ? fmt::format("Policy {} was not found.", arn)
                                             : std::string(missing_text));
  };
  if (auto it = aws_policies_.find(std::string(arn)); it != aws_policies_.end()) {
    return &it->second;
  }
  // arn:aws:iam::<account>:policy<path><name>
  const std::string prefix = "arn:aws:iam::" + std::string(account) + ":policy/";
  if (arn.substr(0, prefix.size()) != prefix) return missing();
  const std::string_view name = arn.substr(arn.rfind('/') + 1);
  auto it = policies_.find(DirKey(account, name));
  if (it == policies_.end() || PolicyArnOf(it->second) != arn) return missing();
  return &it->second;
}

int64_t IamService::AttachmentCount(std::string_view arn) const {
  auto it = attachment_counts_.find(std::string(arn));
  return it == attachment_counts_.end() ? 0 : it->second;
}

void IamService::PutEntity(storage::WriteBatch& batch, EntityKind kind,
                           const StoredEntity& entity) {
  batch.Put(keyspace::EntityKey(kind, AccountOf(entity.doc), NameOf(entity.doc, Traits(kind))),
            EncodeEntity(entity));
}

void IamService::PutPolicy(storage::WriteBatch& batch, const StoredPolicy& policy) {
  batch.Put(keyspace::EntityKey(EntityKind::kPolicy, AccountOf(policy.doc),
                                StringMember(policy.doc, "PolicyName")),
            EncodePolicy(policy));
}

void IamService::Commit(CallPtr call, json::object output, storage::WriteBatch batch) {
  services::SubmitForCall(commits_, std::move(batch), call,
                          services::ReplyWhenCommitted(call, std::move(output), ToAwsError, "iam"),
                          ToAwsError);
}

// ---------------------------------------------------------------------------- credentials

void IamService::IndexCredential(const StoredAccessKey& key) {
  protocol::AccessKey credential{key.secret, key.account, key.session_token,
                                 static_cast<int64_t>(key.expires * 1e6)};
  std::unique_lock lock(creds_mu_);
  creds_[key.id] = std::move(credential);
  creds_count_.store(creds_.size(), std::memory_order_relaxed);
}

void IamService::UnindexCredential(std::string_view access_key_id) {
  std::unique_lock lock(creds_mu_);
  creds_.erase(std::string(access_key_id));
  creds_count_.store(creds_.size(), std::memory_order_relaxed);
}

std::optional<protocol::AccessKey> IamService::FindCredential(
    std::string_view access_key_id) const {
  if (creds_count_.load(std::memory_order_relaxed) == 0 || access_key_id.size() != 20) {
    return std::nullopt;
  }
  std::shared_lock lock(creds_mu_);
  auto it = creds_.find(std::string(access_key_id));
  if (it == creds_.end()) return std::nullopt;
  return it->second;
}

CallerIdentity IamService::IdentityOf(const protocol::RequestContext& context) const {
  {
    std::lock_guard lock(mu_);
    if (auto it = keys_.find(context.access_key_id); it != keys_.end()) {
      const StoredAccessKey& key = it->second;
      if (key.temporary()) return CallerIdentity{key.account, key.arn, key.user_id};
      auto user = users_.find(DirKey(key.account, key.user_name));
      if (user != users_.end()) {
        return CallerIdentity{key.account, StringMember(user->second.doc, "Arn"),
                              StringMember(user->second.doc, "UserId")};
      }
    }
  }
  return CallerIdentity{context.account_id, "arn:aws:iam::" + context.account_id + ":root",
                        context.account_id};
}

std::optional<RoleFacts> IamService::FindRole(std::string_view account,
                                              std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = roles_.find(DirKey(account, name));
  if (it == roles_.end()) return std::nullopt;
  RoleFacts facts;
  facts.role_id = StringMember(it->second.doc, "RoleId");
  if (const auto* max = it->second.doc.if_contains("MaxSessionDuration"); max && max->is_int64()) {
    facts.max_session_seconds = max->get_int64();
  }
  return facts;
}

void IamService::CommitSession(StoredAccessKey session, CallPtr call, json::object output) {
  std::lock_guard lock(mu_);
  storage::WriteBatch batch;
  batch.Put(keyspace::SessionKey(session.id), EncodeAccessKey(session));
  IndexCredential(session);
  keys_[session.id] = std::move(session);
  Commit(std::move(call), std::move(output), std::move(batch));
}

// ---------------------------------------------------------------------------- recovery

Status IamService::Recover() {
  storage::SkippedRecords skipped("iam");
  std::lock_guard lock(mu_);
  for (EntityKind kind :
       {EntityKind::kRole, EntityKind::kUser, EntityKind::kGroup, EntityKind::kInstanceProfile}) {
    auto& map = EntitiesOf(kind);
    const std::string prefix = keyspace::EntityPrefix(kind);
    TP_RETURN_IF_ERROR(store_.Scan(
        prefix, storage::PrefixEnd(prefix), [&](std::string_view key, std::string_view value) {
          auto parsed = keyspace::ParseEntityKey(kind, key);
          auto entity = DecodeEntity(value);
          if (!parsed || !entity.ok()) {
            skipped.Skip(key, "unreadable IAM entity");
            return true;
          }
          for (const std::string& arn : entity->attached) ++attachment_counts_[arn];
          map[DirKey(parsed->first, parsed->second)] = std::move(*entity);
          return true;
        }));
  }
  const std::string pprefix = keyspace::EntityPrefix(EntityKind::kPolicy);
  TP_RETURN_IF_ERROR(store_.Scan(
      pprefix, storage::PrefixEnd(pprefix), [&](std::string_view key, std::string_view value) {
        auto parsed = keyspace::ParseEntityKey(EntityKind::kPolicy, key);
        auto policy = DecodePolicy(value);
        if (!parsed || !policy.ok()) {
          skipped.Skip(key, "unreadable IAM managed policy");
          return true;
        }
        policies_[DirKey(parsed->first, parsed->second)] = std::move(*policy);
        return true;
      }));
  const double now = NowSeconds();
  storage::WriteBatch expired;
  for (const std::string& prefix : {keyspace::AccessKeyPrefix(), keyspace::SessionPrefix()}) {
    TP_RETURN_IF_ERROR(store_.Scan(prefix, storage::PrefixEnd(prefix),
                                   [&](std::string_view key, std::string_view value) {
                                     auto access_key = DecodeAccessKey(value);
                                     if (!access_key.ok()) {
                                       skipped.Skip(key, "unreadable IAM access key");
                                       return true;
                                     }
                                     if (access_key->temporary() && access_key->expires <= now) {
                                       expired.Delete(key);
                                       return true;
                                     }
                                     if (access_key->status == "Active")
                                       IndexCredential(*access_key);
                                     keys_[access_key->id] = std::move(*access_key);
                                     return true;
                                   }));
  }
  if (!expired.empty()) {
    Status st = commits_.Submit(std::move(expired), [](const Status& s) {
      if (!s.ok()) spdlog::error("iam: cannot delete expired STS sessions: {}", s.ToString());
    });
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace tidepool::iam
