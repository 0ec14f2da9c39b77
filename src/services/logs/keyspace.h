// The CloudWatch Logs keyspace in the shared store. Every key starts with "logs\0".
//
//   key   := "logs\0" kind
//   kind  := 'g' group:u64be                         -> LogGroup (json: account, region, name,
//                                                       created, retention, tags, kms, class)
//          | 's' group:u64be stream:u64be            -> LogStream (json: name, created, first,
//                                                       last, ingested, bytes, seq), rewritten
//                                                       in every batch that adds its events
//          | 'e' group:u64be timestamp:u64be seq:u64be -> LogEvent: stream:u64be
//                                                       ingestion_ms:u64be message bytes
//
// Events are ordered by group, then event time (epoch milliseconds), then `seq`, a counter
// shared by all groups that only grows (Recover() starts it above every stream's `seq`). One
// scan of a group's time range serves FilterLogEvents across streams; GetLogEvents scans the
// range of its stream's first to last event and skips other streams' events. Uids of groups
// and streams come from one counter, started above every stored uid.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/record_kind.h"

namespace tidepool::logs::keyspace {

std::string Prefix(char kind);  // "logs\0" kind
std::string GroupKey(uint64_t group);
std::string StreamKey(uint64_t group, uint64_t stream);
std::string StreamsBegin(uint64_t group);
std::string StreamsEnd(uint64_t group);
std::string EventKey(uint64_t group, uint64_t timestamp, uint64_t seq);
// The key family (storage::KeyFamily) of an event key: one group's events, which grow with
// time. 0 for every other key.
size_t FamilyLength(std::string_view key);
std::string EventsBegin(uint64_t group);
std::string EventsEnd(uint64_t group);

struct EventPosition {
  uint64_t group = 0, timestamp = 0, seq = 0;
};
std::optional<EventPosition> ParseEventKey(std::string_view key);
std::optional<uint64_t> ParseGroupKey(std::string_view key);
// (group, stream) of a StreamKey.
std::optional<std::pair<uint64_t, uint64_t>> ParseStreamKey(std::string_view key);

struct EventValue {
  uint64_t stream = 0;
  uint64_t ingestion_ms = 0;
  std::string_view message;  // points into the encoded value
};
std::string EncodeEvent(uint64_t stream, uint64_t ingestion_ms, std::string_view message);
std::optional<EventValue> DecodeEvent(std::string_view value);

// Every kind of record this keyspace stores, one per `kind` of the grammar above (see
// storage/record_kind.h). A new kind must join this list and the restart test's zoo.
std::vector<storage::RecordKind> RecordKinds();

}  // namespace tidepool::logs::keyspace
