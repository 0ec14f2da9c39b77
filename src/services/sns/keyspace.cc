#include "services/sns/keyspace.h"

#include "storage/key_codec.h"

namespace tidepool::sns::keyspace {
namespace {

constexpr std::string_view kRoot("sns\0", 4);

std::string Kind(char kind) {
  std::string key(kRoot);
  key.push_back(kind);
  return key;
}

// Strips root + kind from `key`; false when it is not of that kind.
bool StripKind(std::string_view* key, char kind) {
  if (key->size() < kRoot.size() + 1 || key->substr(0, kRoot.size()) != kRoot ||
      (*key)[kRoot.size()] != kind) {
    return false;
  }
  key->remove_prefix(kRoot.size() + 1);
  return true;
}

std::optional<std::string> ParseOneString(std::string_view key, char kind) {
  if (!StripKind(&key, kind)) return std::nullopt;
  std::string value;
  if (!storage::ReadOrderedString(&key, &value) || !key.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::string TopicPrefix() { return Kind('t'); }
std::string TopicKey(std::string_view topic_arn) {
  std::string key = Kind('t');
  storage::AppendOrderedString(&key, topic_arn);
  return key;
}
std::string CounterPrefix() { return Kind('c'); }
std::string CounterKey(std::string_view topic_arn) {
  std::string key = Kind('c');
  storage::AppendOrderedString(&key, topic_arn);
  return key;
}
std::string DedupRoot() { return Kind('d'); }
std::string DedupPrefix(std::string_view topic_arn) {
  std::string key = Kind('d');
  storage::AppendOrderedString(&key, topic_arn);
  return key;
}
std::string DedupKey(std::string_view topic_arn, std::string_view dedup_id) {
  std::string key = DedupPrefix(topic_arn);
  storage::AppendOrderedString(&key, dedup_id);
  return key;
}
std::string OutboxPrefix() { return Kind('o'); }
std::string OutboxKey(uint64_t seq) {
  std::string key = Kind('o');
  storage::AppendU64BE(&key, seq);
  return key;
}

size_t FamilyLength(std::string_view key) {
  if (key.size() != kRoot.size() + 9 || !StripKind(&key, 'o')) return 0;
  return kRoot.size() + 1;
}

std::optional<std::string> ParseTopicKey(std::string_view key) { return ParseOneString(key, 't'); }
std::optional<std::string> ParseCounterKey(std::string_view key) {
  return ParseOneString(key, 'c');
}

std::optional<std::pair<std::string, std::string>> ParseDedupKey(std::string_view key) {
  if (!StripKind(&key, 'd')) return std::nullopt;
  std::pair<std::string, std::string> out;
  if (!storage::ReadOrderedString(&key, &out.first) ||
      !storage::ReadOrderedString(&key, &out.second) || !key.empty()) {
    return std::nullopt;
  }
  return out;
}

std::optional<uint64_t> ParseOutboxKey(std::string_view key) {
  if (!StripKind(&key, 'o')) return std::nullopt;
  uint64_t seq = 0;
  if (!storage::ReadU64BE(&key, &seq) || !key.empty()) return std::nullopt;
  return seq;
}

std::vector<storage::RecordKind> RecordKinds() {
  return {
      {"sns", "topic", Kind('t')},
      {"sns", "fifo-counter", Kind('c')},
      {"sns", "dedup", Kind('d')},
      {"sns", "outbox", Kind('o')},
  };
}

}  // namespace tidepool::sns::keyspace
