// Acknowledging: DeleteMessage(Batch) and ChangeMessageVisibility(Batch).
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/sqs/input.h"
#include "services/sqs/keyspace.h"
#include "services/sqs/message_scan.h"
#include "services/sqs/receipt_handle.h"
#include "services/sqs/sqs_internal.h"

namespace tidepool::sqs {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

Status InvalidHandle(std::string_view handle) {
  return SqsStatus(
      SqsError::kReceiptHandleIsInvalid,
      fmt::format("The input receipt handle \"{}\" is not a valid receipt handle.", handle));
}

Status NotAvailable(std::string_view handle) {
  return SqsStatus(SqsError::kInvalidParameterValue,
                   fmt::format("Value {} for parameter ReceiptHandle is invalid. Reason: Message "
                               "does not exist or is not available for visibility timeout change.",
                               handle));
}

// One acknowledgement of a batch (or a single call).
struct Ack {
  std::string id;
  std::string handle;
  int64_t visibility = 0;
  Status status;
};

}  // namespace

namespace {

// Deletes one message (caller holds q.mu). A handle of the message's current receive deletes
// it; a handle of an already deleted message succeeds (AWS is idempotent); a stale handle (the
// message was received again since) succeeds without deleting on standard queues, as AWS
// may. On FIFO queues a handle expires with its visibility timeout (AWS: "For FIFO queues, a
// receipt handle expires after a visibility timeout period"): a stale one, or one whose
// message is no longer in flight at `now`, fails.
template <typename EraseFn>
Status DeleteOne(Queue& q, std::string_view text, int64_t now, EraseFn erase) {
  auto h = DecodeReceiptHandle(text);
  if (!h || h->queue_uid != q.uid) return InvalidHandle(text);
  auto it = q.messages.find(h->seq);
  if (it == q.messages.end()) return Status::Ok();
  if (!it->second.IdEquals(h->message_id)) return InvalidHandle(text);
  const bool current = it->second.receipt_gen == h->receipt_gen;
  if (!current && !q.fifo) return Status::Ok();
  if (!current || (q.fifo && !it->second.InflightAt(now))) {
    return SqsStatus(SqsError::kInvalidParameterValue,
                     fmt::format("Value {} for parameter ReceiptHandle is invalid. Reason: The "
                                 "receipt handle has expired.",
                                 text));
  }
  erase(it);
  return Status::Ok();
}

}  // namespace

void SqsService::DeleteMessage(CallPtr call) {
  DeleteMessageScan plain;
  if (const std::string* raw = call->raw_body(); !raw || !ScanDeleteMessage(*raw, &plain)) {
    if (!call->DecodeInput()) return;
    plain.queue_url = InputString(call->input(), "QueueUrl").value_or("");
    plain.receipt_handle = InputString(call->input(), "ReceiptHandle").value_or("");
  }
  auto q = ResolveQueue(*call, plain.queue_url);
  if (!q.ok()) return Fail(call, q.status());
  Queue& queue = **q;
  const std::string_view handle = plain.receipt_handle;
  std::lock_guard lock(queue.mu);
  const int64_t now = clock_.NowMicros();
  queue.Promote(now);
  storage::WriteBatch batch;
  Status st = DeleteOne(queue, handle, now, [&](auto it) { EraseMessage(queue, it, &batch); });
  if (!st.ok()) return Fail(call, st);
  Submit(std::move(batch), call, [call](const Status& s) {
    if (!s.ok()) return Fail(call, s);
    call->Reply({});
  });
}

void SqsService::DeleteMessageBatch(CallPtr call) {
  auto q = ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  Queue& queue = **q;
  const auto* entries = InputArray(call->input(), "Entries");
  if (Status st = CheckBatchEntries(entries, "DeleteMessageBatchRequestEntry"); !st.ok()) {
    return Fail(call, st);
  }
  std::vector<Ack> acks;
  storage::WriteBatch batch;
  {
    std::lock_guard lock(queue.mu);
    const int64_t now = clock_.NowMicros();
    queue.Promote(now);
    for (const auto& e : *entries) {
      const auto& o = e.get_object();
      Ack ack;
      ack.id = std::string(o.at("Id").get_string());
      ack.handle = std::string(InputString(o, "ReceiptHandle").value_or(""));
      ack.status =
          DeleteOne(queue, ack.handle, now, [&](auto it) { EraseMessage(queue, it, &batch); });
      acks.push_back(std::move(ack));
    }
    Submit(std::move(batch), call, [call, acks = std::move(acks)](const Status& s) {
      if (!s.ok()) return Fail(call, s);
      json::array successful, failed;
      for (const auto& a : acks) {
        if (a.status.ok()) {
          successful.emplace_back(json::object{{"Id", a.id}});
        } else {
          failed.emplace_back(BatchErrorEntry(a.id, a.status));
        }
      }
      call->Reply(
          json::object{{"Successful", std::move(successful)}, {"Failed", std::move(failed)}});
    });
  }
}

namespace {

// Changes one message's visibility (caller holds q.mu, after q.Promote(now)). Returns whether
// the message became visible.
Status ChangeOne(Queue& q, std::string_view text, int64_t timeout, double scale, int64_t now,
                 storage::WriteBatch* batch, bool* made_visible) {
  if (timeout < 0 || timeout > kMaxVisibilitySeconds) {
    return SqsStatus(SqsError::kInvalidParameterValue,
                     fmt::format("Value {} for parameter VisibilityTimeout is invalid. Reason: "
                                 "Must be between 0 and 43200, if provided.",
                                 timeout));
  }
  auto h = DecodeReceiptHandle(text);
  if (!h || h->queue_uid != q.uid) return InvalidHandle(text);
  auto it = q.messages.find(h->seq);
  if (it == q.messages.end() || !it->second.IdEquals(h->message_id) ||
      it->second.receipt_gen != h->receipt_gen) {
    return NotAvailable(text);
  }
  Message& m = it->second;
  if (!m.InflightAt(now)) {
    return SqsStatus(SqsError::kMessageNotInflight, "The message referred to isn't in flight.");
  }
  // AWS keeps a message hidden at most 12 hours from the receive, however often extended.
  if (h->received_micros > 0 && now + timeout * kMicrosPerSecond >
                                    h->received_micros + kMaxVisibilitySeconds * kMicrosPerSecond) {
    return SqsStatus(SqsError::kInvalidParameterValue,
                     fmt::format("Value {} for parameter VisibilityTimeout is invalid. Reason: "
                                 "Total VisibilityTimeout for the message is beyond the limit "
                                 "[{} seconds]",
                                 timeout, kMaxVisibilitySeconds));
  }
  const int64_t old_visible_at = m.visible_at_micros;
  m.visible_at_micros =
      now + static_cast<int64_t>(static_cast<double>(timeout * kMicrosPerSecond) * scale);
  q.Reindex(m, old_visible_at, m.reason, now);
  batch->Put(keyspace::MessageKey('s', q.uid, m.seq), EncodeStateRecord(m));
  if (timeout == 0) *made_visible = true;
  return Status::Ok();
}

}  // namespace

void SqsService::ChangeMessageVisibility(CallPtr call) {
  auto q = ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  std::shared_ptr<Queue> queue = *q;
  const auto& in = call->input();
  const auto handle = InputString(in, "ReceiptHandle").value_or("");
  const int64_t timeout = InputInt(in, "VisibilityTimeout").value_or(0);
  std::lock_guard lock(queue->mu);
  const int64_t now = clock_.NowMicros();
  queue->Promote(now);
  storage::WriteBatch batch;
  bool made_visible = false;
  Status st = ChangeOne(*queue, handle, timeout, options_.time_scale, now, &batch, &made_visible);
  if (!st.ok()) return Fail(call, st);
  Submit(std::move(batch), call, [this, call, queue, made_visible](const Status& s) {
    if (!s.ok()) return Fail(call, s);
    IndexCommitted(queue, {}, made_visible ? 1 : 0);  // serves or re-arms long polls
    call->Reply({});
  });
}

void SqsService::ChangeMessageVisibilityBatch(CallPtr call) {
  auto q = ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  std::shared_ptr<Queue> queue = *q;
  const auto* entries = InputArray(call->input(), "Entries");
  if (Status st = CheckBatchEntries(entries, "ChangeMessageVisibilityBatchRequestEntry");
      !st.ok()) {
    return Fail(call, st);
  }
  std::vector<Ack> acks;
  storage::WriteBatch batch;
  bool made_visible = false;
  std::lock_guard lock(queue->mu);
  const int64_t now = clock_.NowMicros();
  queue->Promote(now);
  for (const auto& e : *entries) {
    const auto& o = e.get_object();
    Ack ack;
    ack.id = std::string(o.at("Id").get_string());
    ack.handle = std::string(InputString(o, "ReceiptHandle").value_or(""));
    ack.visibility = InputInt(o, "VisibilityTimeout").value_or(0);
    ack.status = ChangeOne(*queue, ack.handle, ack.visibility, options_.time_scale, now, &batch,
                           &made_visible);
    acks.push_back(std::move(ack));
  }
  Submit(std::move(batch), call,
         [this, call, queue, made_visible, acks = std::move(acks)](const Status& s) {
           if (!s.ok()) return Fail(call, s);
           IndexCommitted(queue, {}, made_visible ? 1 : 0);  // serves or re-arms long polls
           json::array successful, failed;
           for (const auto& a : acks) {
             if (a.status.ok()) {
               successful.emplace_back(json::object{{"Id", a.id}});
             } else {
               failed.emplace_back(BatchErrorEntry(a.id, a.status));
             }
           }
           call->Reply(
               json::object{{"Successful", std::move(successful)}, {"Failed", std::move(failed)}});
         });
}

}  // namespace tidepool::sqs
