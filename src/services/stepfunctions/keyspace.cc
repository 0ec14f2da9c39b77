#include "services/stepfunctions/keyspace.h"

#include "storage/key_codec.h"

namespace tidepool::sfn::keyspace {

namespace {
constexpr std::string_view kRoot{"sfn\0", 4};
}

std::string Prefix(char kind) {
  std::string k(kRoot);
  k.push_back(kind);
  return k;
}

std::string Key(char kind, uint64_t uid) {
  std::string k = Prefix(kind);
  storage::AppendU64BE(&k, uid);
  return k;
}

std::string EventKey(uint64_t execution_uid, uint64_t event_id) {
  std::string k = Key('h', execution_uid);
  storage::AppendU64BE(&k, event_id);
  return k;
}

std::string EventsBegin(uint64_t execution_uid) { return Key('h', execution_uid); }
std::string EventsEnd(uint64_t execution_uid) { return Key('h', execution_uid + 1); }

std::optional<uint64_t> ParseUid(std::string_view key) {
  if (key.size() < kRoot.size() + 1 + 8) return std::nullopt;
  std::string_view rest = key.substr(kRoot.size() + 1);
  uint64_t uid = 0;
  if (!storage::ReadU64BE(&rest, &uid)) return std::nullopt;
  return uid;
}

std::vector<storage::RecordKind> RecordKinds() {
  return {
      {"stepfunctions", "state-machine", Prefix('m')},
      {"stepfunctions", "alias", Prefix('l')},
      {"stepfunctions", "activity", Prefix('a')},
      {"stepfunctions", "execution-start", Prefix('e')},
      {"stepfunctions", "execution-state", Prefix('s')},
      {"stepfunctions", "history-event", Prefix('h')},
      {"stepfunctions", "map-run", Prefix('r')},
  };
}

}  // namespace tidepool::sfn::keyspace
