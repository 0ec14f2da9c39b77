#include "engine/queue_mapping.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <algorithm>

#include "engine/mapping_events.h"
#include "engine/service_client.h"

namespace tidepool::engine {
namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

constexpr int kSqs = static_cast<int>(lambda::MappingSource::kSqs);

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string QueueUrlOfArn(std::string_view arn) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t colon = arn.find(':', start);
    parts.push_back(arn.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  return parts.size() == 6 ? std::string(parts[4]) + "/" + std::string(parts[5]) : std::string();
}

struct QueueMapping::Worker {
  uint64_t generation = 0;
  std::vector<json::object> batch;  // messages received, not yet delivered (wire form)
  int64_t window_start_ms = 0;
  std::chrono::steady_clock::time_point received_at{};  // the batch's first message (metrics)
  std::shared_ptr<boost::asio::steady_timer> timer;
};

QueueMapping::QueueMapping(MappingDeps& deps, lambda::MappingViewPtr view) : deps_(deps) {
  view_ = std::move(view);
}

Status QueueMapping::Check(MappingDeps& deps, const lambda::MappingView& view) {
  // GetQueueAttributes answers inline; an answer that comes later is not waited for.
  auto missing = std::make_shared<std::atomic<bool>>(false);
  CallService(deps.sqs, "GetQueueAttributes",
              json::object{{"QueueUrl", QueueUrlOfArn(view.source_arn)},
                           {"AttributeNames", json::array{"QueueArn"}}},
              view.account, view.region, [missing](ServiceOutcome outcome) {
                if (std::holds_alternative<protocol::AwsError>(outcome)) missing->store(true);
              });
  if (!missing->load()) return Status::Ok();
  return Status::InvalidArgument(
      "Error occurred while ReceiveMessage. SQS Error Code: "
      "AWS.SimpleQueueService.NonExistentQueue. "
      "SQS Error Message: The specified queue does not exist for this wsdl version.");
}

std::string QueueMapping::QueueUrl() const { return QueueUrlOfArn(view_->source_arn); }

void QueueMapping::Start() {
  lambda::MappingViewPtr view;
  {
    std::lock_guard lock(mu_);
    view = view_;
  }
  Update(std::move(view));
}

void QueueMapping::Update(lambda::MappingViewPtr view) {
  Filters filters = CompileFilters(*view);
  std::lock_guard lock(mu_);
  view_ = std::move(view);
  filters_ = std::move(filters);
  ++generation_;  // the old workers finish what they hold and retire
  workers_.clear();
  if (!stopped_ && view_->enabled) StartWorkers();
}

void QueueMapping::StartWorkers() {
  const int64_t n = view_->maximum_concurrency > 0 ? view_->maximum_concurrency
                                                   : deps_.options.sqs_default_concurrency;
  auto self = shared_from_this();
  for (int64_t i = 0; i < n; ++i) {
    auto w = std::make_shared<Worker>();
    w->generation = generation_;
    workers_.push_back(w);
    boost::asio::post(deps_.io, [self, w] { self->Receive(w); });
  }
}

void QueueMapping::Stop(std::function<void()> stopped) {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    ++generation_;
    for (auto& w : workers_) {
      if (w->timer) w->timer->cancel();
    }
    workers_.clear();
  }
  stopped();
}

bool QueueMapping::Current(const Worker& worker) const {
  return !stopped_ && view_->enabled && worker.generation == generation_;
}

void QueueMapping::Receive(const WorkerPtr& worker) {
  int64_t want, wait;
  lambda::MappingViewPtr view;
  {
    std::lock_guard lock(mu_);
    if (!Current(*worker)) return;
    view = view_;
    want = view_->batch_size - static_cast<int64_t>(worker->batch.size());
    wait = 20;
    if (!worker->batch.empty()) {
      const int64_t window = static_cast<int64_t>(
          static_cast<double>(view_->batching_window_seconds * 1000) * deps_.options.time_scale);
      const int64_t left = window - (NowMs() - worker->window_start_ms);
      if (want <= 0 || left <= 0) {
        wait = -1;
      } else {
        wait = std::min<int64_t>(20, (left + 999) / 1000);
      }
    }
  }
  if (wait < 0) return Dispatch(worker);
  auto self = shared_from_this();
  json::object input{{"QueueUrl", QueueUrl()},
                     {"MaxNumberOfMessages", std::clamp<int64_t>(want, 1, 10)},
                     {"WaitTimeSeconds", wait},
                     {"MessageSystemAttributeNames", json::array{"All"}},
                     {"MessageAttributeNames", json::array{"All"}}};
  CallService(
      deps_.io, deps_.sqs, "ReceiveMessage", input, view->account, view->region,
      [self, worker, view](ServiceOutcome outcome) {
        if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
          spdlog::warn("mapping {}: ReceiveMessage: {}", view->uuid, err->message);
          return self->After(worker, milliseconds(1000));
        }
        json::object& out = std::get<json::value>(outcome).as_object();
        std::vector<std::string> orphans;
        bool dispatch = false;
        {
          std::lock_guard lock(self->mu_);
          json::value* messages = out.if_contains("Messages");
          const bool current = self->Current(*worker);
          if (messages != nullptr && messages->is_array()) {
            for (auto& m : messages->get_array()) {
              if (!m.is_object()) continue;
              if (!current) {
                orphans.push_back(JsonString(m.get_object(), "ReceiptHandle"));
                continue;
              }
              if (worker->batch.empty()) {
                worker->window_start_ms = NowMs();
                worker->received_at = std::chrono::steady_clock::now();
              }
              // Received again while batching (its visibility timeout ran out): keep
              // the newest receipt only.
              const std::string id = JsonString(m.get_object(), "MessageId");
              auto& batch = worker->batch;
              std::erase_if(
                  batch, [&](const json::object& o) { return JsonString(o, "MessageId") == id; });
              batch.push_back(std::move(m.get_object()));
            }
          }
          if (!current && worker->batch.empty()) {
            // Retired while parked: what it got goes back to the queue at once.
          } else {
            dispatch = !worker->batch.empty() &&
                       (self->view_->batching_window_seconds == 0 ||
                        static_cast<int64_t>(worker->batch.size()) >= self->view_->batch_size);
          }
        }
        if (!orphans.empty()) self->Release(std::move(orphans));
        if (dispatch) return self->Dispatch(worker);
        self->Receive(worker);
      });
}

void QueueMapping::Dispatch(const WorkerPtr& worker) {
  std::vector<json::object> batch;
  std::vector<json::object> events;
  std::vector<std::string> filtered;
  std::chrono::steady_clock::time_point received_at;
  lambda::MappingViewPtr view;
  {
    std::lock_guard lock(mu_);
    batch = std::move(worker->batch);
    worker->batch.clear();
    received_at = worker->received_at;
    view = view_;
    EventContext ctx{view_->source_arn, view_->region, ""};
    for (const auto& m : batch) {
      json::object event = SqsEventRecord(m, ctx);
      const bool keep = PassesFilters(filters_, event, view_->source);
      if (keep) {
        events.push_back(std::move(event));
      } else {
        filtered.push_back(JsonString(m, "ReceiptHandle"));
      }
    }
  }
  auto& outcomes = deps_.metrics.outcomes[kSqs];
  outcomes.filtered += filtered.size();
  if (!filtered.empty()) Delete(std::move(filtered));
  if (events.empty()) return Receive(worker);
  std::vector<std::pair<std::string, std::string>> ids;  // messageId, receipt handle
  json::array records;
  // The batch continues the first traced message's trace (AWS's SQS event source does the
  // same with its AWSTraceHeader).
  functions::Invocation invocation;
  for (const auto& e : events) {
    const json::value* attrs = e.if_contains("attributes");
    const json::value* trace =
        attrs && attrs->is_object() ? attrs->get_object().if_contains("AWSTraceHeader") : nullptr;
    if (trace && trace->is_string()) {
      invocation.trace_id = std::string(trace->get_string());
      break;
    }
  }
  for (auto& e : events) {
    ids.emplace_back(JsonString(e, "messageId"), JsonString(e, "receiptHandle"));
    records.emplace_back(std::move(e));
  }
  invocation.payload = json::serialize(json::object{{"Records", std::move(records)}});
  auto self = shared_from_this();
  const auto invoked = std::chrono::steady_clock::now();
  deps_.metrics.hop(kSqs, Hop::kWakeToInvoke).Record(invoked - received_at);
  deps_.lambda.InvokeFunction(
      view->function_arn, view->account, view->region, std::move(invocation),
      [self, worker, view, ids = std::move(ids), received_at,
       invoked](functions::InvokeOutcome outcome) {
        using Kind = functions::InvokeOutcome::Kind;
        self->deps_.metrics.RecordInvoke(kSqs, outcome, received_at, invoked);
        std::vector<std::string> done;
        if (outcome.kind == Kind::kSuccess) {
          std::optional<std::vector<std::string>> failed;
          if (view->report_batch_item_failures) {
            failed = BatchItemFailures(outcome.payload);
          } else {
            failed.emplace();
          }
          if (failed) {
            for (const auto& [id, receipt] : ids) {
              if (std::find(failed->begin(), failed->end(), id) == failed->end()) {
                done.push_back(receipt);
              }
            }
          }
        } else if (outcome.kind == Kind::kServiceError &&
                   outcome.message.rfind(lambda::kRecursionStoppedPrefix, 0) != 0) {
          spdlog::warn("mapping {}: cannot invoke {}: {}", view->uuid, view->function_arn,
                       outcome.message);
        }
        auto& outcomes = self->deps_.metrics.outcomes[kSqs];
        outcomes.delivered += done.size();
        outcomes.retried += ids.size() - done.size();
        if (!done.empty()) self->Delete(std::move(done));
        if (outcome.kind == Kind::kServiceError || outcome.kind == Kind::kThrottled) {
          return self->After(worker, milliseconds(outcome.kind == Kind::kThrottled ? 100 : 1000));
        }
        self->Receive(worker);
      },
      lambda::RecursionCheck::kEnforce);
}

void QueueMapping::Delete(std::vector<std::string> receipts) {
  ForReceipts("DeleteMessageBatch", std::move(receipts), false);
}

void QueueMapping::Release(std::vector<std::string> receipts) {
  ForReceipts("ChangeMessageVisibilityBatch", std::move(receipts), true);
}

void QueueMapping::ForReceipts(std::string_view operation, std::vector<std::string> receipts,
                               bool release) {
  lambda::MappingViewPtr view;
  {
    std::lock_guard lock(mu_);
    view = view_;
  }
  for (size_t i = 0; i < receipts.size(); i += 10) {
    json::array entries;
    for (size_t j = i; j < std::min(receipts.size(), i + 10); ++j) {
      json::object entry{{"Id", std::to_string(j)}, {"ReceiptHandle", receipts[j]}};
      if (release) entry["VisibilityTimeout"] = 0;
      entries.push_back(std::move(entry));
    }
    CallService(deps_.io, deps_.sqs, operation,
                json::object{{"QueueUrl", QueueUrl()}, {"Entries", std::move(entries)}},
                view->account, view->region,
                [uuid = view->uuid, operation = std::string(operation)](ServiceOutcome outcome) {
                  if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
                    spdlog::warn("mapping {}: {}: {}", uuid, operation, err->message);
                  }
                });
  }
}

void QueueMapping::After(const WorkerPtr& worker, milliseconds delay) {
  auto self = shared_from_this();
  std::lock_guard lock(mu_);
  if (!Current(*worker)) return;
  worker->timer = std::make_shared<boost::asio::steady_timer>(deps_.io);
  worker->timer->expires_after(milliseconds(
      static_cast<int64_t>(static_cast<double>(delay.count()) * deps_.options.time_scale)));
  worker->timer->async_wait([self, worker](const boost::system::error_code& ec) {
    if (!ec) self->Receive(worker);
  });
}

}  // namespace tidepool::engine
