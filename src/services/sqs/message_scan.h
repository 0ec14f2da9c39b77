// The inputs of the hot message operations (SendMessage, ReceiveMessage, DeleteMessage), read
// without a JSON DOM when the body is plain.
//
// SqsService takes these operations' bodies raw (Service::TakesRawInput). Each handler first
// tries its Scan* function here: a reader for the plain documents SDKs send (the members listed
// on each struct; strings of printable ASCII without escapes; integers of at most 9 digits; any
// whitespace and member order). Anything else (other members, escapes, non-ASCII or control
// characters, duplicates, nulls, other JSON types) makes the scan give up, and the body is
// decoded by the model codec as for every other operation, so clients see exactly the codec's
// validation. A scan that accepts yields exactly the values the codec would have decoded
// (fuzz/sqs_message_input_fuzz.cc checks this); the handler's own checks (message characters,
// value ranges, the queue) then run as for a decoded body. Pure functions; thread-safe. Views
// point into the body, which must outlive them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/service.h"
#include "services/sqs/message_replies.h"

namespace tidepool::sqs {

// SendMessage: QueueUrl, MessageBody, DelaySeconds.
struct SendMessageScan {
  std::string_view queue_url;
  std::string_view message_body;
  std::optional<int64_t> delay_seconds;
};
bool ScanSendMessage(std::string_view body, SendMessageScan* out);

// ReceiveMessage: all of its members (the name lists as lists of strings).
struct ReceiveMessageInput {
  std::string_view queue_url;
  std::optional<int64_t> max_messages;
  std::optional<int64_t> visibility_timeout;
  std::optional<int64_t> wait_seconds;
  std::vector<std::string_view> attribute_names;         // AttributeNames
  std::vector<std::string_view> system_attribute_names;  // MessageSystemAttributeNames
  std::vector<std::string_view> message_attribute_names;
  std::optional<std::string_view> attempt_id;  // ReceiveRequestAttemptId
};
bool ScanReceiveMessage(std::string_view body, ReceiveMessageInput* out);

// Fills `out` from `call`: by ScanReceiveMessage when the call is raw, else from its decoded
// input (decoding it first, by DecodeForReply, if the scan gave up); `form` gets the reply's
// form. False when the call has been failed with the codec's error; the caller then returns.
// Views point into the call's body or input: valid while the call lives.
bool ReadReceiveMessage(protocol::Call& call, ReceiveMessageInput* out, ReplyForm* form);

// DeleteMessage: QueueUrl, ReceiptHandle.
struct DeleteMessageScan {
  std::string_view queue_url;
  std::string_view receipt_handle;
};
bool ScanDeleteMessage(std::string_view body, DeleteMessageScan* out);

}  // namespace tidepool::sqs
