#include "services/dynamodb/keyspace.h"

#include "storage/key_codec.h"

namespace tidepool::dynamodb::keyspace {
namespace {

constexpr std::string_view kRoot("dynamodb\0", 9);

std::string Key(char kind) {
  std::string k(kRoot);
  k.push_back(kind);
  return k;
}

}  // namespace

std::string NextUidKey() { return Key('n'); }
std::string TablePrefix() { return Key('t'); }

std::string TableKey(uint64_t table_uid) {
  std::string k = Key('t');
  storage::AppendU64BE(&k, table_uid);
  return k;
}

std::optional<uint64_t> ParseTableKey(std::string_view key) {
  if (key.size() != kRoot.size() + 9 || !key.starts_with(kRoot) || key[kRoot.size()] != 't') {
    return std::nullopt;
  }
  key.remove_prefix(kRoot.size() + 1);
  uint64_t uid;
  if (!storage::ReadU64BE(&key, &uid)) return std::nullopt;
  return uid;
}

std::string ItemsPrefix(uint64_t table_uid) {
  std::string k = Key('i');
  storage::AppendU64BE(&k, table_uid);
  return k;
}

std::string IndexPrefix(uint64_t table_uid, uint32_t index) {
  std::string k = ItemsPrefix(table_uid);
  storage::AppendU32BE(&k, index);
  return k;
}

std::string StreamPrefix(uint64_t table_uid) {
  std::string k = Key('s');
  storage::AppendU64BE(&k, table_uid);
  return k;
}

std::string StreamEpochPrefix(uint64_t table_uid, uint32_t epoch) {
  std::string k = StreamPrefix(table_uid);
  storage::AppendU32BE(&k, epoch);
  return k;
}

std::string StreamRecordKey(uint64_t table_uid, uint32_t epoch, uint64_t seq) {
  std::string k = StreamEpochPrefix(table_uid, epoch);
  storage::AppendU64BE(&k, seq);
  return k;
}

std::optional<uint64_t> ParseStreamSeq(std::string_view key) {
  constexpr size_t kSize = 9 + 1 + 8 + 4 + 8;
  if (key.size() != kSize || !key.starts_with(kRoot) || key[kRoot.size()] != 's') {
    return std::nullopt;
  }
  key.remove_prefix(kSize - 8);
  uint64_t seq;
  if (!storage::ReadU64BE(&key, &seq)) return std::nullopt;
  return seq;
}

std::string BackupPrefix() { return Key('b'); }

std::string BackupKey(uint64_t backup_uid) {
  std::string k = Key('b');
  storage::AppendU64BE(&k, backup_uid);
  return k;
}

std::string BackupItemsPrefix(uint64_t backup_uid) {
  std::string k = Key('k');
  storage::AppendU64BE(&k, backup_uid);
  return k;
}

std::string TokenPrefix() { return Key('x'); }

std::string TokenKey(std::string_view token) {
  std::string k = Key('x');
  storage::AppendOrderedString(&k, token);
  return k;
}

std::string KinesisOutboxKey(uint64_t seq) {
  std::string k = Key('o');
  storage::AppendU64BE(&k, seq);
  return k;
}

std::string KinesisOutboxPrefix() { return Key('o'); }

std::optional<uint64_t> ParseKinesisOutboxKey(std::string_view key) {
  const std::string prefix = Key('o');
  if (!key.starts_with(prefix)) return std::nullopt;
  key.remove_prefix(prefix.size());
  uint64_t seq = 0;
  if (!storage::ReadU64BE(&key, &seq) || !key.empty()) return std::nullopt;
  return seq;
}

size_t FamilyLength(std::string_view key) {
  constexpr size_t kSize = 9 + 1 + 8 + 4 + 8;
  if (key.size() == kSize && key.starts_with(kRoot) && key[kRoot.size()] == 's') {
    return kSize - 8;
  }
  return 0;
}

std::vector<storage::RecordKind> RecordKinds() {
  return {
      {"dynamodb", "next-uid", Key('n')},
      {"dynamodb", "table", Key('t')},
      {"dynamodb", "item-or-index-entry", Key('i')},
      {"dynamodb", "stream-record", Key('s')},
      {"dynamodb", "transaction-token", Key('x')},
      {"dynamodb", "backup", Key('b')},
      {"dynamodb", "backup-item", Key('k')},
      {"dynamodb", "kinesis-outbox", Key('o')},
  };
}

}  // namespace tidepool::dynamodb::keyspace
