// Queue lifecycle and settings: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, PurgeQueue,
// Get/SetQueueAttributes, ListDeadLetterSourceQueues.
#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <algorithm>

#include "core/encoding.h"
#include "services/sqs/input.h"
#include "services/sqs/keyspace.h"
#include "services/sqs/queue_attributes.h"
#include "services/sqs/queue_codec.h"
#include "services/sqs/sqs_internal.h"
#include "storage/key_codec.h"

namespace tidepool::sqs {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

bool ValidQueueName(std::string_view name, bool fifo) {
  if (name.empty() || name.size() > 80) return false;
  if (fifo) {
    if (!name.ends_with(".fifo")) return false;
    name.remove_suffix(5);
    if (name.empty()) return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

bool IsFifoRequested(const json::object* attributes) {
  if (!attributes) return false;
  const auto* v = attributes->if_contains("FifoQueue");
  return v && v->is_string() && (v->get_string() == "true" || v->get_string() == "True");
}

// Page of names after `token` (base64 of the last name returned), at most `max` long.
Result<size_t> PageStart(const std::vector<std::string>& names,
                         std::optional<std::string_view> token) {
  if (!token || token->empty()) return size_t{0};
  auto last = Base64Decode(*token);
  if (!last) return SqsStatus(SqsError::kInvalidParameterValue, "Invalid NextToken value.");
  return static_cast<size_t>(std::upper_bound(names.begin(), names.end(), *last) - names.begin());
}

Result<int64_t> MaxResults(const json::object& in) {
  const auto max = InputInt(in, "MaxResults");
  if (!max) return int64_t{1000};
  if (*max < 1 || *max > 1000) {
    return SqsStatus(SqsError::kInvalidParameterValue,
                     fmt::format("Value {} for parameter MaxResults is invalid. Reason: MaxResults "
                                 "must be an integer between 1 and 1000.",
                                 *max));
  }
  return *max;
}

}  // namespace

void SqsService::CreateQueue(CallPtr call) {
  const auto& in = call->input();
  const std::string name(InputString(in, "QueueName").value_or(""));
  const auto* attributes = InputObject(in, "Attributes");
  const bool fifo = IsFifoRequested(attributes);
  if (!ValidQueueName(name, fifo)) {
    Fail(call, SqsStatus(SqsError::kInvalidParameterValue,
                         fifo ? "The name of a FIFO queue can only include alphanumeric "
                                "characters, hyphens, or underscores, must end with .fifo suffix "
                                "and be 1 to 80 in length."
                              : "Can only include alphanumeric characters, hyphens, or "
                                "underscores. 1 to 80 in length"));
    return;
  }
  QueueConfig config;
  config.fifo = fifo;
  RedriveChange redrive;
  const json::object no_attributes;
  const json::object& attrs = attributes ? *attributes : no_attributes;
  if (Status st = ApplyAttributes(attrs, true, &config, &redrive); !st.ok()) {
    Fail(call, st);
    return;
  }
  const std::string& account = call->context().account_id;
  const std::string& region = call->context().region;
  const std::string arn = fmt::format("arn:aws:sqs:{}:{}:{}", region, account, name);
  if (!config.redrive_target_arn.empty()) {
    auto target = FindQueueByArn(config.redrive_target_arn);
    if (!target) {
      Fail(call, SqsStatus(SqsError::kInvalidParameterValue,
                           fmt::format("Value {} for parameter RedrivePolicy is invalid. Reason: "
                                       "Dead letter target does not exist.",
                                       config.redrive_policy)));
      return;
    }
    std::lock_guard lock(target->mu);
    if (target->fifo != fifo) {
      Fail(call,
           SqsStatus(SqsError::kInvalidParameterValue,
                     fmt::format("Value {} for parameter RedrivePolicy is invalid. Reason: "
                                 "Dead-letter queue must be same type of queue as the source.",
                                 config.redrive_policy)));
      return;
    }
    if (!RedriveAllowed(target->config.redrive_allow_policy, arn)) {
      Fail(call, SqsStatus(SqsError::kInvalidParameterValue,
                           fmt::format("Value {} for parameter RedrivePolicy is invalid. Reason: "
                                       "Queue {} does not allow this queue to use it as a "
                                       "dead-letter queue.",
                                       config.redrive_policy, target->arn)));
      return;
    }
  }
  const int64_t now = clock_.NowMicros();
  const std::string key = RegistryKey(account, region, name);
  std::shared_ptr<Queue> existing;
  std::shared_ptr<Queue> q;
  std::unique_lock<std::mutex> queue_lock;
  uint64_t next_uid = 0;
  {
    std::unique_lock lock(registry_mu_);
    auto it = queues_.find(key);
    if (it != queues_.end()) {
      existing = it->second;
    } else {
      auto del = deleted_at_.find(key);
      if (del != deleted_at_.end() &&
          now - del->second < options_.queue_deleted_recently.count() * kMicrosPerSecond) {
        lock.unlock();
        Fail(call, SqsStatus(SqsError::kQueueDeletedRecently,
                             fmt::format("You must wait {} seconds after deleting a queue before "
                                         "you can create another with the same name.",
                                         options_.queue_deleted_recently.count())));
        return;
      }
      q = std::make_shared<Queue>(next_uid_++, account, region, name, fifo);
      next_uid = next_uid_;
      // Locked before it is visible, so that its metadata commits before any of its messages.
      queue_lock = std::unique_lock(q->mu);
      q->config = config;
      q->created_seconds = q->modified_seconds = now / kMicrosPerSecond;
      q->last_seq = static_cast<uint64_t>(now) << 8;
      if (const auto* tags = InputObject(in, "tags")) {
        for (const auto& [k, v] : *tags) {
          if (v.is_string()) q->tags[std::string(k)] = std::string(v.get_string());
        }
      }
      queues_[key] = q;
      by_arn_[q->arn] = q;
    }
  }
  if (existing) {
    std::string different;
    {
      std::lock_guard lock(existing->mu);
      different = existing->fifo != fifo ? "FifoQueue"
                                         : FirstDifferentAttribute(attrs, config, existing->config);
    }
    if (!different.empty()) {
      Fail(call, SqsStatus(SqsError::kQueueNameExists,
                           fmt::format("A queue already exists with the same name and a different "
                                       "value for attribute {}",
                                       different)));
      return;
    }
    call->Reply(json::object{{"QueueUrl", QueueUrl(*call, *existing)}});
    return;
  }
  storage::WriteBatch extra;
  std::string uid_value;
  storage::AppendU64BE(&uid_value, next_uid);
  extra.Put(keyspace::NextUidKey(), uid_value);
  CommitMeta(*q, call, json::object{{"QueueUrl", QueueUrl(*call, *q)}}, std::move(extra));
}

void SqsService::GetQueueUrl(CallPtr call) {
  const auto& in = call->input();
  const auto name = InputString(in, "QueueName").value_or("");
  const auto owner = InputString(in, "QueueOwnerAWSAccountId");
  const std::string account(
      owner && !owner->empty() ? *owner : std::string_view(call->context().account_id));
  auto q = FindQueue(account, call->context().region, name);
  if (!q) {
    Fail(call, SqsStatus(SqsError::kQueueDoesNotExist, "The specified queue does not exist."));
    return;
  }
  call->Reply(json::object{{"QueueUrl", QueueUrl(*call, *q)}});
}

void SqsService::ListQueues(CallPtr call) {
  const auto& in = call->input();
  const auto prefix = InputString(in, "QueueNamePrefix").value_or("");
  auto max = MaxResults(in);
  if (!max.ok()) return Fail(call, max.status());
  std::vector<std::shared_ptr<Queue>> queues;
  for (auto& q : QueuesOf(call->context().account_id, call->context().region)) {
    if (std::string_view(q->name).starts_with(prefix)) queues.push_back(std::move(q));
  }
  std::vector<std::string> names;
  for (const auto& q : queues) names.push_back(q->name);
  auto start = PageStart(names, InputString(in, "NextToken"));
  if (!start.ok()) return Fail(call, start.status());
  json::array urls;
  size_t i = *start;
  for (; i < queues.size() && static_cast<int64_t>(urls.size()) < *max; ++i) {
    urls.emplace_back(QueueUrl(*call, *queues[i]));
  }
  json::object out;
  if (!urls.empty()) out["QueueUrls"] = std::move(urls);
  if (in.contains("MaxResults") && i < queues.size()) {
    out["NextToken"] = Base64Encode(queues[i - 1]->name);
  }
  call->Reply(std::move(out));
}

void SqsService::DeleteQueue(CallPtr call) {
  auto q = ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  std::shared_ptr<Queue> queue = *q;
  {
    std::unique_lock lock(registry_mu_);
    const std::string key = RegistryKey(queue->account, queue->region, queue->name);
    auto it = queues_.find(key);
    if (it != queues_.end() && it->second == queue) queues_.erase(it);
    auto a = by_arn_.find(queue->arn);
    if (a != by_arn_.end() && a->second == queue) by_arn_.erase(a);
    deleted_at_[key] = clock_.NowMicros();
  }
  std::vector<std::shared_ptr<Waiter>> waiters;
  storage::WriteBatch batch;
  {
    std::lock_guard lock(queue->mu);
    queue->deleted = true;
    for (auto& [seq, m] : queue->messages) UncachePayload(m);
    queue->messages.clear();
    queue->ready.clear();
    queue->hidden.clear();
    queue->inflight = 0;
    queue->group_inflight.clear();
    for (auto& w : queue->waiters) {
      if (!w->done) {
        waiters.push_back(w);
        CancelTimer(w);
      }
      w->done = true;
    }
    queue->waiters.clear();
    batch.Delete(keyspace::QueueKey(queue->uid));
    for (char kind : {'m', 's', 'd', 'a'}) {
      const std::string begin = keyspace::QueueKindPrefix(kind, queue->uid);
      batch.DeleteRange(begin, storage::PrefixEnd(begin));
    }
    Submit(std::move(batch), call, [call](const Status& st) {
      if (st.ok()) {
        call->Reply({});
      } else {
        Fail(call, st);
      }
    });
  }
  for (auto& w : waiters) w->request.call->Reply({});
}

void SqsService::PurgeQueue(CallPtr call) {
  auto q = ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  Queue& queue = **q;
  std::lock_guard lock(queue.mu);
  const int64_t now = clock_.NowMicros();
  if (queue.last_purge_micros != 0 &&
      now - queue.last_purge_micros < options_.purge_interval.count() * kMicrosPerSecond) {
    return Fail(call, SqsStatus(SqsError::kPurgeQueueInProgress,
                                fmt::format("Only one PurgeQueue operation on {} is allowed every "
                                            "{} seconds.",
                                            queue.name, options_.purge_interval.count())));
  }
  queue.last_purge_micros = now;
  queue.purge_floor = queue.last_seq + 1;
  for (auto& [seq, m] : queue.messages) UncachePayload(m);
  queue.messages.clear();
  queue.ready.clear();
  queue.hidden.clear();
  queue.inflight = 0;
  queue.group_inflight.clear();
  queue.attempts.clear();
  // A purge also forgets the deduplication ids of the messages it removed, as AWS's does.
  queue.dedup.clear();
  queue.dedup_expiry.clear();
  storage::WriteBatch batch;
  for (char kind : {'m', 's', 'a', 'd'}) {
    const std::string begin = keyspace::QueueKindPrefix(kind, queue.uid);
    batch.DeleteRange(begin, storage::PrefixEnd(begin));
  }
  CommitMeta(queue, call, {}, std::move(batch));
}

void SqsService::GetQueueAttributes(CallPtr call) {
  auto q = ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  Queue& queue = **q;
  const auto* names = InputArray(call->input(), "AttributeNames");
  std::vector<std::string_view> wanted;
  bool all = false;
  if (names) {
    for (const auto& n : *names) {
      if (!n.is_string()) continue;
      const std::string_view name = n.get_string();
      if (name == "All") {
        all = true;
        continue;
      }
      if (std::find(AllAttributeNames().begin(), AllAttributeNames().end(), name) ==
          AllAttributeNames().end()) {
        return Fail(call, SqsStatus(SqsError::kInvalidAttributeName,
                                    fmt::format("Unknown Attribute {}.", name)));
      }
      wanted.push_back(name);
    }
  }
  if (all) wanted = AllAttributeNames();
  json::object attributes;
  {
    std::lock_guard lock(queue.mu);
    queue.Promote(clock_.NowMicros());
    std::string value;
    for (std::string_view name : wanted) {
      if (RenderAttribute(queue, name, &value)) attributes[name] = value;
    }
  }
  json::object out;
  if (!attributes.empty()) out["Attributes"] = std::move(attributes);
  call->Reply(std::move(out));
}

void SqsService::SetQueueAttributes(CallPtr call) {
  auto q = ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  Queue& queue = **q;
  const auto* attributes = InputObject(call->input(), "Attributes");
  if (!attributes || attributes->empty()) {
    return Fail(call, SqsStatus(SqsError::kMissingParameter,
                                "The request must contain the parameter Attributes."));
  }
  QueueConfig config;
  {
    std::lock_guard lock(queue.mu);
    config = queue.config;
  }
  RedriveChange redrive;
  if (Status st = ApplyAttributes(*attributes, false, &config, &redrive); !st.ok()) {
    return Fail(call, st);
  }
  if (redrive.present && !redrive.target_arn.empty()) {
    auto target = FindQueueByArn(redrive.target_arn);
    Status st;
    if (!target) {
      st = SqsStatus(SqsError::kInvalidParameterValue,
                     fmt::format("Value {} for parameter RedrivePolicy is invalid. Reason: Dead "
                                 "letter target does not exist.",
                                 config.redrive_policy));
    } else if (target.get() != &queue) {
      std::lock_guard lock(target->mu);
      if (target->fifo != queue.fifo) {
        st = SqsStatus(SqsError::kInvalidParameterValue,
                       fmt::format("Value {} for parameter RedrivePolicy is invalid. Reason: "
                                   "Dead-letter queue must be same type of queue as the source.",
                                   config.redrive_policy));
      } else if (!RedriveAllowed(target->config.redrive_allow_policy, queue.arn)) {
        st = SqsStatus(SqsError::kInvalidParameterValue,
                       fmt::format("Value {} for parameter RedrivePolicy is invalid. Reason: Queue "
                                   "{} does not allow this queue to use it as a dead-letter queue.",
                                   config.redrive_policy, target->arn));
      }
    }
    if (!st.ok()) return Fail(call, st);
  }
  std::lock_guard lock(queue.mu);
  if (queue.deleted) {
    return Fail(call,
                SqsStatus(SqsError::kQueueDoesNotExist, "The specified queue does not exist."));
  }
  queue.config = config;
  queue.modified_seconds = clock_.NowMicros() / kMicrosPerSecond;
  CommitMeta(queue, call, {});
}

void SqsService::ListDeadLetterSourceQueues(CallPtr call) {
  auto q = ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  const auto& in = call->input();
  auto max = MaxResults(in);
  if (!max.ok()) return Fail(call, max.status());
  std::vector<std::shared_ptr<Queue>> sources;
  for (auto& s : QueuesOf((*q)->account, (*q)->region)) {
    std::lock_guard lock(s->mu);
    if (s->config.redrive_target_arn == (*q)->arn) sources.push_back(s);
  }
  std::vector<std::string> names;
  for (const auto& s : sources) names.push_back(s->name);
  auto start = PageStart(names, InputString(in, "NextToken"));
  if (!start.ok()) return Fail(call, start.status());
  json::array urls;
  size_t i = *start;
  for (; i < sources.size() && static_cast<int64_t>(urls.size()) < *max; ++i) {
    urls.emplace_back(QueueUrl(*call, *sources[i]));
  }
  json::object out{{"queueUrls", std::move(urls)}};
  if (in.contains("MaxResults") && i < sources.size()) {
    out["NextToken"] = Base64Encode(sources[i - 1]->name);
  }
  call->Reply(std::move(out));
}

}  // namespace tidepool::sqs
