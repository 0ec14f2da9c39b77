// IamService: AWS Identity and Access Management as stored resources: roles, managed policies
// (customer and AWS managed) and their versions, inline policies, policy attachments,
// instance profiles, users, groups and access keys. Policies are stored, never evaluated
// (docs/differences.md). IAM is global: ARNs have no region and state is namespaced by the
// caller's account alone.
//
// The identities IAM stores are also what STS (sts_service.h, in this folder because it reads
// them and writes its sessions into the same keyspace) issues credentials for, and what the
// router's authenticator asks about the keys it does not know (FindCredential).
//
// State: one in-memory directory (entities by kind, account and lower-cased name; managed
// policies; access keys and STS sessions by key id) guarded by one mutex, mirrored by one
// JSON record per entity (keyspace.h, entity_codec.h). A write changes the directory and
// submits its records while holding the mutex, so commit order is the order of the changes,
// and replies once the batch is durable.
//
// Thread-safety: all public methods may be called from any thread; Invoke never blocks on the
// disk. The service must outlive the CommitQueue's pending completions.
#pragma once

#include <boost/json/object.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "protocol/authenticator.h"
#include "protocol/service.h"
#include "services/iam/entity_codec.h"
#include "services/iam/keyspace.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::iam {

// Who a request's credentials belong to (sts:GetCallerIdentity).
struct CallerIdentity {
  std::string account;
  std::string arn;      // arn:aws:iam::ACCOUNT:root, :user/NAME, arn:aws:sts::...:assumed-role/R/S
  std::string user_id;  // the account id for root, AIDA... for a user, AROA...:session
};

// A role as STS sees it (AssumeRole).
struct RoleFacts {
  std::string role_id;
  int64_t max_session_seconds = 3600;
};

class IamService final : public protocol::Service {
 public:
  IamService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock);
  ~IamService() override;
  IamService(const IamService&) = delete;
  IamService& operator=(const IamService&) = delete;

  // Loads every entity, policy, access key and unexpired STS session from the store (expired
  // sessions are deleted). Call once, before serving.
  Status Recover();

  std::string_view Name() const override { return "iam"; }
  const protocol::model::ServiceModel& Model() const override;
  void Invoke(protocol::CallPtr call) override;
  boost::json::object Health() const override;

  // --- For the authenticator and STS.
  // The secret, account and (for STS credentials) session token and expiry of an access key
  // IAM or STS issued; nullopt for any other key. Cheap: no lookup at all until a key exists.
  std::optional<protocol::AccessKey> FindCredential(std::string_view access_key_id) const;
  // The identity behind a request's access key: an issued key's user or session, else the
  // root of the request's account.
  CallerIdentity IdentityOf(const protocol::RequestContext& context) const;
  // The role `name` of `account`, if it exists.
  std::optional<RoleFacts> FindRole(std::string_view account, std::string_view name) const;
  // Stores temporary credentials issued by STS and replies `output` once durable.
  void CommitSession(StoredAccessKey session, protocol::CallPtr call, boost::json::object output);

  // What differs between roles, users, groups and instance profiles (iam_internal.h).
  struct EntityTraits;
  static const EntityTraits& Traits(EntityKind kind);

 private:
  using Handler = void (IamService::*)(protocol::CallPtr, EntityKind);
  friend struct IamServiceTable;
  // --- role_ops.cc: roles (and service-linked roles)
  void CreateRole(protocol::CallPtr call, EntityKind kind);
  void CreateServiceLinkedRole(protocol::CallPtr call, EntityKind kind);
  void UpdateRole(protocol::CallPtr call, EntityKind kind);
  void UpdateRoleDescription(protocol::CallPtr call, EntityKind kind);
  void UpdateAssumeRolePolicy(protocol::CallPtr call, EntityKind kind);
  void PutPermissionsBoundary(protocol::CallPtr call, EntityKind kind);
  void DeletePermissionsBoundary(protocol::CallPtr call, EntityKind kind);
  // --- entity_ops.cc: what roles, users, groups and instance profiles share
  void CreateEntity(protocol::CallPtr call, EntityKind kind);  // users, groups, profiles
  void GetEntity(protocol::CallPtr call, EntityKind kind);
  void ListEntities(protocol::CallPtr call, EntityKind kind);
  void DeleteEntity(protocol::CallPtr call, EntityKind kind);
  void UpdateEntity(protocol::CallPtr call, EntityKind kind);  // UpdateUser, UpdateGroup
  void TagEntity(protocol::CallPtr call, EntityKind kind);
  void UntagEntity(protocol::CallPtr call, EntityKind kind);
  void ListEntityTags(protocol::CallPtr call, EntityKind kind);
  // --- attachment_ops.cc: managed policy attachments and inline policies
  void AttachPolicy(protocol::CallPtr call, EntityKind kind);
  void DetachPolicy(protocol::CallPtr call, EntityKind kind);
  void ListAttachedPolicies(protocol::CallPtr call, EntityKind kind);
  void PutInlinePolicy(protocol::CallPtr call, EntityKind kind);
  void GetInlinePolicy(protocol::CallPtr call, EntityKind kind);
  void DeleteInlinePolicy(protocol::CallPtr call, EntityKind kind);
  void ListInlinePolicies(protocol::CallPtr call, EntityKind kind);
  // --- membership_ops.cc: instance profile roles, group members
  void AddRoleToInstanceProfile(protocol::CallPtr call, EntityKind kind);
  void RemoveRoleFromInstanceProfile(protocol::CallPtr call, EntityKind kind);
  void ListInstanceProfilesForRole(protocol::CallPtr call, EntityKind kind);
  void AddUserToGroup(protocol::CallPtr call, EntityKind kind);
  void RemoveUserFromGroup(protocol::CallPtr call, EntityKind kind);
  void ListGroupsForUser(protocol::CallPtr call, EntityKind kind);
  // --- policy_ops.cc: managed policies and their versions
  void CreatePolicy(protocol::CallPtr call, EntityKind kind);
  void GetPolicy(protocol::CallPtr call, EntityKind kind);
  void ListPolicies(protocol::CallPtr call, EntityKind kind);
  void DeletePolicy(protocol::CallPtr call, EntityKind kind);
  void CreatePolicyVersion(protocol::CallPtr call, EntityKind kind);
  void GetPolicyVersion(protocol::CallPtr call, EntityKind kind);
  void ListPolicyVersions(protocol::CallPtr call, EntityKind kind);
  void DeletePolicyVersion(protocol::CallPtr call, EntityKind kind);
  void SetDefaultPolicyVersion(protocol::CallPtr call, EntityKind kind);
  void TagPolicy(protocol::CallPtr call, EntityKind kind);
  void UntagPolicy(protocol::CallPtr call, EntityKind kind);
  void ListPolicyTags(protocol::CallPtr call, EntityKind kind);
  void ListEntitiesForPolicy(protocol::CallPtr call, EntityKind kind);
  // --- access_key_ops.cc
  void CreateAccessKey(protocol::CallPtr call, EntityKind kind);
  void ListAccessKeys(protocol::CallPtr call, EntityKind kind);
  void DeleteAccessKey(protocol::CallPtr call, EntityKind kind);
  void UpdateAccessKey(protocol::CallPtr call, EntityKind kind);
  void GetAccessKeyLastUsed(protocol::CallPtr call, EntityKind kind);

  // --- iam_service.cc: the directory and commits (callers hold mu_ unless noted)
  static std::string DirKey(std::string_view account, std::string_view name);
  std::map<std::string, StoredEntity>& EntitiesOf(EntityKind kind);
  StoredEntity* FindEntity(EntityKind kind, std::string_view account, std::string_view name);
  // The entity as replies show it: policy documents URL-encoded; `listed` (List* replies)
  // without the members AWS leaves out of lists (Tags, PermissionsBoundary, RoleLastUsed); an
  // instance profile with its roles.
  boost::json::object RenderEntity(EntityKind kind, const StoredEntity& entity, bool listed);
  // A managed policy as replies show it, with its AttachmentCount; `listed` without
  // Description and Tags.
  boost::json::object RenderPolicy(const StoredPolicy& policy, bool listed) const;
  // The entity or NoSuchEntity with AWS's text.
  Result<StoredEntity*> RequireEntity(EntityKind kind, std::string_view account,
                                      std::string_view name);
  // The managed policy `arn` names (AWS managed, or a customer policy of `account`), or
  // NoSuchEntity with `missing_text` ("Policy {arn} was not found." when empty).
  Result<StoredPolicy*> RequirePolicy(std::string_view account, std::string_view arn,
                                      std::string_view missing_text = {});
  // How many roles, users and groups have `arn` attached.
  int64_t AttachmentCount(std::string_view arn) const;
  // Submits `batch`, replying `output` once durable.
  void Commit(protocol::CallPtr call, boost::json::object output, storage::WriteBatch batch);
  void PutEntity(storage::WriteBatch& batch, EntityKind kind, const StoredEntity& entity);
  void PutPolicy(storage::WriteBatch& batch, const StoredPolicy& policy);
  // Installs / removes an issued key in the credential index (also under creds_mu_).
  void IndexCredential(const StoredAccessKey& key);
  void UnindexCredential(std::string_view access_key_id);
  static void Fail(const protocol::CallPtr& call, const Status& status);
  double NowSeconds() const { return clock_.NowSeconds(); }

  storage::Store& store_;
  storage::CommitQueue& commits_;
  const Clock& clock_;

  mutable std::mutex mu_;
  // By DirKey(account, lower-cased name): sorted, so an account's entities are one range in
  // name order (the order IAM lists them in).
  std::map<std::string, StoredEntity> roles_, users_, groups_, profiles_;
  std::map<std::string, StoredPolicy> policies_;      // customer managed, by DirKey
  std::map<std::string, StoredPolicy> aws_policies_;  // AWS managed, by ARN (never stored)
  std::map<std::string, StoredAccessKey> keys_;       // user access keys and STS sessions, by id
  std::map<std::string, int64_t> attachment_counts_;  // policy ARN -> attachments

  // The credential index the authenticator reads on io threads: a copy of keys_' secrets.
  mutable std::shared_mutex creds_mu_;
  std::unordered_map<std::string, protocol::AccessKey> creds_;
  std::atomic<size_t> creds_count_{0};
};

}  // namespace tidepool::iam
