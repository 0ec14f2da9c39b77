// The replies of the hot message operations (SendMessage, SendMessageBatch, ReceiveMessage) in
// the two forms a call may take: an output object for the model codecs, or the same document
// written directly as AWS JSON (protocol::EncodedJson), which skips building the object and the
// codec's walk over it. message_replies_test.cc checks that both forms encode to the same bytes.
// The query protocol refuses EncodedJson, so a call's form comes from DecodeForReply. Builders
// are not thread-safe (one per call); views must outlive the Add that takes them.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/service.h"
#include "services/sqs/message.h"

namespace tidepool::sqs {

enum class ReplyForm { kObject, kJsonText };

// For the operations SqsService takes raw (Service::TakesRawInput): decodes a raw call's body
// with the codec (Call::DecodeInput, the codec's validation and errors) and returns the form
// of its reply: kJsonText for a raw call, which only the JSON protocol delivers, kObject for a
// call whose input the protocol layer decoded (the query protocol; tests). nullopt when the
// body does not decode: the call has been failed with the codec's error.
std::optional<ReplyForm> DecodeForReply(protocol::Call& call);

// What SendMessage (or a SendMessageBatch entry) reports for one message; empty optional
// members are left out of the reply.
struct SentMessage {
  std::string_view message_id;
  std::string_view md5_body;
  std::string_view md5_attributes;
  std::string_view md5_system;
  std::string_view sequence_number;  // FIFO only
};

// SendMessageResult.
protocol::Outcome SendMessageReply(ReplyForm form, const SentMessage& sent);

// SendMessageBatchResult: {"Successful":[…],"Failed":[…]}, entries in the order added.
class SendMessageBatchReply {
 public:
  explicit SendMessageBatchReply(ReplyForm form) : form_(form) {}
  void AddSuccess(std::string_view id, const SentMessage& sent);
  // A BatchResultErrorEntry; Code is the error's query code when it has one (as AWS does).
  void AddFailure(std::string_view id, const protocol::AwsError& error);
  protocol::Outcome Finish() &&;

 private:
  ReplyForm form_;
  boost::json::array successful_, failed_;     // kObject
  std::string successful_text_, failed_text_;  // kJsonText: entries, comma-separated
};

// One message of a ReceiveMessage reply.
struct ReceivedMessage {
  std::string_view message_id;
  std::string receipt_handle;
  std::string_view md5_body;
  std::string_view body;
  // The system attributes asked for (the Attributes map), in reply order.
  std::vector<std::pair<std::string_view, std::string>> attributes;
  // The message attributes asked for, sorted by name, and their MD5 (both empty for none).
  MessageAttributes message_attributes;
  std::string md5_message_attributes;
};

// ReceiveMessageResult: {"Messages":[…]}, or {} when no message was added.
class ReceiveMessageReply {
 public:
  explicit ReceiveMessageReply(ReplyForm form) : form_(form) {}
  void Add(const ReceivedMessage& m);
  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }
  protocol::Outcome Finish() &&;

 private:
  ReplyForm form_;
  size_t count_ = 0;
  boost::json::array messages_;  // kObject
  std::string text_;             // kJsonText: the document up to its closing "]}"
};

}  // namespace tidepool::sqs
