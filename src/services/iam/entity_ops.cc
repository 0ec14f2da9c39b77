// What roles, users, groups and instance profiles share: Create (users, groups, instance
// profiles; roles in role_ops.cc), Get, List, Delete, Update (users, groups) and tags.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/encoding.h"
#include "services/iam/iam_errors.h"
#include "services/iam/iam_internal.h"
#include "services/iam/ids.h"
#include "services/iam/policy_document.h"

namespace tidepool::iam {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr size_t kMaxTags = 50;

std::string_view TagQuotaName(EntityKind kind) {
  switch (kind) {
    case EntityKind::kUser:
      return "TagsPerUser";
    case EntityKind::kInstanceProfile:
      return "TagsPerInstanceProfile";
    case EntityKind::kPolicy:
      return "TagsPerPolicy";
    default:
      return "TagsPerRole";
  }
}

}  // namespace

Status MergeTags(json::object& doc, const json::object& in, std::string_view quota_name) {
  const json::array* add = InputArray(in, "Tags");
  if (add == nullptr || add->empty()) return Status::Ok();
  json::array tags = TagsOf(doc);
  for (const json::value& t : *add) {
    const json::object* tag = t.if_object();
    if (tag == nullptr) continue;
    const std::string key = StringMember(*tag, "Key");
    bool replaced = false;
    for (json::value& existing : tags) {
      if (StringMember(existing.get_object(), "Key") == key) {
        existing.get_object()["Value"] = StringMember(*tag, "Value");
        replaced = true;
      }
    }
    if (!replaced) {
      tags.push_back(json::object{{"Key", key}, {"Value", StringMember(*tag, "Value")}});
    }
  }
  if (tags.size() > kMaxTags) {
    return IamStatus(IamError::kLimitExceeded,
                     fmt::format("Cannot exceed quota for {}: {}", quota_name, kMaxTags));
  }
  doc["Tags"] = std::move(tags);
  return Status::Ok();
}

void RemoveTags(json::object& doc, const json::object& in) {
  const json::array* keys = InputArray(in, "TagKeys");
  if (keys == nullptr) return;
  json::array tags = TagsOf(doc);
  json::array kept;
  for (json::value& t : tags) {
    const std::string key = StringMember(t.get_object(), "Key");
    bool removed = false;
    for (const json::value& k : *keys) removed |= k.is_string() && k.get_string() == key;
    if (!removed) kept.push_back(std::move(t));
  }
  if (kept.empty()) {
    doc.erase("Tags");
  } else {
    doc["Tags"] = std::move(kept);
  }
}

json::array TagsOf(const json::object& doc) {
  const json::value* tags = doc.if_contains("Tags");
  return tags && tags->is_array() ? tags->get_array() : json::array();
}

json::object IamService::RenderEntity(EntityKind kind, const StoredEntity& entity, bool listed) {
  json::object out = entity.doc;
  if (kind == EntityKind::kRole) {
    if (auto* doc = out.if_contains("AssumeRolePolicyDocument"); doc && doc->is_string()) {
      *doc = EncodePolicyDocument(doc->get_string());
    }
    if (listed) {
      out.erase("Tags");
      out.erase("PermissionsBoundary");
    } else {
      out["RoleLastUsed"] = json::object();
    }
  } else if (kind == EntityKind::kUser && listed) {
    out.erase("Tags");
    out.erase("PermissionsBoundary");
  } else if (kind == EntityKind::kInstanceProfile) {
    json::array roles;
    const std::string account = AccountOf(entity.doc);
    for (const std::string& name : entity.members) {
      if (const StoredEntity* role = FindEntity(EntityKind::kRole, account, name)) {
        roles.push_back(RenderEntity(EntityKind::kRole, *role, /*listed=*/true));
      }
    }
    out["Roles"] = std::move(roles);
    if (listed) out.erase("Tags");
  }
  return out;
}

void IamService::CreateEntity(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const EntityTraits& t = Traits(kind);
  const std::string name(InputStringView(in, t.name_member).value_or(""));
  const std::string& account = call->context().account_id;
  const std::string path = PathOf(in);
  json::object doc{{"Path", path},
                   {t.name_member, name},
                   {t.id_member, NewId(t.id_prefix)},
                   {"Arn", fmt::format("arn:aws:iam::{}:{}{}{}", account, t.arn_type, path, name)},
                   {"CreateDate", NowSeconds()}};
  if (kind == EntityKind::kUser) {
    if (auto boundary = InputStringView(in, "PermissionsBoundary")) {
      doc["PermissionsBoundary"] = json::object{{"PermissionsBoundaryType", "Policy"},
                                                {"PermissionsBoundaryArn", *boundary}};
    }
  }
  if (kind != EntityKind::kGroup) {
    if (Status st = MergeTags(doc, in, TagQuotaName(kind)); !st.ok()) return Fail(call, st);
  }
  std::lock_guard lock(mu_);
  if (FindEntity(kind, account, name) != nullptr) {
    return Fail(call, IamStatus(IamError::kEntityAlreadyExists,
                                fmt::format(fmt::runtime(t.exists_fmt), name)));
  }
  StoredEntity& entity = EntitiesOf(kind)[DirKey(account, name)];
  entity.doc = std::move(doc);
  storage::WriteBatch batch;
  PutEntity(batch, kind, entity);
  json::object output{{t.reply_member, RenderEntity(kind, entity, /*listed=*/false)}};
  if (kind == EntityKind::kInstanceProfile || kind == EntityKind::kGroup) {
    output[t.reply_member].get_object().erase("RoleLastUsed");
  }
  Commit(std::move(call), std::move(output), std::move(batch));
}

void IamService::GetEntity(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const EntityTraits& t = Traits(kind);
  const std::string& account = call->context().account_id;
  std::optional<std::string_view> name = InputStringView(in, t.name_member);
  if (kind == EntityKind::kUser && !name) {
    // GetUser without a name: the caller's own user, or the account's root.
    const CallerIdentity who = IdentityOf(call->context());
    const std::string user_prefix = "arn:aws:iam::" + who.account + ":user/";
    if (who.arn.substr(0, user_prefix.size()) != user_prefix) {
      return call->Reply(json::object{
          {"User", json::object{{"UserId", who.user_id}, {"Arn", who.arn}, {"CreateDate", 0.0}}}});
    }
    std::lock_guard lock(mu_);
    for (const auto& [key, user] : users_) {
      if (StringMember(user.doc, "Arn") == who.arn) {
        return call->Reply(json::object{{"User", RenderEntity(kind, user, false)}});
      }
    }
    return Fail(call, NoSuchEntity("The user with name " + who.arn + " cannot be found."));
  }
  std::lock_guard lock(mu_);
  auto entity = RequireEntity(kind, account, name.value_or(""));
  if (!entity.ok()) return Fail(call, entity.status());
  json::object output{{t.reply_member, RenderEntity(kind, **entity, /*listed=*/false)}};
  if (kind == EntityKind::kGroup) {
    json::array users;
    for (const std::string& member : (*entity)->members) {
      if (const StoredEntity* user = FindEntity(EntityKind::kUser, account, member)) {
        users.push_back(RenderEntity(EntityKind::kUser, *user, /*listed=*/true));
      }
    }
    output["Users"] = std::move(users);
    output["IsTruncated"] = false;
  }
  call->Reply(std::move(output));
}

void IamService::ListEntities(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const EntityTraits& t = Traits(kind);
  const std::string prefix = DirKey(call->context().account_id, "");
  std::vector<std::pair<std::string, json::value>> items;
  std::lock_guard lock(mu_);
  const auto& map = EntitiesOf(kind);
  for (auto it = map.lower_bound(prefix); it != map.end() && it->first.starts_with(prefix); ++it) {
    if (!MatchesPathPrefix(it->second.doc, in)) continue;
    items.emplace_back(it->first.substr(prefix.size()),
                       RenderEntity(kind, it->second, /*listed=*/true));
  }
  call->Reply(Page(std::move(items), in, t.list_member));
}

void IamService::DeleteEntity(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const EntityTraits& t = Traits(kind);
  const std::string& account = call->context().account_id;
  const bool service_linked = call->operation().name == "DeleteServiceLinkedRole";
  const std::string name(InputStringView(in, t.name_member).value_or(""));
  auto conflict = [&](std::string_view text) {
    Fail(call, IamStatus(IamError::kDeleteConflict, std::string(text)));
  };
  std::lock_guard lock(mu_);
  auto found = RequireEntity(kind, account, name);
  if (!found.ok()) return Fail(call, found.status());
  StoredEntity& entity = **found;
  storage::WriteBatch batch;
  if (service_linked) {
    // A service-linked role goes with its policies, as AWS's deletion task does.
    for (const std::string& arn : entity.attached) --attachment_counts_[arn];
  } else {
    if (!entity.attached.empty()) {
      return conflict("Cannot delete entity, must detach all policies first.");
    }
    if (!entity.inline_policies.empty()) {
      return conflict("Cannot delete entity, must delete policies first.");
    }
  }
  if (kind == EntityKind::kRole) {
    for (const auto& [key, profile] : profiles_) {
      if (AccountOf(profile.doc) != account) continue;
      for (const std::string& member : profile.members) {
        if (keyspace::Lower(member) == keyspace::Lower(name)) {
          return conflict("Cannot delete entity, must remove roles from instance profile first.");
        }
      }
    }
  } else if (kind == EntityKind::kUser) {
    for (const auto& [id, key] : keys_) {
      if (key.account == account && !key.temporary() &&
          keyspace::Lower(key.user_name) == keyspace::Lower(name)) {
        return conflict("Cannot delete entity, must delete access keys first.");
      }
    }
    for (const auto& [key, group] : groups_) {
      if (AccountOf(group.doc) != account) continue;
      for (const std::string& member : group.members) {
        if (keyspace::Lower(member) == keyspace::Lower(name)) {
          return conflict("Cannot delete entity, must remove users from group first.");
        }
      }
    }
  } else if (kind == EntityKind::kGroup && !entity.members.empty()) {
    return conflict("Cannot delete entity, must remove users from group first.");
  } else if (kind == EntityKind::kInstanceProfile && !entity.members.empty()) {
    return conflict("Cannot delete entity, must remove roles from instance profile first.");
  }
  batch.Delete(keyspace::EntityKey(kind, account, name));
  json::object output;
  if (service_linked) {
    output["DeletionTaskId"] =
        fmt::format("task{}{}/{}", StringMember(entity.doc, "Path"), name, NewUuid());
  }
  EntitiesOf(kind).erase(DirKey(account, name));
  Commit(std::move(call), std::move(output), std::move(batch));
}

void IamService::UpdateEntity(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const EntityTraits& t = Traits(kind);
  const std::string& account = call->context().account_id;
  const std::string name(InputStringView(in, t.name_member).value_or(""));
  const std::string new_name_member =
      kind == EntityKind::kUser ? "NewUserName" : std::string("NewGroupName");
  std::lock_guard lock(mu_);
  auto found = RequireEntity(kind, account, name);
  if (!found.ok()) return Fail(call, found.status());
  StoredEntity entity = **found;
  const std::string new_name(InputStringView(in, new_name_member).value_or(NameOf(entity.doc, t)));
  if (keyspace::Lower(new_name) != keyspace::Lower(name) &&
      FindEntity(kind, account, new_name) != nullptr) {
    return Fail(call, IamStatus(IamError::kEntityAlreadyExists,
                                fmt::format(fmt::runtime(t.exists_fmt), new_name)));
  }
  const std::string path(InputStringView(in, "NewPath").value_or(StringMember(entity.doc, "Path")));
  entity.doc["Path"] = path;
  entity.doc[t.name_member] = new_name;
  entity.doc["Arn"] = fmt::format("arn:aws:iam::{}:{}{}{}", account, t.arn_type, path, new_name);
  storage::WriteBatch batch;
  const std::string old_name = NameOf((*found)->doc, t);
  if (kind == EntityKind::kUser && old_name != new_name) {
    // Group memberships and access keys name the user.
    for (auto& [key, group] : groups_) {
      if (AccountOf(group.doc) != account) continue;
      bool changed = false;
      for (std::string& member : group.members) {
        if (keyspace::Lower(member) == keyspace::Lower(old_name)) {
          member = new_name;
          changed = true;
        }
      }
      if (changed) PutEntity(batch, EntityKind::kGroup, group);
    }
    for (auto& [id, key] : keys_) {
      if (key.account == account && !key.temporary() &&
          keyspace::Lower(key.user_name) == keyspace::Lower(old_name)) {
        key.user_name = new_name;
        batch.Put(keyspace::AccessKeyKey(id), EncodeAccessKey(key));
      }
    }
  }
  batch.Delete(keyspace::EntityKey(kind, account, old_name));
  EntitiesOf(kind).erase(DirKey(account, old_name));
  StoredEntity& stored = EntitiesOf(kind)[DirKey(account, new_name)];
  stored = std::move(entity);
  PutEntity(batch, kind, stored);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::TagEntity(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const EntityTraits& t = Traits(kind);
  std::lock_guard lock(mu_);
  auto found = RequireEntity(kind, call->context().account_id,
                             InputStringView(in, t.name_member).value_or(""));
  if (!found.ok()) return Fail(call, found.status());
  json::object doc = (*found)->doc;
  if (Status st = MergeTags(doc, in, TagQuotaName(kind)); !st.ok()) return Fail(call, st);
  (*found)->doc = std::move(doc);
  storage::WriteBatch batch;
  PutEntity(batch, kind, **found);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::UntagEntity(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const EntityTraits& t = Traits(kind);
  std::lock_guard lock(mu_);
  auto found = RequireEntity(kind, call->context().account_id,
                             InputStringView(in, t.name_member).value_or(""));
  if (!found.ok()) return Fail(call, found.status());
  RemoveTags((*found)->doc, in);
  storage::WriteBatch batch;
  PutEntity(batch, kind, **found);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::ListEntityTags(CallPtr call, EntityKind kind) {
  const json::object& in = call->input();
  const EntityTraits& t = Traits(kind);
  std::lock_guard lock(mu_);
  auto found = RequireEntity(kind, call->context().account_id,
                             InputStringView(in, t.name_member).value_or(""));
  if (!found.ok()) return Fail(call, found.status());
  std::vector<std::pair<std::string, json::value>> items;
  for (json::value& tag : TagsOf((*found)->doc)) {
    items.emplace_back(fmt::format("{:08}", items.size()), std::move(tag));
  }
  call->Reply(Page(std::move(items), in, "Tags"));
}

}  // namespace tidepool::iam
