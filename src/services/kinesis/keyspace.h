// The Kinesis keyspace in the shared store. Every key starts with the 8 bytes "kinesis\0".
//
//   key          := "kinesis\0" kind
//   kind         := 'n'                                           -> next_uid:u64be
//                 | 's' stream_uid:u64be                          -> StreamMeta (json, see
//                                                                    stream_codec.h)
//                 | 'a' account:string region:string              -> AccountSettings (json:
//                                                     account, region, status, started_at,
//                                                     ended_at, earliest_end_at)
//                 | 'r' stream_uid:u64be shard_index:u64be counter:u64be -> RecordValue
//   RecordValue  := arrival_micros:u64be flags:u8 pk_len:u16be partition_key data
//   flags        := bit 0: the record was written while the stream was KMS-encrypted
//
// (u64be and string as in storage/key_codec.h.) A stream's uid is allocated from next_uid and
// never reused, so records of a deleted stream (one DeleteRange over 'r' stream_uid) can never
// be seen by a re-created stream of the same name. Records of a shard sort by counter, which
// is the order of their sequence numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tidepool::kinesis::keyspace {

std::string NextUidKey();

std::string StreamPrefix();  // all stream metadata keys
std::string StreamKey(uint64_t stream_uid);
std::optional<uint64_t> ParseStreamKey(std::string_view key);

std::string AccountSettingsPrefix();
std::string AccountSettingsKey(std::string_view account, std::string_view region);

std::string RecordKey(uint64_t stream_uid, uint32_t shard_index, uint64_t counter);
// All records of a stream: [StreamRecordsBegin, StreamRecordsEnd).
std::string StreamRecordsBegin(uint64_t stream_uid);
std::string StreamRecordsEnd(uint64_t stream_uid);
// Counter of a record key; nullopt for a key of another length.
std::optional<uint64_t> ParseRecordCounter(std::string_view key);

struct RecordView {
  int64_t arrival_micros = 0;
  bool encrypted = false;
  std::string_view partition_key;
  std::string_view data;
};
void AppendRecordValue(std::string* out, int64_t arrival_micros, bool encrypted,
                       std::string_view partition_key, std::string_view data);
// nullopt for a value AppendRecordValue did not produce. Views point into `value`.
std::optional<RecordView> ParseRecordValue(std::string_view value);

}  // namespace tidepool::kinesis::keyspace
