#include "engine/lambda_async_invoke.h"

#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <ctime>

#include "engine/service_client.h"

namespace tidepool::engine {

namespace json = boost::json;
using functions::InvokeOutcome;

struct LambdaAsyncInvoke::Attempt {
  lambda::AsyncInvocationPtr entry;
  int failures = 0;  // function errors so far
  int invokes = 0;   // invocations that ran the function
  std::unique_ptr<boost::asio::steady_timer> timer;
};

namespace {

// "2019-11-14T18:16:05.568Z"
std::string IsoMillis(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

// A payload as JSON when it is JSON, else as a string.
json::value PayloadValue(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return json::string(text);
  return v;
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LambdaAsyncInvoke::LambdaAsyncInvoke(lambda::LambdaService& lambda, boost::asio::io_context& io,
                                     QueueSink& queues, protocol::Service* sns,
                                     LambdaAsyncInvokeOptions options)
    : lambda_(lambda), io_(io), queues_(queues), sns_(sns), options_(options) {}

LambdaAsyncInvoke::~LambdaAsyncInvoke() { Stop(); }

std::chrono::milliseconds LambdaAsyncInvoke::Scaled(std::chrono::milliseconds d) const {
  return std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(d.count()) * options_.time_scale));
}

Status LambdaAsyncInvoke::Start() {
  lambda_.SetAsyncListener([this](lambda::AsyncInvocationPtr entry) {
    auto attempt = std::make_shared<Attempt>();
    attempt->entry = std::move(entry);
    Run(std::move(attempt));
  });
  auto queued = lambda_.LoadAsyncQueue();
  if (!queued.ok()) return queued.status();
  if (!queued->empty())
    spdlog::info("lambda: resuming {} queued async invocations", queued->size());
  for (auto& entry : *queued) {
    auto attempt = std::make_shared<Attempt>();
    attempt->entry = std::move(entry);
    Run(std::move(attempt));
  }
  return Status::Ok();
}

void LambdaAsyncInvoke::Stop() {
  stopped_->store(true);
  std::set<std::shared_ptr<Attempt>> waiting;
  {
    std::lock_guard lock(mu_);
    waiting.swap(waiting_);
  }
  for (const auto& a : waiting) a->timer->cancel();
}

void LambdaAsyncInvoke::Run(std::shared_ptr<Attempt> attempt) {
  if (stopped_->load()) return;
  const auto settings = lambda_.AsyncSettingsFor(attempt->entry->function_arn);
  const double max_age_ms =
      static_cast<double>(settings.max_age_seconds) * 1000.0 * options_.time_scale;
  if (static_cast<double>(NowMillis() - attempt->entry->enqueued_ms) > max_age_ms) {
    spdlog::info("lambda: async invocation {} of {} is older than {} s: discarded",
                 attempt->entry->request_id, attempt->entry->function_arn,
                 settings.max_age_seconds);
    return Finish(attempt, "EventAgeExceeded", nullptr);
  }
  functions::Invocation invocation;
  invocation.payload = attempt->entry->payload;
  invocation.request_id = attempt->entry->request_id;
  invocation.trace_id = attempt->entry->trace_header;
  auto stopped = stopped_;
  lambda_.InvokeFunction(
      attempt->entry->function_arn, "", "", std::move(invocation),
      [this, attempt, stopped, max_retries = settings.max_retries](InvokeOutcome outcome) {
        if (stopped->load()) return;  // stays queued for the next run
        const auto& entry = *attempt->entry;
        switch (outcome.kind) {
          case InvokeOutcome::Kind::kSuccess:
            ++attempt->invokes;
            return Finish(attempt, "Success", &outcome);
          case InvokeOutcome::Kind::kFunctionError:
            ++attempt->invokes;
            if (attempt->failures < max_retries) {
              ++attempt->failures;
              // AWS waits 1 minute before the first retry and 2 minutes before the second.
              return RetryLater(attempt, std::chrono::minutes(attempt->failures));
            }
            spdlog::info("lambda: async invocation {} of {} failed after {} retries: {}",
                         entry.request_id, entry.function_arn, max_retries, outcome.payload);
            return Finish(attempt, "RetriesExhausted", &outcome);
          case InvokeOutcome::Kind::kThrottled:
            return RetryLater(attempt, options_.retry_delay);
          case InvokeOutcome::Kind::kServiceError:
            // Recursive loop detection stopped it: no retry; the dead-letter queue or
            // on-failure destination gets it, as on AWS.
            if (outcome.message.rfind(lambda::kRecursionStoppedPrefix, 0) == 0) {
              return Finish(attempt, "RecursiveInvocationException", &outcome);
            }
            if (outcome.message.rfind("Function not found", 0) == 0) {
              spdlog::info("lambda: dropping async invocation {}: {}", entry.request_id,
                           outcome.message);
              return lambda_.CompleteAsync(entry.seq);
            }
            return RetryLater(attempt, options_.retry_delay);
        }
      },
      lambda::RecursionCheck::kEnforce);
}

void LambdaAsyncInvoke::Finish(std::shared_ptr<Attempt> attempt, std::string condition,
                               const InvokeOutcome* outcome) {
  const auto& entry = *attempt->entry;
  const auto settings = lambda_.AsyncSettingsFor(entry.function_arn);
  const bool success = condition == "Success";
  std::vector<std::pair<std::string, std::vector<QueueAttribute>>> sends;  // (arn, attributes)
  std::string record;
  std::string destination = success ? settings.on_success : settings.on_failure;
  if (!destination.empty()) {
    std::string arn = entry.function_arn;
    if (std::count(arn.begin(), arn.end(), ':') == 6) arn += ":$LATEST";
    json::object context{{"requestId", entry.request_id},
                         {"functionArn", arn},
                         {"condition", condition},
                         {"approximateInvokeCount", attempt->invokes}};
    json::object doc{{"version", "1.0"},
                     {"timestamp", IsoMillis(NowMillis())},
                     {"requestContext", std::move(context)},
                     {"requestPayload", PayloadValue(entry.payload)}};
    if (outcome != nullptr) {
      json::object response{{"statusCode", 200}, {"executedVersion", "$LATEST"}};
      if (auto q = arn.rfind(':'); q != std::string::npos) {
        std::string version = arn.substr(q + 1);
        if (version == "$LATEST" || version.find_first_not_of("0123456789") == std::string::npos) {
          response["executedVersion"] = version;
        }
      }
      if (!success) response["functionError"] = "Unhandled";
      doc["responseContext"] = std::move(response);
      doc["responsePayload"] = PayloadValue(outcome->payload);
    }
    record = json::serialize(doc);
    sends.emplace_back(destination, std::vector<QueueAttribute>{});
  }
  if (!success && !settings.dead_letter.empty()) {
    std::string message = "Unhandled";
    if (outcome != nullptr) {
      json::value error = PayloadValue(outcome->payload);
      if (error.is_object()) {
        if (const json::value* m = error.get_object().if_contains("errorMessage");
            m && m->is_string()) {
          message = std::string(m->get_string());
        }
      }
    } else {
      message = "Event age exceeded";
    }
    sends.emplace_back("dlq:" + settings.dead_letter,
                       std::vector<QueueAttribute>{{"RequestID", "String", entry.request_id, false},
                                                   {"ErrorCode", "Number", "200", false},
                                                   {"ErrorMessage", "String", message, false}});
  }
  if (sends.empty()) return lambda_.CompleteAsync(entry.seq);
  auto remaining = std::make_shared<std::atomic<size_t>>(sends.size());
  auto seq = entry.seq;
  auto done = [this, remaining, seq] {
    if (remaining->fetch_sub(1) == 1) lambda_.CompleteAsync(seq);
  };
  for (auto& [target, attributes] : sends) {
    const bool dlq = target.rfind("dlq:", 0) == 0;
    Deliver(dlq ? target.substr(4) : target, entry, dlq ? entry.payload : record,
            std::move(attributes), done);
  }
}

void LambdaAsyncInvoke::Deliver(const std::string& arn, const lambda::AsyncInvocation& entry,
                                std::string body, std::vector<QueueAttribute> attributes,
                                std::function<void()> done) {
  auto logged = [arn, id = entry.request_id, done](const std::string& error) {
    if (!error.empty()) {
      spdlog::warn("lambda: cannot send the record of async invocation {} to {}: {}", id, arn,
                   error);
    }
    done();
  };
  if (arn.rfind("arn:aws:sqs:", 0) == 0) {
    QueueMessage m;
    m.body = std::move(body);
    m.attributes = std::move(attributes);
    return queues_.Send(arn, std::move(m), [logged](SinkResult r) {
      logged(r.outcome == SinkOutcome::kAccepted ? "" : r.error.empty() ? "refused" : r.error);
    });
  }
  if (arn.rfind("arn:aws:lambda:", 0) == 0) {
    return lambda_.EnqueueInternal(
        arn, std::move(body), [logged](const Status& st) { logged(st.ok() ? "" : st.ToString()); });
  }
  if (arn.rfind("arn:aws:sns:", 0) == 0 && sns_ != nullptr) {
    // arn:aws:sns:<region>:<account>:<topic>
    std::vector<std::string> parts;
    for (size_t start = 0, colon; parts.size() < 6; start = colon + 1) {
      colon = arn.find(':', start);
      parts.push_back(arn.substr(start, colon - start));
      if (colon == std::string::npos) break;
    }
    if (parts.size() < 6) return logged("not a topic ARN");
    json::object input{{"TopicArn", arn}, {"Message", std::move(body)}};
    if (!attributes.empty()) {
      json::object attrs;
      for (const auto& a : attributes) {
        attrs[a.name] = json::object{{"DataType", a.data_type}, {"StringValue", a.value}};
      }
      input["MessageAttributes"] = std::move(attrs);
    }
    return CallService(io_, *sns_, "Publish", input, parts[4], parts[3],
                       [logged](ServiceOutcome outcome) {
                         auto* err = std::get_if<protocol::AwsError>(&outcome);
                         logged(err ? err->code + ": " + err->message : "");
                       });
  }
  logged("not a queue, topic or function this process serves");
}

void LambdaAsyncInvoke::RetryLater(std::shared_ptr<Attempt> attempt,
                                   std::chrono::milliseconds delay) {
  attempt->timer = std::make_unique<boost::asio::steady_timer>(io_, Scaled(delay));
  {
    std::lock_guard lock(mu_);
    if (stopped_->load()) return;
    waiting_.insert(attempt);
  }
  attempt->timer->async_wait(
      [this, attempt, stopped = stopped_](const boost::system::error_code& ec) {
        if (ec || stopped->load()) return;
        {
          std::lock_guard lock(mu_);
          waiting_.erase(attempt);
        }
        Run(attempt);
      });
}

}  // namespace tidepool::engine
