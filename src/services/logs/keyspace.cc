#include "services/logs/keyspace.h"

#include "storage/key_codec.h"

namespace tidepool::logs::keyspace {

namespace {
constexpr std::string_view kRoot{"logs\0", 5};

// Reads `count` u64s after "logs\0" kind, requiring the key to end there.
bool ReadU64s(std::string_view key, char kind, uint64_t* out, int count) {
  if (key.size() != kRoot.size() + 1 + 8 * static_cast<size_t>(count)) return false;
  if (key.substr(0, kRoot.size()) != kRoot || key[kRoot.size()] != kind) return false;
  std::string_view rest = key.substr(kRoot.size() + 1);
  for (int i = 0; i < count; ++i) {
    if (!storage::ReadU64BE(&rest, &out[i])) return false;
  }
  return true;
}
}  // namespace

std::string Prefix(char kind) {
  std::string k(kRoot);
  k.push_back(kind);
  return k;
}

std::string GroupKey(uint64_t group) {
  std::string k = Prefix('g');
  storage::AppendU64BE(&k, group);
  return k;
}

std::string StreamKey(uint64_t group, uint64_t stream) {
  std::string k = StreamsBegin(group);
  storage::AppendU64BE(&k, stream);
  return k;
}

std::string StreamsBegin(uint64_t group) {
  std::string k = Prefix('s');
  storage::AppendU64BE(&k, group);
  return k;
}

std::string StreamsEnd(uint64_t group) { return StreamsBegin(group + 1); }

std::string EventKey(uint64_t group, uint64_t timestamp, uint64_t seq) {
  std::string k = EventsBegin(group);
  storage::AppendU64BE(&k, timestamp);
  storage::AppendU64BE(&k, seq);
  return k;
}

size_t FamilyLength(std::string_view key) {
  if (key.size() != kRoot.size() + 1 + 24 || !key.starts_with(kRoot) || key[kRoot.size()] != 'e') {
    return 0;
  }
  return kRoot.size() + 1 + 8;
}

std::string EventsBegin(uint64_t group) {
  std::string k = Prefix('e');
  storage::AppendU64BE(&k, group);
  return k;
}

std::string EventsEnd(uint64_t group) { return EventsBegin(group + 1); }

std::optional<EventPosition> ParseEventKey(std::string_view key) {
  uint64_t v[3];
  if (!ReadU64s(key, 'e', v, 3)) return std::nullopt;
  return EventPosition{v[0], v[1], v[2]};
}

std::optional<uint64_t> ParseGroupKey(std::string_view key) {
  uint64_t v[1];
  if (!ReadU64s(key, 'g', v, 1)) return std::nullopt;
  return v[0];
}

std::optional<std::pair<uint64_t, uint64_t>> ParseStreamKey(std::string_view key) {
  uint64_t v[2];
  if (!ReadU64s(key, 's', v, 2)) return std::nullopt;
  return std::make_pair(v[0], v[1]);
}

std::string EncodeEvent(uint64_t stream, uint64_t ingestion_ms, std::string_view message) {
  std::string out;
  out.reserve(16 + message.size());
  storage::AppendU64BE(&out, stream);
  storage::AppendU64BE(&out, ingestion_ms);
  out.append(message);
  return out;
}

std::optional<EventValue> DecodeEvent(std::string_view value) {
  EventValue e;
  if (!storage::ReadU64BE(&value, &e.stream) || !storage::ReadU64BE(&value, &e.ingestion_ms)) {
    return std::nullopt;
  }
  e.message = value;
  return e;
}

std::vector<storage::RecordKind> RecordKinds() {
  return {
      {"logs", "log-group", Prefix('g')},
      {"logs", "log-stream", Prefix('s')},
      {"logs", "log-event", Prefix('e')},
  };
}

}  // namespace tidepool::logs::keyspace
