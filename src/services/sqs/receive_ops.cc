// Receiving: ReceiveMessage, long polling (parked waiters), redrive to the dead-letter queue.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <string_view>
#include <unordered_map>
#include <vector>

#include "services/sqs/input.h"
#include "services/sqs/keyspace.h"
#include "services/sqs/message_input.h"
#include "services/sqs/message_replies.h"
#include "services/sqs/message_scan.h"
#include "services/sqs/receipt_handle.h"
#include "services/sqs/sqs_internal.h"

namespace tidepool::sqs {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// The most ready messages one receive looks at (skipping locked FIFO groups): bounds the
// work of a receive on a queue whose head is held by locked groups.
constexpr size_t kMaxScan = 4096;

Status Invalid(std::string_view parameter, int64_t value, std::string_view reason) {
  return SqsStatus(
      SqsError::kInvalidParameterValue,
      fmt::format("Value {} for parameter {} is invalid. Reason: {}", value, parameter, reason));
}

bool Wants(const json::array& names, std::string_view name) {
  for (const auto& n : names) {
    if (n.is_string() && (n.get_string() == name || n.get_string() == "All")) return true;
  }
  return false;
}

}  // namespace

void SqsService::ReceiveMessage(CallPtr call) {
  ReceiveMessageInput in;
  ReplyForm form;
  if (!ReadReceiveMessage(*call, &in, &form)) return;
  auto q = ResolveQueue(*call, in.queue_url);
  if (!q.ok()) return Fail(call, q.status());
  ReceiveRequest request;
  if (const auto max = in.max_messages) {
    if (*max < 1 || *max > 10) {
      return Fail(call,
                  Invalid("MaxNumberOfMessages", *max, "Must be between 1 and 10, if provided."));
    }
    request.max_messages = static_cast<int32_t>(*max);
  }
  if (const auto vt = in.visibility_timeout) {
    if (*vt < 0 || *vt > 43200) {
      return Fail(call,
                  Invalid("VisibilityTimeout", *vt, "Must be >= 0 and <= 43200, if provided."));
    }
    request.visibility_timeout = *vt;
  }
  const auto wait = in.wait_seconds;
  if (wait && (*wait < 0 || *wait > 20)) {
    return Fail(call, Invalid("WaitTimeSeconds", *wait, "Must be >= 0 and <= 20, if provided."));
  }
  for (const auto* names : {&in.attribute_names, &in.system_attribute_names}) {
    for (std::string_view n : *names) request.attribute_names.emplace_back(n);
  }
  for (std::string_view n : in.message_attribute_names) {
    request.message_attribute_names.emplace_back(n);
  }
  request.attempt_id = std::string(in.attempt_id.value_or(""));
  request.call = call;
  request.reply_form = form;

  std::shared_ptr<Queue> queue = *q;
  QueueLocks locks = LockWithDlq(queue);
  if (queue->deleted) {
    locks = {};
    return Fail(call,
                SqsStatus(SqsError::kQueueDoesNotExist, "The specified queue does not exist."));
  }
  request.wait_seconds = wait ? *wait : queue->config.receive_wait_seconds;
  if (TryReceiveLocked(queue, locks.dlq_queue, locks.dlq_ptr, request, request.wait_seconds == 0)) {
    return;
  }
  auto w = std::make_shared<Waiter>();
  w->deadline = std::chrono::steady_clock::now() + std::chrono::seconds(request.wait_seconds);
  w->request = std::move(request);
  w->timer = std::make_shared<boost::asio::steady_timer>(io_);
  queue->waiters.push_back(w);
  ArmWaiter(queue, w);
}

namespace {

// A receive of `m` at `now`: counted, a new receipt, in flight for `vt_micros`, and its
// state record in `batch`. The caller reindexes `m` if it is in the queue's indexes.
void MarkReceived(const Queue& q, Message& m, int64_t now, int64_t vt_micros,
                  storage::WriteBatch* batch) {
  ++m.receive_count;
  if (m.first_receive_micros == 0) m.first_receive_micros = now;
  ++m.receipt_gen;
  m.visible_at_micros = now + vt_micros;
  m.reason = Hidden::kInflight;
  batch->Put(keyspace::MessageKey('s', q.uid, m.seq), EncodeStateRecord(m));
}

// The order in which a FIFO receive takes ready messages: whole message groups, as AWS
// returns as many messages of one group as it can before moving to the next. Groups come in
// the order of their oldest ready message, each group's messages in send order; groups with a
// message in flight are locked and skipped. Looks at most kMaxScan ready messages, and stops
// early once the first group alone fills `max`.
std::vector<uint64_t> FifoReceiveOrder(const Queue& q, size_t max) {
  std::vector<std::vector<uint64_t>> groups;                 // each group's seqs
  std::unordered_map<std::string_view, size_t> group_index;  // group id -> index in groups
  size_t scanned = 0;
  for (auto it = q.ready.begin(); it != q.ready.end() && scanned < kMaxScan; ++it, ++scanned) {
    if (!groups.empty() && groups.front().size() >= max) break;
    auto mit = q.messages.find(*it);
    if (mit == q.messages.end()) continue;
    const std::string& group = mit->second.group_id();
    if (q.GroupLocked(group)) continue;
    auto [g, added] = group_index.try_emplace(group, groups.size());
    if (added) groups.emplace_back();
    groups[g->second].push_back(*it);
  }
  std::vector<uint64_t> order;
  for (const auto& seqs : groups) {
    if (order.size() >= max) break;
    order.insert(order.end(), seqs.begin(), seqs.end());
  }
  return order;
}

}  // namespace

bool SqsService::TryReceiveLocked(const std::shared_ptr<Queue>& q, Queue* dlq,
                                  const std::shared_ptr<Queue>& dlq_ptr, ReceiveRequest& request,
                                  bool allow_empty) {
  const int64_t now = clock_.NowMicros();
  q->Promote(now);
  const QueueConfig& c = q->config;
  ReceiveMessageReply reply(request.reply_form);
  storage::WriteBatch batch;

  // A FIFO retry with the same ReceiveRequestAttemptId gets the same messages and handles
  // while they are all still in flight under those handles.
  if (q->fifo && !request.attempt_id.empty()) {
    auto a = q->attempts.find(request.attempt_id);
    if (a != q->attempts.end() && a->second.expires_micros > now) {
      bool same = !a->second.received.empty();
      for (const auto& [seq, gen] : a->second.received) {
        auto it = q->messages.find(seq);
        same = same && it != q->messages.end() && it->second.receipt_gen == gen &&
               it->second.InflightAt(now);
      }
      if (same) {
        for (const auto& [seq, gen] : a->second.received) {
          AddMessageOutput(&reply, *q, q->messages.at(seq), request, a->second.received_micros);
        }
      }
    }
  }

  const size_t max_inflight = options_.max_inflight_messages;
  if (reply.empty() && q->inflight >= max_inflight && !q->fifo && request.wait_seconds == 0) {
    Fail(request.call,
         SqsStatus(SqsError::kOverLimit,
                   fmt::format("The queue has reached its limit of {} in-flight messages; "
                               "delete received messages to receive more.",
                               max_inflight)));
    return true;
  }

  std::vector<Message> moved;
  std::vector<std::pair<uint64_t, uint32_t>> received;
  if (reply.empty()) {
    const int64_t vt =
        request.visibility_timeout >= 0 ? request.visibility_timeout : c.visibility_timeout;
    const int64_t retention = c.message_retention_period * kMicrosPerSecond;
    const size_t max = static_cast<size_t>(request.max_messages);
    // Receives `seq` (a ready message) unless it expired or goes to the dead-letter queue.
    auto take = [&](uint64_t seq) {
      auto mit = q->messages.find(seq);
      if (mit == q->messages.end()) return;
      Message& m = mit->second;
      if (m.sent_micros + retention <= now) {
        EraseMessage(*q, mit, &batch);
        return;
      }
      if (dlq && c.max_receive_count > 0 && m.receive_count >= c.max_receive_count) {
        moved.push_back(MoveMessage(*q, mit, *dlq, q->arn, now, &batch));
        return;
      }
      const int64_t old_visible_at = m.visible_at_micros;
      const Hidden old_reason = m.reason;
      MarkReceived(*q, m, now, VisibilityMicros(vt), &batch);
      q->Reindex(m, old_visible_at, old_reason, now);
      AddMessageOutput(&reply, *q, m, request, now);
      received.emplace_back(seq, m.receipt_gen);
    };
    if (q->fifo) {
      for (uint64_t seq : FifoReceiveOrder(*q, max)) {
        if (reply.size() >= max || q->inflight >= max_inflight) break;
        take(seq);
      }
    } else {
      size_t scanned = 0;
      uint64_t seq = 0;
      // take() may change `ready` (and so invalidate iterators): each step looks up the seq
      // after the one it saw last.
      for (auto it = q->ready.begin(); it != q->ready.end() && reply.size() < max &&
                                       q->inflight < max_inflight && scanned < kMaxScan;
           it = q->ready.upper_bound(seq)) {
        seq = *it;
        ++scanned;
        take(seq);
      }
    }
    if (q->fifo && !request.attempt_id.empty() && !received.empty()) {
      const ReceiveAttempt& a = q->attempts[request.attempt_id] =
          ReceiveAttempt{now + kDedupWindowMicros, now, received};
      // Durable with the receive it describes: a retry after a restart gets the same answer.
      batch.Put(keyspace::AttemptKey(q->uid, request.attempt_id), keyspace::EncodeAttemptRecord(a));
    }
  }

  const bool replies = !reply.empty() || allow_empty;
  if (!replies && batch.empty()) return false;
  CallPtr call = replies ? request.call : nullptr;
  auto done = [this, call, dlq_ptr, moved = std::move(moved),
               reply = std::move(reply)](const Status& st) mutable {
    if (!moved.empty() && st.ok()) IndexCommitted(dlq_ptr, std::move(moved));
    if (!call) return;
    if (!st.ok()) return Fail(call, st);
    call->Complete(std::move(reply).Finish());
  };
  Status st = commits_.Submit(std::move(batch), std::move(done));
  if (!st.ok() && call) Fail(call, st);
  return replies;
}

void SqsService::AddMessageOutput(ReceiveMessageReply* reply, const Queue& q, const Message& m,
                                  const ReceiveRequest& request, int64_t received_micros) const {
  auto payload = LoadPayload(q, m);
  // Owned here: ReceivedMessage only views them, until reply->Add below copies them out.
  const std::string message_id = m.id();
  const std::string md5_body = m.md5_body();
  ReceivedMessage out;
  out.message_id = message_id;
  out.receipt_handle =
      EncodeReceiptHandle(q.uid, m.seq, m.receipt_gen, received_micros, message_id);
  out.md5_body = md5_body;
  out.body = payload->body;
  const json::array& names = request.attribute_names;
  if (!names.empty()) {
    auto& attrs = out.attributes;
    if (Wants(names, "SenderId")) attrs.emplace_back("SenderId", m.sender_id());
    if (Wants(names, "SentTimestamp")) {
      attrs.emplace_back("SentTimestamp", std::to_string(m.sent_micros / 1000));
    }
    if (Wants(names, "ApproximateReceiveCount")) {
      attrs.emplace_back("ApproximateReceiveCount", std::to_string(m.receive_count));
    }
    if (Wants(names, "ApproximateFirstReceiveTimestamp")) {
      attrs.emplace_back("ApproximateFirstReceiveTimestamp",
                         std::to_string(m.first_receive_micros / 1000));
    }
    if (q.fifo && Wants(names, "SequenceNumber")) {
      attrs.emplace_back("SequenceNumber", SequenceNumberText(m.seq));
    }
    if (q.fifo && Wants(names, "MessageDeduplicationId")) {
      attrs.emplace_back("MessageDeduplicationId", m.dedup_id());
    }
    if (!m.group_id().empty() && Wants(names, "MessageGroupId")) {
      attrs.emplace_back("MessageGroupId", m.group_id());
    }
    if (!m.trace_header().empty() && Wants(names, "AWSTraceHeader")) {
      attrs.emplace_back("AWSTraceHeader", m.trace_header());
    }
    if (!m.dlq_source_arn().empty() && Wants(names, "DeadLetterQueueSourceArn")) {
      attrs.emplace_back("DeadLetterQueueSourceArn", m.dlq_source_arn());
    }
  }
  out.message_attributes = SelectAttributes(payload->attributes, &request.message_attribute_names);
  if (!out.message_attributes.empty()) {
    out.md5_message_attributes = out.message_attributes.size() == payload->attributes.size()
                                     ? m.md5_attributes()
                                     : Md5OfAttributes(out.message_attributes);
  }
  reply->Add(out);
}

std::chrono::steady_clock::time_point SqsService::NextVisibleLocked(const Queue& q) const {
  if (q.hidden.empty()) return std::chrono::steady_clock::time_point::max();
  const int64_t delta = q.hidden.begin()->first - clock_.NowMicros();
  return std::chrono::steady_clock::now() + std::chrono::microseconds(std::max<int64_t>(delta, 0));
}

void SqsService::ArmWaiter(const std::shared_ptr<Queue>& q, const std::shared_ptr<Waiter>& w) {
  w->timer->expires_at(std::min(w->deadline, NextVisibleLocked(*q)));
  std::weak_ptr<std::atomic<bool>> alive = alive_;
  w->timer->async_wait([this, alive, q, w](const boost::system::error_code& ec) {
    auto token = alive.lock();
    if (ec || !token || !token->load()) return;
    OnWaiterTimer(q, w);
  });
}

void SqsService::OnWaiterTimer(const std::shared_ptr<Queue>& q, const std::shared_ptr<Waiter>& w) {
  QueueLocks locks = LockWithDlq(q);
  if (w->done) return;
  const bool over = std::chrono::steady_clock::now() >= w->deadline || q->deleted;
  if (q->deleted) {
    w->done = true;
    locks = {};
    w->request.call->Reply({});
    return;
  }
  if (TryReceiveLocked(q, locks.dlq_queue, locks.dlq_ptr, w->request, over)) {
    w->done = true;
    std::erase(q->waiters, w);
    return;
  }
  ArmWaiter(q, w);
}

void SqsService::ServeWaitersLocked(const std::shared_ptr<Queue>& q, Queue* dlq,
                                    const std::shared_ptr<Queue>& dlq_ptr) {
  const int64_t now = clock_.NowMicros();
  while (!q->waiters.empty()) {
    std::shared_ptr<Waiter> w = q->waiters.front();
    if (w->done) {
      q->waiters.pop_front();
      continue;
    }
    q->Promote(now);
    if (q->ready.empty()) break;
    if (!TryReceiveLocked(q, dlq, dlq_ptr, w->request, false)) break;
    w->done = true;
    q->waiters.pop_front();
    CancelTimer(w);
  }
}

std::shared_ptr<Waiter> SqsService::HandOffLocked(Queue& q, std::vector<Message>& staged,
                                                  int64_t now, storage::WriteBatch* batch,
                                                  std::vector<uint64_t>* handed) {
  // FIFO receives lock message groups and remember attempt ids: they take the usual path.
  if (q.fifo || q.deleted) return nullptr;
  while (!q.waiters.empty() && q.waiters.front()->done) q.waiters.pop_front();
  if (q.waiters.empty()) return nullptr;
  std::shared_ptr<Waiter> w = q.waiters.front();
  const ReceiveRequest& request = w->request;
  const int64_t vt =
      request.visibility_timeout >= 0 ? request.visibility_timeout : q.config.visibility_timeout;
  for (Message& m : staged) {
    if (handed->size() >= static_cast<size_t>(request.max_messages) ||
        q.inflight + handed->size() >= options_.max_inflight_messages) {
      break;
    }
    if (!m.VisibleAt(now)) continue;  // delayed
    // A new message: no redrive or retention check; indexed when committed.
    MarkReceived(q, m, now, VisibilityMicros(vt), batch);
    handed->push_back(m.seq);
  }
  if (handed->empty()) return nullptr;
  w->done = true;
  w->handed_micros = now;
  q.waiters.pop_front();
  CancelTimer(w);
  return w;
}

void SqsService::AnswerHandOff(const std::shared_ptr<Queue>& q, const Waiter& w,
                               const std::vector<uint64_t>& handed, const Status& failed) {
  if (!failed.ok()) return Fail(w.request.call, failed);
  ReceiveMessageReply reply(w.request.reply_form);
  {
    std::lock_guard lock(q->mu);
    for (uint64_t seq : handed) {
      auto it = q->messages.find(seq);
      if (it == q->messages.end() || it->second.receipt_gen != 1) continue;
      AddMessageOutput(&reply, *q, it->second, w.request, w.handed_micros);
    }
  }
  w.request.call->Complete(std::move(reply).Finish());
}

void SqsService::EndLongPolls() {
  std::vector<std::shared_ptr<Queue>> queues;
  {
    std::shared_lock lock(registry_mu_);
    queues.reserve(queues_.size());
    for (const auto& [key, q] : queues_) queues.push_back(q);
  }
  std::vector<std::shared_ptr<Waiter>> ended;
  for (const auto& q : queues) {
    std::lock_guard lock(q->mu);
    for (auto& w : q->waiters) {
      if (w->done) continue;
      w->done = true;
      CancelTimer(w);
      ended.push_back(w);
    }
    q->waiters.clear();
  }
  for (const auto& w : ended) w->request.call->Reply({});  // outside the queue locks
}

void SqsService::RearmWaitersLocked(const std::shared_ptr<Queue>& q) {
  if (q->waiters.empty() || q->hidden.empty()) return;
  // The slack keeps a timer armed for this very message from being re-armed on every call
  // (the two clocks read a few microseconds apart).
  const auto visible = NextVisibleLocked(*q) + std::chrono::milliseconds(1);
  for (const auto& w : q->waiters) {
    if (!w->done && w->timer->expiry() > visible) ArmWaiter(q, w);
  }
}

void SqsService::CancelTimer(const std::shared_ptr<Waiter>& w) {
  // Callers hold the queue's lock, which serializes every operation on the timer.
  w->timer->cancel();
}

}  // namespace tidepool::sqs
