// Enhanced fan-out: SubscribeToShard. A subscription pushes one shard's records to a
// registered consumer as AWS event stream messages on the open response (HTTP/2 DATA frames;
// over HTTP/1.1 a body delimited by closing the connection): first an initial-response event,
// then one SubscribeToShardEvent per batch of new records (at most kMaxEventRecords records or
// kMaxEventBytes bytes), a heartbeat event (no records) when nothing was sent for kHeartbeat,
// and at the end of a closed shard a last event carrying its ChildShards. The response ends
// after options.subscription_lifetime (AWS: 5 minutes), when the stream or the consumer goes
// away, or at the end of a closed shard. A consumer may hold one subscription per shard: a
// second call within kTakeoverAfter is refused, a later one takes the subscription over. Calls
// of one consumer for one shard are limited to one per kCallInterval (LimitExceededException).
//
// Wake-ups: a record listener schedules a pump as soon as the shard commits records (no
// polling delay); a ticker also pumps every `tick` to send heartbeats, to notice resharding,
// deletions and the deadline. Pumps run on the io_context, one at a time per subscription
// (Subscription::pumping); `position` is only touched by the running pump.
#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <vector>

#include "protocol/codec/event_stream.h"
#include "protocol/http/push_body.h"
#include "services/kinesis/input.h"
#include "services/kinesis/keyspace.h"
#include "services/kinesis/kinesis_errors.h"
#include "services/kinesis/kinesis_service.h"
#include "services/kinesis/record_replies.h"
#include "services/kinesis/sequence_number.h"
#include "services/kinesis/views.h"

namespace tidepool::kinesis {
namespace json = boost::json;
using protocol::CallPtr;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr size_t kMaxEventRecords = 10000;
constexpr size_t kMaxEventBytes = 1 << 20;
// A subscriber further behind than this in reading stops the pump until it catches up.
constexpr size_t kMaxBufferedBytes = 8 << 20;
constexpr auto kHeartbeat = std::chrono::seconds(5);
// A new subscription of the same consumer and shard takes over after this long (at most half
// the subscription lifetime); before, it is refused.
constexpr auto kTakeoverAfter = std::chrono::seconds(5);
// AWS: "one call to SubscribeToShard per second per registered consumer per shard". Scaled
// with the subscription lifetime (1 s of 5 minutes), as kTakeoverAfter is.
constexpr auto kCallInterval = std::chrono::seconds(1);
constexpr size_t kMaxRememberedCalls = 4096;
constexpr std::string_view kEventContentType = "application/json";

std::string EventMessage(std::string_view event_type, std::string_view payload) {
  return protocol::event_stream::EncodeEvent(event_type, kEventContentType, payload);
}

}  // namespace

struct KinesisService::Subscription {
  std::string key;  // in subscriptions_
  std::string consumer;
  std::shared_ptr<Stream> stream;
  uint32_t shard_index = 0;
  Shard* shard = nullptr;  // valid while `stream` lives
  std::shared_ptr<protocol::http::PushBody> body;
  SteadyClock::time_point started;
  SteadyClock::time_point deadline;
  SteadyClock::duration tick{};
  uint64_t listener_id = 0;
  // Armed by SubscribeToShard, then only by its own handler (ArmTicker).
  std::unique_ptr<boost::asio::steady_timer> ticker;

  std::mutex mu;  // guards the flags below
  bool pump_pending = false;
  bool pumping = false;
  bool pump_again = false;
  bool ended = false;

  // Pump only.
  uint64_t position = 0;  // the next record counter to send
  SteadyClock::time_point last_event;
};

void KinesisService::SubscribeToShard(CallPtr call) {
  const auto& in = call->input();
  const std::string consumer_arn(InputStringView(in, "ConsumerARN").value_or(""));
  const std::string_view shard_text = InputStringView(in, "ShardId").value_or("");
  const json::object* start = InputObject(in, "StartingPosition");
  auto ref = ResolveResourceArn(*call, consumer_arn);
  if (!ref.ok()) return Fail(call, ref.status());
  if (ref->consumer.empty()) {
    return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                    fmt::format("Invalid ConsumerARN {}.", consumer_arn)));
  }
  std::shared_ptr<Stream> stream = ref->stream;
  auto index = ParseShardId(shard_text);
  Shard* shard = nullptr;
  {
    std::lock_guard lock(stream->mu);
    auto it = stream->consumers.find(ref->consumer);
    if (it != stream->consumers.end() && it->second.status != "ACTIVE") {
      return Fail(call, KinesisStatus(KinesisError::kResourceInUse,
                                      fmt::format("Consumer {} under stream {} under account {} "
                                                  "is not ACTIVE, instead in state {}.",
                                                  ref->consumer, stream->name, stream->account,
                                                  it->second.status)));
    }
    if (index && *index < stream->shards.size()) shard = stream->shards[*index].get();
  }
  if (!shard) {
    return Fail(call, KinesisStatus(KinesisError::kResourceNotFound,
                                    fmt::format("Shard {} in stream {} under account {} does not "
                                                "exist",
                                                index ? ShardIdOf(*index) : shard_text,
                                                stream->name, stream->account)));
  }
  auto position = StartingPosition(
      *stream, *index, *shard, start ? InputStringView(*start, "Type").value_or("") : "",
      start ? InputStringView(*start, "SequenceNumber") : std::nullopt,
      start ? InputDouble(*start, "Timestamp") : std::nullopt, "SubscribeToShard");
  if (!position.ok()) return Fail(call, position.status());

  auto sub = std::make_shared<Subscription>();
  sub->key = consumer_arn + '\x1f' + ShardIdOf(*index);
  sub->consumer = ref->consumer;
  sub->stream = stream;
  sub->shard_index = *index;
  sub->shard = shard;
  sub->body = std::make_shared<protocol::http::PushBody>();
  sub->position = std::max<uint64_t>(*position, 1);  // records take counters from 1
  const auto lifetime =
      std::max<SteadyClock::duration>(options_.subscription_lifetime, std::chrono::milliseconds(1));
  sub->deadline = SteadyClock::now() + lifetime;
  sub->tick = std::clamp<SteadyClock::duration>(lifetime / 10, std::chrono::milliseconds(10),
                                                std::chrono::seconds(1));
  sub->started = sub->last_event = SteadyClock::now();
  // AWS: a second call within 5 s of a successful one is refused; a later one takes over and
  // the earlier subscription fails with ResourceInUseException.
  const auto takeover_after = std::min<SteadyClock::duration>(kTakeoverAfter, lifetime / 2);
  const std::string in_use =
      fmt::format("Another active subscription exists for this consumer: {}:{}:{}:{}",
                  stream->account, stream->name, ShardIdOf(*index), ref->consumer);
  const auto call_interval = std::min<SteadyClock::duration>(kCallInterval, lifetime / 300);
  std::shared_ptr<Subscription> replaced;
  {
    std::lock_guard lock(subscriptions_mu_);
    if (Status limited = CountSubscribeCall(sub->key, sub->started, call_interval); !limited.ok()) {
      return Fail(call, limited);
    }
    auto [slot, added] = subscriptions_.try_emplace(sub->key, sub);
    if (!added) {
      if (sub->started - slot->second->started < takeover_after) {
        return Fail(call, KinesisStatus(KinesisError::kResourceInUse, in_use));
      }
      replaced = std::move(slot->second);
      slot->second = sub;
    }
  }
  if (replaced) {
    replaced->body->Push(
        protocol::event_stream::EncodeMessage({{":message-type", "exception"},
                                               {":exception-type", "ResourceInUseException"},
                                               {":content-type", std::string(kEventContentType)}},
                                              json::serialize(json::object{{"message", in_use}})));
    EndSubscription(replaced, /*end_body=*/true);
  }
  std::weak_ptr<Subscription> weak = sub;
  const uint64_t uid = stream->uid;
  const uint32_t shard_index = *index;
  sub->listener_id = AddRecordListener([this, weak, uid, shard_index](const RecordsCommitted& e) {
    if (e.stream_uid != uid || e.shard_index != shard_index) return;
    if (auto s = weak.lock()) SchedulePump(s);
  });
  sub->body->OnAbandoned([this, weak, alive = std::weak_ptr<std::atomic<bool>>(alive_)] {
    auto token = alive.lock();
    auto s = weak.lock();
    if (token && token->load() && s) EndSubscription(s, /*end_body=*/false);
  });
  sub->body->Push(EventMessage("initial-response", "{}"));
  call->ReplyStreamed(json::object{}, sub->body);

  sub->ticker = std::make_unique<boost::asio::steady_timer>(io_);
  ArmTicker(sub);
  SchedulePump(sub);
}

Status KinesisService::CountSubscribeCall(const std::string& key, SteadyClock::time_point now,
                                          SteadyClock::duration interval) {
  if (subscribe_calls_.size() >= kMaxRememberedCalls) {
    std::erase_if(subscribe_calls_, [&](const auto& kv) { return now - kv.second >= interval; });
  }
  auto [last, added] = subscribe_calls_.try_emplace(key, now);
  if (added) return Status::Ok();
  const bool too_soon = now - last->second < interval;
  last->second = now;
  if (!too_soon) return Status::Ok();
  const size_t split = key.find('\x1f');
  return KinesisStatus(KinesisError::kLimitExceeded,
                       fmt::format("Rate exceeded for consumer {} and shard {}",
                                   key.substr(0, split), key.substr(split + 1)));
}

void KinesisService::ArmTicker(const std::shared_ptr<Subscription>& sub) {
  std::weak_ptr<Subscription> weak = sub;
  sub->ticker->expires_after(sub->tick);
  sub->ticker->async_wait([this, weak, alive = std::weak_ptr<std::atomic<bool>>(alive_)](
                              const boost::system::error_code& ec) {
    auto token = alive.lock();
    auto s = weak.lock();
    if (ec || !token || !token->load() || !s) return;
    {
      std::lock_guard lock(s->mu);
      if (s->ended) return;
    }
    SchedulePump(s);
    ArmTicker(s);
  });
}

void KinesisService::SchedulePump(const std::shared_ptr<Subscription>& sub) {
  {
    std::lock_guard lock(sub->mu);
    if (sub->ended || sub->pump_pending) return;
    sub->pump_pending = true;
  }
  boost::asio::post(io_, [this, sub, alive = std::weak_ptr<std::atomic<bool>>(alive_)] {
    auto token = alive.lock();
    if (!token || !token->load()) return;
    PumpSubscription(sub);
  });
}

void KinesisService::PumpSubscription(const std::shared_ptr<Subscription>& sub) {
  {
    std::lock_guard lock(sub->mu);
    sub->pump_pending = false;
    if (sub->ended) return;
    if (sub->pumping) {
      sub->pump_again = true;
      return;
    }
    sub->pumping = true;
  }
  for (;;) {
    const bool live = PumpOnce(sub);
    std::lock_guard lock(sub->mu);
    if (!live || !sub->pump_again) {
      sub->pumping = false;
      return;
    }
    sub->pump_again = false;
  }
}

bool KinesisService::PumpOnce(const std::shared_ptr<Subscription>& sub) {
  if (sub->body->abandoned()) {
    EndSubscription(sub, /*end_body=*/false);
    return false;
  }
  const auto steady_now = SteadyClock::now();
  Stream& stream = *sub->stream;
  if (steady_now >= sub->deadline || FindStreamByUid(stream.uid) != sub->stream) {
    EndSubscription(sub, /*end_body=*/true);
    return false;
  }
  int64_t cutoff;
  bool closed;
  uint64_t ending_counter;
  {
    std::lock_guard lock(stream.mu);
    auto it = stream.consumers.find(sub->consumer);
    if (it == stream.consumers.end() || it->second.status != "ACTIVE") {
      EndSubscription(sub, /*end_body=*/true);
      return false;
    }
    cutoff = clock_.NowMicros() - int64_t{stream.retention_hours} * 3600 * 1'000'000;
    closed = !sub->shard->open();
    ending_counter = sub->shard->ending_counter;
  }
  const uint32_t tag = StreamTag(stream.uid);
  bool sent = false;
  while (sub->body->buffered() < kMaxBufferedBytes) {
    const uint64_t committed = sub->shard->committed_counter.load(std::memory_order_acquire);
    if (sub->position > committed) break;
    GetRecordsReply event;
    size_t bytes = 0;
    int64_t last_arrival = 0;
    uint64_t next = sub->position;
    Status st = store_.Scan(
        keyspace::RecordKey(stream.uid, sub->shard_index, sub->position),
        keyspace::RecordKey(stream.uid, sub->shard_index, committed + 1),
        [&](std::string_view key, std::string_view value) {
          auto cursor = keyspace::RecordCursor::Open(key, value);
          if (!cursor) return true;
          cursor->SkipBefore(next);
          uint64_t counter;
          keyspace::RecordView record;
          while (cursor->Next(&counter, &record)) {
            if (counter > committed) return false;
            if (record.arrival_micros < cutoff) {
              next = counter + 1;
              continue;
            }
            const size_t size = record.data.size() + record.partition_key.size();
            if (event.records() > 0 && bytes + size > kMaxEventBytes) return false;
            bytes += size;
            event.AddRecord(SequenceNumber{tag, sub->shard_index, counter}, record.arrival_micros,
                            record.data, record.partition_key, record.encrypted);
            next = counter + 1;
            last_arrival = record.arrival_micros;
            if (event.records() >= kMaxEventRecords) return false;
          }
          return true;
        });
    if (!st.ok()) {
      EndSubscription(sub, /*end_body=*/true);
      return false;
    }
    if (event.records() == 0 && next == sub->position) break;  // nothing readable yet
    sub->position = next;
    if (event.records() == 0) continue;  // skipped expired records only
    const bool caught_up = sub->position > committed;
    const int64_t behind =
        caught_up ? 0 : std::max<int64_t>(0, (clock_.NowMicros() - last_arrival) / 1000);
    const std::string continuation =
        SequenceNumber{tag, sub->shard_index, sub->position - 1}.ToString();
    sub->body->Push(EventMessage("SubscribeToShardEvent",
                                 std::move(event).FinishEvent(continuation, nullptr, behind)));
    sent = true;
  }
  if (closed && sub->position > ending_counter) {
    json::array children;
    {
      std::lock_guard lock(stream.mu);
      children = ChildShardsView(stream, *sub->shard);
    }
    sub->body->Push(
        EventMessage("SubscribeToShardEvent", GetRecordsReply().FinishEvent("", &children, 0)));
    EndSubscription(sub, /*end_body=*/true);
    return false;
  }
  if (sent) {
    sub->last_event = steady_now;
  } else if (steady_now - sub->last_event >= kHeartbeat) {
    const std::string continuation =
        SequenceNumber{tag, sub->shard_index, sub->position - 1}.ToString();
    sub->body->Push(EventMessage("SubscribeToShardEvent",
                                 GetRecordsReply().FinishEvent(continuation, nullptr, 0)));
    sub->last_event = steady_now;
  }
  return true;
}

void KinesisService::EndSubscription(const std::shared_ptr<Subscription>& sub, bool end_body) {
  {
    std::lock_guard lock(sub->mu);
    if (sub->ended) return;
    sub->ended = true;
  }
  {
    std::lock_guard lock(subscriptions_mu_);
    auto it = subscriptions_.find(sub->key);
    if (it != subscriptions_.end() && it->second == sub) subscriptions_.erase(it);
  }
  RemoveRecordListener(sub->listener_id);
  if (end_body) sub->body->End();
}

void KinesisService::EndSubscriptions() {
  std::vector<std::shared_ptr<Subscription>> live;
  {
    std::lock_guard lock(subscriptions_mu_);
    for (const auto& [key, sub] : subscriptions_) live.push_back(sub);
  }
  for (const auto& sub : live) EndSubscription(sub, /*end_body=*/true);
}

}  // namespace tidepool::kinesis
