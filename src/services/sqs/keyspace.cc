#include "services/sqs/keyspace.h"

#include "storage/key_codec.h"

namespace tidepool::sqs::keyspace {
namespace {

constexpr std::string_view kRoot{"sqs\0", 4};

std::string WithKind(char kind) {
  std::string key(kRoot);
  key.push_back(kind);
  return key;
}

}  // namespace

std::string NextUidKey() { return WithKind('n'); }

std::string QueuePrefix() { return WithKind('q'); }

std::string QueueKey(uint64_t uid) {
  std::string key = WithKind('q');
  storage::AppendU64BE(&key, uid);
  return key;
}

std::optional<uint64_t> ParseQueueKey(std::string_view key) {
  if (key.size() != kRoot.size() + 9 || !key.starts_with(QueuePrefix())) return std::nullopt;
  key.remove_prefix(kRoot.size() + 1);
  uint64_t uid = 0;
  if (!storage::ReadU64BE(&key, &uid)) return std::nullopt;
  return uid;
}

std::string MessageKey(char kind, uint64_t uid, uint64_t seq) {
  std::string key;
  key.reserve(kRoot.size() + 17);
  key.append(kRoot).push_back(kind);
  storage::AppendU64BE(&key, uid);
  storage::AppendU64BE(&key, seq);
  return key;
}

std::string KindPrefix(char kind) { return WithKind(kind); }

std::string QueueKindPrefix(char kind, uint64_t uid) {
  std::string key = WithKind(kind);
  storage::AppendU64BE(&key, uid);
  return key;
}

bool ParseMessageKey(std::string_view key, uint64_t* uid, uint64_t* seq) {
  if (key.size() != kRoot.size() + 17 || !key.starts_with(kRoot)) return false;
  key.remove_prefix(kRoot.size() + 1);
  return storage::ReadU64BE(&key, uid) && storage::ReadU64BE(&key, seq);
}

size_t FamilyLength(std::string_view key) {
  if (key.size() != kRoot.size() + 17 || !key.starts_with(kRoot)) return 0;
  const char kind = key[kRoot.size()];
  return kind == 'm' || kind == 's' ? kRoot.size() + 9 : 0;
}

std::string DedupKey(uint64_t uid, std::string_view dedup_key) {
  std::string key = WithKind('d');
  storage::AppendU64BE(&key, uid);
  storage::AppendOrderedString(&key, dedup_key);
  return key;
}

bool ParseDedupKey(std::string_view key, uint64_t* uid, std::string* dedup_key) {
  const std::string prefix = WithKind('d');
  if (!key.starts_with(prefix)) return false;
  key.remove_prefix(prefix.size());
  return storage::ReadU64BE(&key, uid) && storage::ReadOrderedString(&key, dedup_key) &&
         key.empty();
}

std::string EncodeDedupRecord(int64_t expires_micros, uint64_t seq, std::string_view message_id) {
  std::string out;
  storage::AppendU64BE(&out, static_cast<uint64_t>(expires_micros));
  storage::AppendU64BE(&out, seq);
  out.append(message_id);
  return out;
}

bool DecodeDedupRecord(std::string_view value, int64_t* expires_micros, uint64_t* seq,
                       std::string* message_id) {
  uint64_t expires = 0;
  if (!storage::ReadU64BE(&value, &expires) || !storage::ReadU64BE(&value, seq)) return false;
  *expires_micros = static_cast<int64_t>(expires);
  message_id->assign(value);
  return true;
}

std::string MoveTaskKey(std::string_view task_id) {
  std::string key = WithKind('t');
  storage::AppendOrderedString(&key, task_id);
  return key;
}

}  // namespace tidepool::sqs::keyspace
