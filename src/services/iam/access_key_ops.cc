// Users' access keys: at most two per user; an Active key's id and secret are accepted by the
// router's authenticator (FindCredential), an Inactive one is not.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/iam/iam_errors.h"
#include "services/iam/iam_internal.h"
#include "services/iam/ids.h"

namespace tidepool::iam {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr size_t kMaxKeysPerUser = 2;

json::object KeyMetadata(const StoredAccessKey& key) {
  return json::object{{"UserName", key.user_name},
                      {"AccessKeyId", key.id},
                      {"Status", key.status},
                      {"CreateDate", key.created}};
}

Status KeyMissing(std::string_view id) {
  return NoSuchEntity(fmt::format("The Access Key with id {} cannot be found.", id));
}

}  // namespace

// The user a key operation is about: UserName, else the caller's own user. Caller holds mu_.
static Result<std::string> KeyOwner(const json::object& in, const CallerIdentity& caller) {
  if (auto name = InputStringView(in, "UserName")) return std::string(*name);
  const std::string user_prefix = "arn:aws:iam::" + caller.account + ":user/";
  if (caller.arn.starts_with(user_prefix)) {
    return caller.arn.substr(caller.arn.rfind('/') + 1);
  }
  return IamStatus(IamError::kValidationError,
                   "tidepool keeps access keys for IAM users only: pass UserName (the caller is "
                   "the account's root).");
}

void IamService::CreateAccessKey(CallPtr call, EntityKind) {
  const CallerIdentity caller = IdentityOf(call->context());
  auto owner = KeyOwner(call->input(), caller);
  if (!owner.ok()) return Fail(call, owner.status());
  const std::string& account = call->context().account_id;
  std::lock_guard lock(mu_);
  auto user = RequireEntity(EntityKind::kUser, account, *owner);
  if (!user.ok()) return Fail(call, user.status());
  const std::string user_name = StringMember((*user)->doc, "UserName");
  size_t existing = 0;
  for (const auto& [id, key] : keys_) {
    existing += !key.temporary() && key.account == account &&
                keyspace::Lower(key.user_name) == keyspace::Lower(user_name);
  }
  if (existing >= kMaxKeysPerUser) {
    return Fail(
        call, IamStatus(IamError::kLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: 2"));
  }
  StoredAccessKey key;
  key.id = NewId("AKIA", 20);
  key.secret = NewSecretAccessKey();
  key.account = account;
  key.user_name = user_name;
  key.created = NowSeconds();
  json::object reply = KeyMetadata(key);
  reply["SecretAccessKey"] = key.secret;
  storage::WriteBatch batch;
  batch.Put(keyspace::AccessKeyKey(key.id), EncodeAccessKey(key));
  IndexCredential(key);
  keys_[key.id] = std::move(key);
  Commit(std::move(call), json::object{{"AccessKey", std::move(reply)}}, std::move(batch));
}

void IamService::ListAccessKeys(CallPtr call, EntityKind) {
  const CallerIdentity caller = IdentityOf(call->context());
  auto owner = KeyOwner(call->input(), caller);
  if (!owner.ok()) return Fail(call, owner.status());
  const std::string& account = call->context().account_id;
  std::lock_guard lock(mu_);
  if (auto user = RequireEntity(EntityKind::kUser, account, *owner); !user.ok()) {
    return Fail(call, user.status());
  }
  std::vector<std::pair<std::string, json::value>> items;
  for (const auto& [id, key] : keys_) {
    if (!key.temporary() && key.account == account &&
        keyspace::Lower(key.user_name) == keyspace::Lower(*owner)) {
      items.emplace_back(id, KeyMetadata(key));
    }
  }
  call->Reply(Page(std::move(items), call->input(), "AccessKeyMetadata"));
}

void IamService::DeleteAccessKey(CallPtr call, EntityKind) {
  const std::string id(InputStringView(call->input(), "AccessKeyId").value_or(""));
  const std::string& account = call->context().account_id;
  std::lock_guard lock(mu_);
  auto it = keys_.find(id);
  if (it == keys_.end() || it->second.temporary() || it->second.account != account) {
    return Fail(call, KeyMissing(id));
  }
  if (auto name = InputStringView(call->input(), "UserName");
      name && keyspace::Lower(*name) != keyspace::Lower(it->second.user_name)) {
    return Fail(call, KeyMissing(id));
  }
  storage::WriteBatch batch;
  batch.Delete(keyspace::AccessKeyKey(id));
  UnindexCredential(id);
  keys_.erase(it);
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::UpdateAccessKey(CallPtr call, EntityKind) {
  const json::object& in = call->input();
  const std::string id(InputStringView(in, "AccessKeyId").value_or(""));
  std::lock_guard lock(mu_);
  auto it = keys_.find(id);
  if (it == keys_.end() || it->second.temporary() ||
      it->second.account != call->context().account_id) {
    return Fail(call, KeyMissing(id));
  }
  StoredAccessKey& key = it->second;
  key.status = std::string(InputStringView(in, "Status").value_or(key.status));
  if (key.status == "Active") {
    IndexCredential(key);
  } else {
    UnindexCredential(id);
  }
  storage::WriteBatch batch;
  batch.Put(keyspace::AccessKeyKey(id), EncodeAccessKey(key));
  Commit(std::move(call), {}, std::move(batch));
}

void IamService::GetAccessKeyLastUsed(CallPtr call, EntityKind) {
  const std::string id(InputStringView(call->input(), "AccessKeyId").value_or(""));
  std::lock_guard lock(mu_);
  auto it = keys_.find(id);
  if (it == keys_.end() || it->second.temporary()) {
    return Fail(call, IamStatus(IamError::kAccessDenied,
                                fmt::format("The access key {} is not known to tidepool.", id)));
  }
  call->Reply(
      json::object{{"UserName", it->second.user_name},
                   {"AccessKeyLastUsed", json::object{{"ServiceName", "N/A"}, {"Region", "N/A"}}}});
}

}  // namespace tidepool::iam
