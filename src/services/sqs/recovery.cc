// Recover(): rebuilds queues, messages, in-flight state, dedup windows and move tasks from the
// store; and the retention sweeper.
#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>

#include "services/sqs/keyspace.h"
#include "services/sqs/queue_codec.h"
#include "services/sqs/sqs_internal.h"
#include "storage/key_codec.h"
#include "storage/skipped_records.h"

namespace tidepool::sqs {

Status SqsService::Recover() {
  const int64_t now = clock_.NowMicros();
  storage::SkippedRecords skipped("sqs");
  std::unordered_map<uint64_t, std::shared_ptr<Queue>> by_uid;
  {
    auto next = store_.Get(keyspace::NextUidKey());
    if (!next.ok()) return next.status();
    if (next->has_value()) {
      std::string_view v = **next;
      uint64_t uid = 0;
      if (storage::ReadU64BE(&v, &uid)) {
        std::unique_lock lock(registry_mu_);
        next_uid_ = std::max(next_uid_, uid);
      } else {  // the queues' own uids below keep new uids above every stored one
        skipped.Skip(keyspace::NextUidKey(), "unreadable next uid");
      }
    }
  }
  const std::string queues_begin = keyspace::QueuePrefix();
  TP_RETURN_IF_ERROR(store_.Scan(queues_begin, storage::PrefixEnd(queues_begin),
                                 [&](std::string_view key, std::string_view value) {
                                   auto q = DecodeQueueMeta(value);
                                   if (!q) {
                                     skipped.Skip(key, "unreadable queue");
                                     // Its uid is never given to a new queue.
                                     if (auto uid = keyspace::ParseQueueKey(key)) {
                                       std::unique_lock lock(registry_mu_);
                                       next_uid_ = std::max(next_uid_, *uid + 1);
                                     }
                                     return true;
                                   }
                                   by_uid[q->uid] = q;
                                   return true;
                                 }));
  // Messages: records first, then the state records that override their visibility.
  const std::string messages_begin = keyspace::KindPrefix('m');
  TP_RETURN_IF_ERROR(store_.Scan(messages_begin, storage::PrefixEnd(messages_begin),
                                 [&](std::string_view key, std::string_view value) {
                                   uint64_t uid = 0, seq = 0;
                                   if (!keyspace::ParseMessageKey(key, &uid, &seq)) {
                                     skipped.Skip(key, "malformed message key");
                                     return true;
                                   }
                                   auto it = by_uid.find(uid);
                                   if (it == by_uid.end()) {
                                     skipped.Skip(key, "message of an unknown queue");
                                     return true;
                                   }
                                   Queue& q = *it->second;
                                   Message m;
                                   auto payload = std::make_shared<MessagePayload>();
                                   if (!DecodeMessageRecord(value, &m, payload.get())) {
                                     skipped.Skip(key, "unreadable message");
                                     return true;
                                   }
                                   m.seq = seq;
                                   m.set_sender_id(q.SharedSender(m.sender_id()));
                                   m.payload_bytes = static_cast<uint32_t>(PayloadSize(*payload));
                                   CachePayload(m, std::move(payload));
                                   q.last_seq = std::max(q.last_seq, seq);
                                   q.messages.emplace(seq, std::move(m));
                                   return true;
                                 }));
  const std::string states_begin = keyspace::KindPrefix('s');
  TP_RETURN_IF_ERROR(store_.Scan(states_begin, storage::PrefixEnd(states_begin),
                                 [&](std::string_view key, std::string_view value) {
                                   uint64_t uid = 0, seq = 0;
                                   if (!keyspace::ParseMessageKey(key, &uid, &seq)) {
                                     skipped.Skip(key, "malformed message state key");
                                     return true;
                                   }
                                   auto it = by_uid.find(uid);
                                   if (it == by_uid.end()) {
                                     skipped.Skip(key, "message state of an unknown queue");
                                     return true;
                                   }
                                   auto m = it->second->messages.find(seq);
                                   // A state whose message was skipped or deleted: stale.
                                   if (m == it->second->messages.end()) return true;
                                   if (!DecodeStateRecord(value, &m->second)) {
                                     skipped.Skip(key, "unreadable message state");
                                   }
                                   return true;
                                 }));
  for (auto& [uid, q] : by_uid) {
    std::map<uint64_t, Message> messages;
    messages.swap(q->messages);
    for (auto& [seq, m] : messages) q->Insert(std::move(m), now);
    q->last_seq = std::max(q->last_seq, static_cast<uint64_t>(now) << 8);
  }
  // Records past their 5 minutes (dedup entries, receive attempts) are deleted, not loaded.
  storage::WriteBatch expired;
  const std::string dedup_begin = keyspace::KindPrefix('d');
  std::vector<std::pair<int64_t, std::pair<uint64_t, std::string>>> dedups;
  TP_RETURN_IF_ERROR(store_.Scan(dedup_begin, storage::PrefixEnd(dedup_begin),
                                 [&](std::string_view key, std::string_view value) {
                                   uint64_t uid = 0;
                                   std::string dedup_key;
                                   DedupEntry e;
                                   if (!keyspace::ParseDedupKey(key, &uid, &dedup_key) ||
                                       !keyspace::DecodeDedupRecord(value, &e.expires_micros,
                                                                    &e.seq, &e.message_id)) {
                                     skipped.Skip(key, "unreadable deduplication record");
                                     return true;
                                   }
                                   auto it = by_uid.find(uid);
                                   if (it == by_uid.end() || e.expires_micros <= now) {
                                     expired.Delete(std::string(key));
                                     return true;
                                   }
                                   dedups.push_back({e.expires_micros, {uid, dedup_key}});
                                   it->second->dedup[dedup_key] = std::move(e);
                                   return true;
                                 }));
  std::sort(dedups.begin(), dedups.end());
  for (auto& [expires, ref] : dedups) {
    by_uid[ref.first]->dedup_expiry.emplace_back(expires, std::move(ref.second));
  }
  const std::string attempts_begin = keyspace::KindPrefix('a');
  TP_RETURN_IF_ERROR(store_.Scan(attempts_begin, storage::PrefixEnd(attempts_begin),
                                 [&](std::string_view key, std::string_view value) {
                                   uint64_t uid = 0;
                                   std::string id;
                                   ReceiveAttempt a;
                                   if (!keyspace::ParseAttemptKey(key, &uid, &id) ||
                                       !keyspace::DecodeAttemptRecord(value, &a)) {
                                     skipped.Skip(key, "unreadable receive attempt");
                                     return true;
                                   }
                                   auto it = by_uid.find(uid);
                                   if (it == by_uid.end() || a.expires_micros <= now) {
                                     expired.Delete(std::string(key));
                                     return true;
                                   }
                                   it->second->attempts[id] = std::move(a);
                                   return true;
                                 }));
  if (!expired.empty()) {
    Status st = commits_.Submit(std::move(expired), [](const Status& s) {
      if (!s.ok())
        spdlog::warn("sqs: deleting expired dedup records and receive attempts: {}", s.ToString());
    });
    (void)st;
  }
  {
    std::unique_lock lock(registry_mu_);
    for (auto& [uid, q] : by_uid) {
      queues_[RegistryKey(q->account, q->region, q->name)] = q;
      by_arn_[q->arn] = q;
      next_uid_ = std::max(next_uid_, uid + 1);
    }
  }
  std::vector<std::string> running;
  const std::string tasks_begin = keyspace::KindPrefix('t');
  TP_RETURN_IF_ERROR(store_.Scan(tasks_begin, storage::PrefixEnd(tasks_begin),
                                 [&](std::string_view key, std::string_view value) {
                                   auto t = DecodeMoveTask(value);
                                   if (!t) {
                                     skipped.Skip(key, "unreadable move task");
                                     return true;
                                   }
                                   if (t->status == "RUNNING") running.push_back(t->id);
                                   // The id is read before `t` is moved from: in `m[t->id] =
                                   // f(std::move(t))` the right side may be evaluated first.
                                   std::string id = t->id;
                                   std::lock_guard lock(tasks_mu_);
                                   tasks_[id] = std::shared_ptr<MoveTask>(std::move(t));
                                   return true;
                                 }));
  for (const auto& id : running) ScheduleMoveStep(id, std::chrono::milliseconds(0));
  ScheduleSweep();
  spdlog::info("sqs: recovered {} queues", by_uid.size());
  return Status::Ok();
}

uint64_t SqsService::SweepExpiredMessages() {
  std::vector<std::shared_ptr<Queue>> queues;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [key, q] : queues_) queues.push_back(q);
  }
  uint64_t total = 0;
  for (const auto& q : queues) {
    std::lock_guard lock(q->mu);
    const int64_t now = clock_.NowMicros();
    const int64_t retention = q->config.message_retention_period * kMicrosPerSecond;
    storage::WriteBatch batch;
    q->PruneDedup(now, SIZE_MAX, &batch);
    for (auto it = q->messages.begin(); it != q->messages.end();) {
      auto next = std::next(it);
      if (it->second.sent_micros + retention <= now) {
        EraseMessage(*q, it, &batch);
        ++total;
      }
      it = next;
    }
    if (!batch.empty()) {
      Status st = commits_.Submit(std::move(batch), [](const Status& s) {
        if (!s.ok()) spdlog::error("sqs: retention sweep commit failed: {}", s.ToString());
      });
      (void)st;
    }
  }
  return total;
}

void SqsService::ScheduleSweep() {
  if (options_.retention_sweep_interval.count() <= 0) return;
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, options_.retention_sweep_interval);
  std::weak_ptr<std::atomic<bool>> alive = alive_;
  timer->async_wait([this, timer, alive](const boost::system::error_code& ec) {
    auto token = alive.lock();
    if (ec || !token || !token->load()) return;
    SweepExpiredMessages();
    ScheduleSweep();
  });
}

}  // namespace tidepool::sqs
