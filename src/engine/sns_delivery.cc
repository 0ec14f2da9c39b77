#include "engine/sns_delivery.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <iterator>
#include <optional>

#include "services/sns/delivery.h"

namespace tidepool::engine {

QueueMessage QueueMessageFor(const sns::Delivery& d, std::string_view queue_arn) {
  QueueMessage m;
  m.body = sns::DeliveryBody(d);
  if (d.raw && d.kind == sns::DeliveryKind::kNotification) {
    for (const auto& a : d.attributes) {
      m.attributes.push_back({a.name, a.data_type, a.value, a.binary});
    }
  }
  // A FIFO queue's name, and so its ARN, ends in ".fifo"; a standard queue's cannot. A
  // standard topic's MessageGroupId reaches standard queues (for fair queues, as on AWS); a
  // FIFO topic's does not.
  if (d.fifo && queue_arn.ends_with(".fifo")) {
    m.group_id = d.group_id;
    m.dedup_id = d.dedup_id;
  } else if (!d.fifo) {
    m.group_id = d.group_id;
  }
  m.trace_header = d.trace_header;
  m.sender_id = std::string(sns::kSnsSenderId);
  return m;
}

namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

// The event Lambda receives from SNS: {"Records":[{"EventSource":"aws:sns",...,"Sns":{...}}]}.
std::string LambdaEvent(const sns::Delivery& d) {
  sns::Delivery envelope_of = d;
  envelope_of.raw = false;
  boost::system::error_code ec;
  json::value env = json::parse(sns::DeliveryBody(envelope_of), ec);
  json::object s;
  if (!ec && env.is_object()) {
    for (auto& [k, v] : env.get_object()) {
      std::string key(k);
      if (key == "SigningCertURL") key = "SigningCertUrl";
      if (key == "UnsubscribeURL") key = "UnsubscribeUrl";
      s[key] = v;
    }
  }
  if (!s.contains("Subject")) s["Subject"] = nullptr;
  if (!s.contains("MessageAttributes")) s["MessageAttributes"] = json::object();
  json::object record{{"EventSource", "aws:sns"},
                      {"EventVersion", "1.0"},
                      {"EventSubscriptionArn", d.subscription_arn},
                      {"Sns", std::move(s)}};
  return json::serialize(json::object{{"Records", json::array{std::move(record)}}});
}

// What an entry held in memory counts against max_loaded_bytes.
size_t EntryBytes(const sns::Delivery& d) {
  size_t bytes = sizeof(sns::Delivery) + d.subscription_arn.size() + d.topic_arn.size() +
                 d.protocol.size() + d.endpoint.size() + d.dlq_arn.size() +
                 d.delivery_policy.size() + d.message_id.size() + d.message.size() +
                 d.subject.size() + d.group_id.size() + d.dedup_id.size() +
                 d.sequence_number.size() + d.token.size() + d.subscribe_url.size() +
                 d.unsubscribe_url.size() + d.signing_cert_url.size();
  for (const auto& a : d.attributes) {
    bytes += sizeof(a) + a.name.size() + a.data_type.size() + a.value.size();
  }
  return bytes;
}

int64_t IntField(const json::object& o, std::string_view key, int64_t fallback) {
  const auto* v = o.if_contains(key);
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return fallback;
}

}  // namespace

SnsDelivery::SnsDelivery(sns::SnsService& sns, QueueSink& queues, HttpSink* http,
                         FunctionSink* functions, boost::asio::io_context& io,
                         SnsDeliveryOptions options)
    : sns_(sns),
      queues_(queues),
      http_(http),
      functions_(functions),
      io_(io),
      options_(options),
      alive_(std::make_shared<std::atomic<bool>>(true)) {}

SnsDelivery::~SnsDelivery() { Stop(); }

Status SnsDelivery::Start() {
  // Listen first, then read: every entry is reported by the listener or already in the store
  // when startup_last_ is taken (see on_disk_).
  listener_id_ = sns_.AddOutboxListener(
      [this, post = Poster()](const std::vector<sns::DeliveryPtr>& deliveries) {
        post([this, deliveries] { Enqueue(deliveries); });
      });
  {
    std::lock_guard lock(mu_);
    startup_last_ = sns_.LastOutboxSeq();
    on_disk_.InsertRange(0, startup_last_);
    auto filled = RefillLocked(SIZE_MAX);  // before serving: fill the room at once
    if (!filled.ok()) return filled.status();
  }
  Post([this] { Pump(); });
  return Status::Ok();
}

void SnsDelivery::Stop() {
  if (!alive_->exchange(false)) return;
  sns_.RemoveOutboxListener(listener_id_);
}

SnsDelivery::Stats SnsDelivery::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.pending = items_.size();
  s.spilled = !on_disk_.empty();
  return s;
}

void SnsDelivery::Post(std::function<void()> fn) { Poster()(std::move(fn)); }

std::function<void(std::function<void()>)> SnsDelivery::Poster() const {
  // Holds no reference to the engine: sink and commit completions may arrive after it is gone
  // (the io_context must still exist).
  return [alive = std::weak_ptr<std::atomic<bool>>(alive_), io = &io_](std::function<void()> fn) {
    auto token = alive.lock();
    if (!token || !token->load()) return;
    boost::asio::post(*io, [alive, fn = std::move(fn)] {
      auto again = alive.lock();
      if (again && again->load()) fn();
    });
  };
}

bool SnsDelivery::HasSink(const sns::Delivery& d) const {
  if (d.protocol == "lambda") return functions_ != nullptr;
  if (d.protocol == "http" || d.protocol == "https") return http_ != nullptr;
  return true;
}

void SnsDelivery::Enqueue(const std::vector<sns::DeliveryPtr>& deliveries) {
  {
    std::lock_guard lock(mu_);
    for (const auto& d : deliveries) {
      // Parked entries (no sink) are only counted, never held or read back.
      const bool take_now = !HasSink(*d) || (on_disk_.empty() && d->seq > startup_last_);
      if (take_now && AcceptLocked(d)) continue;
      on_disk_.Insert(d->seq);  // read back from the outbox when room frees
    }
    MaybeRefillLocked();
  }
  Pump();
}

bool SnsDelivery::AcceptLocked(const sns::DeliveryPtr& d) {
  if (!HasSink(*d)) {
    // Held in memory, such entries would pile up for as long as the sink is missing.
    if (d->seq > last_parked_seq_) {
      last_parked_seq_ = d->seq;
      ++stats_.parked;
    }
    return true;
  }
  if (items_.contains(d->seq)) return true;
  const size_t bytes = EntryBytes(*d);
  if (!items_.empty() &&
      (items_.size() >= options_.max_loaded || loaded_bytes_ + bytes > options_.max_loaded_bytes)) {
    return false;
  }
  items_.emplace(d->seq, Item{.delivery = d, .bytes = bytes});
  loaded_bytes_ += bytes;
  if (d->fifo) {
    auto& lane = lanes_[d->subscription_arn];
    lane.insert(d->seq);
    // Entries of a lane arrive in seq order (one topic's commits are ordered), except when a
    // publish raced Start: then the earlier entry becomes the head and the old one waits.
    if (*lane.begin() != d->seq) return true;
    if (lane.size() > 1) ready_.erase(*std::next(lane.begin()));
  }
  ready_.insert(d->seq);
  return true;
}

Result<bool> SnsDelivery::RefillLocked(size_t max_entries) {
  while (!on_disk_.empty()) {
    if (!items_.empty() && items_.size() >= options_.max_loaded) return false;
    if (max_entries == 0) return true;
    // A page larger than the room, so that parked entries (which take none) are passed over
    // in few reads; what finds no room is read again later.
    const size_t room = options_.max_loaded - std::min(items_.size(), options_.max_loaded);
    const size_t limit = std::min(std::max<size_t>(room, kMinRefillRead), max_entries);
    const auto [first, last] = on_disk_.Front();
    auto page = sns_.LoadOutbox(first, last, limit);
    if (!page.ok()) return page.status();
    // Every seq of [first, done] is in memory, parked, or no longer in the outbox.
    uint64_t done = page->size() < limit ? last : page->back()->seq;
    bool full = false;
    for (const auto& d : *page) {
      if (!AcceptLocked(d)) {
        done = d->seq - 1;  // seqs start at 1; done < first leaves the range whole
        full = true;
        break;
      }
    }
    on_disk_.EraseRange(first, done);
    if (full) return false;
    max_entries -= std::min(max_entries, page->size());
  }
  return false;
}

void SnsDelivery::MaybeRefillLocked() {
  if (on_disk_.empty()) return;
  if (!items_.empty() &&
      (items_.size() > options_.max_loaded / 2 || loaded_bytes_ > options_.max_loaded_bytes / 2)) {
    return;
  }
  auto more = RefillLocked(kRefillPage);
  if (!more.ok()) {
    spdlog::error("sns delivery: cannot read the outbox: {}", more.status().ToString());
    return;
  }
  // A page of parked entries may leave room and nothing in memory whose end would call this
  // again: go on in a task of its own, which lets the I/O thread serve in between.
  if (*more) {
    Post([this] {
      {
        std::lock_guard lock(mu_);
        MaybeRefillLocked();
      }
      Pump();
    });
  }
}

void SnsDelivery::MakeReadyLocked(uint64_t seq) {
  auto it = items_.find(seq);
  if (it == items_.end() || it->second.busy) return;
  const auto& d = *it->second.delivery;
  if (d.fifo) {
    auto lane = lanes_.find(d.subscription_arn);
    if (lane == lanes_.end() || *lane->second.begin() != seq) return;
  }
  ready_.insert(seq);
}

void SnsDelivery::Pump() {
  std::vector<std::pair<sns::DeliveryPtr, uint32_t>> ready;
  {
    std::lock_guard lock(mu_);
    while (in_flight_ < options_.max_in_flight && !ready_.empty()) {
      const uint64_t seq = *ready_.begin();
      ready_.erase(ready_.begin());
      auto it = items_.find(seq);
      if (it == items_.end() || it->second.busy) continue;
      it->second.busy = true;
      ++in_flight_;
      ready.emplace_back(it->second.delivery, it->second.attempts);
    }
  }
  for (const auto& [d, attempts] : ready) Dispatch(d, attempts);
}

void SnsDelivery::Dispatch(const sns::DeliveryPtr& d, uint32_t attempts) {
  const uint64_t seq = d->seq;
  // An UnsubscribeConfirmation is for a subscription that is gone by design.
  if (d->kind != sns::DeliveryKind::kUnsubscribeConfirmation &&
      !sns_.SubscriptionExists(d->subscription_arn)) {
    spdlog::debug("sns delivery: subscription {} is gone, dropping message {}", d->subscription_arn,
                  d->message_id);
    {
      std::lock_guard lock(mu_);
      --in_flight_;
    }
    sns_.CompleteDelivery(seq, [this, post = Poster(), seq](const Status&) {
      post([this, seq] { Finish(seq, Outcome::kUnsubscribed); });
    });
    return;
  }
  auto done = [this, post = Poster(), seq](SinkResult r) {
    post([this, seq, r = std::move(r)]() mutable { OnResult(seq, std::move(r), false); });
  };
  if (d->protocol == "sqs") {
    queues_.Send(d->endpoint, QueueMessageFor(*d, d->endpoint), std::move(done));
  } else if (d->protocol == "http" || d->protocol == "https") {
    if (http_ == nullptr) return done({SinkOutcome::kUnavailable, "no http sink"});
    http_->Post(d->endpoint, sns::DeliveryHttpHeaders(*d), sns::DeliveryBody(*d), std::move(done));
  } else if (d->protocol == "lambda") {
    if (functions_ == nullptr) return done({SinkOutcome::kUnavailable, "Lambda is not running"});
    functions_->InvokeAsyncTraced(d->endpoint, LambdaEvent(*d), d->trace_header, std::move(done));
  } else {
    done({SinkOutcome::kRejected, "unsupported protocol " + d->protocol});
  }
}

std::optional<milliseconds> SnsDelivery::NextDelay(const sns::Delivery& d,
                                                   uint32_t attempts) const {
  if (d.protocol == "http" || d.protocol == "https") {
    int64_t retries = 3, min_delay = 20, max_delay = 20, no_delay = 0;
    std::string backoff = "linear";
    boost::system::error_code ec;
    json::value policy = json::parse(d.delivery_policy, ec);
    if (!ec && policy.is_object()) {
      const json::object* p = &policy.get_object();
      if (const auto* http = p->if_contains("http"); http && http->is_object())
        p = &http->get_object();
      const json::value* h = p->if_contains("healthyRetryPolicy");
      if (!h) h = p->if_contains("defaultHealthyRetryPolicy");
      if (h && h->is_object()) {
        const auto& o = h->get_object();
        retries = IntField(o, "numRetries", retries);
        min_delay = IntField(o, "minDelayTarget", min_delay);
        max_delay = IntField(o, "maxDelayTarget", max_delay);
        no_delay = IntField(o, "numNoDelayRetries", no_delay);
        if (const auto* b = o.if_contains("backoffFunction"); b && b->is_string()) {
          backoff = std::string(b->get_string());
        }
      }
    }
    if (attempts > static_cast<uint32_t>(std::max<int64_t>(retries, 0))) return std::nullopt;
    if (attempts <= static_cast<uint32_t>(std::max<int64_t>(no_delay, 0))) return milliseconds(0);
    const double span = static_cast<double>(std::max(max_delay - min_delay, int64_t{0}));
    const double steps = static_cast<double>(std::max<int64_t>(retries - 1, 1));
    double fraction = std::min(1.0, static_cast<double>(attempts - 1) / steps);
    if (backoff == "exponential") fraction = fraction * fraction;
    const double seconds = static_cast<double>(min_delay) + span * fraction;
    return milliseconds(static_cast<int64_t>(seconds * options_.http_second.count()));
  }
  if (attempts >= options_.max_attempts) return std::nullopt;
  int64_t delay = options_.initial_backoff.count();
  for (uint32_t i = 1; i < attempts && delay < options_.max_backoff.count(); ++i) delay *= 2;
  return milliseconds(std::min<int64_t>(delay, options_.max_backoff.count()));
}

void SnsDelivery::OnResult(uint64_t seq, SinkResult result, bool to_dlq) {
  sns::DeliveryPtr d;
  uint32_t attempts = 0;
  {
    std::lock_guard lock(mu_);
    auto it = items_.find(seq);
    if (it == items_.end()) return;
    --in_flight_;
    d = it->second.delivery;
    if (result.outcome != SinkOutcome::kUnavailable && !to_dlq) ++it->second.attempts;
    attempts = it->second.attempts;
  }
  if (result.outcome == SinkOutcome::kAccepted) {
    sns_.CompleteDelivery(seq, [this, post = Poster(), seq, to_dlq](const Status& st) {
      if (!st.ok()) spdlog::warn("sns delivery: outbox delete failed: {}", st.ToString());
      post([this, seq, to_dlq] {
        Finish(seq, to_dlq ? Outcome::kDeadLettered : Outcome::kDelivered);
      });
    });
    return;
  }
  if (to_dlq) {  // the dead-letter queue itself failed: try it again later
    spdlog::warn("sns delivery: dead-letter queue {} refused message {}: {}", d->dlq_arn,
                 d->message_id, result.error);
    Retry(seq, options_.max_backoff);
    return;
  }
  if (result.outcome == SinkOutcome::kUnavailable) {
    Retry(seq, options_.unavailable_wait);
    return;
  }
  const auto delay = NextDelay(*d, attempts);
  const bool give_up = result.outcome == SinkOutcome::kRejected || !delay ||
                       (result.outcome == SinkOutcome::kGone && !d->dlq_arn.empty());
  if (!give_up) {
    spdlog::debug("sns delivery: {} to {} failed ({}), retry {} in {} ms", d->message_id,
                  d->endpoint, result.error, attempts, delay->count());
    Retry(seq, *delay);
    return;
  }
  if (!d->dlq_arn.empty()) {
    SendToDlq(d);
    return;
  }
  spdlog::warn("sns delivery: message {} for {} failed after {} attempts, no dead-letter queue: {}",
               d->message_id, d->subscription_arn, attempts, result.error);
  sns_.CompleteDelivery(seq, [this, post = Poster(), seq](const Status&) {
    post([this, seq] { Finish(seq, Outcome::kFailed); });
  });
}

void SnsDelivery::SendToDlq(const sns::DeliveryPtr& d) {
  {
    std::lock_guard lock(mu_);
    ++in_flight_;
  }
  // The message the subscription's own queue would have got, whatever its protocol.
  QueueMessage m = QueueMessageFor(*d, d->dlq_arn);
  const uint64_t seq = d->seq;
  queues_.Send(d->dlq_arn, std::move(m), [this, post = Poster(), seq](SinkResult r) {
    post([this, seq, r = std::move(r)]() mutable { OnResult(seq, std::move(r), true); });
  });
}

void SnsDelivery::Retry(uint64_t seq, milliseconds delay) {
  {
    std::lock_guard lock(mu_);
    ++stats_.retries;
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
  timer->async_wait([this, timer, seq, alive = std::weak_ptr<std::atomic<bool>>(alive_)](
                        const boost::system::error_code& ec) {
    auto token = alive.lock();
    if (ec || !token || !token->load()) return;
    {
      std::lock_guard lock(mu_);
      auto it = items_.find(seq);
      if (it == items_.end()) return;
      it->second.busy = false;
      MakeReadyLocked(seq);
    }
    Pump();
  });
}

void SnsDelivery::Finish(uint64_t seq, Outcome outcome) {
  {
    std::lock_guard lock(mu_);
    auto it = items_.find(seq);
    if (it == items_.end()) return;
    const auto& d = *it->second.delivery;
    std::optional<uint64_t> next_in_lane;
    if (d.fifo) {
      auto lane = lanes_.find(d.subscription_arn);
      if (lane != lanes_.end()) {
        lane->second.erase(seq);
        if (lane->second.empty()) {
          lanes_.erase(lane);
        } else {
          next_in_lane = *lane->second.begin();
        }
      }
    }
    switch (outcome) {
      case Outcome::kDelivered:
        ++stats_.delivered;
        if (options_.metrics != nullptr && d.timestamp_micros > 0) {
          const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
          options_.metrics->sns_publish_to_delivery[MappingMetrics::SnsProtocolIndex(d.protocol)]
              .Record(std::chrono::microseconds(std::max<int64_t>(now - d.timestamp_micros, 0)));
        }
        break;
      case Outcome::kDeadLettered:
        ++stats_.dead_lettered;
        break;
      case Outcome::kFailed:
        ++stats_.failed;
        break;
      case Outcome::kUnsubscribed:
        ++stats_.unsubscribed;
        break;
    }
    ready_.erase(seq);
    loaded_bytes_ -= it->second.bytes;
    items_.erase(it);
    if (next_in_lane) MakeReadyLocked(*next_in_lane);
    MaybeRefillLocked();
  }
  Pump();
}

}  // namespace tidepool::engine
