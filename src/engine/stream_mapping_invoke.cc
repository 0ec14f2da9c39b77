#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <ctime>
#include <optional>

#include "core/encoding.h"
#include "core/trace_log.h"
#include "engine/mapping_events.h"
#include "engine/service_client.h"
#include "engine/stream_mapping.h"
#include "engine/stream_mapping_shard.h"

namespace tidepool::engine {
namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

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

// Where AWS puts a mapping's on-failure record in an S3 bucket:
// aws/lambda/<mapping UUID>/<shard id>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>.
std::string FailureObjectKey(std::string_view uuid, std::string_view shard, int64_t now_ms) {
  const std::time_t secs = static_cast<std::time_t>(now_ms / 1000);
  std::tm t{};
  gmtime_r(&secs, &t);
  return fmt::format("aws/lambda/{}/{}/{:04}/{:02}/{:02}/{:04}-{:02}-{:02}T{:02}.{:02}.{:02}-{}",
                     uuid, shard, t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_year + 1900,
                     t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, NewUuid());
}

}  // namespace

void StreamMapping::Dispatch(const ShardPtr& shard, const LanePtr& lane) {
  std::vector<json::object> all;
  std::vector<json::object> expired;
  std::vector<json::object> events;
  std::chrono::steady_clock::time_point woken;
  {
    std::lock_guard lock(mu_);
    woken = std::exchange(lane->woken, {});
    const size_t batch_size =
        lane->limit > 0 ? lane->limit : static_cast<size_t>(view_->batch_size);
    size_t bytes = 0;
    const bool tumbling = view_->tumbling_window_seconds > 0;
    const double cutoff =
        view_->maximum_record_age >= 0
            ? static_cast<double>(NowMs()) / 1000.0 - static_cast<double>(view_->maximum_record_age)
            : -1.0;
    for (const auto& item : lane->buffer) {
      if (all.size() >= batch_size) break;
      // A batch never spans two tumbling windows.
      if (tumbling && !all.empty() && WindowOf(item.record) != WindowOf(all.front())) break;
      if (!all.empty() && bytes + item.bytes > kMaxBatchBytes) break;
      bytes += item.bytes;
      all.push_back(item.record);
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
    if (tumbling && !events.empty() && lane->window_start < 0) {
      lane->window_start = WindowOf(all.front());
      lane->window_state = "{}";
    }
  }
  auto& outcomes = deps_.metrics.outcomes[Source()];
  outcomes.expired += expired.size();
  outcomes.filtered += all.size() - expired.size() - events.size();
  if (expired.empty()) {
    if (events.empty()) return Finish(shard, lane, all.size());
    return Invoke(shard, lane, std::move(events), std::move(all), woken);
  }
  // The expired records are done only once their on-failure record is durable.
  auto self = shared_from_this();
  SendFailure(
      shard, expired, "RecordAgeExceeded", 0, "",
      [self, shard, lane, events = std::move(events), all = std::move(all), woken]() mutable {
        if (events.empty()) return self->Finish(shard, lane, all.size());
        self->Invoke(shard, lane, std::move(events), std::move(all), woken);
      });
}

void StreamMapping::Invoke(const ShardPtr& shard, const LanePtr& lane,
                           std::vector<json::object> events, std::vector<json::object> all,
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
    if (view->tumbling_window_seconds > 0 && lane->window_start >= 0) {
      window = WindowInvoke{lane->window_start,
                            lane->window_start + view->tumbling_window_seconds * 1000,
                            lane->window_state,
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
      [self, shard, lane, view, all = std::move(all), woken, invoked,
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
          return self->LaneAfter(shard, lane, milliseconds(200));
        }
        if (outcome.kind == Kind::kServiceError) {
          spdlog::warn("mapping {}: cannot invoke {}: {}", view->uuid, view->function_arn,
                       outcome.message);
          return self->LaneAfter(shard, lane, milliseconds(1000));
        }
        const size_t n = all.size();
        if (outcome.kind == Kind::kFunctionError) {
          return self->Fail(shard, lane, std::move(all), n, "function error");
        }
        if (view->tumbling_window_seconds > 0) {
          auto state = WindowState(outcome.payload);
          if (!state) {
            return self->Fail(shard, lane, std::move(all), n, "no state in the response");
          }
          std::lock_guard lock(self->mu_);
          lane->window_full = state->size() > kMaxWindowState;
          lane->window_state = std::move(*state);
        }
        if (!view->report_batch_item_failures) {
          return self->Finish(shard, lane, all.size());
        }
        auto failed = BatchItemFailures(outcome.payload);
        if (!failed) return self->Fail(shard, lane, std::move(all), n, "invalid response");
        if (failed->empty()) return self->Finish(shard, lane, all.size());
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
          return self->Fail(shard, lane, std::move(all), n, "unknown item identifier");
        }
        if (first > 0) {
          std::pair<std::string, Ledger> passed;
          Positions windows;
          {
            std::lock_guard lock(self->mu_);
            passed = self->Consume(*shard, *lane, first);
            if (view->tumbling_window_seconds > 0 || lane->window_start >= 0) {
              windows = self->WindowRecords(*shard, *lane);
            }
          }
          self->SavePosition(shard, std::move(passed.first), std::move(passed.second),
                             std::move(windows));
        }
        std::vector<json::object> rest(std::make_move_iterator(all.begin() + first),
                                       std::make_move_iterator(all.end()));
        const size_t left = rest.size();
        self->Fail(shard, lane, std::move(rest), left, "partial batch failure");
      });
}

void StreamMapping::Finish(const ShardPtr& shard, const LanePtr& lane, size_t consumed) {
  std::pair<std::string, Ledger> passed;
  Positions windows;
  {
    std::lock_guard lock(mu_);
    passed = Consume(*shard, *lane, consumed);
    if (view_->tumbling_window_seconds > 0 || lane->window_start >= 0) {
      windows = WindowRecords(*shard, *lane);
    }
    lane->attempts = 0;
    if (lane->limit > 0) {
      lane->bisect_left = lane->bisect_left > consumed ? lane->bisect_left - consumed : 0;
      if (lane->bisect_left == 0) lane->limit = 0;
    }
    lane->busy = false;
    if (!lane->buffer.empty()) lane->window_start_ms = 0;  // the rest is due at once
  }
  deps_.lambda.SetLastProcessingResult(view_->uuid, "OK");
  SavePosition(shard, std::move(passed.first), std::move(passed.second), std::move(windows));
  Pump(shard);
}

void StreamMapping::Fail(const ShardPtr& shard, const LanePtr& lane,
                         std::vector<json::object> batch, size_t consumed, std::string error) {
  bool give_up = false;
  int attempts;
  deps_.metrics.outcomes[Source()].retried += batch.size();
  {
    std::lock_guard lock(mu_);
    deps_.lambda.SetLastProcessingResult(view_->uuid, "PROBLEM: Function call failed");
    if (view_->bisect_on_error && batch.size() > 1) {
      // A split is not a retry: each half gets the retries the batch had left.
      if (lane->limit == 0) lane->bisect_left = batch.size();
      lane->limit = (batch.size() + 1) / 2;
    } else {
      ++lane->attempts;
      give_up =
          view_->maximum_retry_attempts >= 0 && lane->attempts > view_->maximum_retry_attempts;
    }
    attempts = lane->attempts;
  }
  spdlog::debug("mapping {}: batch of {} on {} failed ({}), attempt {}", view_->uuid, batch.size(),
                shard->id, error, attempts);
  if (give_up) {
    // The position passes the batch only once its on-failure record is durable: a crash in
    // between sends it again rather than never.
    auto self = shared_from_this();
    return SendFailure(shard, batch, "RetryAttemptsExhausted", attempts, "",
                       [self, shard, lane, consumed] { self->Finish(shard, lane, consumed); });
  }
  const int64_t backoff = std::min<int64_t>(100LL << std::min(attempts, 8), 10000);
  LaneAfter(shard, lane, milliseconds(backoff));
}

void StreamMapping::LaneAfter(const ShardPtr& shard, const LanePtr& lane, milliseconds delay) {
  auto self = shared_from_this();
  std::lock_guard lock(mu_);
  lane->busy = true;
  lane->timer = std::make_shared<boost::asio::steady_timer>(deps_.io);
  lane->timer->expires_after(Scaled(delay));
  lane->timer->async_wait([self, shard, lane](const boost::system::error_code& ec) {
    {
      std::lock_guard lock(self->mu_);
      lane->busy = false;
    }
    if (!ec) self->Pump(shard);
  });
}

void StreamMapping::SendFailure(const ShardPtr& shard, const std::vector<json::object>& records,
                                std::string condition, int invoke_count, std::string request_id,
                                std::function<void()> then) {
  lambda::MappingViewPtr view;
  {
    std::lock_guard lock(mu_);
    view = view_;
  }
  if (records.empty()) return then();
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
    return then();
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
  const bool to_s3 = view->on_failure_arn.rfind("arn:aws:s3:::", 0) == 0;
  if (to_s3) {  // an S3 record carries the batch itself
    json::array events;
    {
      std::lock_guard lock(mu_);
      for (const auto& r : records) events.emplace_back(EventRecord(*shard, r));
    }
    b.payload = json::serialize(json::object{{"Records", std::move(events)}});
  }
  const int64_t now_ms = NowMs();
  std::string body = FailureRecord(b, view->source, now_ms);
  const std::string dest = view->on_failure_arn;
  // Runs `then` on the I/O threads once the record is durable; a destination that refuses it
  // (gone, say) drops the records instead, and the ledger says so.
  std::vector<std::string> seqs;
  for (const auto& r : records) seqs.push_back(SeqOf(r));
  auto self = shared_from_this();
  auto sent = [self, shard, seqs = std::move(seqs), uuid = view->uuid, dest,
               then = std::move(then)](const std::string& error) mutable {
    if (!error.empty()) {
      spdlog::error("mapping {}: cannot send an on-failure record to {}: {}", uuid, dest, error);
      std::lock_guard lock(self->mu_);
      for (const auto& seq : seqs) {
        if (auto it = shard->marks.find(seq); it != shard->marks.end() && it->second == 'o') {
          it->second = 'x';
        }
      }
    }
    boost::asio::post(self->deps_.io, std::move(then));
  };
  if (to_s3) {
    protocol::RequestContext ctx;
    ctx.account_id = view->account;
    ctx.region = view->region;
    ctx.request_id = b.request_id;
    deps_.s3.WriteObjectBytes(std::string_view(dest).substr(13),
                              FailureObjectKey(view->uuid, shard->id, now_ms), std::move(body),
                              "application/json", std::move(ctx),
                              [sent = std::move(sent)](const Status& st) mutable {
                                sent(st.ok() ? std::string() : st.ToString());
                              });
  } else if (dest.rfind("arn:aws:sqs:", 0) == 0) {
    sqs::InternalMessage m;
    m.body = std::move(body);
    deps_.sqs.SendInternal(dest, std::move(m),
                           [sent = std::move(sent)](Result<std::string> r) mutable {
                             sent(r.ok() ? std::string() : r.status().ToString());
                           });
  } else {
    CallService(deps_.io, deps_.sns, "Publish", json::object{{"TopicArn", dest}, {"Message", body}},
                view->account, view->region,
                [sent = std::move(sent)](ServiceOutcome outcome) mutable {
                  auto* err = std::get_if<protocol::AwsError>(&outcome);
                  sent(err ? err->message : std::string());
                });
  }
}

}  // namespace tidepool::engine
