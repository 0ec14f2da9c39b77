// Sending: SendMessage, SendMessageBatch and SendInternal (the engine's entry point).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>

#include "core/encoding.h"
#include "core/trace_log.h"
#include "services/sqs/input.h"
#include "services/sqs/keyspace.h"
#include "services/sqs/message_input.h"
#include "services/sqs/message_replies.h"
#include "services/sqs/message_scan.h"
#include "services/sqs/sqs_internal.h"

namespace tidepool::sqs {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr size_t kMaxDedupPrunePerSend = 16;
constexpr uint64_t kMaxBatchPayload = 1048576;

Status Invalid(std::string message) {
  return SqsStatus(SqsError::kInvalidParameterValue, std::move(message));
}

// MessageGroupId / MessageDeduplicationId: 1 to 128 alphanumeric or punctuation characters.
Status CheckFifoId(std::string_view name, std::string_view value) {
  const bool ok =
      !value.empty() && value.size() <= 128 && std::all_of(value.begin(), value.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::ispunct(static_cast<unsigned char>(c));
      });
  if (ok) return Status::Ok();
  return Invalid(
      fmt::format("Value {} for parameter {} is invalid. Reason: {} can only include "
                  "alphanumeric and punctuation characters. 1 to 128 in length.",
                  value, name, name));
}

// MissingParameter for an absent or empty body, InvalidMessageContents for a bad character;
// else the payload.
Result<std::shared_ptr<MessagePayload>> MessageBodyPayload(std::optional<std::string_view> body) {
  if (!body || body->empty()) {
    return SqsStatus(SqsError::kMissingParameter,
                     "The request must contain the parameter MessageBody.");
  }
  TP_RETURN_IF_ERROR(CheckMessageCharacters(*body));
  auto payload = std::make_shared<MessagePayload>();
  payload->body = std::string(*body);
  return payload;
}

Status CheckDelay(int64_t delay) {
  if (delay >= 0 && delay <= 900) return Status::Ok();
  return Invalid(
      fmt::format("Value {} for parameter DelaySeconds is invalid. Reason: "
                  "DelaySeconds must be >= 0 and <= 900.",
                  delay));
}

// AWS's SenderId is the sender's principal id: for an account's root credentials, the account
// id. Every key that tidepool did not issue acts as its account's root (as GetCallerIdentity
// answers), so the account id it is, whatever the key.
std::string SenderId(const protocol::Call& call) { return call.context().account_id; }

}  // namespace

Result<SqsService::SendInput> SqsService::ParseSendInput(const json::object& in,
                                                         const protocol::Call& call) const {
  SendInput input;
  TP_ASSIGN_OR_RETURN(input.payload, MessageBodyPayload(InputString(in, "MessageBody")));
  if (const auto* attrs = InputObject(in, "MessageAttributes")) {
    TP_ASSIGN_OR_RETURN(input.payload->attributes, ParseMessageAttributes(*attrs));
  }
  if (const auto* sys = InputObject(in, "MessageSystemAttributes")) {
    TP_ASSIGN_OR_RETURN(input.system, ParseSystemAttributes(*sys));
  }
  if (const auto delay = InputInt(in, "DelaySeconds")) {
    TP_RETURN_IF_ERROR(CheckDelay(*delay));
    input.delay = *delay;
  }
  if (const auto group = InputString(in, "MessageGroupId")) {
    TP_RETURN_IF_ERROR(CheckFifoId("MessageGroupId", *group));
    input.has_group = true;
    input.group_id = std::string(*group);
  }
  if (const auto dedup = InputString(in, "MessageDeduplicationId")) {
    TP_RETURN_IF_ERROR(CheckFifoId("MessageDeduplicationId", *dedup));
    input.has_dedup = true;
    input.dedup_id = std::string(*dedup);
  }
  input.sender_id = SenderId(call);
  input.request_trace = call.context().trace_header;
  return input;
}

Result<SqsService::SendInput> SqsService::PlainSendInput(std::string_view body,
                                                         std::optional<int64_t> delay,
                                                         const protocol::Call& call) const {
  SendInput input;
  TP_ASSIGN_OR_RETURN(input.payload, MessageBodyPayload(body));
  if (delay) {
    TP_RETURN_IF_ERROR(CheckDelay(*delay));
    input.delay = *delay;
  }
  input.sender_id = SenderId(call);
  input.request_trace = call.context().trace_header;
  return input;
}

void SqsService::SendMessages(const std::shared_ptr<Queue>& q, std::vector<SendInput> inputs,
                              std::function<void(std::vector<SendResult>)> done) {
  storage::WriteBatch batch;
  std::unique_lock lock(q->mu);
  auto on_commit = StageSends(q, std::move(inputs), std::move(done), &batch, lock);
  // Even a batch that changes nothing (all duplicates or errors) goes through the queue, so
  // that a duplicate's reply follows its original's commit. Submitted under q->mu: the
  // queue's sends commit in seq order.
  // A copy: the queue drops its completion when it refuses the batch (both share one state).
  Status st = commits_.Submit(std::move(batch), on_commit);
  lock.unlock();
  if (!st.ok()) on_commit(st);
}

std::function<void(const Status&)> SqsService::StageSends(
    const std::shared_ptr<Queue>& q, std::vector<SendInput> inputs,
    std::function<void(std::vector<SendResult>)> done, storage::WriteBatch* batch_out,
    std::unique_lock<std::mutex>& lock) {
  std::vector<SendResult> results(inputs.size());
  std::vector<Message> staged;
  storage::WriteBatch& batch = *batch_out;
  const int64_t now = clock_.NowMicros();
  const QueueConfig& c = q->config;
  if (q->fifo) q->PruneDedup(now, kMaxDedupPrunePerSend, &batch);
  for (size_t i = 0; i < inputs.size(); ++i) {
    SendInput& in = inputs[i];
    SendResult& r = results[i];
    r.entry_id = in.entry_id;
    if (q->deleted) {
      r.status = SqsStatus(SqsError::kQueueDoesNotExist, "The specified queue does not exist.");
      continue;
    }
    if (!in.error.ok()) {
      r.status = in.error;
      continue;
    }
    const uint64_t size = PayloadSize(*in.payload);
    if (static_cast<int64_t>(size) > c.maximum_message_size) {
      r.status =
          Invalid(fmt::format("One or more parameters are invalid. Reason: Message must be "
                              "shorter than {} bytes.",
                              c.maximum_message_size));
      continue;
    }
    std::string dedup_key;
    if (q->fifo) {
      // A FIFO queue has no per-message delay; DelaySeconds 0 asks for none and is valid.
      if (in.delay > 0) {
        r.status =
            Invalid(fmt::format("Value {} for parameter DelaySeconds is invalid. Reason: "
                                "The request include parameter that is not valid for this "
                                "queue type.",
                                in.delay));
        continue;
      }
      if (!in.has_group) {
        r.status = SqsStatus(SqsError::kMissingParameter,
                             "The request must contain the parameter MessageGroupId.");
        continue;
      }
      if (!in.has_dedup) {
        if (!c.content_based_dedup) {
          r.status = Invalid(
              "The queue should either have ContentBasedDeduplication enabled or "
              "MessageDeduplicationId provided explicitly");
          continue;
        }
        in.dedup_id = HexEncode(Sha256(in.payload->body));
      }
      dedup_key = c.dedup_scope == "messageGroup" ? in.group_id + '\0' + in.dedup_id : in.dedup_id;
    } else if (in.has_dedup) {
      r.status =
          Invalid(fmt::format("Value {} for parameter MessageDeduplicationId is invalid. "
                              "Reason: The request includes a parameter that is not valid "
                              "for this queue type.",
                              in.dedup_id));
      continue;
    }
    r.md5_body = Md5Hex(in.payload->body);
    if (!in.payload->attributes.empty()) r.md5_attributes = Md5OfAttributes(in.payload->attributes);
    if (!in.system.empty()) r.md5_system = Md5OfAttributes(in.system);
    if (q->fifo) {
      auto dup = q->dedup.find(dedup_key);
      if (dup != q->dedup.end() && dup->second.expires_micros > now) {
        r.message_id = dup->second.message_id;
        r.sequence_number = SequenceNumberText(dup->second.seq);
        continue;
      }
    }
    Message m;
    m.seq = q->NextSeq(now);
    const std::string message_id = NewUuid();
    m.set_id(message_id);
    m.sent_micros = now;
    const int64_t delay = (q->fifo || in.delay < 0) ? c.delay_seconds : in.delay;
    m.visible_at_micros = now + delay * kMicrosPerSecond;
    m.reason = Hidden::kDelayed;
    m.set_group_id(std::move(in.group_id));
    m.set_dedup_id(q->fifo ? std::move(in.dedup_id) : std::string());
    m.set_sender_id(q->SharedSender(in.sender_id));
    if (!in.request_trace.empty()) m.set_trace_header(in.request_trace);
    for (const auto& a : in.system) {
      if (a.name == "AWSTraceHeader") m.set_trace_header(a.value);
    }
    TraceLog::Global().Stamp(m.trace_header(), "sqs.send", q->name);
    m.set_md5_body(r.md5_body);
    m.set_md5_attributes(r.md5_attributes);
    m.set_md5_system(r.md5_system);
    m.payload_bytes = static_cast<uint32_t>(size);
    r.message_id = message_id;
    if (q->fifo) {
      r.sequence_number = SequenceNumberText(m.seq);
      const int64_t expires = now + kDedupWindowMicros;
      q->dedup[dedup_key] = DedupEntry{expires, m.seq, message_id};
      q->dedup_expiry.emplace_back(expires, dedup_key);
      batch.Put(keyspace::DedupKey(q->uid, dedup_key),
                keyspace::EncodeDedupRecord(expires, m.seq, message_id));
    }
    batch.Put(keyspace::MessageKey('m', q->uid, m.seq), EncodeMessageRecord(m, *in.payload));
    CachePayload(m, std::move(in.payload));
    staged.push_back(std::move(m));
  }
  std::vector<uint64_t> handed;
  std::shared_ptr<Waiter> poll =
      staged.empty() ? nullptr : HandOffLocked(*q, staged, now, &batch, &handed);
  auto on_commit = [this, q, staged = std::move(staged), results = std::move(results),
                    done = std::move(done), poll = std::move(poll),
                    handed = std::move(handed)](const Status& st) mutable {
    if (!st.ok()) {
      for (auto& r : results) {
        if (r.status.ok()) r.status = st;
      }
      for (auto& m : staged) UncachePayload(m);
      done(std::move(results));
      if (poll) AnswerHandOff(q, *poll, handed, st);
      return;
    }
    if (!staged.empty()) IndexCommitted(q, std::move(staged));
    done(std::move(results));
    if (poll) AnswerHandOff(q, *poll, handed, Status::Ok());
  };
  // std::function needs a copyable callable; the state moves into one shared object, so
  // copies of the returned completion run the same one.
  auto shared = std::make_shared<decltype(on_commit)>(std::move(on_commit));
  return [shared](const Status& st) { (*shared)(st); };
}

void SqsService::SendMessage(CallPtr call) {
  SendMessageScan plain;
  const std::string* raw = call->raw_body();
  const bool scanned = raw != nullptr && ScanSendMessage(*raw, &plain);
  const auto form = scanned ? ReplyForm::kJsonText : DecodeForReply(*call);
  if (!form) return;
  auto q = scanned ? ResolveQueue(*call, plain.queue_url) : ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  auto input = scanned ? PlainSendInput(plain.message_body, plain.delay_seconds, *call)
                       : ParseSendInput(call->input(), *call);
  if (!input.ok()) return Fail(call, input.status());
  std::vector<SendInput> inputs;
  inputs.push_back(std::move(input).value());
  SendMessages(*q, std::move(inputs), [call, form = *form](std::vector<SendResult> results) {
    const SendResult& r = results.front();
    if (!r.status.ok()) return Fail(call, r.status);
    call->Complete(SendMessageReply(form, r.Sent()));
  });
}

void SqsService::SendMessageBatch(CallPtr call) {
  const auto form = DecodeForReply(*call);
  if (!form) return;
  auto q = ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  const auto* entries = InputArray(call->input(), "Entries");
  if (Status st = CheckBatchEntries(entries, "SendMessageBatchRequestEntry"); !st.ok()) {
    return Fail(call, st);
  }
  std::vector<SendInput> inputs;
  uint64_t total = 0;
  for (const auto& e : *entries) {
    const auto& o = e.get_object();
    auto input = ParseSendInput(o, *call);
    SendInput in;
    if (input.ok()) {
      in = std::move(input).value();
      total += PayloadSize(*in.payload);
    } else {
      in.error = input.status();
    }
    in.entry_id = std::string(o.at("Id").get_string());
    inputs.push_back(std::move(in));
  }
  if (total > kMaxBatchPayload) {
    return Fail(call, SqsStatus(SqsError::kBatchRequestTooLong,
                                fmt::format("Batch requests cannot be longer than {} bytes. You "
                                            "have sent {} bytes.",
                                            kMaxBatchPayload, total)));
  }
  SendMessages(*q, std::move(inputs), [call, form = *form](std::vector<SendResult> results) {
    SendMessageBatchReply reply(form);
    for (const auto& r : results) {
      if (!r.status.ok()) {
        if (r.status.code() != StatusCode::kServiceError) return Fail(call, r.status);
        reply.AddFailure(r.entry_id, ToAwsError(r.status));
        continue;
      }
      reply.AddSuccess(r.entry_id, r.Sent());
    }
    call->Complete(std::move(reply).Finish());
  });
}

Result<SqsService::SendInput> SqsService::InternalSendInput(const Queue& q,
                                                            InternalMessage message) const {
  if (message.body.empty()) {
    return SqsStatus(SqsError::kMissingParameter,
                     "The request must contain the parameter MessageBody.");
  }
  TP_RETURN_IF_ERROR(CheckMessageCharacters(message.body));
  if (message.attributes.size() > 10) {
    return Invalid(
        fmt::format("Number of message attributes [{}] exceeds the allowed maximum [10].",
                    message.attributes.size()));
  }
  for (const auto& a : message.attributes) {
    if (a.transport == 1) TP_RETURN_IF_ERROR(CheckMessageCharacters(a.value));
  }
  SendInput in;
  in.payload = std::make_shared<MessagePayload>();
  in.payload->body = std::move(message.body);
  in.payload->attributes = std::move(message.attributes);
  std::sort(in.payload->attributes.begin(), in.payload->attributes.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  if (message.delay_seconds >= 0) in.delay = std::min(message.delay_seconds, 900);
  in.has_group = !message.group_id.empty();
  in.group_id = std::move(message.group_id);
  in.has_dedup = !message.dedup_id.empty();
  in.dedup_id = std::move(message.dedup_id);
  in.sender_id = message.sender_id.empty() ? q.account : std::move(message.sender_id);
  if (!message.trace_header.empty()) {
    MessageAttribute trace;
    trace.name = "AWSTraceHeader";
    trace.data_type = "String";
    trace.value = std::move(message.trace_header);
    in.system.push_back(std::move(trace));
  }
  // A FIFO queue takes the queue's delay only; an engine-supplied delay is ignored there.
  if (q.fifo) in.delay = -1;
  return in;
}

void SqsService::SendInternal(std::string_view queue_arn, InternalMessage message,
                              std::function<void(Result<std::string>)> done) {
  auto q = FindQueueByArn(queue_arn);
  if (!q) {
    done(SqsStatus(SqsError::kQueueDoesNotExist, "The specified queue does not exist."));
    return;
  }
  auto in = InternalSendInput(*q, std::move(message));
  if (!in.ok()) {
    done(in.status());
    return;
  }
  std::vector<SendInput> inputs;
  inputs.push_back(std::move(in).value());
  SendMessages(q, std::move(inputs), [done = std::move(done)](std::vector<SendResult> results) {
    SendResult& r = results.front();
    if (!r.status.ok()) {
      done(r.status);
    } else {
      done(std::move(r.message_id));
    }
  });
}

std::function<void(const Status&)> SqsService::StageInternal(std::string_view queue_arn,
                                                             InternalMessage message,
                                                             storage::WriteBatch* batch) {
  auto q = FindQueueByArn(queue_arn);
  if (!q || q->fifo) return nullptr;
  auto in = InternalSendInput(*q, std::move(message));
  if (!in.ok()) return nullptr;
  std::vector<SendInput> inputs;
  inputs.push_back(std::move(in).value());
  std::unique_lock lock(q->mu);
  // What StageSends would refuse on a standard queue: leave it to SendInternal's errors.
  if (q->deleted ||
      static_cast<int64_t>(PayloadSize(*inputs.front().payload)) > q->config.maximum_message_size) {
    return nullptr;
  }
  return StageSends(
      q, std::move(inputs), [](std::vector<SendResult>) {}, batch, lock);
}

}  // namespace tidepool::sqs
