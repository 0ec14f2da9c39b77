// Instance profiles' roles and groups' users.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>

#include "services/iam/iam_errors.h"
#include "services/iam/iam_internal.h"

namespace tidepool::iam {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

bool ContainsName(const std::vector<std::string>& names, std::string_view name) {
  const std::string lower = keyspace::Lower(name);
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return keyspace::Lower(n) == lower; });
}

void EraseName(std::vector<std::string>& names, std::string_view name) {
  const std::string lower = keyspace::Lower(name);
  std::erase_if(names, [&](const std::string& n) { return keyspace::Lower(n) == lower; });
}

}  // namespace

void IamService::AddRoleToInstanceProfile(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string& account = call->context().account_id;
  std::lock_guard lock(mu_);
  auto profile =
      RequireEntity(kind, account, InputStringView(in, "InstanceProfileName").value_or(""));
  if (!profile.ok()) return Fail(call, profile.status());
  auto role =
      RequireEntity(EntityKind::kRole, account, InputStringView(in, "RoleName").value_or(""));
  if (!role.ok()) return Fail(call, role.status());
  if (!(*profile)->members.empty()) {
    return Fail(call, IamStatus(IamError::kLimitExceeded,
                                "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"));
  }
  (*profile)->members.push_back(StringMember((*role)->doc, "RoleName"));
  storage::WriteBatch batch;
  PutEntity(batch, kind, **profile);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::RemoveRoleFromInstanceProfile(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string role_name(InputStringView(in, "RoleName").value_or(""));
  std::lock_guard lock(mu_);
  auto profile = RequireEntity(kind, call->context().account_id,
                               InputStringView(in, "InstanceProfileName").value_or(""));
  if (!profile.ok()) return Fail(call, profile.status());
  if (!ContainsName((*profile)->members, role_name)) {
    return Fail(call,
                NoSuchEntity(fmt::format("The role with name {} cannot be found.", role_name)));
  }
  EraseName((*profile)->members, role_name);
  storage::WriteBatch batch;
  PutEntity(batch, kind, **profile);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::ListInstanceProfilesForRole(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string& account = call->context().account_id;
  const std::string role_name(InputStringView(in, "RoleName").value_or(""));
  std::lock_guard lock(mu_);
  if (auto role = RequireEntity(EntityKind::kRole, account, role_name); !role.ok()) {
    return Fail(call, role.status());
  }
  const std::string prefix = DirKey(account, "");
  std::vector<std::pair<std::string, json::value>> items;
  for (auto it = profiles_.lower_bound(prefix);
       it != profiles_.end() && it->first.starts_with(prefix); ++it) {
    if (ContainsName(it->second.members, role_name)) {
      items.emplace_back(it->first.substr(prefix.size()), RenderEntity(kind, it->second, true));
    }
  }
  call->Reply(Page(std::move(items), in, "InstanceProfiles"));
}

void IamService::AddUserToGroup(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string& account = call->context().account_id;
  std::lock_guard lock(mu_);
  auto group = RequireEntity(kind, account, InputStringView(in, "GroupName").value_or(""));
  if (!group.ok()) return Fail(call, group.status());
  auto user =
      RequireEntity(EntityKind::kUser, account, InputStringView(in, "UserName").value_or(""));
  if (!user.ok()) return Fail(call, user.status());
  const std::string user_name = StringMember((*user)->doc, "UserName");
  if (ContainsName((*group)->members, user_name)) return call->Reply({});
  (*group)->members.push_back(user_name);
  storage::WriteBatch batch;
  PutEntity(batch, kind, **group);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::RemoveUserFromGroup(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string user_name(InputStringView(in, "UserName").value_or(""));
  std::lock_guard lock(mu_);
  auto group = RequireEntity(kind, call->context().account_id,
                             InputStringView(in, "GroupName").value_or(""));
  if (!group.ok()) return Fail(call, group.status());
  if (!ContainsName((*group)->members, user_name)) {
    return Fail(call,
                NoSuchEntity(fmt::format("The user with name {} cannot be found.", user_name)));
  }
  EraseName((*group)->members, user_name);
  storage::WriteBatch batch;
  PutEntity(batch, kind, **group);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::ListGroupsForUser(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const std::string& account = call->context().account_id;
  const std::string user_name(InputStringView(in, "UserName").value_or(""));
  std::lock_guard lock(mu_);
  if (auto user = RequireEntity(EntityKind::kUser, account, user_name); !user.ok()) {
    return Fail(call, user.status());
  }
  const std::string prefix = DirKey(account, "");
  std::vector<std::pair<std::string, json::value>> items;
  for (auto it = groups_.lower_bound(prefix); it != groups_.end() && it->first.starts_with(prefix);
       ++it) {
    if (ContainsName(it->second.members, user_name)) {
      items.emplace_back(it->first.substr(prefix.size()), RenderEntity(kind, it->second, true));
    }
  }
  call->Reply(Page(std::move(items), in, "Groups"));
}

}  // namespace tidepool::iam
