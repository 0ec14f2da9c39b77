#include "services/lambda/durable/durable_engine.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>

#include "core/encoding.h"
#include "services/lambda/lambda_errors.h"
#include "storage/key_codec.h"

namespace tidepool::lambda::durable {
namespace json = boost::json;
using functions::InvokeOutcome;

namespace {

constexpr size_t kOperationsPerPage = 100;  // InitialExecutionState and GetDurableExecutionState
constexpr int kMaxFailedInvocations = 3;    // function errors in a row before the execution fails
constexpr int64_t kInvocationRetryMs = 1000;

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

Status NoSuchExecution(const std::string& arn) {
  return NotFound("Durable execution not found: " + arn);
}

json::object ErrorFromFunction(const std::string& payload) {
  boost::system::error_code ec;
  json::value v = json::parse(payload, ec);
  json::object error{{"ErrorType", "Unhandled"}, {"ErrorMessage", payload}};
  if (!ec && v.is_object()) {
    const json::object& o = v.get_object();
    if (std::string t = Str(o, "errorType"); !t.empty()) error["ErrorType"] = t;
    if (std::string m = Str(o, "errorMessage"); !m.empty()) error["ErrorMessage"] = m;
  }
  return error;
}

}  // namespace

DurableEngine::DurableEngine(storage::Store& store, storage::CommitQueue& commits,
                             const Clock& clock, std::string key_prefix,
                             DurableEngineOptions options)
    : store_(store),
      commits_(commits),
      clock_(clock),
      key_prefix_(std::move(key_prefix)),
      options_(std::move(options)) {}

DurableEngine::~DurableEngine() { Stop(); }

void DurableEngine::Stop() { stopped_->store(true); }

size_t DurableEngine::size() const {
  std::shared_lock lock(mu_);
  return executions_.size();
}

DurableEngine::EntryPtr DurableEngine::Find(const std::string& arn) const {
  std::shared_lock lock(mu_);
  auto it = executions_.find(arn);
  return it == executions_.end() ? nullptr : it->second;
}

Status DurableEngine::Recover() {
  std::vector<EntryPtr> loaded;
  Status s = store_.Scan(key_prefix_, storage::PrefixEnd(key_prefix_),
                         [&](std::string_view, std::string_view value) {
                           auto e = DurableExecution::Decode(value);
                           if (!e.ok()) {
                             spdlog::error("lambda: skipping an undecodable durable execution: {}",
                                           e.status().ToString());
                             return true;
                           }
                           auto entry = std::make_shared<Entry>();
                           entry->execution = std::move(*e);
                           loaded.push_back(std::move(entry));
                           return true;
                         });
  if (!s.ok()) return s;
  {
    std::unique_lock lock(mu_);
    for (const auto& entry : loaded) {
      const json::object& meta = entry->execution.meta();
      executions_[entry->execution.arn()] = entry;
      names_[Str(meta, "UnqualifiedArn") + "/" + Str(meta, "DurableExecutionName")] =
          entry->execution.arn();
    }
  }
  for (const auto& entry : loaded) {
    std::function<void()> next, chained;
    {
      std::lock_guard lock(entry->mu);
      if (!entry->execution.running()) {
        ArmExpiry(entry->execution);
        continue;
      }
      const json::value* parked = entry->execution.meta().if_contains("Parked");
      if (parked && parked->is_bool() && parked->get_bool() && !entry->execution.wake()) {
        next = Settle(entry);
      } else {
        next = BeginInvoke(entry);
      }
      chained = LaunchChained(entry);
    }
    if (next) next();
    if (chained) chained();
  }
  return Status::Ok();
}

void DurableEngine::Persist(Entry& entry, std::function<void(const Status&)> done) {
  storage::WriteBatch batch;
  batch.Put(key_prefix_ + entry.execution.arn(), entry.execution.Encode());
  Status s = commits_.Submit(std::move(batch), std::move(done));
  if (!s.ok()) spdlog::error("lambda: cannot persist a durable execution: {}", s.ToString());
}

void DurableEngine::Start(StartRequest request, DescriptionDone done) {
  const std::string name = request.name.empty() ? NewUuid() : request.name;
  const std::string name_key = request.function_arn + "/" + name;
  EntryPtr entry;
  {
    std::unique_lock lock(mu_);
    if (auto it = names_.find(name_key); it != names_.end()) {
      EntryPtr existing = executions_.at(it->second);
      lock.unlock();
      std::unique_lock elock(existing->mu);
      if (Str(existing->execution.meta(), "InputPayload") != request.payload) {
        elock.unlock();
        return done(LambdaStatus(
            LambdaError::kDurableExecutionAlreadyStarted,
            "Durable execution with name " + name + " already exists with a different payload"));
      }
      if (request.wait && existing->execution.running()) {
        existing->waiters.push_back(std::move(done));
        return;
      }
      json::object description = existing->execution.Description();
      elock.unlock();
      return done(std::move(description));
    }
    std::string invocation_id = NewUuid();
    std::string qualified = request.function_arn + ":" + request.version;
    json::object meta{
        {"DurableExecutionArn", qualified + "/durable-execution/" + name + "/" + invocation_id},
        {"DurableExecutionName", name},
        {"FunctionArn", qualified},
        {"UnqualifiedArn", request.function_arn},
        {"Version", request.version},
        {"ExecutionTimeout", request.execution_timeout},
        {"RetentionPeriodInDays", request.retention_days}};
    if (!request.trace_header.empty()) meta["TraceHeader"] = request.trace_header;
    entry = std::make_shared<Entry>();
    entry->execution = DurableExecution::Start(std::move(meta), std::move(request.payload), NowMs(),
                                               options_.time_scale);
    executions_[entry->execution.arn()] = entry;
    names_[name_key] = entry->execution.arn();
  }
  std::lock_guard elock(entry->mu);
  if (request.wait) entry->waiters.push_back(done);
  Persist(*entry, [this, entry, done = std::move(done), wait = request.wait](const Status& s) {
    if (!s.ok()) return done(s);
    std::function<void()> next;
    json::object description;
    {
      std::lock_guard lock(entry->mu);
      Arm(entry->execution.arn(), *entry->execution.NextDue());
      next = BeginInvoke(entry);
      description = entry->execution.Description();
    }
    if (!wait) done(std::move(description));
    if (next) next();
  });
}

std::function<void()> DurableEngine::BeginInvoke(const EntryPtr& entry) {
  if (entry->invoking || !entry->execution.running() || stopped_->load()) return nullptr;
  entry->invoking = true;
  DurableExecution& e = entry->execution;
  const int64_t n = e.BeginInvocation();
  std::string marker;
  json::array ops = e.OperationsPage(0, kOperationsPerPage, &marker);
  json::object state{{"Operations", std::move(ops)}};
  if (!marker.empty()) state["NextMarker"] = marker;
  functions::Invocation invocation;
  invocation.payload =
      json::serialize(json::object{{"DurableExecutionArn", e.arn()},
                                   {"CheckpointToken", EncodeCheckpointToken(n, e.rev())},
                                   {"InitialExecutionState", std::move(state)}});
  invocation.trace_id = Str(e.meta(), "TraceHeader");
  const std::string target = Str(e.meta(), "FunctionArn");
  const int64_t started = NowMs();
  return [this, entry, target, started, invocation = std::move(invocation)]() mutable {
    options_.invoke(target, std::move(invocation), [this, entry, started](InvokeOutcome outcome) {
      OnInvoked(entry, started, std::move(outcome));
    });
  };
}

void DurableEngine::OnInvoked(const EntryPtr& entry, int64_t started_ms, InvokeOutcome outcome) {
  std::function<void()> next;
  std::unique_lock lock(entry->mu);
  entry->invoking = false;
  DurableExecution& e = entry->execution;
  const int64_t now = NowMs();
  if (!e.running()) {  // stopped or timed out while the function ran
    e.AddInvocationCompleted(started_ms, now, outcome.request_id, nullptr);
    Persist(*entry, [](const Status&) {});
    return;
  }
  std::optional<json::object> invocation_error;
  if (outcome.kind == InvokeOutcome::Kind::kSuccess) {
    entry->failed_invocations = 0;
    boost::system::error_code ec;
    json::value out = json::parse(outcome.payload, ec);
    const json::object* o = ec ? nullptr : out.if_object();
    const std::string status = o ? Str(*o, "Status") : std::string();
    if (status == "SUCCEEDED") {
      std::string result = Str(*o, "Result");
      if (result.empty()) result = e.CheckpointedResult();
      e.AddInvocationCompleted(started_ms, now, outcome.request_id, nullptr);
      e.Close("SUCCEEDED", &result, nullptr, now);
    } else if (status == "FAILED") {
      const json::value* err = o->if_contains("Error");
      json::object error = err && err->is_object() ? err->get_object() : json::object();
      e.AddInvocationCompleted(started_ms, now, outcome.request_id, nullptr);
      e.Close("FAILED", nullptr, &error, now);
    } else if (status == "PENDING") {
      e.AddInvocationCompleted(started_ms, now, outcome.request_id, nullptr);
      e.Park();
    } else {
      json::object error{{"ErrorType", "InvalidDurableExecutionOutput"},
                         {"ErrorMessage",
                          "The function's output is not a durable execution output "
                          "({\"Status\": \"SUCCEEDED\"|\"FAILED\"|\"PENDING\"}): " +
                              outcome.payload.substr(0, 256)}};
      e.AddInvocationCompleted(started_ms, now, outcome.request_id, &error);
      e.Close("FAILED", nullptr, &error, now);
    }
  } else {
    json::object error =
        outcome.kind == InvokeOutcome::Kind::kFunctionError
            ? ErrorFromFunction(outcome.payload)
            : json::object{{"ErrorType", "ServiceException"}, {"ErrorMessage", outcome.message}};
    e.AddInvocationCompleted(started_ms, now, outcome.request_id, &error);
    if (outcome.kind != InvokeOutcome::Kind::kThrottled &&
        ++entry->failed_invocations >= kMaxFailedInvocations) {
      e.Close("FAILED", nullptr, &error, now);
    } else {
      invocation_error = error;
    }
  }
  const std::string arn = e.arn();
  Persist(*entry, [](const Status&) {});
  if (invocation_error) {
    // Retried after a pause (the SDK replays what was checkpointed).
    lock.unlock();
    if (options_.schedule && !stopped_->load()) {
      auto stopped = stopped_;
      options_.schedule(std::chrono::milliseconds(static_cast<int64_t>(
                            static_cast<double>(kInvocationRetryMs) * options_.time_scale)),
                        [this, stopped, entry] {
                          if (stopped->load()) return;
                          std::function<void()> retry;
                          {
                            std::lock_guard relock(entry->mu);
                            retry = BeginInvoke(entry);
                          }
                          if (retry) retry();
                        });
    }
    return;
  }
  next = Settle(entry);
  lock.unlock();
  if (next) next();
}

std::function<void()> DurableEngine::Settle(const EntryPtr& entry) {
  DurableExecution& e = entry->execution;
  if (e.running()) {
    if (e.FireDue(NowMs())) Persist(*entry, [](const Status&) {});
  }
  if (!e.running()) {
    std::vector<DescriptionDone> waiters = std::move(entry->waiters);
    entry->waiters.clear();
    json::object description = e.Description();
    ArmExpiry(e);
    // Runs after the record is durable, outside the lock.
    Persist(*entry, [waiters = std::move(waiters), description](const Status&) {
      for (const auto& w : waiters) w(description);
    });
    return nullptr;
  }
  if (auto due = e.NextDue()) Arm(e.arn(), *due);
  if (!entry->invoking && e.wake()) return BeginInvoke(entry);
  return nullptr;
}

void DurableEngine::Arm(const std::string& arn, int64_t due_ms) {
  if (!options_.schedule || stopped_->load()) return;
  auto delay = std::chrono::milliseconds(std::max<int64_t>(due_ms - NowMs(), 0) + 1);
  auto stopped = stopped_;
  options_.schedule(delay, [this, stopped, arn] {
    if (!stopped->load()) OnTimer(arn);
  });
}

void DurableEngine::ArmExpiry(const DurableExecution& e) {
  if (!options_.schedule || stopped_->load() || e.running()) return;
  const json::value* end = e.meta().if_contains("EndTimestamp");
  if (end == nullptr || !end->is_number()) return;
  const double retention_ms =
      static_cast<double>(IntMember(e.meta(), "RetentionPeriodInDays", 14)) * 86'400'000.0 *
      options_.time_scale;
  const int64_t due = static_cast<int64_t>(end->to_number<double>() * 1000.0 + retention_ms);
  auto delay = std::chrono::milliseconds(std::max<int64_t>(due - NowMs(), 0));
  auto stopped = stopped_;
  options_.schedule(delay, [this, stopped, arn = e.arn()] {
    if (!stopped->load()) Expire(arn);
  });
}

void DurableEngine::Expire(const std::string& arn) {
  EntryPtr entry;
  {
    std::unique_lock lock(mu_);
    auto it = executions_.find(arn);
    if (it == executions_.end()) return;
    entry = it->second;
    std::lock_guard elock(entry->mu);
    if (entry->execution.running()) return;
    const json::object& meta = entry->execution.meta();
    names_.erase(Str(meta, "UnqualifiedArn") + "/" + Str(meta, "DurableExecutionName"));
    executions_.erase(it);
  }
  storage::WriteBatch batch;
  batch.Delete(key_prefix_ + arn);
  Status s = commits_.Submit(std::move(batch), [](const Status&) {});
  if (!s.ok())
    spdlog::error("lambda: cannot delete an expired durable execution: {}", s.ToString());
}

void DurableEngine::OnTimer(const std::string& arn) {
  EntryPtr entry = Find(arn);
  if (!entry) return;
  std::function<void()> next;
  {
    std::lock_guard lock(entry->mu);
    if (!entry->execution.running()) return;
    auto due = entry->execution.NextDue();
    if (!due || *due > NowMs()) return;  // an earlier timer's; a later one is armed
    next = Settle(entry);
  }
  if (next) next();
}

void DurableEngine::Checkpoint(const std::string& arn, const std::string& token,
                               const json::array& updates, DescriptionDone done) {
  EntryPtr entry = Find(arn);
  if (!entry) return done(NoSuchExecution(arn));
  auto parsed = DecodeCheckpointToken(token);
  std::unique_lock lock(entry->mu);
  DurableExecution& e = entry->execution;
  if (!parsed || parsed->first != e.invocation() || !entry->invoking) {
    return done(InvalidParameter("Invalid Checkpoint Token"));
  }
  if (!e.running()) {
    return done(InvalidParameter("The durable execution is already " + e.status()));
  }
  const int64_t now = NowMs();
  e.FireDue(now);
  Status s = e.Apply(updates, now, options_.time_scale);
  if (!s.ok()) return done(s);
  json::object output{
      {"CheckpointToken", EncodeCheckpointToken(e.invocation(), e.rev())},
      {"NewExecutionState", json::object{{"Operations", e.OperationsAfter(parsed->second)}}}};
  if (auto due = e.NextDue()) Arm(arn, *due);
  Persist(*entry, [done = std::move(done), output = std::move(output)](const Status& st) {
    if (!st.ok()) return done(st);
    done(output);
  });
  std::function<void()> chained = LaunchChained(entry);
  lock.unlock();
  if (chained) chained();
}

std::function<void()> DurableEngine::LaunchChained(const EntryPtr& entry) {
  if (!entry->execution.running() || stopped_->load()) return nullptr;
  // A bare name or partial ARN names a function of the execution's account and region.
  const std::string arn = entry->execution.arn();  // arn:aws:lambda:<region>:<account>:...
  std::vector<std::string> parts;
  for (size_t start = 0, i = 0; parts.size() < 5; start = i + 1) {
    i = arn.find(':', start);
    if (i == std::string::npos) return nullptr;
    parts.push_back(arn.substr(start, i - start));
  }
  std::vector<std::pair<std::string, functions::Invocation>> calls;
  for (auto& chained : entry->execution.StartedChainedInvokes()) {
    if (!entry->chained_running.insert(chained.op_id).second) continue;
    std::string target = chained.function;
    if (!target.starts_with("arn:")) {
      target = "arn:aws:lambda:" + parts[3] + ":" +
               (target.find(":function:") == std::string::npos ? parts[4] + ":function:" + target
                                                               : target);
    }
    functions::Invocation invocation;
    invocation.payload = chained.payload.empty() ? "{}" : chained.payload;
    calls.emplace_back(target + "\n" + chained.op_id, std::move(invocation));
  }
  if (calls.empty()) return nullptr;
  return [this, entry, calls = std::move(calls)]() mutable {
    for (auto& [key, invocation] : calls) {
      const size_t nl = key.find('\n');
      std::string op_id = key.substr(nl + 1);
      options_.invoke(key.substr(0, nl), std::move(invocation),
                      [this, entry, op_id](InvokeOutcome outcome) {
                        OnChainedInvoked(entry, op_id, std::move(outcome));
                      });
    }
  };
}

void DurableEngine::OnChainedInvoked(const EntryPtr& entry, const std::string& op_id,
                                     InvokeOutcome outcome) {
  std::function<void()> next;
  {
    std::lock_guard lock(entry->mu);
    entry->chained_running.erase(op_id);
    const bool ok = outcome.kind == InvokeOutcome::Kind::kSuccess;
    json::object error =
        outcome.kind == InvokeOutcome::Kind::kFunctionError
            ? ErrorFromFunction(outcome.payload)
            : json::object{{"ErrorType", "ServiceException"}, {"ErrorMessage", outcome.message}};
    Status s = entry->execution.CompleteChainedInvoke(
        op_id, ok, ok ? outcome.payload : "", ok ? json::object() : std::move(error), NowMs());
    if (!s.ok()) return;  // the execution closed meanwhile
    Persist(*entry, [](const Status&) {});
    next = Settle(entry);
  }
  if (next) next();
}

Result<json::object> DurableEngine::State(const std::string& arn, const std::string& token,
                                          const std::string& marker, int64_t max_items) const {
  EntryPtr entry = Find(arn);
  if (!entry) return NoSuchExecution(arn);
  auto parsed = DecodeCheckpointToken(token);
  std::lock_guard lock(entry->mu);
  if (!parsed || parsed->first != entry->execution.invocation()) {
    return InvalidParameter("Invalid Checkpoint Token");
  }
  auto from = ParseMarker(marker);
  if (!from.ok()) return from.status();
  size_t max = max_items > 0 ? static_cast<size_t>(max_items) : kOperationsPerPage;
  std::string next;
  json::object out{{"Operations", entry->execution.OperationsPage(*from, max, &next)}};
  if (!next.empty()) out["NextMarker"] = next;
  return out;
}

Result<json::object> DurableEngine::Get(const std::string& arn) const {
  EntryPtr entry = Find(arn);
  if (!entry) return NoSuchExecution(arn);
  std::lock_guard lock(entry->mu);
  return entry->execution.Description();
}

Result<json::object> DurableEngine::History(const std::string& arn, bool include_data,
                                            int64_t max_items, const std::string& marker,
                                            bool reverse) const {
  EntryPtr entry = Find(arn);
  if (!entry) return NoSuchExecution(arn);
  json::array events;
  {
    std::lock_guard lock(entry->mu);
    events = entry->execution.events();
  }
  if (reverse) std::reverse(events.begin(), events.end());
  auto from = ParseMarker(marker);
  if (!from.ok()) return from.status();
  const size_t max = max_items > 0 ? static_cast<size_t>(max_items) : 100;
  json::array page;
  size_t i = *from;
  for (; i < events.size() && page.size() < max; ++i) {
    if (!events[i].is_object()) continue;
    json::object event = events[i].get_object();
    if (!include_data) {  // payloads only when asked for (IncludeExecutionData)
      for (auto& kv : event) {
        if (!kv.value().is_object()) continue;
        for (auto& inner : kv.value().as_object()) {
          if (inner.value().is_object()) inner.value().as_object().erase("Payload");
        }
      }
    }
    page.push_back(std::move(event));
  }
  json::object out{{"Events", std::move(page)}};
  if (i < events.size()) out["NextMarker"] = std::to_string(i);
  return out;
}

Result<json::object> DurableEngine::List(const ListFilter& f) const {
  std::vector<json::object> found;
  {
    std::shared_lock lock(mu_);
    for (const auto& [arn, entry] : executions_) {
      std::lock_guard elock(entry->mu);
      const json::object& meta = entry->execution.meta();
      if (Str(meta, "UnqualifiedArn") != f.function_arn) continue;
      if (!f.qualifier.empty() && Str(meta, "Version") != f.qualifier) continue;
      if (!f.name.empty() && Str(meta, "DurableExecutionName") != f.name) continue;
      if (!f.statuses.empty() && std::find(f.statuses.begin(), f.statuses.end(),
                                           entry->execution.status()) == f.statuses.end()) {
        continue;
      }
      const double started = meta.at("StartTimestamp").to_number<double>();
      if (f.started_after > 0 && started <= f.started_after) continue;
      if (f.started_before > 0 && started >= f.started_before) continue;
      found.push_back(entry->execution.Summary());
    }
  }
  // Newest first unless ReverseOrder (AWS lists by start time, descending).
  std::stable_sort(found.begin(), found.end(), [&](const json::object& a, const json::object& b) {
    double ta = a.at("StartTimestamp").to_number<double>();
    double tb = b.at("StartTimestamp").to_number<double>();
    return f.reverse ? ta < tb : ta > tb;
  });
  auto from = ParseMarker(f.marker);
  if (!from.ok()) return from.status();
  const size_t max = f.max_items > 0 ? static_cast<size_t>(f.max_items) : 50;
  json::array page;
  size_t i = *from;
  for (; i < found.size() && page.size() < max; ++i) page.push_back(found[i]);
  json::object out{{"DurableExecutions", std::move(page)}};
  if (i < found.size()) out["NextMarker"] = std::to_string(i);
  return out;
}

void DurableEngine::StopExecution(const std::string& arn, json::object error,
                                  DescriptionDone done) {
  EntryPtr entry = Find(arn);
  if (!entry) return done(NoSuchExecution(arn));
  std::lock_guard lock(entry->mu);
  DurableExecution& e = entry->execution;
  if (!e.running()) {
    return done(InvalidParameter("The durable execution is already " + e.status()));
  }
  if (error.empty()) {
    error = json::object{{"ErrorType", "Stopped"},
                         {"ErrorMessage", "The durable execution was stopped"}};
  }
  const int64_t now = NowMs();
  e.Close("STOPPED", nullptr, &error, now);
  ArmExpiry(e);
  std::vector<DescriptionDone> waiters = std::move(entry->waiters);
  entry->waiters.clear();
  json::object description = e.Description();
  Persist(*entry, [done = std::move(done), waiters = std::move(waiters), description,
                   now](const Status& s) {
    for (const auto& w : waiters) w(description);
    if (!s.ok()) return done(s);
    done(json::object{{"StopTimestamp", static_cast<double>(now) / 1000.0}});
  });
}

void DurableEngine::Callback(const std::string& callback_id, const std::string& kind,
                             std::string result, json::object error, DescriptionDone done) {
  auto ids = DecodeCallbackId(callback_id);
  EntryPtr entry = ids ? Find(ids->first) : nullptr;
  if (!entry) return done(InvalidParameter("Invalid callback id: " + callback_id));
  std::function<void()> next;
  {
    std::lock_guard lock(entry->mu);
    DurableExecution& e = entry->execution;
    const int64_t now = NowMs();
    e.FireDue(now);  // a callback past its timeout is timed out first
    Status s = kind == "heartbeat" ? e.HeartbeatCallback(ids->second, now)
                                   : e.CompleteCallback(ids->second, kind == "succeed",
                                                        std::move(result), std::move(error), now);
    if (!s.ok()) return done(s);
    Persist(*entry, [done = std::move(done)](const Status& st) {
      if (!st.ok()) return done(st);
      done(json::object{});
    });
    next = Settle(entry);
  }
  if (next) next();
}

}  // namespace tidepool::lambda::durable
