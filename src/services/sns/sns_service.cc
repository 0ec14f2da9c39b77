#include "services/sns/sns_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <utility>

#include "core/arn.h"
#include "protocol/model/models.h"
#include "services/sns/keyspace.h"
#include "services/sns/sns_errors.h"
#include "services/sns/topic_codec.h"
#include "services/write_path.h"
#include "storage/key_codec.h"
#include "storage/skipped_records.h"

namespace tidepool::sns {
namespace json = boost::json;
using protocol::CallPtr;

// The registration table: operation name -> handler. Operations of the SNS model that are
// not listed (mobile push platforms, SMS) fail with InvalidAction.
struct SnsServiceTable {
  struct Entry {
    std::string_view operation;
    SnsService::Handler handler;
  };
  static constexpr std::array<Entry, 21> kEntries{{
      {"AddPermission", &SnsService::AddPermission},
      {"ConfirmSubscription", &SnsService::ConfirmSubscription},
      {"CreateTopic", &SnsService::CreateTopic},
      {"DeleteTopic", &SnsService::DeleteTopic},
      {"GetDataProtectionPolicy", &SnsService::GetDataProtectionPolicy},
      {"GetSubscriptionAttributes", &SnsService::GetSubscriptionAttributes},
      {"GetTopicAttributes", &SnsService::GetTopicAttributes},
      {"ListSubscriptions", &SnsService::ListSubscriptions},
      {"ListSubscriptionsByTopic", &SnsService::ListSubscriptionsByTopic},
      {"ListTagsForResource", &SnsService::ListTagsForResource},
      {"ListTopics", &SnsService::ListTopics},
      {"Publish", &SnsService::Publish},
      {"PublishBatch", &SnsService::PublishBatch},
      {"PutDataProtectionPolicy", &SnsService::PutDataProtectionPolicy},
      {"RemovePermission", &SnsService::RemovePermission},
      {"SetSubscriptionAttributes", &SnsService::SetSubscriptionAttributes},
      {"SetTopicAttributes", &SnsService::SetTopicAttributes},
      {"Subscribe", &SnsService::Subscribe},
      {"TagResource", &SnsService::TagResource},
      {"Unsubscribe", &SnsService::Unsubscribe},
      {"UntagResource", &SnsService::UntagResource},
  }};

  static SnsService::Handler Find(std::string_view operation) {
    auto end = kEntries.end();
    auto it =
        std::lower_bound(kEntries.begin(), end, operation,
                         [](const Entry& e, std::string_view op) { return e.operation < op; });
    return (it != end && it->operation == operation) ? it->handler : nullptr;
  }
};

SnsService::SnsService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
                       SnsOptions options)
    : store_(store),
      commits_(commits),
      clock_(clock),
      options_(std::move(options)),
      listeners_(std::make_shared<const ListenerList>()) {}

SnsService::~SnsService() = default;

const protocol::model::ServiceModel& SnsService::Model() const {
  return protocol::model::SnsModel();
}

void SnsService::Invoke(CallPtr call) {
  const Handler handler = SnsServiceTable::Find(call->operation().name);
  if (handler == nullptr) {
    call->Fail(ToAwsError(SnsStatus(
        SnsError::kInvalidAction,
        fmt::format("The action {} is not implemented by tidepool (mobile push and SMS are not "
                    "emulated).",
                    call->operation().name))));
    return;
  }
  (this->*handler)(std::move(call));
}

json::object SnsService::Health() const {
  std::shared_lock lock(registry_mu_);
  return json::object{{"status", "running"}, {"topics", topics_.size()}};
}

void SnsService::Fail(const CallPtr& call, const Status& status) {
  if (call) call->Fail(ToAwsError(status));
}

// ---------------------------------------------------------------------------- registry

std::shared_ptr<Topic> SnsService::FindTopic(std::string_view arn) const {
  std::shared_lock lock(registry_mu_);
  auto it = topics_.find(std::string(arn));
  return it == topics_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Topic>> SnsService::TopicsOf(std::string_view account,
                                                         std::string_view region) const {
  std::vector<std::shared_ptr<Topic>> out;
  std::shared_lock lock(registry_mu_);
  for (const auto& [arn, t] : topics_) {
    if (t->account == account && t->region == region) out.push_back(t);
  }
  return out;
}

Result<std::shared_ptr<Topic>> SnsService::ResolveTopic(const protocol::Call& call,
                                                        std::string_view arn_text) const {
  auto arn = Arn::Parse(arn_text);
  if (!arn) {
    const size_t parts = std::count(arn_text.begin(), arn_text.end(), ':') + 1;
    return InvalidParameter(fmt::format(
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not {}", parts));
  }
  if (arn->region != call.context().region) return InvalidParameter("Invalid parameter: TopicArn");
  auto topic = FindTopic(arn_text);
  if (!topic) return SnsStatus(SnsError::kNotFound, "Topic does not exist");
  return topic;
}

Result<std::pair<std::shared_ptr<Topic>, std::shared_ptr<Subscription>>>
SnsService::ResolveSubscription(std::string_view arn) const {
  const auto colon = arn.rfind(':');
  if (colon != std::string_view::npos) {
    if (auto topic = FindTopic(arn.substr(0, colon))) {
      std::lock_guard lock(topic->mu);
      if (auto sub = topic->FindSubscription(arn)) return std::make_pair(topic, sub);
    }
  }
  return SnsStatus(SnsError::kNotFound, "Subscription does not exist");
}

bool SnsService::SubscriptionExists(std::string_view subscription_arn) const {
  return ResolveSubscription(subscription_arn).ok();
}

std::string SnsService::PublicEndpoint(const protocol::Call& call) const {
  if (!call.context().host.empty()) return "http://" + call.context().host;
  return options_.public_endpoint;
}

// ---------------------------------------------------------------------------- commits

bool SnsService::Submit(storage::WriteBatch batch, CallPtr call,
                        std::function<void(const Status&)> done) {
  return services::SubmitForCall(commits_, std::move(batch), call, std::move(done), ToAwsError);
}

void SnsService::CommitTopic(Topic& topic, CallPtr call, json::object output,
                             storage::WriteBatch extra, std::vector<DeliveryPtr> deliveries) {
  extra.Put(keyspace::TopicKey(topic.arn), EncodeTopicMeta(topic));
  SubmitAndNotify(std::move(extra), std::move(call), std::move(output), std::move(deliveries));
}

void SnsService::SubmitAndNotify(storage::WriteBatch batch, CallPtr call, json::object output,
                                 std::vector<DeliveryPtr> deliveries,
                                 std::vector<StagedDelivery> staged) {
  auto staged_done = std::make_shared<std::vector<StagedDelivery>>(std::move(staged));
  const bool submitted =
      Submit(std::move(batch), call,
             [this, call, output = std::move(output), deliveries = std::move(deliveries),
              staged_done](const Status& st) mutable {
               for (auto& done : *staged_done) done(st);
               if (!st.ok()) {
                 if (call) {
                   Fail(call, st);
                 } else {
                   spdlog::error("sns: commit failed: {}", st.ToString());
                 }
                 return;
               }
               if (call) call->Reply(std::move(output));
               if (!deliveries.empty()) NotifyOutbox(deliveries);
             });
  // A refused batch drops its completion: the staged deliveries still learn that it failed.
  if (!submitted) {
    for (auto& done : *staged_done) done(Status::Unavailable("the commit queue is stopped"));
  }
}

// ---------------------------------------------------------------------------- outbox

uint64_t SnsService::AddOutboxListener(OutboxListener listener) {
  std::lock_guard lock(listeners_mu_);
  auto next = std::make_shared<ListenerList>(*listeners_);
  const uint64_t id = next_listener_id_++;
  next->emplace_back(id, std::move(listener));
  listeners_ = std::move(next);
  return id;
}

void SnsService::RemoveOutboxListener(uint64_t id) {
  std::lock_guard lock(listeners_mu_);
  auto next = std::make_shared<ListenerList>(*listeners_);
  std::erase_if(*next, [id](const auto& entry) { return entry.first == id; });
  listeners_ = std::move(next);
}

void SnsService::NotifyOutbox(const std::vector<DeliveryPtr>& deliveries) {
  std::shared_ptr<const ListenerList> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  for (const auto& [id, listener] : *listeners) listener(deliveries);
}

Result<std::vector<DeliveryPtr>> SnsService::LoadOutbox(uint64_t first, uint64_t last,
                                                        size_t limit) const {
  std::vector<DeliveryPtr> out;
  if (limit == 0 || first > last) return out;
  storage::SkippedRecords skipped("sns outbox");
  const std::string end = last == UINT64_MAX ? storage::PrefixEnd(keyspace::OutboxPrefix())
                                             : keyspace::OutboxKey(last + 1);
  Status st = store_.Scan(keyspace::OutboxKey(first), end,
                          [&](std::string_view key, std::string_view value) {
                            auto seq = keyspace::ParseOutboxKey(key);
                            auto d = DecodeDelivery(value);
                            if (!seq || !d.ok()) {
                              // Left in the outbox, and passed over by every read.
                              skipped.Skip(key, "unreadable outbox entry");
                              return true;
                            }
                            d->seq = *seq;
                            out.push_back(std::make_shared<const Delivery>(std::move(*d)));
                            return out.size() < limit;
                          });
  TP_RETURN_IF_ERROR(st);
  return out;
}

void SnsService::CompleteDelivery(uint64_t seq, std::function<void(const Status&)> done) {
  storage::WriteBatch batch;
  batch.Delete(keyspace::OutboxKey(seq));
  Status st = commits_.Submit(std::move(batch), done);
  if (!st.ok() && done) done(st);
}

// ---------------------------------------------------------------------------- recovery

Status SnsService::Recover() {
  std::map<std::string, std::shared_ptr<Topic>> topics;
  storage::SkippedRecords skipped("sns");
  const std::string tprefix = keyspace::TopicPrefix();
  TP_RETURN_IF_ERROR(store_.Scan(tprefix, storage::PrefixEnd(tprefix),
                                 [&](std::string_view key, std::string_view value) {
                                   auto topic = DecodeTopicMeta(value);
                                   if (!topic.ok()) {
                                     skipped.Skip(key, topic.status().ToString());
                                     return true;
                                   }
                                   topics[(*topic)->arn] = *topic;
                                   return true;
                                 }));
  const std::string cprefix = keyspace::CounterPrefix();
  TP_RETURN_IF_ERROR(store_.Scan(cprefix, storage::PrefixEnd(cprefix),
                                 [&](std::string_view key, std::string_view value) {
                                   auto arn = keyspace::ParseCounterKey(key);
                                   uint64_t counter = 0;
                                   if (arn && storage::ReadU64BE(&value, &counter)) {
                                     if (auto it = topics.find(*arn); it != topics.end()) {
                                       it->second->fifo_counter = counter;
                                     }
                                   } else {
                                     skipped.Skip(key, "unreadable FIFO sequence counter");
                                   }
                                   return true;
                                 }));
  const int64_t now = clock_.NowMicros();
  const std::string dprefix = keyspace::DedupRoot();
  TP_RETURN_IF_ERROR(store_.Scan(dprefix, storage::PrefixEnd(dprefix),
                                 [&](std::string_view key, std::string_view value) {
                                   auto parsed = keyspace::ParseDedupKey(key);
                                   if (!parsed) {
                                     skipped.Skip(key, "malformed deduplication key");
                                     return true;
                                   }
                                   auto it = topics.find(parsed->first);
                                   if (it == topics.end()) return true;
                                   boost::system::error_code ec;
                                   json::value v = json::parse(value, ec);
                                   if (ec || !v.is_object()) {
                                     skipped.Skip(key, "unreadable deduplication record");
                                     return true;
                                   }
                                   const auto& o = v.get_object();
                                   DedupRecord r;
                                   if (const auto* id = o.if_contains("id"); id && id->is_string())
                                     r.message_id = std::string(id->get_string());
                                   if (const auto* s = o.if_contains("seq"); s && s->is_string())
                                     r.sequence_number = std::string(s->get_string());
                                   if (const auto* e = o.if_contains("exp"); e && e->is_int64())
                                     r.expires_micros = e->get_int64();
                                   if (r.expires_micros > now)
                                     it->second->dedup[parsed->second] = r;
                                   return true;
                                 }));
  uint64_t max_seq = 0;
  const std::string oprefix = keyspace::OutboxPrefix();
  TP_RETURN_IF_ERROR(store_.Scan(oprefix, storage::PrefixEnd(oprefix),
                                 [&](std::string_view key, std::string_view) {
                                   if (auto seq = keyspace::ParseOutboxKey(key)) {
                                     max_seq = std::max(max_seq, *seq);
                                   } else {
                                     skipped.Skip(key, "malformed outbox key");
                                   }
                                   return true;
                                 }));
  next_outbox_seq_.store(max_seq + 1);
  std::unique_lock lock(registry_mu_);
  topics_ = std::move(topics);
  return Status::Ok();
}

}  // namespace tidepool::sns
