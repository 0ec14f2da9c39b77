// Managed policies: customer managed policies with up to five versions, and the AWS managed
// policies (aws_managed_policies.h), which can be read and attached but not changed.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>

#include "services/iam/iam_errors.h"
#include "services/iam/iam_internal.h"
#include "services/iam/ids.h"
#include "services/iam/policy_document.h"

namespace tidepool::iam {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr size_t kMaxVersions = 5;

Status Unmodifiable(std::string_view arn) {
  return IamStatus(IamError::kUnmodifiableEntity,
                   fmt::format("Cannot modify the AWS managed policy {}.", arn));
}

Status VersionMissing(std::string_view arn, std::string_view version_id) {
  return NoSuchEntity(
      fmt::format("Policy {} version {} does not exist or is not attachable.", arn, version_id));
}

json::object VersionReply(const StoredPolicy& policy, const PolicyVersion& version,
                          bool with_document) {
  json::object out{{"VersionId", version.id},
                   {"IsDefaultVersion", StringMember(policy.doc, "DefaultVersionId") == version.id},
                   {"CreateDate", version.created}};
  if (with_document) out["Document"] = EncodePolicyDocument(version.document);
  return out;
}

}  // namespace

json::object IamService::RenderPolicy(const StoredPolicy& policy, bool listed) const {
  json::object out = policy.doc;
  out["AttachmentCount"] = AttachmentCount(PolicyArnOf(policy));
  if (listed) {
    out.erase("Description");
    out.erase("Tags");
  }
  return out;
}

void IamService::CreatePolicy(CallPtr call, EntityKind) {
  const json::object& in = call->input();
  const std::string name(InputStringView(in, "PolicyName").value_or(""));
  const std::string document(InputStringView(in, "PolicyDocument").value_or(""));
  if (Status st = ValidatePolicyDocument(document, PolicyKind::kIdentity); !st.ok()) {
    return Fail(call, st);
  }
  const std::string& account = call->context().account_id;
  const std::string path = PathOf(in);
  const double now = NowSeconds();
  StoredPolicy policy;
  policy.doc = json::object{{"PolicyName", name},
                            {"PolicyId", NewId("ANPA")},
                            {"Arn", fmt::format("arn:aws:iam::{}:policy{}{}", account, path, name)},
                            {"Path", path},
                            {"DefaultVersionId", "v1"},
                            {"PermissionsBoundaryUsageCount", 0},
                            {"IsAttachable", true},
                            {"CreateDate", now},
                            {"UpdateDate", now}};
  if (auto description = InputStringView(in, "Description")) {
    policy.doc["Description"] = *description;
  }
  if (Status st = MergeTags(policy.doc, in, "TagsPerPolicy"); !st.ok()) return Fail(call, st);
  policy.versions.push_back(PolicyVersion{"v1", document, now});
  policy.next_version = 2;
  std::lock_guard lock(mu_);
  if (policies_.contains(DirKey(account, name))) {
    return Fail(call, IamStatus(IamError::kEntityAlreadyExists,
                                fmt::format("A policy called {} already exists. Duplicate names "
                                            "are not allowed.",
                                            name)));
  }
  StoredPolicy& stored = policies_[DirKey(account, name)] = std::move(policy);
  storage::WriteBatch batch;
  PutPolicy(batch, stored);
  json::object reply = RenderPolicy(stored, /*listed=*/false);
  reply.erase("Description");
  Commit(std::move(call), json::object{{"Policy", std::move(reply)}}, std::move(batch));
}

void IamService::GetPolicy(CallPtr call, EntityKind) {
  std::lock_guard lock(mu_);
  auto policy = RequirePolicy(call->context().account_id,
                              InputStringView(call->input(), "PolicyArn").value_or(""));
  if (!policy.ok()) return Fail(call, policy.status());
  call->Reply(json::object{{"Policy", RenderPolicy(**policy, /*listed=*/false)}});
}

void IamService::ListPolicies(CallPtr call, EntityKind) {
  const json::object& in = call->input();
  const std::string_view scope = InputStringView(in, "Scope").value_or("All");
  const bool only_attached = InputBool(in, "OnlyAttached").value_or(false);
  const std::string& account = call->context().account_id;
  std::vector<std::pair<std::string, json::value>> items;
  std::lock_guard lock(mu_);
  auto consider = [&](const StoredPolicy& policy) {
    if (!MatchesPathPrefix(policy.doc, in)) return;
    if (only_attached && AttachmentCount(PolicyArnOf(policy)) == 0) return;
    items.emplace_back(
        keyspace::Lower(StringMember(policy.doc, "PolicyName")) + '\0' + PolicyArnOf(policy),
        RenderPolicy(policy, /*listed=*/true));
  };
  if (scope != "Local") {
    for (const auto& [arn, policy] : aws_policies_) consider(policy);
  }
  if (scope != "AWS") {
    const std::string prefix = DirKey(account, "");
    for (auto it = policies_.lower_bound(prefix);
         it != policies_.end() && it->first.starts_with(prefix); ++it) {
      consider(it->second);
    }
  }
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  call->Reply(Page(std::move(items), in, "Policies"));
}

void IamService::DeletePolicy(CallPtr call, EntityKind) {
  const std::string arn(InputStringView(call->input(), "PolicyArn").value_or(""));
  const std::string& account = call->context().account_id;
  std::lock_guard lock(mu_);
  auto policy = RequirePolicy(account, arn);
  if (!policy.ok()) return Fail(call, policy.status());
  if ((*policy)->aws_managed) return Fail(call, Unmodifiable(arn));
  if (AttachmentCount(arn) > 0) {
    return Fail(
        call, IamStatus(IamError::kDeleteConflict, "Cannot delete a policy attached to entities."));
  }
  if ((*policy)->versions.size() > 1) {
    return Fail(call, IamStatus(IamError::kDeleteConflict,
                                "This policy has more than one version. Before you delete a "
                                "policy, you must delete the policy's versions. The default "
                                "version is deleted with the policy."));
  }
  const std::string name = StringMember((*policy)->doc, "PolicyName");
  storage::WriteBatch batch;
  batch.Delete(keyspace::EntityKey(EntityKind::kPolicy, account, name));
  policies_.erase(DirKey(account, name));
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::CreatePolicyVersion(CallPtr call, EntityKind) {
  const json::object& in = call->input();
  const std::string arn(InputStringView(in, "PolicyArn").value_or(""));
  const std::string document(InputStringView(in, "PolicyDocument").value_or(""));
  if (Status st = ValidatePolicyDocument(document, PolicyKind::kIdentity); !st.ok()) {
    return Fail(call, st);
  }
  std::lock_guard lock(mu_);
  auto policy = RequirePolicy(call->context().account_id, arn);
  if (!policy.ok()) return Fail(call, policy.status());
  StoredPolicy& p = **policy;
  if (p.aws_managed) return Fail(call, Unmodifiable(arn));
  if (p.versions.size() >= kMaxVersions) {
    return Fail(call, IamStatus(IamError::kLimitExceeded,
                                "A managed policy can have up to 5 versions. Before you create a "
                                "new version, you must delete an existing version."));
  }
  const double now = NowSeconds();
  p.versions.push_back(PolicyVersion{fmt::format("v{}", p.next_version++), document, now});
  if (InputBool(in, "SetAsDefault").value_or(false)) {
    p.doc["DefaultVersionId"] = p.versions.back().id;
  }
  p.doc["UpdateDate"] = now;
  storage::WriteBatch batch;
  PutPolicy(batch, p);
  Commit(std::move(call),
         json::object{{"PolicyVersion", VersionReply(p, p.versions.back(), false)}},
         std::move(batch));
}

void IamService::GetPolicyVersion(CallPtr call, EntityKind) {
  const json::object& in = call->input();
  const std::string arn(InputStringView(in, "PolicyArn").value_or(""));
  const std::string version_id(InputStringView(in, "VersionId").value_or(""));
  std::lock_guard lock(mu_);
  auto policy = RequirePolicy(call->context().account_id, arn);
  if (!policy.ok()) return Fail(call, policy.status());
  const PolicyVersion* version = (*policy)->Version(version_id);
  if (version == nullptr) {
    return Fail(call, VersionMissing(arn, version_id));
  }
  call->Reply(json::object{{"PolicyVersion", VersionReply(**policy, *version, true)}});
}

void IamService::ListPolicyVersions(CallPtr call, EntityKind) {
  const json::object& in = call->input();
  std::lock_guard lock(mu_);
  auto policy =
      RequirePolicy(call->context().account_id, InputStringView(in, "PolicyArn").value_or(""));
  if (!policy.ok()) return Fail(call, policy.status());
  std::vector<std::pair<std::string, json::value>> items;
  const auto& versions = (*policy)->versions;
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {  // newest first, as AWS
    items.emplace_back(fmt::format("{:08}", items.size()), VersionReply(**policy, *it, false));
  }
  call->Reply(Page(std::move(items), in, "Versions"));
}

void IamService::DeletePolicyVersion(CallPtr call, EntityKind) {
  const json::object& in = call->input();
  const std::string arn(InputStringView(in, "PolicyArn").value_or(""));
  const std::string version_id(InputStringView(in, "VersionId").value_or(""));
  std::lock_guard lock(mu_);
  auto policy = RequirePolicy(call->context().account_id, arn);
  if (!policy.ok()) return Fail(call, policy.status());
  StoredPolicy& p = **policy;
  if (p.aws_managed) return Fail(call, Unmodifiable(arn));
  if (p.Version(version_id) == nullptr) {
    return Fail(call, VersionMissing(arn, version_id));
  }
  if (StringMember(p.doc, "DefaultVersionId") == version_id) {
    return Fail(call, IamStatus(IamError::kDeleteConflict,
                                "Cannot delete the default version of a policy."));
  }
  std::erase_if(p.versions, [&](const PolicyVersion& v) { return v.id == version_id; });
  storage::WriteBatch batch;
  PutPolicy(batch, p);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::SetDefaultPolicyVersion(CallPtr call, EntityKind) {
  const json::object& in = call->input();
  const std::string arn(InputStringView(in, "PolicyArn").value_or(""));
  const std::string version_id(InputStringView(in, "VersionId").value_or(""));
  std::lock_guard lock(mu_);
  auto policy = RequirePolicy(call->context().account_id, arn);
  if (!policy.ok()) return Fail(call, policy.status());
  StoredPolicy& p = **policy;
  if (p.aws_managed) return Fail(call, Unmodifiable(arn));
  if (p.Version(version_id) == nullptr) {
    return Fail(call, VersionMissing(arn, version_id));
  }
  p.doc["DefaultVersionId"] = version_id;
  p.doc["UpdateDate"] = NowSeconds();
  storage::WriteBatch batch;
  PutPolicy(batch, p);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::TagPolicy(CallPtr call, EntityKind) {
  const json::object& in = call->input();
  const std::string arn(InputStringView(in, "PolicyArn").value_or(""));
  std::lock_guard lock(mu_);
  auto policy = RequirePolicy(call->context().account_id, arn);
  if (!policy.ok()) return Fail(call, policy.status());
  if ((*policy)->aws_managed) return Fail(call, Unmodifiable(arn));
  json::object doc = (*policy)->doc;
  if (Status st = MergeTags(doc, in, "TagsPerPolicy"); !st.ok()) return Fail(call, st);
  (*policy)->doc = std::move(doc);
  storage::WriteBatch batch;
  PutPolicy(batch, **policy);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::UntagPolicy(CallPtr call, EntityKind) {
  const json::object& in = call->input();
  const std::string arn(InputStringView(in, "PolicyArn").value_or(""));
  std::lock_guard lock(mu_);
  auto policy = RequirePolicy(call->context().account_id, arn);
  if (!policy.ok()) return Fail(call, policy.status());
  if ((*policy)->aws_managed) return Fail(call, Unmodifiable(arn));
  RemoveTags((*policy)->doc, in);
  storage::WriteBatch batch;
  PutPolicy(batch, **policy);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::ListPolicyTags(CallPtr call, EntityKind) {
  const json::object& in = call->input();
  std::lock_guard lock(mu_);
  auto policy =
      RequirePolicy(call->context().account_id, InputStringView(in, "PolicyArn").value_or(""));
  if (!policy.ok()) return Fail(call, policy.status());
  std::vector<std::pair<std::string, json::value>> items;
  for (json::value& tag : TagsOf((*policy)->doc)) {
    items.emplace_back(fmt::format("{:08}", items.size()), std::move(tag));
  }
  call->Reply(Page(std::move(items), in, "Tags"));
}

void IamService::ListEntitiesForPolicy(CallPtr call, EntityKind) {
  const json::object& in = call->input();
  const std::string arn(InputStringView(in, "PolicyArn").value_or(""));
  const std::string& account = call->context().account_id;
  const std::string_view filter = InputStringView(in, "EntityFilter").value_or("");
  std::lock_guard lock(mu_);
  if (auto policy = RequirePolicy(account, arn); !policy.ok()) return Fail(call, policy.status());
  json::object out{{"IsTruncated", false}};
  const std::string prefix = DirKey(account, "");
  auto collect = [&](EntityKind kind, std::string_view filter_name, std::string_view member) {
    json::array list;
    if (!filter.empty() && filter != filter_name) {
      out[member] = std::move(list);  // AWS sends the filtered-out lists empty
      return;
    }
    const EntityTraits& t = Traits(kind);
    const auto& map = EntitiesOf(kind);
    for (auto it = map.lower_bound(prefix); it != map.end() && it->first.starts_with(prefix);
         ++it) {
      const auto& attached = it->second.attached;
      if (std::find(attached.begin(), attached.end(), arn) == attached.end()) continue;
      if (!MatchesPathPrefix(it->second.doc, in)) continue;
      list.push_back(json::object{{t.name_member, NameOf(it->second.doc, t)},
                                  {t.id_member, StringMember(it->second.doc, t.id_member)}});
    }
    out[member] = std::move(list);
  };
  collect(EntityKind::kGroup, "Group", "PolicyGroups");
  collect(EntityKind::kUser, "User", "PolicyUsers");
  collect(EntityKind::kRole, "Role", "PolicyRoles");
  call->Reply(std::move(out));
}

}  // namespace tidepool::iam
