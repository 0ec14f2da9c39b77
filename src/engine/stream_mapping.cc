#include "engine/stream_mapping.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <optional>

#include "core/encoding.h"
#include "core/trace_log.h"
#include "engine/mapping_events.h"
#include "engine/service_client.h"

namespace tidepool::engine {
namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

// Data per batch: the invoke payload stays under Lambda's 6 MB once base64 and JSON are added.
constexpr size_t kMaxBatchBytes = 4 * 1024 * 1024;
// A tumbling window's state past this size ends the window early, as on AWS.
constexpr size_t kMaxWindowState = 1024 * 1024;

// The trace a traced write of the batch's first Kinesis record left (TraceLog), or empty: the
// invocation then starts a trace of its own.
std::string RecalledTrace(const std::vector<json::object>& events) {
  if (events.empty()) return {};
  const json::value* arn = events.front().if_contains("eventSourceARN");
  const json::value* k = events.front().if_contains("kinesis");
  if (!arn || !arn->is_string() || !k || !k->is_object()) return {};
  const json::value* seq = k->get_object().if_contains("sequenceNumber");
  if (!seq || !seq->is_string()) return {};
  return TraceLog::Global().Recall(RecordTraceKey(arn->get_string(), seq->get_string()));
}

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct StreamMapping::Shard {
  std::string id;
  std::string parent;
  std::string adjacent_parent;
  std::string read_after;           // sequence number of the last record read; empty: use `start`
  std::string start = "trim";       // when read_after is empty: "trim" or "at" (AT_TIMESTAMP)
  std::string iterator;             // the next GetRecords iterator; empty: get one
  bool busy = false;                // a read, an invocation or a back-off is in progress
  bool caught_up = false;           // the last read found nothing and no wake came since
  bool ended = false;               // a closed shard read to its end
  bool done = false;                // ended, and every record read is delivered
  bool window_armed = false;        // the batching window timer is running
  std::deque<json::object> buffer;  // records read and not yet delivered (wire form)
  int64_t window_start_ms = 0;
  std::chrono::steady_clock::time_point woken{};  // first wake not yet dispatched (metrics)
  // Outcomes other than delivery of records still in the buffer, by sequence number
  // ('f' filtered, 'e' expired, 'o' sent to the on-failure destination, 'x' dropped).
  std::map<std::string, char> marks;
  // The ledger run the last consumed record belongs to (empty outcome: it was delivered).
  struct Run {
    char outcome = 0;
    std::string first;
    std::string last;
    uint64_t count = 0;
  } run;
  int attempts = 0;        // failed invocations of the batch at the front
  size_t limit = 0;        // bisected batch size (0: BatchSize)
  size_t bisect_left = 0;  // records of the bisected batch not yet through
  std::shared_ptr<boost::asio::steady_timer> timer;
  std::shared_ptr<boost::asio::steady_timer> window_timer;
  // Tumbling windows: the open window (epoch ms; -1: none), the state its last invocation
  // returned, and whether that state outgrew kMaxWindowState (the window then ends early).
  int64_t window_start = -1;
  std::string window_state = "{}";
  bool window_full = false;
  bool tumble_armed = false;  // tumble_timer waits for the open window's end
  std::shared_ptr<boost::asio::steady_timer> tumble_timer;
};

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
      if (s->timer) s->timer->cancel();
      if (s->window_timer) s->window_timer->cancel();
      if (s->tumble_timer) s->tumble_timer->cancel();
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
              if (auto w = self->positions_.find(id + "#window");
                  w != self->positions_.end() && !w->second.empty()) {
                const std::string& text = w->second;
                const size_t space = text.find(' ');
                int64_t start = -1;
                std::from_chars(text.data(), text.data() + std::min(space, text.size()), start);
                shard->window_start = start;
                if (space != std::string::npos) shard->window_state = text.substr(space + 1);
              }
              self->shards_[id] = std::move(shard);
            }
          }
          for (auto& [id, s] : self->shards_) all.push_back(s);
        }
        for (const auto& s : all) self->Pump(s);
      });
}

int64_t StreamMapping::WindowOf(const json::object& record) const {
  return WindowStart(ArrivalOf(record), view_->tumbling_window_seconds * 1000);
}

bool StreamMapping::WindowOver(const Shard& shard) const {
  if (shard.window_start < 0) return false;
  const int64_t length = view_->tumbling_window_seconds * 1000;
  if (length <= 0 || shard.window_full) return true;  // windows were turned off, or it is full
  if (!shard.buffer.empty()) return WindowOf(shard.buffer.front()) != shard.window_start;
  return shard.ended || NowMs() >= shard.window_start + length;
}

std::string StreamMapping::WindowText(const Shard& shard) const {
  if (shard.window_start < 0) return {};
  return fmt::format("{} {}", shard.window_start, shard.window_state);
}

void StreamMapping::Pump(const ShardPtr& shard) {
  std::unique_lock lock(mu_);
  if (!Runnable() || shard->busy || shard->done || !ParentsDone(*shard)) return;
  if (WindowOver(*shard)) {
    shard->busy = true;
    lock.unlock();
    return EndWindow(shard);
  }
  const size_t batch_size =
      shard->limit > 0 ? shard->limit : static_cast<size_t>(view_->batch_size);
  if (!shard->buffer.empty()) {
    const int64_t window = Scaled(milliseconds(view_->batching_window_seconds * 1000)).count();
    const int64_t waited = NowMs() - shard->window_start_ms;
    if (shard->buffer.size() >= batch_size || waited >= window || shard->ended) {
      shard->busy = true;
      lock.unlock();
      return Dispatch(shard);
    }
    if (shard->caught_up) {
      if (!shard->window_armed) {
        shard->window_armed = true;
        shard->window_timer = std::make_shared<boost::asio::steady_timer>(deps_.io);
        shard->window_timer->expires_after(milliseconds(window - waited));
        auto self = shared_from_this();
        shard->window_timer->async_wait([self, shard](const boost::system::error_code& ec) {
          {
            std::lock_guard lock(self->mu_);
            shard->window_armed = false;
          }
          if (!ec) self->Pump(shard);
        });
      }
      return;
    }
  } else if (shard->ended) {
    shard->done = true;
    lock.unlock();
    SavePosition(shard, "done");
    // Its children may start now.
    std::vector<ShardPtr> all;
    {
      std::lock_guard relock(mu_);
      for (auto& [id, s] : shards_) all.push_back(s);
    }
    for (const auto& s : all) Pump(s);
    return RefreshShards();
  } else if (shard->caught_up) {
    if (shard->window_start >= 0 && !shard->tumble_armed) {
      // Nothing to read: the open window ends by the clock.
      shard->tumble_armed = true;
      const int64_t end = shard->window_start + view_->tumbling_window_seconds * 1000;
      shard->tumble_timer = std::make_shared<boost::asio::steady_timer>(deps_.io);
      shard->tumble_timer->expires_after(milliseconds(std::max<int64_t>(end - NowMs(), 0) + 1));
      auto self = shared_from_this();
      shard->tumble_timer->async_wait([self, shard](const boost::system::error_code& ec) {
        {
          std::lock_guard lock(self->mu_);
          shard->tumble_armed = false;
        }
        if (!ec) self->Pump(shard);
      });
    }
    return;
  }
  shard->busy = true;
  std::string iterator = shard->iterator;
  lock.unlock();
  Read(shard, std::move(iterator));
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
                           return self->After(shard, milliseconds(1000));
                         }
                         std::string it = JsonString(std::get<json::value>(outcome).as_object(),
                                                     "ShardIterator");
                         if (it.empty()) return self->After(shard, milliseconds(1000));
                         self->Read(shard, std::move(it));
                       });
  }
  int64_t limit;
  {
    std::lock_guard lock(mu_);
    limit = std::max<int64_t>(1, view_->batch_size - static_cast<int64_t>(shard->buffer.size()));
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
                  return self->After(
                      shard, milliseconds(err->code == "ExpiredIteratorException" ? 0 : 1000));
                }
                json::object& out = std::get<json::value>(outcome).as_object();
                {
                  std::lock_guard lock(self->mu_);
                  shard->busy = false;
                  json::value* records = out.if_contains("Records");
                  size_t got = 0;
                  if (records != nullptr && records->is_array()) {
                    for (auto& r : records->get_array()) {
                      if (!r.is_object()) continue;
                      if (shard->buffer.empty()) shard->window_start_ms = NowMs();
                      shard->read_after = self->SeqOf(r.get_object());
                      shard->buffer.push_back(std::move(r.get_object()));
                      ++got;
                    }
                  }
                  shard->iterator = JsonString(out, "NextShardIterator");
                  if (shard->iterator.empty()) shard->ended = true;
                  shard->caught_up = got == 0;
                }
                self->Pump(shard);
              });
}

void StreamMapping::Dispatch(const ShardPtr& shard) {
  std::vector<json::object> all;
  std::vector<json::object> expired;
  std::vector<json::object> events;
  std::chrono::steady_clock::time_point woken;
  {
    std::lock_guard lock(mu_);
    woken = std::exchange(shard->woken, {});
    const size_t batch_size =
        shard->limit > 0 ? shard->limit : static_cast<size_t>(view_->batch_size);
    size_t bytes = 0;
    const bool tumbling = view_->tumbling_window_seconds > 0;
    const double cutoff =
        view_->maximum_record_age >= 0
            ? static_cast<double>(NowMs()) / 1000.0 - static_cast<double>(view_->maximum_record_age)
            : -1.0;
    for (const auto& r : shard->buffer) {
      if (all.size() >= batch_size) break;
      // A batch never spans two tumbling windows.
      if (tumbling && !all.empty() && WindowOf(r) != WindowOf(all.front())) break;
      const size_t size = kinesis_ ? JsonString(r, "Data").size() * 3 / 4 : 1024;
      if (!all.empty() && bytes + size > kMaxBatchBytes) break;
      bytes += size;
      all.push_back(r);
    }
    if (!all.empty()) {
      deps_.metrics.SetIteratorAge(view_->uuid, shard->id,
                                   NowMs() - static_cast<int64_t>(ArrivalOf(all.back()) * 1000.0));
    }
    for (const auto& r : all) {
      if (cutoff >= 0 && ArrivalOf(r) < cutoff) {
        expired.push_back(r);
        shard->marks[SeqOf(r)] = 'e';
        continue;
      }
      json::object event = EventRecord(*shard, r);
      if (PassesFilters(filters_, event, view_->source)) {
        events.push_back(std::move(event));
      } else {
        shard->marks[SeqOf(r)] = 'f';
      }
    }
    if (tumbling && !events.empty() && shard->window_start < 0) {
      shard->window_start = WindowOf(all.front());
      shard->window_state = "{}";
    }
  }
  auto& outcomes = deps_.metrics.outcomes[Source()];
  outcomes.expired += expired.size();
  outcomes.filtered += all.size() - expired.size() - events.size();
  if (!expired.empty()) SendFailure(shard, expired, "RecordAgeExceeded", 0, "");
  if (events.empty()) return Finish(shard, all.size(), SeqOf(all.back()));
  Invoke(shard, std::move(events), std::move(all), woken);
}

void StreamMapping::Invoke(const ShardPtr& shard, std::vector<json::object> events,
                           std::vector<json::object> all,
                           std::chrono::steady_clock::time_point woken) {
  const auto invoked = std::chrono::steady_clock::now();
  const size_t delivered = events.size();
  if (woken != std::chrono::steady_clock::time_point{}) {
    deps_.metrics.hop(Source(), Hop::kWakeToInvoke).Record(invoked - woken);
  }
  functions::Invocation invocation;
  invocation.trace_id = RecalledTrace(events);
  json::array records;
  records.reserve(events.size());
  for (auto& e : events) records.emplace_back(std::move(e));
  auto self = shared_from_this();
  lambda::MappingViewPtr view;
  std::optional<WindowInvoke> window;
  {
    std::lock_guard lock(mu_);
    view = view_;
    ++in_flight_;
    if (view->tumbling_window_seconds > 0 && shard->window_start >= 0) {
      window = WindowInvoke{shard->window_start,
                            shard->window_start + view->tumbling_window_seconds * 1000,
                            shard->window_state,
                            shard->id,
                            view->source_arn,
                            false,
                            false};
    }
  }
  invocation.payload = window ? WindowPayload(std::move(records), *window)
                              : json::serialize(json::object{{"Records", std::move(records)}});
  deps_.lambda.InvokeFunction(
      view->function_arn, view->account, view->region, std::move(invocation),
      [self, shard, view, all = std::move(all), woken, invoked,
       delivered](functions::InvokeOutcome outcome) mutable {
        {
          std::lock_guard lock(self->mu_);
          --self->in_flight_;
        }
        self->deps_.metrics.RecordInvoke(self->Source(), outcome, woken, invoked);
        if (outcome.kind == functions::InvokeOutcome::Kind::kSuccess) {
          self->deps_.metrics.outcomes[self->Source()].delivered += delivered;
        }
        using Kind = functions::InvokeOutcome::Kind;
        if (outcome.kind == Kind::kThrottled) {
          return self->After(shard, milliseconds(200));
        }
        if (outcome.kind == Kind::kServiceError) {
          spdlog::warn("mapping {}: cannot invoke {}: {}", view->uuid, view->function_arn,
                       outcome.message);
          return self->After(shard, milliseconds(1000));
        }
        const size_t n = all.size();
        if (outcome.kind == Kind::kFunctionError) {
          return self->Fail(shard, std::move(all), n, "function error");
        }
        if (view->tumbling_window_seconds > 0) {
          auto state = WindowState(outcome.payload);
          if (!state) return self->Fail(shard, std::move(all), n, "no state in the response");
          std::lock_guard lock(self->mu_);
          shard->window_full = state->size() > kMaxWindowState;
          shard->window_state = std::move(*state);
        }
        if (!view->report_batch_item_failures) {
          return self->Finish(shard, all.size(), self->SeqOf(all.back()));
        }
        auto failed = BatchItemFailures(outcome.payload);
        if (!failed) return self->Fail(shard, std::move(all), n, "invalid response");
        if (failed->empty()) return self->Finish(shard, all.size(), self->SeqOf(all.back()));
        // Retry from the first failed record (in sequence order); the records before it are done.
        size_t first = all.size();
        for (size_t i = 0; i < all.size() && first == all.size(); ++i) {
          const std::string seq = self->SeqOf(all[i]);
          for (const auto& id : *failed) {
            if (id == seq) {
              first = i;
              break;
            }
          }
        }
        if (first == all.size()) {
          return self->Fail(shard, std::move(all), n, "unknown item identifier");
        }
        if (first > 0) {
          std::string last_ok = self->SeqOf(all[first - 1]);
          std::vector<lambda::LambdaService::LedgerRun> ledger;
          {
            std::lock_guard lock(self->mu_);
            ledger = self->Consume(*shard, first);
          }
          self->SavePosition(shard, "after:" + last_ok, std::move(ledger));
        }
        std::vector<json::object> rest(std::make_move_iterator(all.begin() + first),
                                       std::make_move_iterator(all.end()));
        const size_t left = rest.size();
        self->Fail(shard, std::move(rest), left, "partial batch failure");
      });
}

void StreamMapping::Finish(const ShardPtr& shard, size_t consumed, const std::string& last_seq) {
  std::vector<lambda::LambdaService::LedgerRun> ledger;
  {
    std::lock_guard lock(mu_);
    ledger = Consume(*shard, consumed);
    shard->attempts = 0;
    if (shard->limit > 0) {
      shard->bisect_left = shard->bisect_left > consumed ? shard->bisect_left - consumed : 0;
      if (shard->bisect_left == 0) shard->limit = 0;
    }
    shard->busy = false;
    if (!shard->buffer.empty()) shard->window_start_ms = 0;  // the rest is due at once
  }
  deps_.lambda.SetLastProcessingResult(view_->uuid, "OK");
  SavePosition(shard, "after:" + last_seq, std::move(ledger));
  Pump(shard);
}

void StreamMapping::Fail(const ShardPtr& shard, std::vector<json::object> batch, size_t consumed,
                         std::string error) {
  bool give_up = false;
  int attempts;
  deps_.metrics.outcomes[Source()].retried += batch.size();
  {
    std::lock_guard lock(mu_);
    deps_.lambda.SetLastProcessingResult(view_->uuid, "PROBLEM: Function call failed");
    if (view_->bisect_on_error && batch.size() > 1) {
      // A split is not a retry: each half gets the retries the batch had left.
      if (shard->limit == 0) shard->bisect_left = batch.size();
      shard->limit = (batch.size() + 1) / 2;
    } else {
      ++shard->attempts;
      give_up =
          view_->maximum_retry_attempts >= 0 && shard->attempts > view_->maximum_retry_attempts;
    }
    attempts = shard->attempts;
  }
  spdlog::debug("mapping {}: batch of {} on {} failed ({}), attempt {}", view_->uuid, batch.size(),
                shard->id, error, attempts);
  if (give_up) {
    SendFailure(shard, batch, "RetryAttemptsExhausted", attempts, "");
    return Finish(shard, consumed, SeqOf(batch.back()));
  }
  const int64_t backoff = std::min<int64_t>(100LL << std::min(attempts, 8), 10000);
  After(shard, milliseconds(backoff));
}

void StreamMapping::After(const ShardPtr& shard, milliseconds delay) {
  auto self = shared_from_this();
  std::lock_guard lock(mu_);
  shard->busy = true;
  shard->timer = std::make_shared<boost::asio::steady_timer>(deps_.io);
  shard->timer->expires_after(Scaled(delay));
  shard->timer->async_wait([self, shard](const boost::system::error_code& ec) {
    {
      std::lock_guard lock(self->mu_);
      shard->busy = false;
    }
    if (!ec) self->Pump(shard);
  });
}

void StreamMapping::EndWindow(const ShardPtr& shard) {
  WindowInvoke w;
  lambda::MappingViewPtr view;
  {
    std::lock_guard lock(mu_);
    view = view_;
    w.start_ms = shard->window_start;
    w.end_ms = shard->window_start + std::max<int64_t>(view->tumbling_window_seconds, 0) * 1000;
    w.state = shard->window_state;
    w.shard_id = shard->id;
    w.source_arn = view->source_arn;
    w.final = true;
    w.terminated_early = shard->window_full;
    ++in_flight_;
  }
  functions::Invocation invocation;
  invocation.payload = WindowPayload(json::array(), w);
  auto self = shared_from_this();
  deps_.lambda.InvokeFunction(
      view->function_arn, view->account, view->region, std::move(invocation),
      [self, shard, view](functions::InvokeOutcome outcome) {
        using Kind = functions::InvokeOutcome::Kind;
        {
          std::lock_guard lock(self->mu_);
          --self->in_flight_;
        }
        if (outcome.kind != Kind::kSuccess) {
          // AWS holds the shard until the window's final invocation succeeds.
          spdlog::debug("mapping {}: final window invocation on {} failed: {}", view->uuid,
                        shard->id, outcome.message);
          return self->After(shard, milliseconds(outcome.kind == Kind::kThrottled ? 200 : 1000));
        }
        {
          std::lock_guard lock(self->mu_);
          // An early end goes on in the same window with a fresh state, unless it is over too.
          shard->window_full = false;
          shard->window_state = "{}";
          if (self->WindowOver(*shard)) shard->window_start = -1;
          shard->busy = false;
        }
        self->SavePosition(shard, "");
        self->Pump(shard);
      });
}

void StreamMapping::SavePosition(const ShardPtr& shard, std::string position,
                                 std::vector<lambda::LambdaService::LedgerRun> ledger) {
  const std::string uuid = view_->uuid;
  std::vector<std::pair<std::string, std::string>> positions;
  if (!position.empty()) positions.emplace_back(shard->id, std::move(position));
  {
    std::lock_guard lock(mu_);
    if (view_->tumbling_window_seconds > 0 || shard->window_start >= 0) {
      positions.emplace_back(shard->id + "#window", WindowText(*shard));
    }
  }
  deps_.lambda.SaveCheckpoints(
      uuid, std::move(positions),
      [uuid](const Status& st) {
        if (!st.ok() && st.code() != StatusCode::kNotFound) {
          spdlog::error("mapping {}: cannot store a position: {}", uuid, st.ToString());
        }
      },
      std::move(ledger));
}

std::vector<lambda::LambdaService::LedgerRun> StreamMapping::Consume(Shard& shard,
                                                                     size_t consumed) {
  std::map<std::string, lambda::LambdaService::LedgerRun> runs;  // by first sequence number
  for (size_t i = 0; i < consumed && !shard.buffer.empty(); ++i) {
    const std::string seq = SeqOf(shard.buffer.front());
    shard.buffer.pop_front();
    char outcome = 'd';
    if (auto it = shard.marks.find(seq); it != shard.marks.end()) {
      outcome = it->second;
      shard.marks.erase(it);
    }
    Shard::Run& run = shard.run;
    if (outcome == 'd') {
      run = {};
      continue;
    }
    if (run.outcome == outcome) {
      run.last = seq;
      ++run.count;
    } else {
      run = {outcome, seq, seq, 1};
    }
    runs[run.first] = {shard.id, run.first,
                       fmt::format("{} {} {}", run.outcome, run.last, run.count)};
  }
  std::vector<lambda::LambdaService::LedgerRun> out;
  for (auto& [first, r] : runs) out.push_back(std::move(r));
  return out;
}

void StreamMapping::SendFailure(const ShardPtr& shard, const std::vector<json::object>& records,
                                std::string condition, int invoke_count, std::string request_id) {
  lambda::MappingViewPtr view;
  {
    std::lock_guard lock(mu_);
    view = view_;
  }
  if (records.empty()) return;
  auto& outcomes = deps_.metrics.outcomes[Source()];
  (view->on_failure_arn.empty() ? outcomes.dropped : outcomes.on_failure) += records.size();
  {
    std::lock_guard lock(mu_);
    // An expired record keeps 'e': expiry is why it was sent.
    for (const auto& r : records) {
      shard->marks.emplace(SeqOf(r), view->on_failure_arn.empty() ? 'x' : 'o');
    }
  }
  if (view->on_failure_arn.empty()) {
    spdlog::warn("mapping {}: {} records of {} dropped ({}): no on-failure destination", view->uuid,
                 records.size(), shard->id, condition);
    return;
  }
  FailedBatch b;
  b.condition = std::move(condition);
  b.request_id = request_id.empty() ? NewUuid() : std::move(request_id);
  b.function_arn = view->function_arn;
  b.approximate_invoke_count = invoke_count;
  if (invoke_count > 0) b.function_error = "Unhandled";
  b.shard_id = shard->id;
  b.start_sequence_number = SeqOf(records.front());
  b.end_sequence_number = SeqOf(records.back());
  b.first_arrival = ArrivalOf(records.front());
  b.last_arrival = ArrivalOf(records.back());
  b.batch_size = records.size();
  b.stream_arn = view->source_arn;
  std::string body = FailureRecord(b, view->source, NowMs());
  const std::string dest = view->on_failure_arn;
  auto logged = [uuid = view->uuid, dest](const std::string& error) {
    spdlog::error("mapping {}: cannot send an on-failure record to {}: {}", uuid, dest, error);
  };
  if (dest.rfind("arn:aws:sqs:", 0) == 0) {
    sqs::InternalMessage m;
    m.body = std::move(body);
    deps_.sqs.SendInternal(dest, std::move(m), [logged](Result<std::string> r) {
      if (!r.ok()) logged(r.status().ToString());
    });
  } else {
    CallService(deps_.io, deps_.sns, "Publish", json::object{{"TopicArn", dest}, {"Message", body}},
                view->account, view->region, [logged](ServiceOutcome outcome) {
                  if (auto* err = std::get_if<protocol::AwsError>(&outcome)) logged(err->message);
                });
  }
}

}  // namespace tidepool::engine
