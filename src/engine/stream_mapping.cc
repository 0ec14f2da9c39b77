#include "engine/stream_mapping.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>

#include "engine/service_client.h"
#include "engine/stream_mapping_shard.h"

namespace tidepool::engine {
namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

// FNV-1a: a record's lane must not depend on the standard library's hash.
uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

StreamMapping::StreamMapping(MappingDeps& deps, lambda::MappingViewPtr view)
    : deps_(deps), kinesis_(view->source == lambda::MappingSource::kKinesis) {
  Update(std::move(view));
  role_arn_ = deps_.lambda.FunctionRole(view_->function_arn);
}

Result<std::vector<std::pair<std::string, std::string>>> StreamMapping::InitialPositions(
    MappingDeps& deps, const lambda::MappingView& view) {
  const bool kinesis = view.source == lambda::MappingSource::kKinesis;
  auto latest = kinesis ? deps.kinesis.LatestPositions(view.source_arn)
                        : deps.dynamodb_streams.LatestPositions(view.source_arn);
  if (!latest.ok()) {
    return Status::InvalidArgument(
        fmt::format("{} not found: {}", kinesis ? "Stream" : "Stream", view.source_arn));
  }
  std::vector<std::pair<std::string, std::string>> out;
  if (view.starting_position != "LATEST") return out;
  for (auto& [shard, seq] : *latest) {
    out.emplace_back(shard, seq.empty() ? std::string("trim") : "after:" + seq);
  }
  return out;
}

void StreamMapping::Start() {
  auto loaded = deps_.lambda.LoadCheckpoints(view_->uuid);
  if (!loaded.ok()) {
    spdlog::error("mapping {}: cannot load its positions: {}", view_->uuid,
                  loaded.status().ToString());
  } else {
    std::lock_guard lock(mu_);
    for (auto& [shard, position] : *loaded) positions_[shard] = position;
  }
  RefreshShards();
}

void StreamMapping::Update(lambda::MappingViewPtr view) {
  Filters filters = CompileFilters(*view);
  std::vector<ShardPtr> all;
  {
    std::lock_guard lock(mu_);
    view_ = std::move(view);
    filters_ = std::move(filters);
    for (auto& [id, s] : shards_) all.push_back(s);
  }
  for (const auto& s : all) Pump(s);
}

void StreamMapping::Wake(std::string_view shard_id, std::chrono::steady_clock::time_point written) {
  std::vector<ShardPtr> wake;
  bool unknown = false;
  deps_.metrics.hop(Source(), Hop::kWriteToWake).Record(std::chrono::steady_clock::now() - written);
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    if (shard_id.empty()) {
      for (auto& [id, s] : shards_) wake.push_back(s);
    } else if (auto it = shards_.find(std::string(shard_id)); it != shards_.end()) {
      wake.push_back(it->second);
    } else {
      unknown = true;
    }
    for (auto& s : wake) {
      s->caught_up = false;
      if (s->woken == std::chrono::steady_clock::time_point{}) s->woken = written;
    }
  }
  if (unknown) return RefreshShards();
  for (const auto& s : wake) Pump(s);
}

void StreamMapping::Stop(std::function<void()> stopped) {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    for (auto& [id, s] : shards_) {
      if (s->read_timer) s->read_timer->cancel();
      for (auto& lane : s->lanes) {
        for (auto* t : {&lane->timer, &lane->window_timer, &lane->tumble_timer}) {
          if (*t) (*t)->cancel();
        }
      }
    }
  }
  stopped();
}

bool StreamMapping::Runnable() const { return !stopped_ && view_->enabled; }

int StreamMapping::Source() const { return kinesis_ ? 0 : 1; }

std::chrono::milliseconds StreamMapping::Scaled(milliseconds d) const {
  return milliseconds(
      static_cast<int64_t>(static_cast<double>(d.count()) * deps_.options.time_scale));
}

bool StreamMapping::ParentsDone(const Shard& shard) const {
  for (const std::string* p : {&shard.parent, &shard.adjacent_parent}) {
    if (p->empty()) continue;
    auto it = shards_.find(*p);
    if (it != shards_.end() && !it->second->done) return false;
  }
  return true;
}

std::string StreamMapping::SeqOf(const json::object& record) const {
  if (kinesis_) return JsonString(record, "SequenceNumber");
  const json::value* d = record.if_contains("dynamodb");
  return d && d->is_object() ? JsonString(d->get_object(), "SequenceNumber") : std::string();
}

double StreamMapping::ArrivalOf(const json::object& record) const {
  const json::value* t = nullptr;
  if (kinesis_) {
    t = record.if_contains("ApproximateArrivalTimestamp");
  } else if (const json::value* d = record.if_contains("dynamodb"); d && d->is_object()) {
    t = d->get_object().if_contains("ApproximateCreationDateTime");
  }
  return t && t->is_number() ? t->to_number<double>() : 0.0;
}

size_t StreamMapping::LaneOf(const json::object& record, size_t lanes) const {
  if (lanes <= 1) return 0;
  std::string key;
  if (kinesis_) {
    key = JsonString(record, "PartitionKey");
  } else if (const json::value* d = record.if_contains("dynamodb"); d && d->is_object()) {
    if (const json::value* k = d->get_object().if_contains("Keys")) key = json::serialize(*k);
  }
  return static_cast<size_t>(Fnv1a(key) % lanes);
}

json::object StreamMapping::EventRecord(const Shard& shard, const json::object& record) const {
  EventContext ctx{view_->source_arn, view_->region, role_arn_};
  return kinesis_ ? KinesisEventRecord(record, shard.id, ctx) : DynamoDbEventRecord(record, ctx);
}

void StreamMapping::RefreshShards() {
  {
    std::lock_guard lock(mu_);
    if (stopped_ || refreshing_) return;
    refreshing_ = true;
  }
  auto self = shared_from_this();
  json::object input;
  input[kinesis_ ? "StreamARN" : "StreamArn"] = view_->source_arn;
  protocol::Service& service = kinesis_ ? static_cast<protocol::Service&>(deps_.kinesis)
                                        : static_cast<protocol::Service&>(deps_.dynamodb_streams);
  CallService(
      deps_.io, service, kinesis_ ? "ListShards" : "DescribeStream", input, view_->account,
      view_->region, [self](ServiceOutcome outcome) {
        std::vector<ShardPtr> all;
        {
          std::lock_guard lock(self->mu_);
          self->refreshing_ = false;
          if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
            spdlog::warn("mapping {}: cannot list the shards of {}: {}", self->view_->uuid,
                         self->view_->source_arn, err->message);
            return;
          }
          const json::value& out = std::get<json::value>(outcome);
          const json::value* shards = nullptr;
          if (self->kinesis_) {
            shards = out.as_object().if_contains("Shards");
          } else if (const json::value* d = out.as_object().if_contains("StreamDescription")) {
            shards = d->as_object().if_contains("Shards");
          }
          if (shards != nullptr && shards->is_array()) {
            for (const auto& s : shards->get_array()) {
              const json::object& o = s.as_object();
              std::string id = JsonString(o, "ShardId");
              if (id.empty() || self->shards_.contains(id)) continue;
              auto shard = std::make_shared<Shard>();
              shard->id = id;
              shard->parent = JsonString(o, "ParentShardId");
              shard->adjacent_parent = JsonString(o, "AdjacentParentShardId");
              auto pos = self->positions_.find(id);
              if (pos != self->positions_.end()) {
                const std::string& p = pos->second;
                if (p == "done") shard->done = true;
                if (p.rfind("after:", 0) == 0) shard->read_after = p.substr(6);
              } else if (self->view_->starting_position == "AT_TIMESTAMP") {
                shard->start = "at";
              }
              self->LoadWindows(*shard);
              self->shards_[id] = std::move(shard);
            }
          }
          for (auto& [id, s] : self->shards_) all.push_back(s);
        }
        for (const auto& s : all) self->Pump(s);
      });
}

size_t StreamMapping::LaneCount() const {
  return static_cast<size_t>(std::clamp<int64_t>(view_->parallelization_factor, 1, 10));
}

void StreamMapping::Pump(const ShardPtr& shard) {
  std::vector<LanePtr> due;
  std::vector<std::pair<LanePtr, bool>> ending;  // lanes whose window ends; whether early
  Positions cleared;
  bool read = false;
  bool finished = false;
  std::string iterator;
  {
    std::lock_guard lock(mu_);
    if (!Runnable() || shard->done || !ParentsDone(*shard)) return;
    const bool tumbling = view_->tumbling_window_seconds > 0;
    // A new ParallelizationFactor applies once nothing is in flight and every window is closed.
    if (Relaning(*shard) && shard->Idle() && !shard->WindowOpen()) {
      if (tumbling) cleared = ClearedWindowRecords(*shard);
      shard->SetLanes(LaneCount());
    }
    const bool relaning = Relaning(*shard);
    const int64_t window = Scaled(milliseconds(view_->batching_window_seconds * 1000)).count();
    const int64_t length = view_->tumbling_window_seconds * 1000;
    const int64_t now = NowMs();
    for (const LanePtr& lane : shard->lanes) {
      if (lane->busy) continue;
      if (WindowOver(*shard, *lane)) {
        lane->busy = true;
        const bool cut = relaning && lane->buffer.empty() && length > 0 && !shard->ended &&
                         now < lane->window_start + length;
        ending.emplace_back(lane, lane->window_full || cut);
        continue;
      }
      if (lane->buffer.empty()) {
        if (shard->caught_up && lane->window_start >= 0 && !lane->tumble_armed) {
          // Nothing to read: the lane's open window ends by the clock.
          lane->tumble_armed = true;
          const int64_t end = lane->window_start + length;
          lane->tumble_timer = std::make_shared<boost::asio::steady_timer>(deps_.io);
          lane->tumble_timer->expires_after(milliseconds(std::max<int64_t>(end - now, 0) + 1));
          auto self = shared_from_this();
          lane->tumble_timer->async_wait([self, shard, lane](const boost::system::error_code& ec) {
            {
              std::lock_guard lock(self->mu_);
              lane->tumble_armed = false;
            }
            if (!ec) self->Pump(shard);
          });
        }
        continue;
      }
      const size_t batch_size =
          lane->limit > 0 ? lane->limit : static_cast<size_t>(view_->batch_size);
      const int64_t waited = now - lane->window_start_ms;
      if (lane->buffer.size() >= batch_size || lane->bytes >= kMaxBatchBytes || waited >= window ||
          shard->ended) {
        lane->busy = true;
        due.push_back(lane);
      } else if (shard->caught_up && !lane->window_armed) {
        lane->window_armed = true;
        lane->window_timer = std::make_shared<boost::asio::steady_timer>(deps_.io);
        lane->window_timer->expires_after(milliseconds(window - waited));
        auto self = shared_from_this();
        lane->window_timer->async_wait([self, shard, lane](const boost::system::error_code& ec) {
          {
            std::lock_guard lock(self->mu_);
            lane->window_armed = false;
          }
          if (!ec) self->Pump(shard);
        });
      }
    }
    const size_t lanes = shard->lanes.size();
    const size_t room = (lanes + 1) * static_cast<size_t>(view_->batch_size);
    if (shard->ended) {
      finished = shard->Idle() && !shard->WindowOpen();
      shard->done = finished;
    } else if (!shard->reading && !shard->caught_up && !(relaning && tumbling) &&
               shard->buffered < room && shard->buffered_bytes < (lanes + 1) * kMaxBatchBytes) {
      // With windows, a shard waiting for a new lane count reads nothing more until it has it.
      shard->reading = true;
      read = true;
      iterator = shard->iterator;
    }
  }
  if (!cleared.empty()) SavePosition(shard, "", {}, std::move(cleared));
  for (auto& [lane, early] : ending) EndWindow(shard, lane, early);
  if (finished) {
    SavePosition(shard, "done");
    // Its children may start now.
    std::vector<ShardPtr> all;
    {
      std::lock_guard relock(mu_);
      for (auto& [id, s] : shards_) all.push_back(s);
    }
    for (const auto& s : all) Pump(s);
    return RefreshShards();
  }
  for (const LanePtr& lane : due) Dispatch(shard, lane);
  if (read) Read(shard, std::move(iterator));
}

void StreamMapping::Read(const ShardPtr& shard, std::string iterator) {
  auto self = shared_from_this();
  protocol::Service& service = kinesis_ ? static_cast<protocol::Service&>(deps_.kinesis)
                                        : static_cast<protocol::Service&>(deps_.dynamodb_streams);
  if (iterator.empty()) {
    json::object input;
    input[kinesis_ ? "StreamARN" : "StreamArn"] = view_->source_arn;
    input["ShardId"] = shard->id;
    {
      std::lock_guard lock(mu_);
      if (!shard->read_after.empty()) {
        input["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER";
        input[kinesis_ ? "StartingSequenceNumber" : "SequenceNumber"] = shard->read_after;
      } else if (shard->start == "at") {
        input["ShardIteratorType"] = "AT_TIMESTAMP";
        input["Timestamp"] = view_->starting_timestamp;
      } else {
        input["ShardIteratorType"] = "TRIM_HORIZON";
      }
    }
    return CallService(deps_.io, service, "GetShardIterator", input, view_->account, view_->region,
                       [self, shard](ServiceOutcome outcome) {
                         if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
                           spdlog::warn("mapping {}: GetShardIterator {}: {}", self->view_->uuid,
                                        shard->id, err->message);
                           if (err->code == "TrimmedDataAccessException") {
                             // The checkpoint's records aged out: go on from the oldest left,
                             // as Lambda does.
                             std::lock_guard lock(self->mu_);
                             shard->read_after.clear();
                           }
                           return self->ReadAfter(shard, milliseconds(1000));
                         }
                         std::string it = JsonString(std::get<json::value>(outcome).as_object(),
                                                     "ShardIterator");
                         if (it.empty()) return self->ReadAfter(shard, milliseconds(1000));
                         self->Read(shard, std::move(it));
                       });
  }
  int64_t limit;
  {
    std::lock_guard lock(mu_);
    const int64_t room = static_cast<int64_t>(shard->lanes.size() + 1) * view_->batch_size;
    limit = std::max<int64_t>(1, room - static_cast<int64_t>(shard->buffered));
  }
  limit = std::min<int64_t>(limit, kinesis_ ? 10000 : 1000);
  json::object input{{"ShardIterator", iterator}, {"Limit", limit}};
  CallService(deps_.io, service, "GetRecords", input, view_->account, view_->region,
              [self, shard](ServiceOutcome outcome) {
                if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
                  {
                    std::lock_guard lock(self->mu_);
                    shard->iterator.clear();  // expired or gone: the next read starts over
                  }
                  if (err->code != "ExpiredIteratorException") {
                    spdlog::warn("mapping {}: GetRecords {}: {}", self->view_->uuid, shard->id,
                                 err->message);
                  }
                  return self->ReadAfter(
                      shard, milliseconds(err->code == "ExpiredIteratorException" ? 0 : 1000));
                }
                json::object& out = std::get<json::value>(outcome).as_object();
                std::pair<std::string, Ledger> passed;
                {
                  std::lock_guard lock(self->mu_);
                  shard->reading = false;
                  json::value* records = out.if_contains("Records");
                  json::array none;
                  json::array& got =
                      records != nullptr && records->is_array() ? records->get_array() : none;
                  shard->caught_up = got.empty();
                  if (self->Distribute(*shard, got)) passed = self->Advance(*shard);
                  shard->iterator = JsonString(out, "NextShardIterator");
                  if (shard->iterator.empty()) shard->ended = true;
                }
                if (!passed.first.empty() || !passed.second.empty()) {
                  self->SavePosition(shard, std::move(passed.first), std::move(passed.second));
                }
                self->Pump(shard);
              });
}

bool StreamMapping::Distribute(Shard& shard, json::array& records) {
  if (records.empty()) return false;
  const auto woken = std::exchange(shard.woken, {});
  const int64_t now = NowMs();
  bool skipped = false;
  for (auto& r : records) {
    if (!r.is_object()) continue;
    json::object& record = r.get_object();
    shard.read_after = SeqOf(record);
    Lane& lane = *shard.lanes[LaneOf(record, shard.lanes.size())];
    if (!lane.skip_through.empty()) {
      // Delivered again after a restart, and already in the lane's window state.
      if (SequenceAtMost(shard.read_after, lane.skip_through)) {
        shard.order.push_back({shard.read_after, true});
        skipped = true;
        continue;
      }
      lane.skip_through.clear();
    }
    const size_t bytes = kinesis_ ? JsonString(record, "Data").size() * 3 / 4 : 1024;
    if (lane.buffer.empty()) lane.window_start_ms = now;
    if (lane.woken == std::chrono::steady_clock::time_point{}) lane.woken = woken;
    const uint64_t ordinal = shard.first_ordinal + shard.order.size();
    shard.order.push_back({shard.read_after, false});
    lane.buffer.push_back({ordinal, bytes, std::move(record)});
    lane.bytes += bytes;
    ++shard.buffered;
    shard.buffered_bytes += bytes;
  }
  return skipped;
}

void StreamMapping::ReadAfter(const ShardPtr& shard, milliseconds delay) {
  auto self = shared_from_this();
  std::lock_guard lock(mu_);
  shard->reading = true;
  shard->read_timer = std::make_shared<boost::asio::steady_timer>(deps_.io);
  shard->read_timer->expires_after(Scaled(delay));
  shard->read_timer->async_wait([self, shard](const boost::system::error_code& ec) {
    {
      std::lock_guard lock(self->mu_);
      shard->reading = false;
    }
    if (!ec) self->Pump(shard);
  });
}

void StreamMapping::SavePosition(const ShardPtr& shard, std::string position, Ledger ledger,
                                 Positions windows) {
  const std::string uuid = view_->uuid;
  Positions positions = std::move(windows);
  if (!position.empty()) positions.emplace_back(shard->id, std::move(position));
  if (positions.empty() && ledger.empty()) return;  // the watermark did not move
  deps_.lambda.SaveCheckpoints(
      uuid, std::move(positions),
      [uuid](const Status& st) {
        if (!st.ok() && st.code() != StatusCode::kNotFound) {
          spdlog::error("mapping {}: cannot store a position: {}", uuid, st.ToString());
        }
      },
      std::move(ledger));
}

std::pair<std::string, StreamMapping::Ledger> StreamMapping::Consume(Shard& shard, Lane& lane,
                                                                     size_t consumed) {
  for (size_t i = 0; i < consumed && !lane.buffer.empty(); ++i) {
    const Lane::Item& item = lane.buffer.front();
    Shard::Entry& entry = shard.order[item.ordinal - shard.first_ordinal];
    entry.done = true;
    if (view_->tumbling_window_seconds > 0) lane.through = entry.seq;
    lane.bytes -= item.bytes;
    shard.buffered_bytes -= item.bytes;
    --shard.buffered;
    lane.buffer.pop_front();
  }
  return Advance(shard);
}

std::pair<std::string, StreamMapping::Ledger> StreamMapping::Advance(Shard& shard) {
  std::map<std::string, lambda::LambdaService::LedgerRun> runs;  // by first sequence number
  std::string last;
  while (!shard.order.empty() && shard.order.front().done) {
    last = std::move(shard.order.front().seq);
    shard.order.pop_front();
    ++shard.first_ordinal;
    char outcome = 'd';
    if (auto it = shard.marks.find(last); it != shard.marks.end()) {
      outcome = it->second;
      shard.marks.erase(it);
    }
    Shard::Run& run = shard.run;
    if (outcome == 'd') {
      run = {};
      continue;
    }
    if (run.outcome == outcome) {
      run.last = last;
      ++run.count;
    } else {
      run = {outcome, last, last, 1};
    }
    runs[run.first] = {shard.id, run.first,
                       fmt::format("{} {} {}", run.outcome, run.last, run.count)};
  }
  Ledger out;
  for (auto& [first, r] : runs) out.push_back(std::move(r));
  return {last.empty() ? std::string() : "after:" + last, std::move(out)};
}

}  // namespace tidepool::engine
