#include "services/iam/keyspace.h"

#include "storage/key_codec.h"

namespace tidepool::iam::keyspace {
namespace {

constexpr std::string_view kRoot("iam\0", 4);

std::string Kind(char kind) {
  std::string key(kRoot);
  key.push_back(kind);
  return key;
}

}  // namespace

std::string Lower(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string EntityPrefix(EntityKind kind) { return Kind(static_cast<char>(kind)); }

std::string EntityKey(EntityKind kind, std::string_view account, std::string_view name) {
  std::string key = Kind(static_cast<char>(kind));
  storage::AppendOrderedString(&key, account);
  storage::AppendOrderedString(&key, Lower(name));
  return key;
}

std::string AccessKeyPrefix() { return Kind('k'); }
std::string AccessKeyKey(std::string_view access_key_id) {
  std::string key = Kind('k');
  storage::AppendOrderedString(&key, access_key_id);
  return key;
}
std::string SessionPrefix() { return Kind('s'); }
std::string SessionKey(std::string_view access_key_id) {
  std::string key = Kind('s');
  storage::AppendOrderedString(&key, access_key_id);
  return key;
}

std::optional<std::pair<std::string, std::string>> ParseEntityKey(EntityKind kind,
                                                                  std::string_view key) {
  if (key.size() < kRoot.size() + 1 || key.substr(0, kRoot.size()) != kRoot ||
      key[kRoot.size()] != static_cast<char>(kind)) {
    return std::nullopt;
  }
  key.remove_prefix(kRoot.size() + 1);
  std::pair<std::string, std::string> out;
  if (!storage::ReadOrderedString(&key, &out.first) ||
      !storage::ReadOrderedString(&key, &out.second) || !key.empty()) {
    return std::nullopt;
  }
  return out;
}

std::vector<storage::RecordKind> RecordKinds() {
  return {
      {"iam", "role", Kind('r')},           {"iam", "user", Kind('u')},
      {"iam", "group", Kind('g')},          {"iam", "instance-profile", Kind('i')},
      {"iam", "managed-policy", Kind('p')}, {"iam", "access-key", Kind('k')},
      {"iam", "sts-session", Kind('s')},
  };
}

}  // namespace tidepool::iam::keyspace
