#include "services/lambda/keyspace.h"

#include <climits>
#include <cstdint>

#include "storage/key_codec.h"

namespace tidepool::lambda::keyspace {
namespace {

constexpr std::string_view kRoot("lambda\0", 7);

std::string Kind(char kind) {
  std::string key(kRoot);
  key.push_back(kind);
  return key;
}

}  // namespace

std::string FunctionPrefix() { return Kind('f'); }

std::string FunctionKey(std::string_view function_arn) {
  std::string key = Kind('f');
  storage::AppendOrderedString(&key, function_arn);
  return key;
}

std::string CodeKey(std::string_view sha256_hex) {
  std::string key = Kind('z');
  storage::AppendOrderedString(&key, sha256_hex);
  return key;
}

namespace {

std::string StringPrefix(char kind, std::string_view text) {
  std::string key = Kind(kind);
  storage::AppendOrderedString(&key, text);
  return key;
}

// (string, u64) of a key of `kind`; nullopt for another key.
std::optional<std::pair<std::string, int64_t>> ParseStringNumber(char kind, std::string_view key) {
  std::string prefix = Kind(kind);
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  key.remove_prefix(prefix.size());
  std::string text;
  uint64_t n = 0;
  if (!storage::ReadOrderedString(&key, &text) || !storage::ReadU64BE(&key, &n) || !key.empty() ||
      n == 0 || n > static_cast<uint64_t>(INT64_MAX)) {
    return std::nullopt;
  }
  return std::make_pair(std::move(text), static_cast<int64_t>(n));
}

}  // namespace

std::string AllVersionsPrefix() { return Kind('v'); }
std::string AllAliasesPrefix() { return Kind('a'); }

std::string VersionPrefix(std::string_view function_arn) { return StringPrefix('v', function_arn); }

std::string VersionKey(std::string_view function_arn, int64_t version) {
  std::string key = VersionPrefix(function_arn);
  storage::AppendU64BE(&key, static_cast<uint64_t>(version));
  return key;
}

std::string AliasPrefix(std::string_view function_arn) { return StringPrefix('a', function_arn); }

std::string AliasKey(std::string_view function_arn, std::string_view alias) {
  std::string key = AliasPrefix(function_arn);
  storage::AppendOrderedString(&key, alias);
  return key;
}

std::optional<std::pair<std::string, int64_t>> ParseVersionKey(std::string_view key) {
  return ParseStringNumber('v', key);
}

std::optional<std::pair<std::string, std::string>> ParseAliasKey(std::string_view key) {
  std::string prefix = Kind('a');
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  key.remove_prefix(prefix.size());
  std::string arn, alias;
  if (!storage::ReadOrderedString(&key, &arn) || !storage::ReadOrderedString(&key, &alias) ||
      !key.empty()) {
    return std::nullopt;
  }
  return std::make_pair(std::move(arn), std::move(alias));
}

std::string LayerPrefix() { return Kind('y'); }

std::string LayerKey(std::string_view layer_arn, int64_t version) {
  std::string key = StringPrefix('y', layer_arn);
  storage::AppendU64BE(&key, static_cast<uint64_t>(version));
  return key;
}

std::optional<std::pair<std::string, int64_t>> ParseLayerKey(std::string_view key) {
  return ParseStringNumber('y', key);
}

std::string AsyncPrefix() { return Kind('q'); }

std::string AsyncKey(uint64_t seq) {
  std::string key = Kind('q');
  storage::AppendU64BE(&key, seq);
  return key;
}

std::optional<uint64_t> ParseAsyncKey(std::string_view key) {
  std::string prefix = Kind('q');
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  key.remove_prefix(prefix.size());
  uint64_t seq = 0;
  if (!storage::ReadU64BE(&key, &seq) || !key.empty()) return std::nullopt;
  return seq;
}

size_t FamilyLength(std::string_view key) {
  static const std::string prefix = Kind('q');
  return key.size() == prefix.size() + 8 && key.substr(0, prefix.size()) == prefix ? prefix.size()
                                                                                   : 0;
}

namespace {

// key := kind text:string
std::string StringKey(char kind, std::string_view text) {
  std::string key = Kind(kind);
  storage::AppendOrderedString(&key, text);
  return key;
}

// The text of a key `kind` text:string; nullopt for a key of another form.
std::optional<std::string> ParseStringKey(char kind, std::string_view key) {
  std::string prefix = Kind(kind);
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  key.remove_prefix(prefix.size());
  std::string text;
  if (!storage::ReadOrderedString(&key, &text) || !key.empty()) return std::nullopt;
  return text;
}

}  // namespace

std::optional<std::string> ParseFunctionKey(std::string_view key) {
  return ParseStringKey('f', key);
}

std::string CapacityProviderPrefix() { return Kind('c'); }

std::string CapacityProviderKey(std::string_view arn) { return StringKey('c', arn); }

std::optional<std::string> ParseCapacityProviderKey(std::string_view key) {
  return ParseStringKey('c', key);
}

std::string MappingPrefix() { return Kind('m'); }
std::string DurableExecutionPrefix() { return Kind('d'); }

std::string MappingKey(std::string_view uuid) { return StringKey('m', uuid); }

std::optional<std::string> ParseMappingKey(std::string_view key) {
  return ParseStringKey('m', key);
}

std::string CheckpointPrefix(std::string_view uuid) {
  std::string key = Kind('p');
  storage::AppendOrderedString(&key, uuid);
  return key;
}

std::string CheckpointKey(std::string_view uuid, std::string_view position) {
  std::string key = CheckpointPrefix(uuid);
  storage::AppendOrderedString(&key, position);
  return key;
}

std::optional<std::string> ParseCheckpointKey(std::string_view uuid, std::string_view key) {
  std::string prefix = CheckpointPrefix(uuid);
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  key.remove_prefix(prefix.size());
  std::string position;
  if (!storage::ReadOrderedString(&key, &position) || !key.empty()) return std::nullopt;
  return position;
}

std::string LedgerPrefix(std::string_view uuid) {
  std::string key = Kind('l');
  storage::AppendOrderedString(&key, uuid);
  return key;
}

std::string LedgerKey(std::string_view uuid, std::string_view shard, std::string_view first) {
  std::string key = LedgerPrefix(uuid);
  storage::AppendOrderedString(&key, shard);
  storage::AppendOrderedString(&key, first);
  return key;
}

std::optional<std::pair<std::string, std::string>> ParseLedgerKey(std::string_view uuid,
                                                                  std::string_view key) {
  std::string prefix = LedgerPrefix(uuid);
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  key.remove_prefix(prefix.size());
  std::string shard, first;
  if (!storage::ReadOrderedString(&key, &shard) || !storage::ReadOrderedString(&key, &first) ||
      !key.empty()) {
    return std::nullopt;
  }
  return std::make_pair(std::move(shard), std::move(first));
}

std::vector<storage::RecordKind> RecordKinds() {
  return {
      {"lambda", "function", Kind('f')},           {"lambda", "code-package", Kind('z')},
      {"lambda", "async-invocation", Kind('q')},   {"lambda", "event-source-mapping", Kind('m')},
      {"lambda", "mapping-checkpoint", Kind('p')}, {"lambda", "mapping-ledger", Kind('l')},
      {"lambda", "function-version", Kind('v')},   {"lambda", "alias", Kind('a')},
      {"lambda", "layer-version", Kind('y')},      {"lambda", "durable-execution", Kind('d')},
      {"lambda", "capacity-provider", Kind('c')},
  };
}

}  // namespace tidepool::lambda::keyspace
