#include "services/apigateway/keyspace.h"

#include "storage/key_codec.h"

namespace tidepool::apigateway::keyspace {
namespace {

constexpr std::string_view kRoot("apigateway\0", 11);

std::string Kind(char kind) {
  std::string key(kRoot);
  key.push_back(kind);
  return key;
}

std::string IdKey(char kind, std::string_view id) {
  std::string key = Kind(kind);
  storage::AppendOrderedString(&key, id);
  return key;
}

std::optional<std::pair<std::string, std::string>> ParseIdPair(char kind, std::string_view key);

}  // namespace

std::string ApiPrefix() { return Kind('a'); }
std::string ApiKey(std::string_view api_id) { return IdKey('a', api_id); }
std::string DeploymentPrefix(std::string_view api_id) { return IdKey('d', api_id); }

std::string DeploymentKey(std::string_view api_id, std::string_view deployment_id) {
  std::string key = IdKey('d', api_id);
  storage::AppendOrderedString(&key, deployment_id);
  return key;
}

std::string KeyPrefix() { return Kind('k'); }
std::string KeyKey(std::string_view key_id) { return IdKey('k', key_id); }
std::string PlanPrefix() { return Kind('p'); }
std::string PlanKey(std::string_view plan_id) { return IdKey('p', plan_id); }
std::string HttpApiPrefix() { return Kind('h'); }
std::string HttpApiKey(std::string_view api_id) { return IdKey('h', api_id); }

std::string UsagePrefix() { return Kind('u'); }

std::string UsageKey(std::string_view plan_id, std::string_view key_id) {
  std::string key = IdKey('u', plan_id);
  storage::AppendOrderedString(&key, key_id);
  return key;
}

std::string AccountPrefix() { return Kind('c'); }

std::string AccountKey(std::string_view account, std::string_view region) {
  std::string key = IdKey('c', account);
  storage::AppendOrderedString(&key, region);
  return key;
}

std::string RecordPrefix(char kind) { return Kind(kind); }
std::string RecordKey(char kind, std::string_view id) { return IdKey(kind, id); }

std::optional<std::string> ParseIdKey(char kind, std::string_view key) {
  std::string prefix = Kind(kind);
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  key.remove_prefix(prefix.size());
  std::string id;
  if (!storage::ReadOrderedString(&key, &id) || !key.empty()) return std::nullopt;
  return id;
}

std::optional<std::pair<std::string, std::string>> ParseDeploymentKey(std::string_view key) {
  return ParseIdPair('d', key);
}

std::optional<std::pair<std::string, std::string>> ParseUsageKey(std::string_view key) {
  return ParseIdPair('u', key);
}

std::optional<std::pair<std::string, std::string>> ParseAccountKey(std::string_view key) {
  return ParseIdPair('c', key);
}

namespace {

// The two ids after kind `kind`.
std::optional<std::pair<std::string, std::string>> ParseIdPair(char kind, std::string_view key) {
  std::string prefix = Kind(kind);
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  key.remove_prefix(prefix.size());
  std::pair<std::string, std::string> ids;
  if (!storage::ReadOrderedString(&key, &ids.first) ||
      !storage::ReadOrderedString(&key, &ids.second) || !key.empty()) {
    return std::nullopt;
  }
  return ids;
}

}  // namespace

std::vector<storage::RecordKind> RecordKinds() {
  return {
      {"apigateway", "rest-api", Kind('a')},
      {"apigateway", "deployment", Kind('d')},
      {"apigateway", "api-key", Kind('k')},
      {"apigateway", "usage-plan", Kind('p')},
      {"apigateway", "http-api", Kind('h')},
      {"apigateway", "usage", Kind('u')},
      {"apigateway", "account", Kind('c')},
      {"apigateway", "domain-name", Kind('n')},
      {"apigateway", "vpc-link", Kind('l')},
      {"apigateway", "http-vpc-link", Kind('v')},
      {"apigateway", "client-certificate", Kind('x')},
  };
}

}  // namespace tidepool::apigateway::keyspace
