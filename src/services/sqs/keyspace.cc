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

// kind queue_uid:u64be name:string
std::string QueueStringKey(char kind, uint64_t uid, std::string_view name) {
  std::string key = WithKind(kind);
  storage::AppendU64BE(&key, uid);
  storage::AppendOrderedString(&key, name);
  return key;
}

bool ParseQueueStringKey(char kind, std::string_view key, uint64_t* uid, std::string* name) {
  const std::string prefix = WithKind(kind);
  if (!key.starts_with(prefix)) return false;
  key.remove_prefix(prefix.size());
  return storage::ReadU64BE(&key, uid) && storage::ReadOrderedString(&key, name) && key.empty();
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
  return QueueStringKey('d', uid, dedup_key);
}

bool ParseDedupKey(std::string_view key, uint64_t* uid, std::string* dedup_key) {
  return ParseQueueStringKey('d', key, uid, dedup_key);
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

std::string AttemptKey(uint64_t uid, std::string_view attempt_id) {
  return QueueStringKey('a', uid, attempt_id);
}

bool ParseAttemptKey(std::string_view key, uint64_t* uid, std::string* attempt_id) {
  return ParseQueueStringKey('a', key, uid, attempt_id);
}

std::string EncodeAttemptRecord(const AttemptRecord& record) {
  std::string out;
  storage::AppendU64BE(&out, static_cast<uint64_t>(record.expires_micros));
  storage::AppendU64BE(&out, static_cast<uint64_t>(record.received_micros));
  for (const auto& [seq, gen] : record.received) {
    storage::AppendU64BE(&out, seq);
    storage::AppendU32BE(&out, gen);
  }
  return out;
}

bool DecodeAttemptRecord(std::string_view value, AttemptRecord* record) {
  uint64_t expires = 0, received = 0;
  if (!storage::ReadU64BE(&value, &expires) || !storage::ReadU64BE(&value, &received)) {
    return false;
  }
  record->expires_micros = static_cast<int64_t>(expires);
  record->received_micros = static_cast<int64_t>(received);
  record->received.clear();
  while (!value.empty()) {
    uint64_t seq = 0;
    uint32_t gen = 0;
    if (!storage::ReadU64BE(&value, &seq) || !storage::ReadU32BE(&value, &gen)) return false;
    record->received.emplace_back(seq, gen);
  }
  return true;
}

std::string MoveTaskKey(std::string_view task_id) {
  std::string key = WithKind('t');
  storage::AppendOrderedString(&key, task_id);
  return key;
}

std::vector<storage::RecordKind> RecordKinds() {
  return {
      {"sqs", "next-uid", WithKind('n')},  {"sqs", "queue", WithKind('q')},
      {"sqs", "message", WithKind('m')},   {"sqs", "message-state", WithKind('s')},
      {"sqs", "dedup", WithKind('d')},     {"sqs", "receive-attempt", WithKind('a')},
      {"sqs", "move-task", WithKind('t')},
  };
}

}  // namespace tidepool::sqs::keyspace
