// The SQS keyspace in the shared store. Every key starts with the 4 bytes "sqs\0".
//
//   key   := "sqs\0" kind
//   kind  := 'n'                                   -> next_uid:u64be
//          | 'q' queue_uid:u64be                   -> QueueMeta (json, see queue_codec.h)
//          | 'm' queue_uid:u64be seq:u64be         -> MessageRecord (binary, message.h)
//          | 's' queue_uid:u64be seq:u64be         -> StateRecord (binary, message.h)
//          | 'd' queue_uid:u64be dedup_key:string  -> DedupRecord
//          | 'a' queue_uid:u64be attempt_id:string -> AttemptRecord (FIFO receive attempts)
//          | 't' task_id:string                    -> MoveTask (json, see move_task.h)
//   DedupRecord := expires_micros:u64be seq:u64be message_id
//   dedup_key   := MessageDeduplicationId, or MessageGroupId "\0" MessageDeduplicationId
//                  when the queue's DeduplicationScope is messageGroup
//   AttemptRecord := expires_micros:u64be received_micros:u64be (seq:u64be receipt_gen:u32be)*
//
// (u64be and string as in storage/key_codec.h.) Queue uids come from next_uid and are never
// reused, so the records of a deleted queue (DeleteRanges over its 'm', 's', 'd', 'a' keys) can
// never be seen by a re-created queue of the same name. Messages of a queue sort by seq,
// their send order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/record_kind.h"

namespace tidepool::sqs::keyspace {

std::string NextUidKey();

std::string QueuePrefix();
std::string QueueKey(uint64_t uid);
std::optional<uint64_t> ParseQueueKey(std::string_view key);

// kind is 'm' or 's'.
std::string MessageKey(char kind, uint64_t uid, uint64_t seq);
std::string KindPrefix(char kind);                     // every key of that kind
std::string QueueKindPrefix(char kind, uint64_t uid);  // that kind, one queue
// uid and seq of a 'm' / 's' key; false for another shape.
bool ParseMessageKey(std::string_view key, uint64_t* uid, uint64_t* seq);

// The key family (storage::KeyFamily) of a 'm' or 's' key: one queue's keys of that kind,
// which grow with seq. Sends append to the family, receives and deletes work from its oldest
// messages. 0 for every other key.
size_t FamilyLength(std::string_view key);

std::string DedupKey(uint64_t uid, std::string_view dedup_key);
bool ParseDedupKey(std::string_view key, uint64_t* uid, std::string* dedup_key);
std::string EncodeDedupRecord(int64_t expires_micros, uint64_t seq, std::string_view message_id);
bool DecodeDedupRecord(std::string_view value, int64_t* expires_micros, uint64_t* seq,
                       std::string* message_id);

// A FIFO ReceiveRequestAttemptId: when it expires, when its receive happened, and the
// messages it returned (seq, receipt_gen).
struct AttemptRecord {
  int64_t expires_micros = 0;
  int64_t received_micros = 0;
  std::vector<std::pair<uint64_t, uint32_t>> received;
};
std::string AttemptKey(uint64_t uid, std::string_view attempt_id);
bool ParseAttemptKey(std::string_view key, uint64_t* uid, std::string* attempt_id);
std::string EncodeAttemptRecord(const AttemptRecord& record);
bool DecodeAttemptRecord(std::string_view value, AttemptRecord* record);

std::string MoveTaskKey(std::string_view task_id);

// Every kind of record this keyspace stores, one per `kind` of the grammar above (see
// storage/record_kind.h). A new kind must join this list and the restart test's zoo.
std::vector<storage::RecordKind> RecordKinds();

}  // namespace tidepool::sqs::keyspace
