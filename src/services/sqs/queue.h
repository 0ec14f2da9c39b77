// Queue: one SQS queue's settings and its in-memory message indexes.
//
// Thread-safety: identity members (uid...arn, fifo) are immutable after construction; every
// other member is guarded by `mu`. Code that holds two queue locks takes them together with
// std::scoped_lock (deadlock-free whatever the order).
//
// Index invariants (under mu): every committed, undeleted message is in `messages` and in
// exactly one of `ready` (visible; by seq) or `hidden` (by visible_at, seq). Hidden messages
// whose time has come move to `ready` in Promote(now), which callers run before reading the
// indexes. `inflight` counts hidden messages with reason kInflight; for FIFO queues
// `group_inflight` counts them per MessageGroupId (a group with a count is locked).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/json/array.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "protocol/service.h"
#include "services/sqs/keyspace.h"
#include "services/sqs/message.h"
#include "services/sqs/message_replies.h"
#include "services/sqs/seq_set.h"
#include "storage/write_batch.h"

namespace tidepool::sqs {

// Settable queue attributes, with AWS's defaults.
struct QueueConfig {
  int64_t delay_seconds = 0;
  int64_t maximum_message_size = 1048576;
  int64_t message_retention_period = 345600;
  int64_t receive_wait_seconds = 0;
  int64_t visibility_timeout = 30;
  std::string redrive_policy;  // as set (JSON text); empty when none
  std::string redrive_target_arn;
  int64_t max_receive_count = 0;     // 0 when no redrive policy
  std::string redrive_allow_policy;  // as set; empty = allowAll
  std::string policy;
  std::string kms_master_key_id;
  int64_t kms_data_key_reuse_period = 300;
  bool sqs_managed_sse = true;
  bool fifo = false;
  bool content_based_dedup = false;
  std::string dedup_scope = "queue";               // FIFO: queue | messageGroup
  std::string fifo_throughput_limit = "perQueue";  // FIFO: perQueue | perMessageGroupId
};

// What a ReceiveMessage asks for (also what a parked long poll keeps).
struct ReceiveRequest {
  protocol::CallPtr call;
  int32_t max_messages = 1;
  int64_t visibility_timeout = -1;  // -1: the queue's
  int64_t wait_seconds = 0;
  boost::json::array attribute_names;  // AttributeNames + MessageSystemAttributeNames
  boost::json::array message_attribute_names;
  std::string attempt_id;
  ReplyForm reply_form = ReplyForm::kObject;  // of the reply with messages
};

// A parked long poll.
struct Waiter {
  ReceiveRequest request;
  std::shared_ptr<boost::asio::steady_timer> timer;
  // The end of the wait, in real (steady) time: a long poll waits real seconds whatever the
  // service's Clock says.
  std::chrono::steady_clock::time_point deadline;
  bool done = false;          // served or timed out (guarded by the queue's mu)
  int64_t handed_micros = 0;  // when HandOffLocked gave it messages (the receive time)
};

struct DedupEntry {
  int64_t expires_micros = 0;
  uint64_t seq = 0;
  std::string message_id;
};

// A FIFO ReceiveRequestAttemptId remembered for 5 minutes: the messages it returned.
using ReceiveAttempt = keyspace::AttemptRecord;

class Queue {
 public:
  Queue(uint64_t uid, std::string account, std::string region, std::string name, bool fifo);

  const uint64_t uid;
  const std::string account;
  const std::string region;
  const std::string name;
  const std::string arn;
  const bool fifo;

  mutable std::mutex mu;
  QueueConfig config;
  std::map<std::string, std::string> tags;
  int64_t created_seconds = 0;
  int64_t modified_seconds = 0;
  int64_t last_purge_micros = 0;
  uint64_t purge_floor = 0;  // messages with a smaller seq were purged
  bool deleted = false;

  std::map<uint64_t, Message> messages;
  SeqSet ready;
  std::set<std::pair<int64_t, uint64_t>> hidden;
  size_t inflight = 0;
  std::unordered_map<std::string, uint32_t> group_inflight;
  uint64_t last_seq = 0;

  std::unordered_map<std::string, DedupEntry> dedup;
  std::deque<std::pair<int64_t, std::string>> dedup_expiry;  // (expires, key), in send order
  std::unordered_map<std::string, ReceiveAttempt> attempts;
  std::deque<std::shared_ptr<Waiter>> waiters;

  // A new seq, greater than every earlier one, also across restarts (it starts from the
  // clock: now_micros << 8).
  uint64_t NextSeq(int64_t now_micros);
  // Adds a committed message to `messages` and the indexes.
  Message& Insert(Message m, int64_t now_micros);
  // Removes a message from the indexes and `messages`.
  void Erase(std::map<uint64_t, Message>::iterator it);
  // Moves the message to `ready` or `hidden` per its visible_at (after changing it).
  void Reindex(Message& m, int64_t old_visible_at, Hidden old_reason, int64_t now_micros);
  void Promote(int64_t now_micros);
  // Drops expired dedup entries (at most `limit`) and receive attempts, and adds the deletes
  // of their store records to `batch`.
  void PruneDedup(int64_t now_micros, size_t limit, storage::WriteBatch* batch);
  bool GroupLocked(const std::string& group) const;
  // The sender id as a string shared with the queue's other messages from that sender (null
  // for an empty one), for Message::set_sender_id.
  std::shared_ptr<const std::string> SharedSender(std::string_view sender_id);

  size_t delayed() const { return hidden.size() - inflight; }

 private:
  void Unhide(const Message& m);

  std::shared_ptr<const std::string> last_sender_;  // of the last SharedSender call
};

}  // namespace tidepool::sqs
