// The Kinesis keyspace in the shared store. Every key starts with the 8 bytes "kinesis\0".
//
//   key          := "kinesis\0" kind
//   kind         := 'n'                                           -> next_uid:u64be
//                 | 's' stream_uid:u64be                          -> StreamMeta (json, see
//                                                                    stream_codec.h)
//                 | 'a' account:string region:string              -> AccountSettings (json:
//                                                     account, region, status, started_at,
//                                                     ended_at, earliest_end_at)
//                 | 'r' stream_uid:u64be shard_index:u64be last:u64be -> Records
//   Records      := RecordValue                     one record; its counter is `last`
//                 | 0xFF count:u32be (size:u32be RecordValue){count}
//                                                   records last-count+1 .. last, in order
//   RecordValue  := arrival_micros:u64be flags:u8 pk_len:u16be partition_key data
//   flags        := bit 0: the record was written while the stream was KMS-encrypted
//
// (u64be and string as in storage/key_codec.h.) A stream's uid is allocated from next_uid and
// never reused, so records of a deleted stream (one DeleteRange over 'r' stream_uid) can never
// be seen by a re-created stream of the same name. Record counters of a shard are
// consecutive, and one PutRecords stores the records it routes to a shard as one block: one
// store entry instead of hundreds, which is most of what a batch costs the store. A block is
// keyed by its last counter, so a Scan from RecordKey(shard, c) meets first the entry that
// holds record c (or, if c is gone, the oldest newer one). A RecordValue never starts with
// 0xFF: arrival_micros is a non-negative int64.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/record_kind.h"

namespace tidepool::kinesis::keyspace {

std::string NextUidKey();

std::string StreamPrefix();  // all stream metadata keys
std::string StreamKey(uint64_t stream_uid);
std::optional<uint64_t> ParseStreamKey(std::string_view key);

std::string AccountSettingsPrefix();
std::string AccountSettingsKey(std::string_view account, std::string_view region);

std::string RecordKey(uint64_t stream_uid, uint32_t shard_index, uint64_t counter);
// The key family (storage::KeyFamily) of a record key: one shard's records, which grow with
// the counter. 0 for every other key.
size_t FamilyLength(std::string_view key);
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

// Appends one record to the block being built in `*block` (empty: a new block).
// `arrival_micros` must not be negative (see the grammar: a RecordValue never starts 0xFF).
void AppendToRecordBlock(std::string* block, int64_t arrival_micros, bool encrypted,
                         std::string_view partition_key, std::string_view data);
// The value to store for a block built by AppendToRecordBlock: the block itself, or for a
// single record its plain RecordValue (the format PutRecord writes).
std::string FinishRecordBlock(std::string block);

// Walks the records of one stored record entry (either form of Records), oldest first.
// Views point into the entry's value, which must outlive the cursor.
class RecordCursor {
 public:
  // nullopt when `key` is not a record key or `value` has no valid header.
  static std::optional<RecordCursor> Open(std::string_view key, std::string_view value);

  uint64_t last_counter() const { return last_; }
  // Moves past the records before `counter` without decoding them.
  void SkipBefore(uint64_t counter);
  // The next record; false at the end or at a malformed entry (the rest is then skipped).
  bool Next(uint64_t* counter, RecordView* record);

 private:
  RecordCursor(uint64_t last, uint64_t count, std::string_view rest, bool block)
      : next_(last - (count - 1)), last_(last), remaining_(count), rest_(rest), block_(block) {}
  // Consumes the next entry's RecordValue bytes; false at the end or if malformed (which
  // ends the walk).
  bool TakeEntry(std::string_view* entry);

  uint64_t next_;  // counter of the next record
  uint64_t last_;
  uint64_t remaining_;  // records not yet consumed
  std::string_view rest_;
  bool block_;
};

// Every kind of record this keyspace stores, one per `kind` of the grammar above (see
// storage/record_kind.h). A new kind must join this list and the restart test's zoo.
std::vector<storage::RecordKind> RecordKinds();

}  // namespace tidepool::kinesis::keyspace
