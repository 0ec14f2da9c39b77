#include "services/kinesis/kinesis_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <utility>

#include "core/arn.h"
#include "protocol/model/models.h"
#include "services/kinesis/input.h"
#include "services/kinesis/keyspace.h"
#include "services/kinesis/kinesis_errors.h"
#include "services/kinesis/stream_codec.h"
#include "services/write_path.h"
#include "storage/key_codec.h"

namespace tidepool::kinesis {
namespace json = boost::json;
using protocol::CallPtr;

// The registration table: every operation of the Kinesis model, name -> handler.
struct KinesisServiceTable {
  struct Entry {
    std::string_view operation;
    KinesisService::Handler handler;
  };
  static constexpr std::array<Entry, 39> kEntries{{
      {"AddTagsToStream", &KinesisService::AddTagsToStream},
      {"CreateStream", &KinesisService::CreateStream},
      {"DecreaseStreamRetentionPeriod", &KinesisService::DecreaseStreamRetentionPeriod},
      {"DeleteResourcePolicy", &KinesisService::DeleteResourcePolicy},
      {"DeleteStream", &KinesisService::DeleteStream},
      {"DeregisterStreamConsumer", &KinesisService::DeregisterStreamConsumer},
      {"DescribeAccountSettings", &KinesisService::DescribeAccountSettings},
      {"DescribeLimits", &KinesisService::DescribeLimits},
      {"DescribeStream", &KinesisService::DescribeStream},
      {"DescribeStreamConsumer", &KinesisService::DescribeStreamConsumer},
      {"DescribeStreamSummary", &KinesisService::DescribeStreamSummary},
      {"DisableEnhancedMonitoring", &KinesisService::DisableEnhancedMonitoring},
      {"EnableEnhancedMonitoring", &KinesisService::EnableEnhancedMonitoring},
      {"GetRecords", &KinesisService::GetRecords},
      {"GetResourcePolicy", &KinesisService::GetResourcePolicy},
      {"GetShardIterator", &KinesisService::GetShardIterator},
      {"IncreaseStreamRetentionPeriod", &KinesisService::IncreaseStreamRetentionPeriod},
      {"ListShards", &KinesisService::ListShards},
      {"ListStreamConsumers", &KinesisService::ListStreamConsumers},
      {"ListStreams", &KinesisService::ListStreams},
      {"ListTagsForResource", &KinesisService::ListTagsForResource},
      {"ListTagsForStream", &KinesisService::ListTagsForStream},
      {"MergeShards", &KinesisService::MergeShards},
      {"PutRecord", &KinesisService::PutRecord},
      {"PutRecords", &KinesisService::PutRecords},
      {"PutResourcePolicy", &KinesisService::PutResourcePolicy},
      {"RegisterStreamConsumer", &KinesisService::RegisterStreamConsumer},
      {"RemoveTagsFromStream", &KinesisService::RemoveTagsFromStream},
      {"SplitShard", &KinesisService::SplitShard},
      {"StartStreamEncryption", &KinesisService::StartStreamEncryption},
      {"StopStreamEncryption", &KinesisService::StopStreamEncryption},
      {"SubscribeToShard", &KinesisService::SubscribeToShard},
      {"TagResource", &KinesisService::TagResource},
      {"UntagResource", &KinesisService::UntagResource},
      {"UpdateAccountSettings", &KinesisService::UpdateAccountSettings},
      {"UpdateMaxRecordSize", &KinesisService::UpdateMaxRecordSize},
      {"UpdateShardCount", &KinesisService::UpdateShardCount},
      {"UpdateStreamMode", &KinesisService::UpdateStreamMode},
      {"UpdateStreamWarmThroughput", &KinesisService::UpdateStreamWarmThroughput},
  }};

  static KinesisService::Handler Find(std::string_view operation) {
    auto it =
        std::lower_bound(kEntries.begin(), kEntries.end(), operation,
                         [](const Entry& e, std::string_view op) { return e.operation < op; });
    return (it != kEntries.end() && it->operation == operation) ? it->handler : nullptr;
  }
};

KinesisService::KinesisService(storage::Store& store, storage::CommitQueue& commits,
                               const Clock& clock, boost::asio::io_context& io,
                               KinesisOptions options)
    : store_(store),
      commits_(commits),
      clock_(clock),
      io_(io),
      options_(options),
      alive_(std::make_shared<std::atomic<bool>>(true)),
      listeners_(std::make_shared<const ListenerList>()) {}

KinesisService::~KinesisService() { alive_->store(false); }

const protocol::model::ServiceModel& KinesisService::Model() const {
  return protocol::model::KinesisModel();
}

void KinesisService::Invoke(CallPtr call) {
  const Handler handler = KinesisServiceTable::Find(call->operation().name);
  if (handler == nullptr) {
    call->Fail({"UnknownOperationException", "", 400, true, {}});
    return;
  }
  (this->*handler)(std::move(call));
}

bool KinesisService::TakesRawInput(const protocol::model::Operation& op) const {
  return op.name == "PutRecords" || op.name == "PutRecord";
}

json::object KinesisService::Health() const {
  std::shared_lock lock(registry_mu_);
  return json::object{{"status", "running"}, {"streams", streams_.size()}};
}

void KinesisService::Fail(const CallPtr& call, const Status& status) {
  if (call) call->Fail(ToAwsError(status));
}

// ---------------------------------------------------------------------------- registry

std::string KinesisService::RegistryKey(std::string_view account, std::string_view region,
                                        std::string_view name) {
  std::string key;
  key.reserve(account.size() + region.size() + name.size() + 2);
  key.append(account).push_back('\x1f');
  key.append(region).push_back('\x1f');
  key.append(name);
  return key;
}

std::shared_ptr<Stream> KinesisService::FindStream(std::string_view account,
                                                   std::string_view region,
                                                   std::string_view name) const {
  const std::string key = RegistryKey(account, region, name);
  std::shared_lock lock(registry_mu_);
  auto it = streams_.find(key);
  return it == streams_.end() ? nullptr : it->second;
}

std::shared_ptr<Stream> KinesisService::FindStreamByUid(uint64_t uid) const {
  std::shared_lock lock(registry_mu_);
  auto it = streams_by_uid_.find(uid);
  return it == streams_by_uid_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Stream>> KinesisService::StreamsOf(std::string_view account,
                                                               std::string_view region) const {
  std::vector<std::shared_ptr<Stream>> out;
  std::shared_lock lock(registry_mu_);
  for (const auto& [uid, s] : streams_by_uid_) {
    if (s->account == account && s->region == region) out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->name < b->name; });
  return out;
}

int64_t KinesisService::OpenShardsOf(std::string_view account, std::string_view region) const {
  int64_t total = 0;
  for (const auto& s : StreamsOf(account, region)) {
    std::lock_guard lock(s->mu);
    total += s->OpenShardCount();
  }
  return total;
}

Result<std::shared_ptr<Stream>> KinesisService::ResolveStream(const protocol::Call& call) const {
  const auto& in = call.input();
  return ResolveStream(call.context(), InputStringView(in, "StreamName"),
                       InputStringView(in, "StreamARN"));
}

Result<std::shared_ptr<Stream>> KinesisService::ResolveStream(
    const protocol::RequestContext& context, std::optional<std::string_view> name,
    std::optional<std::string_view> arn_text) const {
  std::string_view account = context.account_id;
  std::string_view region = context.region;
  std::string_view stream_name;
  std::optional<Arn> arn;
  if (arn_text) {
    arn = Arn::Parse(*arn_text);
    if (!arn || arn->service != "kinesis" || !arn->resource.starts_with("stream/") ||
        arn->resource.size() <= 7 || arn->resource.find('/', 7) != std::string::npos) {
      return KinesisStatus(KinesisError::kInvalidArgument,
                           fmt::format("Invalid StreamARN {}.", *arn_text));
    }
    account = arn->account;
    region = arn->region;
    stream_name = std::string_view(arn->resource).substr(7);
    if (name && *name != stream_name) {
      return KinesisStatus(
          KinesisError::kInvalidArgument,
          fmt::format("StreamARN {} and StreamName {} do not identify the same stream.", *arn_text,
                      *name));
    }
  } else if (name) {
    stream_name = *name;
  } else {
    return KinesisStatus(KinesisError::kInvalidArgument,
                         "Either StreamName or StreamARN must be provided.");
  }
  auto stream = FindStream(account, region, stream_name);
  if (!stream) {
    return KinesisStatus(
        KinesisError::kResourceNotFound,
        fmt::format("Stream {} under account {} not found.", stream_name, account));
  }
  return stream;
}

Result<KinesisService::ResourceRef> KinesisService::ResolveResourceArn(
    const protocol::Call& call, std::string_view arn_text) const {
  auto arn = Arn::Parse(arn_text);
  if (!arn || arn->service != "kinesis" || !arn->resource.starts_with("stream/")) {
    return KinesisStatus(KinesisError::kInvalidArgument,
                         fmt::format("Invalid ResourceARN {}.", arn_text));
  }
  std::string_view rest = std::string_view(arn->resource).substr(7);
  ResourceRef ref;
  std::string_view stream_name = rest;
  const auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    stream_name = rest.substr(0, slash);
    std::string_view tail = rest.substr(slash + 1);
    if (!tail.starts_with("consumer/")) {
      return KinesisStatus(KinesisError::kInvalidArgument,
                           fmt::format("Invalid ResourceARN {}.", arn_text));
    }
    tail.remove_prefix(9);
    const auto colon = tail.rfind(':');
    ref.consumer = std::string(tail.substr(0, colon));
  }
  ref.stream = FindStream(arn->account, arn->region, stream_name);
  if (!ref.stream) {
    return KinesisStatus(
        KinesisError::kResourceNotFound,
        fmt::format("Stream {} under account {} not found.", stream_name, arn->account));
  }
  if (!ref.consumer.empty()) {
    std::lock_guard lock(ref.stream->mu);
    auto it = ref.stream->consumers.find(ref.consumer);
    if (it == ref.stream->consumers.end() || ref.stream->ConsumerArn(it->second) != arn_text) {
      return KinesisStatus(KinesisError::kResourceNotFound,
                           fmt::format("Consumer {} under stream {} under account {} not found.",
                                       ref.consumer, stream_name, arn->account));
    }
  }
  return ref;
}

// ---------------------------------------------------------------------------- commits

bool KinesisService::Submit(storage::WriteBatch batch, CallPtr call,
                            std::function<void(const Status&)> done) {
  return services::SubmitForCall(commits_, std::move(batch), call, std::move(done), ToAwsError);
}

void KinesisService::CommitMeta(Stream& stream, CallPtr call, json::object output,
                                storage::WriteBatch extra) {
  extra.Put(keyspace::StreamKey(stream.uid), EncodeStreamMeta(stream));
  Submit(std::move(extra), call,
         services::ReplyWhenCommitted(call, std::move(output), ToAwsError, "kinesis"));
}

void KinesisService::EraseStream(const std::shared_ptr<Stream>& stream, CallPtr call) {
  {
    std::unique_lock lock(registry_mu_);
    auto it = streams_.find(RegistryKey(stream->account, stream->region, stream->name));
    if (it != streams_.end() && it->second == stream) streams_.erase(it);
    streams_by_uid_.erase(stream->uid);
  }
  storage::WriteBatch batch;
  batch.Delete(keyspace::StreamKey(stream->uid));
  batch.DeleteRange(keyspace::StreamRecordsBegin(stream->uid),
                    keyspace::StreamRecordsEnd(stream->uid));
  Submit(std::move(batch), call, services::ReplyWhenCommitted(call, {}, ToAwsError, "kinesis"));
}

// ---------------------------------------------------------------------------- transitions

void KinesisService::ScheduleTransition(std::shared_ptr<Stream> stream) {
  const uint64_t transition = stream->transition;  // caller holds stream->mu
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, options_.transition_delay);
  std::weak_ptr<std::atomic<bool>> alive = alive_;
  timer->async_wait([this, timer, alive, stream = std::move(stream),
                     transition](const boost::system::error_code& ec) {
    auto token = alive.lock();
    if (ec || !token || !token->load()) return;
    FinishTransition(stream, transition);
  });
}

void KinesisService::FinishTransition(const std::shared_ptr<Stream>& stream, uint64_t transition) {
  std::unique_lock lock(stream->mu);
  if (stream->transition != transition) return;
  if (stream->status == "DELETING") {
    lock.unlock();
    EraseStream(stream, nullptr);
    return;
  }
  if (stream->status == "ACTIVE") return;
  stream->status = "ACTIVE";
  CommitMeta(*stream, nullptr, {});
}

void KinesisService::ScheduleConsumerTransition(std::shared_ptr<Stream> stream,
                                                std::string consumer) {
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, options_.transition_delay);
  std::weak_ptr<std::atomic<bool>> alive = alive_;
  timer->async_wait([this, timer, alive, stream = std::move(stream),
                     consumer = std::move(consumer)](const boost::system::error_code& ec) {
    auto token = alive.lock();
    if (ec || !token || !token->load()) return;
    FinishConsumerTransition(stream, consumer);
  });
}

void KinesisService::FinishConsumerTransition(const std::shared_ptr<Stream>& stream,
                                              const std::string& consumer) {
  std::lock_guard lock(stream->mu);
  auto it = stream->consumers.find(consumer);
  if (it == stream->consumers.end()) return;
  if (it->second.status == "CREATING") {
    it->second.status = "ACTIVE";
  } else if (it->second.status == "DELETING") {
    stream->consumers.erase(it);
  } else {
    return;
  }
  if (FindStreamByUid(stream->uid) == stream) CommitMeta(*stream, nullptr, {});
}

// ---------------------------------------------------------------------------- listeners

uint64_t KinesisService::AddRecordListener(RecordListener listener) {
  std::lock_guard lock(listeners_mu_);
  auto next = std::make_shared<ListenerList>(*listeners_);
  const uint64_t id = next_listener_id_++;
  next->emplace_back(id, std::move(listener));
  listeners_ = std::move(next);
  has_listeners_.store(true, std::memory_order_release);
  return id;
}

void KinesisService::RemoveRecordListener(uint64_t id) {
  std::lock_guard lock(listeners_mu_);
  auto next = std::make_shared<ListenerList>(*listeners_);
  std::erase_if(*next, [id](const auto& entry) { return entry.first == id; });
  has_listeners_.store(!next->empty(), std::memory_order_release);
  listeners_ = std::move(next);
}

void KinesisService::NotifyRecordListeners(const Stream& stream, uint32_t shard_index,
                                           uint64_t counter) {
  if (!has_listeners_.load(std::memory_order_acquire)) return;
  std::shared_ptr<const ListenerList> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  const RecordsCommitted event{stream.uid, stream.arn, shard_index, counter};
  for (const auto& [id, listener] : *listeners) listener(event);
}

}  // namespace tidepool::kinesis
