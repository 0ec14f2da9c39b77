// Types and helpers shared by SqsService's operation files. Not for use outside the service.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "services/sqs/message_replies.h"
#include "services/sqs/sqs_errors.h"
#include "services/sqs/sqs_service.h"

namespace tidepool::sqs {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kDedupWindowMicros = 5 * 60 * kMicrosPerSecond;
// The longest a message stays hidden after one receive (VisibilityTimeout's maximum too).
inline constexpr int64_t kMaxVisibilitySeconds = 12 * 60 * 60;
inline constexpr size_t kMaxBatchEntries = 10;

// One message to send, parsed from a SendMessage call or batch entry (or an InternalMessage).
struct SqsService::SendInput {
  std::string entry_id;  // batch entry Id; empty for SendMessage
  std::shared_ptr<MessagePayload> payload;
  MessageAttributes system;  // AWSTraceHeader
  // The sender's X-Amzn-Trace-Id: the message's AWSTraceHeader when `system` has none (kept
  // out of `system`, so it is not in MD5OfMessageSystemAttributes).
  std::string request_trace;
  int64_t delay = -1;  // -1: the queue's DelaySeconds
  bool has_group = false;
  bool has_dedup = false;
  std::string group_id;
  std::string dedup_id;
  std::string sender_id;
  Status error;  // a batch entry that failed parsing (reported in Failed)
};

struct SqsService::SendResult {
  std::string entry_id;
  Status status;
  std::string message_id;
  std::string md5_body;
  std::string md5_attributes;
  std::string md5_system;
  std::string sequence_number;  // FIFO only

  SentMessage Sent() const {
    return {message_id, md5_body, md5_attributes, md5_system, sequence_number};
  }
};

// The locks LockWithDlq takes: the queue's and, when its dead-letter queue exists, that one's.
struct SqsService::QueueLocks {
  std::unique_lock<std::mutex> queue;
  std::unique_lock<std::mutex> dlq;
  Queue* dlq_queue = nullptr;
  std::shared_ptr<Queue> dlq_ptr;
};

// EmptyBatchRequest / TooManyEntriesInBatchRequest / InvalidBatchEntryId /
// BatchEntryIdsNotDistinct, checked in that order as AWS does. `entry_shape` names the
// request entry type in the EmptyBatchRequest message.
Status CheckBatchEntries(const boost::json::array* entries, std::string_view entry_shape);

// A BatchResultErrorEntry for `status`.
boost::json::object BatchErrorEntry(std::string_view id, const Status& status);

// The FIFO SequenceNumber text of a seq (20 digits, increasing with seq).
std::string SequenceNumberText(uint64_t seq);

}  // namespace tidepool::sqs
