// Execution operations: StartExecution, StartSyncExecution, DescribeExecution,
// ListExecutions, StopExecution, GetExecutionHistory.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <algorithm>

#include "core/arn.h"
#include "core/encoding.h"
#include "protocol/input.h"
#include "services/stepfunctions/keyspace.h"
#include "services/stepfunctions/names.h"
#include "services/stepfunctions/sfn_errors.h"
#include "services/stepfunctions/stepfunctions_service.h"
#include "services/write_path.h"

namespace tidepool::sfn {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputStringView;

namespace {

constexpr int64_t kDefaultPage = 100;

json::object SyncOutput(const json::object& description) {
  json::object out;
  for (std::string_view k :
       {"executionArn", "stateMachineArn", "name", "startDate", "stopDate", "status", "error",
        "cause", "input", "inputDetails", "output", "outputDetails"}) {
    if (const auto* v = description.if_contains(k)) out[k] = *v;
  }
  out["billingDetails"] =
      json::object{{"billedMemoryUsedInMB", 64}, {"billedDurationInMilliseconds", 100}};
  return out;
}

}  // namespace

json::object StepFunctionsService::ExecutionDescription(ExecutionRecord& ex) const {
  const asl::Execution& run = *ex.run;
  json::object out{{"executionArn", ex.arn},
                   {"stateMachineArn", ex.machine_arn},
                   {"name", ex.name},
                   {"status", asl::ExecutionStatusName(run.status())},
                   {"startDate", ex.start},
                   {"input", ex.input_text},
                   {"inputDetails", json::object{{"included", true}}},
                   {"redriveCount", run.redrive_count()}};
  if (run.redrive_count() > 0) {
    out["redriveDate"] = static_cast<double>(run.redrive_micros()) / 1e6;
  }
  if (!ex.version_arn.empty()) out["stateMachineVersionArn"] = ex.version_arn;
  if (!ex.alias_arn.empty()) out["stateMachineAliasArn"] = ex.alias_arn;
  if (!ex.map_run_arn.empty()) out["mapRunArn"] = ex.map_run_arn;
  if (!run.running()) out["stopDate"] = static_cast<double>(run.stop_micros()) / 1e6;
  if (!ex.express) {
    std::string_view reason = run.NotRedrivableReason();
    out["redriveStatus"] = reason.empty() ? "REDRIVABLE" : "NOT_REDRIVABLE";
    if (!reason.empty()) out["redriveStatusReason"] = reason;
  }
  if (run.output()) {
    out["output"] = json::serialize(*run.output());
    out["outputDetails"] = json::object{{"included", true}};
  }
  if (!run.running() && run.status() != asl::ExecutionStatus::kSucceeded) {
    if (!run.failure().error.empty()) out["error"] = run.failure().error;
    if (!run.failure().cause.empty()) out["cause"] = run.failure().cause;
  }
  return out;
}

void StepFunctionsService::FinishSyncWaiters(ExecutionRecord& ex) {
  if (ex.sync_waiters.empty()) return;
  json::object out = SyncOutput(ExecutionDescription(ex));
  for (auto& call : ex.sync_waiters) {
    boost::asio::post(io_, [call, out] { call->Reply(out); });
  }
  ex.sync_waiters.clear();
}

void StepFunctionsService::StartExecution(CallPtr call) {
  const auto& in = call->input();
  auto target = ResolveStartTarget(InputStringView(in, "stateMachineArn").value_or(""));
  if (!target.ok()) return Fail(call, target.status());
  const std::shared_ptr<StateMachine>* m = &target->machine;
  const bool sync = call->operation().name == "StartSyncExecution";
  std::shared_ptr<const asl::Definition> parsed;
  std::string machine_arn, machine_name, type, role, definition_text;
  {
    std::shared_lock lock(mu_);
    parsed = (*m)->parsed;
    machine_arn = target->machine_arn;
    machine_name = (*m)->name;
    type = (*m)->type;
    role = (*m)->role_arn;
    definition_text = (*m)->definition;
  }
  const bool express = type == "EXPRESS";
  if (sync && !express) {
    return Fail(call, SfnStatus(SfnError::kStateMachineTypeNotSupported,
                                "This operation is not supported by this type of state machine"));
  }
  std::string name(InputStringView(in, "name").value_or(""));
  if (name.empty()) name = NewUuid();
  if (Status s = CheckName(name); !s.ok()) return Fail(call, s);
  std::string input_text(InputStringView(in, "input").value_or("{}"));
  boost::system::error_code ec;
  json::value input = json::parse(input_text, ec);
  if (ec) {
    return Fail(
        call, SfnStatus(SfnError::kInvalidExecutionInput,
                        fmt::format("Invalid State Machine Execution Input: '{}'", ec.message())));
  }
  auto arn_parts = Arn::Parse(machine_arn);
  std::string arn = express
                        ? fmt::format("arn:aws:states:{}:{}:express:{}:{}:{}", arn_parts->region,
                                      arn_parts->account, machine_name, name, NewUuid())
                        : fmt::format("arn:aws:states:{}:{}:execution:{}:{}", arn_parts->region,
                                      arn_parts->account, machine_name, name);
  if (!express) {
    if (auto existing = FindExecution(arn)) {
      std::lock_guard lock(existing->mu);
      if (existing->run->running() && existing->input_text == input_text) {
        call->Reply(json::object{{"executionArn", arn}, {"startDate", existing->start}});
        return;
      }
      return Fail(call, SfnStatus(SfnError::kExecutionAlreadyExists,
                                  fmt::format("Execution Already Exists: '{}'", arn)));
    }
  }
  auto ex = std::make_shared<ExecutionRecord>();
  ex->uid = NextUid();
  ex->express = express;
  ex->arn = arn;
  ex->name = name;
  ex->machine_arn = machine_arn;
  ex->version_arn = target->version_arn;
  ex->alias_arn = target->alias_arn;
  ex->input_text = input_text;
  ex->definition_text = definition_text;
  ex->account = arn_parts->account;
  ex->region = arn_parts->region;
  const int64_t now = clock_.NowMicros();
  ex->start = static_cast<double>(now) / 1e6;
  asl::ExecutionInfo info{arn, name, role, machine_arn, machine_name, ex->region, now};
  ex->run = std::make_unique<asl::Execution>(parsed, std::move(info), InterpreterOptions());
  {
    std::unique_lock lock(mu_);
    if (executions_.count(arn)) {
      return Fail(call, SfnStatus(SfnError::kExecutionAlreadyExists,
                                  fmt::format("Execution Already Exists: '{}'", arn)));
    }
    executions_[arn] = ex;
    if (!express) machine_executions_[machine_arn].push_back(ex);
  }
  std::lock_guard lock(ex->mu);
  if (sync) ex->sync_waiters.push_back(call);
  asl::Effects fx = ex->run->Start(std::move(input), now);
  storage::WriteBatch start_record;
  if (!express) start_record.Put(keyspace::Key('e', ex->uid), json::serialize(StartRecord(*ex)));
  json::object reply{{"executionArn", arn}, {"startDate", ex->start}};
  std::function<void(const Status&)> done;
  if (!sync) {
    done = services::ReplyWhenCommitted(call, std::move(reply), &ToAwsError, "stepfunctions");
  }
  ApplyEffects(ex, std::move(fx), std::move(done), std::move(start_record));
}

void StepFunctionsService::StartSyncExecution(CallPtr call) { StartExecution(std::move(call)); }

void StepFunctionsService::DescribeExecution(CallPtr call) {
  auto ex = ResolveExecution(InputStringView(call->input(), "executionArn").value_or(""));
  if (!ex.ok()) return Fail(call, ex.status());
  std::lock_guard lock((*ex)->mu);
  call->Reply(ExecutionDescription(**ex));
}

void StepFunctionsService::ListExecutions(CallPtr call) {
  const auto& in = call->input();
  // The machine's executions, or those started through one of its versions or aliases.
  const std::string named(InputStringView(in, "stateMachineArn").value_or(""));
  if (auto map_run = InputStringView(in, "mapRunArn")) {
    if (!named.empty()) {
      return Fail(call, SfnStatus(SfnError::kValidation,
                                  "Only one of stateMachineArn or mapRunArn may be given"));
    }
    return ListMapRunExecutions(call, std::string(*map_run));
  }
  std::string machine_arn, version_filter, alias_filter;
  {
    std::shared_lock lock(mu_);
    if (auto a = aliases_.find(named); a != aliases_.end()) {
      machine_arn = a->second->machine_arn;
      alias_filter = named;
    }
  }
  if (machine_arn.empty()) {
    auto m = ResolveMachine(named);
    if (!m.ok()) return Fail(call, m.status());
    machine_arn = (*m)->parent.empty() ? (*m)->arn : (*m)->parent;
    if (!(*m)->parent.empty()) version_filter = named;
  }
  auto start = ParsePageToken(InputStringView(in, "nextToken"));
  if (!start.ok()) return Fail(call, start.status());
  int64_t max = protocol::InputInt(in, "maxResults").value_or(0);
  if (max <= 0) max = kDefaultPage;
  std::string filter(InputStringView(in, "statusFilter").value_or(""));
  const std::string redrive_filter(InputStringView(in, "redriveFilter").value_or(""));
  std::vector<ExecutionPtr> all;
  {
    std::shared_lock lock(mu_);
    auto it = machine_executions_.find(machine_arn);
    if (it != machine_executions_.end()) all = it->second;
  }
  json::array list;
  size_t index = 0;
  std::optional<size_t> next;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    ExecutionRecord& ex = **it;
    std::lock_guard lock(ex.mu);
    std::string_view status = asl::ExecutionStatusName(ex.run->status());
    if (!filter.empty() && filter != status) continue;
    if (!version_filter.empty() && ex.version_arn != version_filter) continue;
    if (!alias_filter.empty() && ex.alias_arn != alias_filter) continue;
    if (!redrive_filter.empty() &&
        (redrive_filter == "REDRIVEN") != (ex.run->redrive_count() > 0)) {
      continue;
    }
    if (index++ < *start) continue;
    if (static_cast<int64_t>(list.size()) == max) {
      next = index - 1;
      break;
    }
    json::object item{{"executionArn", ex.arn},
                      {"stateMachineArn", ex.machine_arn},
                      {"name", ex.name},
                      {"status", status},
                      {"startDate", ex.start}};
    if (!ex.version_arn.empty()) item["stateMachineVersionArn"] = ex.version_arn;
    if (!ex.alias_arn.empty()) item["stateMachineAliasArn"] = ex.alias_arn;
    if (!ex.express) item["redriveCount"] = ex.run->redrive_count();
    if (ex.run->redrive_count() > 0) {
      item["redriveDate"] = static_cast<double>(ex.run->redrive_micros()) / 1e6;
    }
    if (!ex.run->running()) item["stopDate"] = static_cast<double>(ex.run->stop_micros()) / 1e6;
    list.push_back(std::move(item));
  }
  json::object out{{"executions", std::move(list)}};
  if (next) out["nextToken"] = std::to_string(*next);
  call->Reply(std::move(out));
}

void StepFunctionsService::StopExecution(CallPtr call) {
  const auto& in = call->input();
  auto ex = ResolveExecution(InputStringView(in, "executionArn").value_or(""));
  if (!ex.ok()) return Fail(call, ex.status());
  const ExecutionPtr& e = *ex;
  std::lock_guard lock(e->mu);
  if (!e->run->running()) {
    call->Reply(json::object{{"stopDate", static_cast<double>(e->run->stop_micros()) / 1e6}});
    return;
  }
  const int64_t now = clock_.NowMicros();
  asl::Effects fx = e->run->Stop(std::string(InputStringView(in, "error").value_or("")),
                                 std::string(InputStringView(in, "cause").value_or("")), now);
  json::object reply{{"stopDate", static_cast<double>(now) / 1e6}};
  ApplyEffects(e, std::move(fx),
               services::ReplyWhenCommitted(call, std::move(reply), &ToAwsError, "stepfunctions"));
}

void StepFunctionsService::RedriveExecution(CallPtr call) {
  const auto& in = call->input();
  std::string_view arn = InputStringView(in, "executionArn").value_or("");
  auto ex = ResolveExecution(arn);
  if (!ex.ok()) return Fail(call, ex.status());
  const ExecutionPtr& e = *ex;
  const std::string token(InputStringView(in, "clientToken").value_or(""));
  std::lock_guard lock(e->mu);
  const double redrive_date = static_cast<double>(e->run->redrive_micros()) / 1e6;
  if (e->run->running() && !token.empty() && token == e->redrive_token) {
    return call->Reply(json::object{{"redriveDate", redrive_date}});  // the same request again
  }
  std::string_view reason = e->express ? "This operation is not supported by EXPRESS state "
                                         "machines."
                                       : e->run->NotRedrivableReason();
  const int64_t now = clock_.NowMicros();
  if (reason.empty() && now - e->run->stop_micros() > int64_t{14} * 86400 * 1'000'000) {
    reason = "Execution redrivable period exceeded.";
  }
  if (!reason.empty()) {
    return Fail(call, SfnStatus(SfnError::kExecutionNotRedrivable,
                                fmt::format("Execution {} cannot be redriven: {}", arn, reason)));
  }
  e->redrive_token = token;
  asl::Effects fx = e->run->Redrive(now);
  json::object reply{{"redriveDate", static_cast<double>(now) / 1e6}};
  ApplyEffects(e, std::move(fx),
               services::ReplyWhenCommitted(call, std::move(reply), &ToAwsError, "stepfunctions"));
}

void StepFunctionsService::GetExecutionHistory(CallPtr call) {
  const auto& in = call->input();
  auto ex = ResolveExecution(InputStringView(in, "executionArn").value_or(""));
  if (!ex.ok()) return Fail(call, ex.status());
  auto start = ParsePageToken(InputStringView(in, "nextToken"));
  if (!start.ok()) return Fail(call, start.status());
  int64_t max = protocol::InputInt(in, "maxResults").value_or(0);
  if (max <= 0) max = kDefaultPage;
  const bool reverse = protocol::InputBool(in, "reverseOrder").value_or(false);
  const bool include_data = protocol::InputBool(in, "includeExecutionData").value_or(true);
  std::vector<json::object> events;
  Status scan = store_.Scan(keyspace::EventsBegin((*ex)->uid), keyspace::EventsEnd((*ex)->uid),
                            [&](std::string_view key, std::string_view value) {
                              boost::system::error_code ec;
                              json::value v = json::parse(value, ec);
                              if (ec || !v.is_object()) {
                                spdlog::warn("stepfunctions: skipping undecodable event at key {}",
                                             HexEncode(key));
                                return true;
                              }
                              events.push_back(std::move(v.as_object()));
                              return true;
                            });
  if (!scan.ok()) return Fail(call, scan);
  if (reverse) std::reverse(events.begin(), events.end());
  json::array list;
  std::optional<size_t> next;
  for (size_t i = *start; i < events.size(); ++i) {
    if (static_cast<int64_t>(list.size()) == max) {
      next = i;
      break;
    }
    json::object e = std::move(events[i]);
    if (!include_data) {
      for (auto& kv : e) {
        if (auto* d = kv.value().if_object()) {
          d->erase("input");
          d->erase("output");
          d->erase("inputDetails");
          d->erase("outputDetails");
        }
      }
    }
    list.push_back(std::move(e));
  }
  json::object out{{"events", std::move(list)}};
  if (next) out["nextToken"] = std::to_string(*next);
  call->Reply(std::move(out));
}

}  // namespace tidepool::sfn
