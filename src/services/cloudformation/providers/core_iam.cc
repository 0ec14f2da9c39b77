// IAM through tidepool's IAM service: AWS::IAM::Role, AWS::IAM::Policy (inline policies) and
// AWS::IAM::ManagedPolicy.
#include <boost/json.hpp>

#include <map>
#include <set>

#include "services/cloudformation/providers/core_common.h"

namespace tidepool::cloudformation::core {
namespace json = boost::json;

namespace {

std::set<std::string> TextSet(const json::array& list) {
  std::set<std::string> out;
  for (const auto& v : list) out.insert(Text(v));
  return out;
}

// Inline policies [{PolicyName, PolicyDocument}] by name.
std::map<std::string, std::string> InlinePolicies(const json::object& p) {
  std::map<std::string, std::string> out;
  for (const auto& v : PropArray(p, "Policies")) {
    if (v.is_object()) {
      out[PropText(v.get_object(), "PolicyName")] = PropText(v.get_object(), "PolicyDocument");
    }
  }
  return out;
}

class IamRoleProvider final : public ResourceProvider {
 public:
  bool RequiresReplacement(const json::object& before, const json::object& after) const override {
    return Changed(before, after, {"RoleName", "Path"});
  }
  Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    const auto& p = r.properties;
    const std::string name = NameOrGenerated(r, "RoleName", 64);
    json::object in{{"RoleName", name},
                    {"AssumeRolePolicyDocument", PropText(p, "AssumeRolePolicyDocument")}};
    for (std::string_view k : {"Path", "Description", "PermissionsBoundary"}) {
      if (p.contains(k)) in[k] = PropText(p, k);
    }
    if (p.contains("MaxSessionDuration")) {
      in["MaxSessionDuration"] = PropInt(p, "MaxSessionDuration", 3600);
    }
    if (const auto& tags = PropArray(p, "Tags"); !tags.empty()) in["Tags"] = tags;
    auto out = CallOrFail(services, "iam", "CreateRole", std::move(in));
    if (!out.ok()) return out.status();
    const auto& role = PropObject(*out, "Role");
    TP_RETURN_IF_ERROR(Attachments(services, name, {}, p));
    return ResourceState{name,
                         {{"Arn", PropText(role, "Arn")}, {"RoleId", PropText(role, "RoleId")}}};
  }
  Result<ResourceState> Update(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    const auto& p = r.properties;
    const auto& old = r.previous_properties;
    const std::string& name = r.physical_id;
    if (Changed(old, p, {"AssumeRolePolicyDocument"})) {
      TP_RETURN_IF_ERROR(CallOrFail(services, "iam", "UpdateAssumeRolePolicy",
                                    {{"RoleName", name},
                                     {"PolicyDocument", PropText(p, "AssumeRolePolicyDocument")}})
                             .status());
    }
    if (Changed(old, p, {"Description", "MaxSessionDuration"})) {
      TP_RETURN_IF_ERROR(
          CallOrFail(services, "iam", "UpdateRole",
                     {{"RoleName", name},
                      {"Description", PropText(p, "Description")},
                      {"MaxSessionDuration", PropInt(p, "MaxSessionDuration", 3600)}})
              .status());
    }
    if (Changed(old, p, {"PermissionsBoundary"})) {
      if (p.contains("PermissionsBoundary")) {
        TP_RETURN_IF_ERROR(CallOrFail(services, "iam", "PutRolePermissionsBoundary",
                                      {{"RoleName", name},
                                       {"PermissionsBoundary", PropText(p, "PermissionsBoundary")}})
                               .status());
      } else {
        TP_RETURN_IF_ERROR(
            CallOrFail(services, "iam", "DeleteRolePermissionsBoundary", {{"RoleName", name}})
                .status());
      }
    }
    if (Changed(old, p, {"Tags"})) {
      json::array removed = RemovedTagKeys(old, p);
      if (!removed.empty()) {
        TP_RETURN_IF_ERROR(
            CallOrFail(services, "iam", "UntagRole", {{"RoleName", name}, {"TagKeys", removed}})
                .status());
      }
      if (!PropArray(p, "Tags").empty()) {
        TP_RETURN_IF_ERROR(CallOrFail(services, "iam", "TagRole",
                                      {{"RoleName", name}, {"Tags", PropArray(p, "Tags")}})
                               .status());
      }
    }
    TP_RETURN_IF_ERROR(Attachments(services, name, old, p));
    return ResourceState{name, r.attributes};
  }
  Status Delete(ServiceCaller& services, const ResourceRequest& r) const override {
    // IAM refuses to delete a role with policies: detach and delete them first.
    Status st = Attachments(services, r.physical_id, r.properties, {});
    if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
    return IgnoreNotFound(
        CallOrFail(services, "iam", "DeleteRole", {{"RoleName", r.physical_id}}).status());
  }

 private:
  static Status Check(const ResourceRequest& r) {
    return CheckProperties(
        r, {"RoleName", "AssumeRolePolicyDocument", "Description", "ManagedPolicyArns",
            "MaxSessionDuration", "Path", "PermissionsBoundary", "Policies", "Tags"});
  }
  // Managed policy attachments and inline policies from `before` to `after`.
  static Status Attachments(ServiceCaller& services, const std::string& role,
                            const json::object& before, const json::object& after) {
    auto old_arns = TextSet(PropArray(before, "ManagedPolicyArns"));
    auto new_arns = TextSet(PropArray(after, "ManagedPolicyArns"));
    for (const auto& arn : old_arns) {
      if (new_arns.contains(arn)) continue;
      TP_RETURN_IF_ERROR(IgnoreNotFound(
          CallOrFail(services, "iam", "DetachRolePolicy", {{"RoleName", role}, {"PolicyArn", arn}})
              .status()));
    }
    for (const auto& arn : new_arns) {
      if (old_arns.contains(arn)) continue;
      TP_RETURN_IF_ERROR(
          CallOrFail(services, "iam", "AttachRolePolicy", {{"RoleName", role}, {"PolicyArn", arn}})
              .status());
    }
    auto old_inline = InlinePolicies(before);
    auto new_inline = InlinePolicies(after);
    for (const auto& [name, _] : old_inline) {
      if (new_inline.contains(name)) continue;
      TP_RETURN_IF_ERROR(IgnoreNotFound(CallOrFail(services, "iam", "DeleteRolePolicy",
                                                   {{"RoleName", role}, {"PolicyName", name}})
                                            .status()));
    }
    for (const auto& [name, doc] : new_inline) {
      auto it = old_inline.find(name);
      if (it != old_inline.end() && it->second == doc) continue;
      TP_RETURN_IF_ERROR(
          CallOrFail(services, "iam", "PutRolePolicy",
                     {{"RoleName", role}, {"PolicyName", name}, {"PolicyDocument", doc}})
              .status());
    }
    return Status::Ok();
  }
};

// Who a policy applies to: roles, users and groups, each with its IAM operation names.
struct Principals {
  std::string_view list_key;  // "Roles"
  std::string_view name_key;  // "RoleName"
  std::string_view put;       // "PutRolePolicy"
  std::string_view remove;    // "DeleteRolePolicy"
  std::string_view attach;    // "AttachRolePolicy"
  std::string_view detach;    // "DetachRolePolicy"
};
constexpr Principals kPrincipals[] = {
    {"Roles", "RoleName", "PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy",
     "DetachRolePolicy"},
    {"Users", "UserName", "PutUserPolicy", "DeleteUserPolicy", "AttachUserPolicy",
     "DetachUserPolicy"},
    {"Groups", "GroupName", "PutGroupPolicy", "DeleteGroupPolicy", "AttachGroupPolicy",
     "DetachGroupPolicy"},
};

class IamPolicyProvider final : public ResourceProvider {
 public:
  bool RequiresReplacement(const json::object&, const json::object&) const override {
    return false;
  }
  Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    TP_RETURN_IF_ERROR(Apply(services, {}, r.properties));
    return ResourceState{GeneratedName(r, 64), {}};
  }
  Result<ResourceState> Update(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    TP_RETURN_IF_ERROR(Apply(services, r.previous_properties, r.properties));
    return ResourceState{r.physical_id, r.attributes};
  }
  Status Delete(ServiceCaller& services, const ResourceRequest& r) const override {
    return Apply(services, r.properties, {});
  }

 private:
  static Status Check(const ResourceRequest& r) {
    return CheckProperties(r, {"PolicyName", "PolicyDocument", "Roles", "Users", "Groups"});
  }
  static Status Apply(ServiceCaller& services, const json::object& before,
                      const json::object& after) {
    const std::string old_name = PropText(before, "PolicyName");
    const std::string name = PropText(after, "PolicyName");
    for (const Principals& k : kPrincipals) {
      auto old_set = TextSet(PropArray(before, k.list_key));
      auto new_set = TextSet(PropArray(after, k.list_key));
      for (const auto& who : old_set) {
        if (new_set.contains(who) && old_name == name) continue;
        TP_RETURN_IF_ERROR(IgnoreNotFound(
            CallOrFail(services, "iam", k.remove, {{k.name_key, who}, {"PolicyName", old_name}})
                .status()));
      }
      for (const auto& who : new_set) {
        TP_RETURN_IF_ERROR(CallOrFail(services, "iam", k.put,
                                      {{k.name_key, who},
                                       {"PolicyName", name},
                                       {"PolicyDocument", PropText(after, "PolicyDocument")}})
                               .status());
      }
    }
    return Status::Ok();
  }
};

class IamManagedPolicyProvider final : public ResourceProvider {
 public:
  bool RequiresReplacement(const json::object& before, const json::object& after) const override {
    return Changed(before, after, {"ManagedPolicyName", "Path", "Description"});
  }
  Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    const auto& p = r.properties;
    json::object in{{"PolicyName", NameOrGenerated(r, "ManagedPolicyName", 128)},
                    {"PolicyDocument", PropText(p, "PolicyDocument")}};
    for (std::string_view k : {"Path", "Description"}) {
      if (p.contains(k)) in[k] = PropText(p, k);
    }
    auto out = CallOrFail(services, "iam", "CreatePolicy", std::move(in));
    if (!out.ok()) return out.status();
    const auto& policy = PropObject(*out, "Policy");
    const std::string arn = PropText(policy, "Arn");
    TP_RETURN_IF_ERROR(Attach(services, arn, {}, p));
    return ResourceState{arn, {{"PolicyArn", arn}, {"PolicyId", PropText(policy, "PolicyId")}}};
  }
  Result<ResourceState> Update(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    if (Changed(r.previous_properties, r.properties, {"PolicyDocument"})) {
      TP_RETURN_IF_ERROR(PruneVersions(services, r.physical_id));
      TP_RETURN_IF_ERROR(CallOrFail(services, "iam", "CreatePolicyVersion",
                                    {{"PolicyArn", r.physical_id},
                                     {"PolicyDocument", PropText(r.properties, "PolicyDocument")},
                                     {"SetAsDefault", true}})
                             .status());
    }
    TP_RETURN_IF_ERROR(Attach(services, r.physical_id, r.previous_properties, r.properties));
    return ResourceState{r.physical_id, r.attributes};
  }
  Status Delete(ServiceCaller& services, const ResourceRequest& r) const override {
    Status st = Attach(services, r.physical_id, r.properties, {});
    if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
    st = PruneVersions(services, r.physical_id, 0);
    if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
    return IgnoreNotFound(
        CallOrFail(services, "iam", "DeletePolicy", {{"PolicyArn", r.physical_id}}).status());
  }

 private:
  static Status Check(const ResourceRequest& r) {
    return CheckProperties(r, {"ManagedPolicyName", "PolicyDocument", "Description", "Path",
                               "Roles", "Users", "Groups"});
  }
  // Deletes non-default versions until at most `keep` remain (IAM keeps 5).
  static Status PruneVersions(ServiceCaller& services, const std::string& arn, size_t keep = 3) {
    auto out = CallOrFail(services, "iam", "ListPolicyVersions", {{"PolicyArn", arn}});
    if (!out.ok()) return out.status();
    std::vector<std::string> old;
    for (const auto& v : PropArray(*out, "Versions")) {
      if (!PropBool(v.as_object(), "IsDefaultVersion")) {
        old.push_back(PropText(v.as_object(), "VersionId"));
      }
    }
    while (old.size() > keep) {
      TP_RETURN_IF_ERROR(CallOrFail(services, "iam", "DeletePolicyVersion",
                                    {{"PolicyArn", arn}, {"VersionId", old.back()}})
                             .status());
      old.pop_back();
    }
    return Status::Ok();
  }
  static Status Attach(ServiceCaller& services, const std::string& arn, const json::object& before,
                       const json::object& after) {
    for (const Principals& k : kPrincipals) {
      auto old_set = TextSet(PropArray(before, k.list_key));
      auto new_set = TextSet(PropArray(after, k.list_key));
      for (const auto& who : old_set) {
        if (new_set.contains(who)) continue;
        TP_RETURN_IF_ERROR(IgnoreNotFound(
            CallOrFail(services, "iam", k.detach, {{k.name_key, who}, {"PolicyArn", arn}})
                .status()));
      }
      for (const auto& who : new_set) {
        if (old_set.contains(who)) continue;
        TP_RETURN_IF_ERROR(
            CallOrFail(services, "iam", k.attach, {{k.name_key, who}, {"PolicyArn", arn}})
                .status());
      }
    }
    return Status::Ok();
  }
};

}  // namespace

const ResourceProvider& IamRole() { return Instance<IamRoleProvider>(); }
const ResourceProvider& IamPolicy() { return Instance<IamPolicyProvider>(); }
const ResourceProvider& IamManagedPolicy() { return Instance<IamManagedPolicyProvider>(); }

}  // namespace tidepool::cloudformation::core
