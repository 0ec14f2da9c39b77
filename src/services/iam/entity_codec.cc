#include "services/iam/entity_codec.h"

#include <boost/json.hpp>

namespace tidepool::iam {
namespace json = boost::json;

namespace {

Status Corrupt(std::string_view what) {
  return Status::Corruption("unreadable IAM " + std::string(what) + " record");
}

Result<json::object> ParseObject(std::string_view value, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(value, ec);
  if (ec || !v.is_object()) return Corrupt(what);
  return std::move(v.get_object());
}

std::string String(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

double Number(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  return 0;
}

json::array Strings(const std::vector<std::string>& list) {
  json::array out;
  for (const auto& s : list) out.emplace_back(s);
  return out;
}

std::vector<std::string> ReadStrings(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const json::value* v = o.if_contains(key); v && v->is_array()) {
    for (const json::value& e : v->get_array()) {
      if (e.is_string()) out.emplace_back(e.get_string());
    }
  }
  return out;
}

}  // namespace

const PolicyVersion* StoredPolicy::Version(std::string_view id) const {
  for (const PolicyVersion& v : versions) {
    if (v.id == id) return &v;
  }
  return nullptr;
}

const PolicyVersion* StoredPolicy::DefaultVersion() const {
  const json::value* id = doc.if_contains("DefaultVersionId");
  return id && id->is_string() ? Version(id->get_string()) : nullptr;
}

std::string EncodeEntity(const StoredEntity& entity) {
  json::object inline_policies;
  for (const auto& [name, document] : entity.inline_policies) inline_policies[name] = document;
  json::object out{{"doc", entity.doc},
                   {"inline", std::move(inline_policies)},
                   {"attached", Strings(entity.attached)},
                   {"members", Strings(entity.members)}};
  return json::serialize(out);
}

Result<StoredEntity> DecodeEntity(std::string_view value) {
  auto o = ParseObject(value, "entity");
  if (!o.ok()) return o.status();
  StoredEntity entity;
  const json::value* doc = o->if_contains("doc");
  if (!doc || !doc->is_object()) return Corrupt("entity");
  entity.doc = doc->get_object();
  if (const json::value* in = o->if_contains("inline"); in && in->is_object()) {
    for (const auto& [name, document] : in->get_object()) {
      if (document.is_string()) {
        entity.inline_policies[std::string(name)] = std::string(document.get_string());
      }
    }
  }
  entity.attached = ReadStrings(*o, "attached");
  entity.members = ReadStrings(*o, "members");
  return entity;
}

std::string EncodePolicy(const StoredPolicy& policy) {
  json::array versions;
  for (const PolicyVersion& v : policy.versions) {
    versions.push_back(
        json::object{{"id", v.id}, {"document", v.document}, {"created", v.created}});
  }
  return json::serialize(json::object{
      {"doc", policy.doc}, {"versions", std::move(versions)}, {"next", policy.next_version}});
}

Result<StoredPolicy> DecodePolicy(std::string_view value) {
  auto o = ParseObject(value, "policy");
  if (!o.ok()) return o.status();
  StoredPolicy policy;
  const json::value* doc = o->if_contains("doc");
  const json::value* versions = o->if_contains("versions");
  if (!doc || !doc->is_object() || !versions || !versions->is_array()) return Corrupt("policy");
  policy.doc = doc->get_object();
  for (const json::value& v : versions->get_array()) {
    if (!v.is_object()) return Corrupt("policy");
    const json::object& vo = v.get_object();
    policy.versions.push_back(
        PolicyVersion{String(vo, "id"), String(vo, "document"), Number(vo, "created")});
  }
  const json::value* next = o->if_contains("next");
  policy.next_version = next && next->is_int64() ? next->get_int64() : 0;
  if (policy.next_version < 1 || policy.versions.empty()) return Corrupt("policy");
  return policy;
}

std::string EncodeAccessKey(const StoredAccessKey& key) {
  json::object out{{"id", key.id},
                   {"secret", key.secret},
                   {"account", key.account},
                   {"status", key.status},
                   {"created", key.created}};
  if (!key.user_name.empty()) out["user"] = key.user_name;
  if (key.temporary()) {
    out["token"] = key.session_token;
    out["expires"] = key.expires;
    out["arn"] = key.arn;
    out["user_id"] = key.user_id;
  }
  return json::serialize(out);
}

Result<StoredAccessKey> DecodeAccessKey(std::string_view value) {
  auto o = ParseObject(value, "access key");
  if (!o.ok()) return o.status();
  StoredAccessKey key;
  key.id = String(*o, "id");
  key.secret = String(*o, "secret");
  key.account = String(*o, "account");
  key.user_name = String(*o, "user");
  key.status = String(*o, "status");
  key.created = Number(*o, "created");
  key.session_token = String(*o, "token");
  key.expires = Number(*o, "expires");
  key.arn = String(*o, "arn");
  key.user_id = String(*o, "user_id");
  if (key.id.empty() || key.secret.empty() || key.account.empty()) return Corrupt("access key");
  // Seconds since the epoch that turn into int64 microseconds (the authenticator's expiry).
  if (!(key.expires >= 0 && key.expires < 1e12)) return Corrupt("access key");
  return key;
}

}  // namespace tidepool::iam
