#include "services/sqs/queue.h"

#include <fmt/format.h>

#include <algorithm>

namespace tidepool::sqs {

Queue::Queue(uint64_t uid, std::string account_id, std::string region_name, std::string queue_name,
             bool is_fifo)
    : uid(uid),
      account(std::move(account_id)),
      region(std::move(region_name)),
      name(std::move(queue_name)),
      arn(fmt::format("arn:aws:sqs:{}:{}:{}", region, account, name)),
      fifo(is_fifo) {
  config.fifo = is_fifo;
}

uint64_t Queue::NextSeq(int64_t now_micros) {
  const uint64_t floor = static_cast<uint64_t>(std::max<int64_t>(now_micros, 0)) << 8;
  last_seq = std::max(last_seq + 1, floor);
  return last_seq;
}

Message& Queue::Insert(Message m, int64_t now_micros) {
  const uint64_t seq = m.seq;
  auto [it, inserted] = messages.emplace(seq, std::move(m));
  Message& msg = it->second;
  if (!inserted) return msg;
  if (msg.VisibleAt(now_micros)) {
    ready.insert(seq);
  } else {
    hidden.emplace(msg.visible_at_micros, seq);
    if (msg.reason == Hidden::kInflight) {
      ++inflight;
      if (fifo) ++group_inflight[msg.group_id()];
    }
  }
  return msg;
}

void Queue::Unhide(const Message& m) {
  if (hidden.erase({m.visible_at_micros, m.seq}) == 0) return;
  if (m.reason == Hidden::kInflight) {
    --inflight;
    if (fifo) {
      auto g = group_inflight.find(m.group_id());
      if (g != group_inflight.end() && --g->second == 0) group_inflight.erase(g);
    }
  }
}

void Queue::Erase(std::map<uint64_t, Message>::iterator it) {
  const Message& m = it->second;
  if (ready.erase(m.seq) == 0) Unhide(m);
  messages.erase(it);
}

void Queue::Reindex(Message& m, int64_t old_visible_at, Hidden old_reason, int64_t now_micros) {
  const int64_t new_visible_at = m.visible_at_micros;
  const Hidden new_reason = m.reason;
  if (ready.erase(m.seq) == 0) {
    m.visible_at_micros = old_visible_at;
    m.reason = old_reason;
    Unhide(m);
    m.visible_at_micros = new_visible_at;
    m.reason = new_reason;
  }
  if (m.VisibleAt(now_micros)) {
    ready.insert(m.seq);
  } else {
    hidden.emplace(m.visible_at_micros, m.seq);
    if (m.reason == Hidden::kInflight) {
      ++inflight;
      if (fifo) ++group_inflight[m.group_id()];
    }
  }
}

void Queue::Promote(int64_t now_micros) {
  while (!hidden.empty() && hidden.begin()->first <= now_micros) {
    const uint64_t seq = hidden.begin()->second;
    auto it = messages.find(seq);
    if (it == messages.end()) {
      hidden.erase(hidden.begin());
      continue;
    }
    Unhide(it->second);
    ready.insert(seq);
  }
}

void Queue::PruneDedup(int64_t now_micros, size_t limit, storage::WriteBatch* batch) {
  while (!dedup_expiry.empty() && dedup_expiry.front().first <= now_micros && limit > 0) {
    auto it = dedup.find(dedup_expiry.front().second);
    if (it != dedup.end() && it->second.expires_micros <= now_micros) {
      batch->Delete(keyspace::DedupKey(uid, it->first));
      dedup.erase(it);
      --limit;
    }
    dedup_expiry.pop_front();
  }
  for (auto it = attempts.begin(); it != attempts.end();) {
    if (it->second.expires_micros > now_micros) {
      ++it;
      continue;
    }
    batch->Delete(keyspace::AttemptKey(uid, it->first));
    it = attempts.erase(it);
  }
}

std::shared_ptr<const std::string> Queue::SharedSender(std::string_view sender_id) {
  if (sender_id.empty()) return nullptr;
  if (!last_sender_ || *last_sender_ != sender_id) {
    last_sender_ = std::make_shared<const std::string>(sender_id);
  }
  return last_sender_;
}

bool Queue::GroupLocked(const std::string& group) const {
  return group_inflight.find(group) != group_inflight.end();
}

}  // namespace tidepool::sqs
