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

#include <array>
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

// The members of a message that most messages leave empty, allocated only when one is set.
struct MessageExtras {
  std::string id_text;        // the id when it is not a canonical lowercase UUID
  std::string md5_body_text;  // md5_body when it is not 32 lowercase hex digits
  std::string group_id;
  std::string dedup_id;
  std::string trace_header;
  std::string dlq_source_arn;
  std::string md5_attributes;  // hex, empty when the message has no attributes
  std::string md5_system;      // hex, empty when no system attributes were sent
};

// One message's index entry. Memory: a message waiting in a queue costs this struct plus its
// map node, so the id and md5_body are kept as 16 binary bytes each (their text is formatted
// on demand), the sender id is shared between messages, and rarely set members live in
// MessageExtras. Every text member reads back exactly as it was set.
class Message {
 public:
  Message() = default;
  Message(const Message& other);
  Message& operator=(const Message& other);
  Message(Message&&) noexcept = default;
  Message& operator=(Message&&) noexcept = default;

  // Members are ordered so that the struct packs into 120 bytes (a 160-byte map node).
  uint64_t seq = 0;  // queue-local, increasing in send order; also the FIFO SequenceNumber
  int64_t sent_micros = 0;
  int64_t visible_at_micros = 0;
  int64_t first_receive_micros = 0;               // 0 until first received
  std::shared_ptr<const MessagePayload> payload;  // null when not cached
  uint32_t receive_count = 0;
  uint32_t receipt_gen = 0;    // bumped by every receive; part of the receipt handle
  uint32_t payload_bytes = 0;  // body + attributes, what the cache accounts
  Hidden reason = Hidden::kDelayed;

  bool VisibleAt(int64_t now_micros) const { return visible_at_micros <= now_micros; }
  bool InflightAt(int64_t now_micros) const {
    return reason == Hidden::kInflight && !VisibleAt(now_micros);
  }

  std::string id() const;
  bool IdEquals(std::string_view text) const;
  void set_id(std::string_view text);
  std::string md5_body() const;  // hex
  void set_md5_body(std::string_view text);
  const std::string& sender_id() const { return sender_id_ ? *sender_id_ : Empty(); }
  // `shared` may be the same string object as other messages' (it is never modified).
  void set_sender_id(std::shared_ptr<const std::string> shared) { sender_id_ = std::move(shared); }

  const std::string& group_id() const { return Extra(&MessageExtras::group_id); }
  const std::string& dedup_id() const { return Extra(&MessageExtras::dedup_id); }
  const std::string& trace_header() const { return Extra(&MessageExtras::trace_header); }
  const std::string& dlq_source_arn() const { return Extra(&MessageExtras::dlq_source_arn); }
  const std::string& md5_attributes() const { return Extra(&MessageExtras::md5_attributes); }
  const std::string& md5_system() const { return Extra(&MessageExtras::md5_system); }
  void set_group_id(std::string v) { SetExtra(&MessageExtras::group_id, std::move(v)); }
  void set_dedup_id(std::string v) { SetExtra(&MessageExtras::dedup_id, std::move(v)); }
  void set_trace_header(std::string v) { SetExtra(&MessageExtras::trace_header, std::move(v)); }
  void set_dlq_source_arn(std::string v) { SetExtra(&MessageExtras::dlq_source_arn, std::move(v)); }
  void set_md5_attributes(std::string v) { SetExtra(&MessageExtras::md5_attributes, std::move(v)); }
  void set_md5_system(std::string v) { SetExtra(&MessageExtras::md5_system, std::move(v)); }

 private:
  static const std::string& Empty();
  const std::string& Extra(std::string MessageExtras::*member) const {
    return extras_ ? (*extras_).*member : Empty();
  }
  // Allocates the extras only for a non-empty value.
  void SetExtra(std::string MessageExtras::*member, std::string v);

  bool id_packed_ = false;   // id_ holds the id; else it is extras_->id_text (or empty)
  bool md5_packed_ = false;  // md5_ holds md5_body; else it is extras_->md5_body_text
  std::array<uint8_t, 16> id_{};
  std::array<uint8_t, 16> md5_{};
  std::shared_ptr<const std::string> sender_id_;  // null: empty
  std::unique_ptr<MessageExtras> extras_;         // null: all empty
};
static_assert(sizeof(void*) != 8 || sizeof(Message) <= 120, "Message grew past 120 bytes");

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
