#include "services/sqs/sqs_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <unordered_set>
#include <utility>

#include "core/arn.h"
#include "core/encoding.h"
#include "protocol/model/models.h"
#include "services/sqs/input.h"
#include "services/sqs/keyspace.h"
#include "services/sqs/queue_codec.h"
#include "services/sqs/sqs_internal.h"
#include "services/write_path.h"

namespace tidepool::sqs {
namespace json = boost::json;
using protocol::CallPtr;

// The registration table: every operation of the SQS model, name -> handler.
struct SqsServiceTable {
  struct Entry {
    std::string_view operation;
    SqsService::Handler handler;
  };
  static constexpr std::array<Entry, 23> kEntries{{
      {"AddPermission", &SqsService::AddPermission},
      {"CancelMessageMoveTask", &SqsService::CancelMessageMoveTask},
      {"ChangeMessageVisibility", &SqsService::ChangeMessageVisibility},
      {"ChangeMessageVisibilityBatch", &SqsService::ChangeMessageVisibilityBatch},
      {"CreateQueue", &SqsService::CreateQueue},
      {"DeleteMessage", &SqsService::DeleteMessage},
      {"DeleteMessageBatch", &SqsService::DeleteMessageBatch},
      {"DeleteQueue", &SqsService::DeleteQueue},
      {"GetQueueAttributes", &SqsService::GetQueueAttributes},
      {"GetQueueUrl", &SqsService::GetQueueUrl},
      {"ListDeadLetterSourceQueues", &SqsService::ListDeadLetterSourceQueues},
      {"ListMessageMoveTasks", &SqsService::ListMessageMoveTasks},
      {"ListQueueTags", &SqsService::ListQueueTags},
      {"ListQueues", &SqsService::ListQueues},
      {"PurgeQueue", &SqsService::PurgeQueue},
      {"ReceiveMessage", &SqsService::ReceiveMessage},
      {"RemovePermission", &SqsService::RemovePermission},
      {"SendMessage", &SqsService::SendMessage},
      {"SendMessageBatch", &SqsService::SendMessageBatch},
      {"SetQueueAttributes", &SqsService::SetQueueAttributes},
      {"StartMessageMoveTask", &SqsService::StartMessageMoveTask},
      {"TagQueue", &SqsService::TagQueue},
      {"UntagQueue", &SqsService::UntagQueue},
  }};

  static SqsService::Handler Find(std::string_view operation) {
    auto it =
        std::lower_bound(kEntries.begin(), kEntries.end(), operation,
                         [](const Entry& e, std::string_view op) { return e.operation < op; });
    return (it != kEntries.end() && it->operation == operation) ? it->handler : nullptr;
  }
};

SqsService::SqsService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
                       boost::asio::io_context& io, SqsOptions options)
    : store_(store),
      commits_(commits),
      clock_(clock),
      io_(io),
      options_(std::move(options)),
      alive_(std::make_shared<std::atomic<bool>>(true)),
      listeners_(std::make_shared<const ListenerList>()) {}

SqsService::~SqsService() { alive_->store(false); }

const protocol::model::ServiceModel& SqsService::Model() const {
  return protocol::model::SqsModel();
}

void SqsService::Invoke(CallPtr call) {
  const Handler handler = SqsServiceTable::Find(call->operation().name);
  if (handler == nullptr) {
    call->Fail(
        {"UnsupportedOperation", "", 400, true, "AWS.SimpleQueueService.UnsupportedOperation"});
    return;
  }
  (this->*handler)(std::move(call));
}

bool SqsService::TakesRawInput(const protocol::model::Operation& op) const {
  return op.name == "SendMessage" || op.name == "ReceiveMessage" || op.name == "SendMessageBatch" ||
         op.name == "DeleteMessage";
}

json::object SqsService::Health() const {
  std::shared_lock lock(registry_mu_);
  return json::object{{"status", "running"}, {"queues", queues_.size()}};
}

std::vector<SqsService::QueueDepth> SqsService::Depths() const {
  std::vector<std::shared_ptr<Queue>> queues;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [key, q] : queues_) queues.push_back(q);
  }
  std::vector<QueueDepth> out;
  out.reserve(queues.size());
  for (const auto& q : queues) {
    std::lock_guard lock(q->mu);
    out.push_back({q->arn, q->ready.size(), q->inflight, q->delayed()});
  }
  std::sort(out.begin(), out.end(),
            [](const QueueDepth& a, const QueueDepth& b) { return a.arn < b.arn; });
  return out;
}

void SqsService::Fail(const CallPtr& call, const Status& status) {
  if (call) call->Fail(ToAwsError(status));
}

// ---------------------------------------------------------------------------- registry

namespace {

// Registry keys: account "\x1f" region "\x1f" name.
size_t RegistryKeySize(std::string_view account, std::string_view region, std::string_view name) {
  return account.size() + region.size() + name.size() + 2;
}

// Writes the key at `out`, which has room for RegistryKeySize bytes.
void WriteRegistryKey(std::string_view account, std::string_view region, std::string_view name,
                      char* out) {
  out = std::copy(account.begin(), account.end(), out);
  *out++ = '\x1f';
  out = std::copy(region.begin(), region.end(), out);
  *out++ = '\x1f';
  std::copy(name.begin(), name.end(), out);
}

}  // namespace

std::string SqsService::RegistryKey(std::string_view account, std::string_view region,
                                    std::string_view name) {
  std::string key(RegistryKeySize(account, region, name), '\0');
  WriteRegistryKey(account, region, name, key.data());
  return key;
}

std::shared_ptr<Queue> SqsService::FindQueue(std::string_view account, std::string_view region,
                                             std::string_view name) const {
  // The key on the stack when it fits (it does for any valid queue name).
  char buffer[256];
  std::string heap;
  std::string_view key;
  if (const size_t size = RegistryKeySize(account, region, name); size <= sizeof(buffer)) {
    WriteRegistryKey(account, region, name, buffer);
    key = std::string_view(buffer, size);
  } else {
    heap = RegistryKey(account, region, name);
    key = heap;
  }
  std::shared_lock lock(registry_mu_);
  auto it = queues_.find(key);
  return it == queues_.end() ? nullptr : it->second;
}

std::shared_ptr<Queue> SqsService::FindQueueByArn(std::string_view arn) const {
  std::shared_lock lock(registry_mu_);
  auto it = by_arn_.find(arn);
  return it == by_arn_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Queue>> SqsService::QueuesOf(std::string_view account,
                                                         std::string_view region) const {
  std::vector<std::shared_ptr<Queue>> out;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [key, q] : queues_) {
      if (q->account == account && q->region == region) out.push_back(q);
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->name < b->name; });
  return out;
}

Result<std::shared_ptr<Queue>> SqsService::ResolveQueue(const protocol::Call& call) const {
  return ResolveQueue(call, InputString(call.input(), "QueueUrl").value_or(""));
}

Result<std::shared_ptr<Queue>> SqsService::ResolveQueue(const protocol::Call& call,
                                                        std::string_view url) const {
  // Accept "scheme://host[:port]/account/name", "/account/name", "account/name" and
  // ".../queue/region/account/name" (other regions' URLs, see QueueUrl): only the path's last
  // segments matter; without a region there, the request's region is the queue's.
  std::string_view path = url;
  if (const auto scheme = path.find("://"); scheme != std::string_view::npos) {
    path.remove_prefix(scheme + 3);
    const auto slash = path.find('/');
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  // Two memchr scans: find_first_of("?#") runs one per character of the URL.
  path = path.substr(0, std::min(path.find('?'), path.find('#')));
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  // Removes and returns the last segment of `path`.
  auto pop = [&path]() {
    const auto last = path.rfind('/');
    std::string_view segment = last == std::string_view::npos ? path : path.substr(last + 1);
    path = last == std::string_view::npos ? std::string_view() : path.substr(0, last);
    return segment;
  };
  const std::string_view name = pop();
  std::string_view account = pop();
  std::string_view region = pop();
  if (pop() != "queue") region = {};
  if (name.empty()) {
    return SqsStatus(SqsError::kQueueDoesNotExist, "The specified queue does not exist.");
  }
  if (account.empty()) account = call.context().account_id;
  if (region.empty()) region = call.context().region;
  auto q = FindQueue(account, region, name);
  if (!q) return SqsStatus(SqsError::kQueueDoesNotExist, "The specified queue does not exist.");
  return q;
}

std::string SqsService::QueueUrl(const protocol::Call& call, const Queue& q) const {
  const std::string& host =
      call.context().host.empty() ? options_.default_host : call.context().host;
  if (q.region == options_.default_region) {
    return fmt::format("http://{}/{}/{}", host, q.account, q.name);
  }
  return fmt::format("http://{}/queue/{}/{}/{}", host, q.region, q.account, q.name);
}

SqsService::QueueLocks SqsService::LockWithDlq(const std::shared_ptr<Queue>& q) const {
  for (;;) {
    std::string target;
    {
      std::lock_guard lock(q->mu);
      target = q->config.redrive_target_arn;
    }
    QueueLocks locks;
    std::shared_ptr<Queue> dlq = target.empty() ? nullptr : FindQueueByArn(target);
    if (!dlq || dlq == q) {
      locks.queue = std::unique_lock(q->mu);
      if (q->config.redrive_target_arn == target) return locks;
      continue;
    }
    locks.queue = std::unique_lock(q->mu, std::defer_lock);
    locks.dlq = std::unique_lock(dlq->mu, std::defer_lock);
    std::lock(locks.queue, locks.dlq);
    if (q->config.redrive_target_arn != target) continue;
    if (!dlq->deleted) {
      locks.dlq_queue = dlq.get();
      locks.dlq_ptr = std::move(dlq);
    }
    return locks;
  }
}

// ---------------------------------------------------------------------------- commits

bool SqsService::Submit(storage::WriteBatch batch, CallPtr call,
                        std::function<void(const Status&)> done) {
  return services::SubmitForCall(commits_, std::move(batch), call, std::move(done), ToAwsError);
}

void SqsService::CommitMeta(Queue& q, CallPtr call, json::object output,
                            storage::WriteBatch extra) {
  extra.Put(keyspace::QueueKey(q.uid), EncodeQueueMeta(q));
  Submit(std::move(extra), call,
         services::ReplyWhenCommitted(call, std::move(output), ToAwsError, "sqs"));
}

// ---------------------------------------------------------------------------- messages

void SqsService::CachePayload(Message& m, std::shared_ptr<const MessagePayload> payload) {
  const uint64_t bytes = m.payload_bytes;
  uint64_t current = cached_bytes_.load(std::memory_order_relaxed);
  while (current + bytes <= options_.payload_cache_bytes) {
    if (cached_bytes_.compare_exchange_weak(current, current + bytes)) {
      m.payload = std::move(payload);
      return;
    }
  }
  m.payload = nullptr;
}

void SqsService::UncachePayload(Message& m) {
  if (m.payload) {
    cached_bytes_.fetch_sub(m.payload_bytes, std::memory_order_relaxed);
    m.payload = nullptr;
  }
}

std::shared_ptr<const MessagePayload> SqsService::LoadPayload(const Queue& q,
                                                              const Message& m) const {
  if (m.payload) return m.payload;
  auto value = store_.Get(keyspace::MessageKey('m', q.uid, m.seq));
  auto payload = std::make_shared<MessagePayload>();
  Message scratch;
  if (!value.ok() || !value->has_value() ||
      !DecodeMessageRecord(**value, &scratch, payload.get())) {
    spdlog::error("sqs: payload of message {} in {} unreadable", m.id(), q.arn);
  }
  return payload;
}

void SqsService::EraseMessage(Queue& q, std::map<uint64_t, Message>::iterator it,
                              storage::WriteBatch* batch) {
  batch->Delete(keyspace::MessageKey('m', q.uid, it->first));
  if (it->second.receipt_gen > 0) batch->Delete(keyspace::MessageKey('s', q.uid, it->first));
  UncachePayload(it->second);
  q.Erase(it);
}

Message SqsService::MoveMessage(Queue& from, std::map<uint64_t, Message>::iterator it, Queue& to,
                                std::string dlq_source_arn, int64_t now,
                                storage::WriteBatch* batch) {
  auto payload = LoadPayload(from, it->second);
  Message m = it->second;
  m.payload = nullptr;
  EraseMessage(from, it, batch);
  m.seq = to.NextSeq(now);
  m.visible_at_micros = now;
  m.reason = Hidden::kDelayed;
  m.receive_count = 0;
  m.first_receive_micros = 0;
  m.receipt_gen = 0;
  m.set_dlq_source_arn(std::move(dlq_source_arn));
  batch->Put(keyspace::MessageKey('m', to.uid, m.seq), EncodeMessageRecord(m, *payload));
  CachePayload(m, std::move(payload));
  return m;
}

void SqsService::IndexCommitted(const std::shared_ptr<Queue>& q, std::vector<Message> messages,
                                size_t made_visible) {
  size_t added = made_visible;
  {
    QueueLocks locks = LockWithDlq(q);
    const int64_t now = clock_.NowMicros();
    for (auto& m : messages) {
      if (q->deleted || m.seq < q->purge_floor) {
        UncachePayload(m);
        continue;
      }
      // A message handed to a long poll (HandOffLocked) is in flight, nothing to announce.
      const bool inflight = m.InflightAt(now);
      q->Insert(std::move(m), now);
      if (!inflight) ++added;
    }
    if (added > 0) ServeWaitersLocked(q, locks.dlq_queue, locks.dlq_ptr);
    RearmWaitersLocked(q);
  }
  if (added > 0) NotifyListeners(*q, added);
}

// ---------------------------------------------------------------------------- listeners

uint64_t SqsService::AddMessageListener(MessageListener listener) {
  std::lock_guard lock(listeners_mu_);
  auto next = std::make_shared<ListenerList>(*listeners_);
  const uint64_t id = next_listener_id_++;
  next->emplace_back(id, std::move(listener));
  listeners_ = std::move(next);
  has_listeners_.store(true, std::memory_order_release);
  return id;
}

void SqsService::RemoveMessageListener(uint64_t id) {
  std::lock_guard lock(listeners_mu_);
  auto next = std::make_shared<ListenerList>(*listeners_);
  std::erase_if(*next, [id](const auto& entry) { return entry.first == id; });
  has_listeners_.store(!next->empty(), std::memory_order_release);
  listeners_ = std::move(next);
}

void SqsService::NotifyListeners(const Queue& q, size_t count) {
  if (!has_listeners_.load(std::memory_order_acquire)) return;
  std::shared_ptr<const ListenerList> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  const MessagesAvailable event{q.arn, count};
  for (const auto& [id, listener] : *listeners) listener(event);
}

// ---------------------------------------------------------------------------- batch helpers

Status CheckBatchEntries(const json::array* entries, std::string_view entry_shape) {
  if (!entries || entries->empty()) {
    return SqsStatus(SqsError::kEmptyBatchRequest,
                     fmt::format("There should be at least one {} in the request.", entry_shape));
  }
  if (entries->size() > kMaxBatchEntries) {
    return SqsStatus(SqsError::kTooManyEntriesInBatchRequest,
                     fmt::format("Maximum number of entries per request are {}. You have sent {}.",
                                 kMaxBatchEntries, entries->size()));
  }
  std::unordered_set<std::string_view> seen;
  for (const auto& e : *entries) {
    const auto* o = e.if_object();
    const auto id = o ? InputString(*o, "Id") : std::nullopt;
    const bool valid =
        id && !id->empty() && id->size() <= 80 && std::all_of(id->begin(), id->end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
        });
    if (!valid) {
      return SqsStatus(SqsError::kInvalidBatchEntryId,
                       "A batch entry id can only contain alphanumeric characters, hyphens and "
                       "underscores. It can be at most 80 letters long.");
    }
  }
  for (const auto& e : *entries) {
    const std::string_view id = e.get_object().at("Id").get_string();
    if (!seen.insert(id).second) {
      return SqsStatus(SqsError::kBatchEntryIdsNotDistinct, fmt::format("Id {} repeated.", id));
    }
  }
  return Status::Ok();
}

json::object BatchErrorEntry(std::string_view id, const Status& status) {
  const protocol::AwsError e = ToAwsError(status);
  return json::object{{"Id", id},
                      {"SenderFault", e.sender_fault},
                      {"Code", e.query_code.empty() ? e.code : e.query_code},
                      {"Message", e.message}};
}

std::string SequenceNumberText(uint64_t seq) { return fmt::format("{:020}", seq); }

}  // namespace tidepool::sqs
