// Durable functions: the durable-execution operations and Invoke of a function with a
// DurableConfig. Handlers parse and reply; durable/durable_engine.h runs the executions.
#include <boost/json.hpp>

#include "services/lambda/lambda_errors.h"
#include "services/lambda/lambda_service.h"

namespace tidepool::lambda {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// Synchronous invokes of a durable function wait at most 15 minutes, so AWS refuses them for
// an ExecutionTimeout above that.
constexpr int64_t kMaxSyncExecutionTimeout = 900;

double TimeOf(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<double>() : 0;
}
json::object ObjectOf(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? v->get_object() : json::object();
}

// Replies with the engine's answer.
durable::DurableEngine::DescriptionDone Answer(CallPtr call) {
  return [call](Result<json::object> r) {
    if (!r.ok()) return call->Fail(ToAwsError(r.status()));
    call->Reply(std::move(*r));
  };
}
void Reply(const CallPtr& call, Result<json::object> r) { Answer(call)(std::move(r)); }

}  // namespace

json::object LambdaService::DurableConfigForCall(const protocol::Call& call) {
  std::string qualifier;
  auto fn = ResolveQualified(call, &qualifier);
  if (!fn.ok()) return {};
  std::lock_guard lock((*fn)->mu);
  const FunctionRecord* record = RecordToRun(**fn, qualifier);
  if (record == nullptr) return {};
  const json::value* v = record->config.if_contains("DurableConfig");
  return v && v->is_object() ? v->get_object() : json::object();
}

void LambdaService::InvokeDurable(CallPtr call, const functions::FunctionSpecPtr& spec,
                                  const json::object& durable_config, bool sync) {
  const json::object& in = call->input();
  durable::DurableEngine::StartRequest request;
  request.function_arn = spec->function_arn;
  request.version = spec->version;
  request.name = StringMember(in, "DurableExecutionName");
  request.payload = StringMember(in, "Payload");
  if (request.payload.empty()) request.payload = "{}";
  request.execution_timeout = durable::IntMember(durable_config, "ExecutionTimeout", 900);
  request.retention_days = durable::IntMember(durable_config, "RetentionPeriodInDays", 14);
  request.trace_header = call->context().trace_header;
  request.wait = sync;
  if (sync && request.execution_timeout > kMaxSyncExecutionTimeout) {
    return Fail(call, InvalidParameter(
                          "You cannot synchronously invoke a durable function with an "
                          "ExecutionTimeout greater than 900 seconds. Use InvocationType Event."));
  }
  durable_->Start(
      std::move(request), [call, sync, version = spec->version](Result<json::object> r) {
        if (!r.ok()) return call->Fail(ToAwsError(r.status()));
        const std::string arn = StringMember(*r, "DurableExecutionArn");
        if (!sync) {
          return call->Reply(json::object{{"StatusCode", 202}, {"DurableExecutionArn", arn}});
        }
        json::object output{
            {"StatusCode", 200}, {"ExecutedVersion", version}, {"DurableExecutionArn", arn}};
        if (StringMember(*r, "Status") == "SUCCEEDED") {
          output["Payload"] = StringMember(*r, "Result");
        } else {
          json::object error = ObjectOf(*r, "Error");
          output["FunctionError"] = "Unhandled";
          output["Payload"] =
              json::serialize(json::object{{"errorType", StringMember(error, "ErrorType")},
                                           {"errorMessage", StringMember(error, "ErrorMessage")}});
        }
        call->Reply(std::move(output));
      });
}

Status LambdaService::ResumeDurableExecutions() { return durable_->Recover(); }

void LambdaService::CheckpointDurableExecution(CallPtr call) {
  const json::object& in = call->input();
  const json::value* updates = in.if_contains("Updates");
  static const json::array kNone;
  durable_->Checkpoint(StringMember(in, "DurableExecutionArn"), StringMember(in, "CheckpointToken"),
                       updates && updates->is_array() ? updates->get_array() : kNone, Answer(call));
}

void LambdaService::GetDurableExecution(CallPtr call) {
  Reply(call, durable_->Get(StringMember(call->input(), "DurableExecutionArn")));
}

void LambdaService::GetDurableExecutionHistory(CallPtr call) {
  const json::object& in = call->input();
  Reply(call, durable_->History(StringMember(in, "DurableExecutionArn"),
                                durable::BoolMember(in, "IncludeExecutionData"),
                                durable::IntMember(in, "MaxItems"), StringMember(in, "Marker"),
                                durable::BoolMember(in, "ReverseOrder")));
}

void LambdaService::GetDurableExecutionState(CallPtr call) {
  const json::object& in = call->input();
  Reply(call, durable_->State(StringMember(in, "DurableExecutionArn"),
                              StringMember(in, "CheckpointToken"), StringMember(in, "Marker"),
                              durable::IntMember(in, "MaxItems")));
}

void LambdaService::ListDurableExecutionsByFunction(CallPtr call) {
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  durable::DurableEngine::ListFilter filter;
  {
    std::lock_guard lock((*fn)->mu);
    filter.function_arn = StringMember((*fn)->record.config, "FunctionArn");
  }
  filter.qualifier = StringMember(in, "Qualifier");
  if (!filter.qualifier.empty() && filter.qualifier != "$LATEST") {
    std::lock_guard lock((*fn)->mu);
    auto alias = (*fn)->aliases.find(filter.qualifier);
    if (alias != (*fn)->aliases.end()) {
      filter.qualifier = StringMember(alias->second, "FunctionVersion");
    }
  }
  filter.name = StringMember(in, "DurableExecutionName");
  if (const json::value* s = in.if_contains("Statuses"); s && s->is_array()) {
    for (const json::value& v : s->get_array()) {
      if (v.is_string()) filter.statuses.emplace_back(v.get_string());
    }
  }
  filter.started_after = TimeOf(in, "StartedAfter");
  filter.started_before = TimeOf(in, "StartedBefore");
  filter.reverse = durable::BoolMember(in, "ReverseOrder");
  filter.marker = StringMember(in, "Marker");
  filter.max_items = durable::IntMember(in, "MaxItems");
  Reply(call, durable_->List(filter));
}

void LambdaService::StopDurableExecution(CallPtr call) {
  const json::object& in = call->input();
  durable_->StopExecution(StringMember(in, "DurableExecutionArn"), ObjectOf(in, "Error"),
                          Answer(call));
}

void LambdaService::SendDurableExecutionCallbackSuccess(CallPtr call) {
  const json::object& in = call->input();
  durable_->Callback(StringMember(in, "CallbackId"), "succeed", StringMember(in, "Result"), {},
                     Answer(call));
}

void LambdaService::SendDurableExecutionCallbackFailure(CallPtr call) {
  const json::object& in = call->input();
  durable_->Callback(StringMember(in, "CallbackId"), "fail", {}, ObjectOf(in, "Error"),
                     Answer(call));
}

void LambdaService::SendDurableExecutionCallbackHeartbeat(CallPtr call) {
  durable_->Callback(StringMember(call->input(), "CallbackId"), "heartbeat", {}, {}, Answer(call));
}

}  // namespace tidepool::lambda
