// Messages as the SQS service holds them in memory, and their binary store encoding.
//
//   MessageRecord := version:u8(=1) sent_micros:u64 visible_at_micros:u64 reason:u8
//                    id:str group_id:str dedup_id:str sender_id:str trace_header:str
//                    dlq_source_arn:str md5_body:str md5_attributes:str md5_system:str
//                    body:str attribute_count:u16 attribute*
//   attribute     := name:str data_type:str transport:u8 (value:str | count:u32 str*)
//                    transport 1 = string, 2 = binary (one value), 3 = string list,
//                    4 = binary list (count values)
//   StateRecord   := visible_at_micros:u64 first_receive_micros:u64 receive_count:u32
//                    receipt_gen:u32 reason:u8
//   str           := length:u32be bytes
//
// A MessageRecord never changes after the send; a StateRecord (written by receives and
// visibility changes) overrides the record's initial visibility. Times are wall-clock
// microseconds since the epoch. All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tidepool::sqs {

struct MessageAttribute {
  std::string name;
  std::string data_type;            // "String", "Number.int", "Binary.gif"...
  uint8_t transport = 1;            // 1 string, 2 binary, 3 string list, 4 binary list
  std::string value;                // transports 1 and 2
  std::vector<std::string> values;  // transports 3 and 4
};
// Sorted by name (the order of the MD5 algorithm and of replies).
using MessageAttributes = std::vector<MessageAttribute>;

// The part of a message that may be dropped from memory (see SqsOptions::payload_cache_bytes).
struct MessagePayload {
  std::string body;
  MessageAttributes attributes;
};

// Why a message is not visible until visible_at_micros.
enum class Hidden : uint8_t { kDelayed = 0, kInflight = 1 };

struct Message {
  uint64_t seq = 0;  // queue-local, increasing in send order; also the FIFO SequenceNumber
  std::string id;
  int64_t sent_micros = 0;
  int64_t visible_at_micros = 0;
  Hidden reason = Hidden::kDelayed;
  int64_t first_receive_micros = 0;  // 0 until first received
  uint32_t receive_count = 0;
  uint32_t receipt_gen = 0;  // bumped by every receive; part of the receipt handle
  std::string group_id;
  std::string dedup_id;
  std::string sender_id;
  std::string trace_header;
  std::string dlq_source_arn;
  std::string md5_body;                           // hex
  std::string md5_attributes;                     // hex, empty when the message has no attributes
  std::string md5_system;                         // hex, empty when no system attributes were sent
  uint32_t payload_bytes = 0;                     // body + attributes, what the cache accounts
  std::shared_ptr<const MessagePayload> payload;  // null when not cached

  bool VisibleAt(int64_t now_micros) const { return visible_at_micros <= now_micros; }
  bool InflightAt(int64_t now_micros) const {
    return reason == Hidden::kInflight && !VisibleAt(now_micros);
  }
};

// Encodes the immutable record of `m` with `payload`.
std::string EncodeMessageRecord(const Message& m, const MessagePayload& payload);
// Decodes a record into `*m` (seq untouched) and `*payload`. False for malformed input.
bool DecodeMessageRecord(std::string_view value, Message* m, MessagePayload* payload);

std::string EncodeStateRecord(const Message& m);
bool DecodeStateRecord(std::string_view value, Message* m);

// Bytes of body + attribute names, types and values (what AWS counts against
// MaximumMessageSize).
uint64_t PayloadSize(const MessagePayload& payload);

}  // namespace tidepool::sqs
