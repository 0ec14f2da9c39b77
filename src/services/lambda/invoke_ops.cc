// Invoke and InvokeAsync, and the in-process invoke path (InvokeFunction).
#include <boost/json.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include <spdlog/spdlog.h>

#include "core/encoding.h"
#include "protocol/codec/event_stream.h"
#include "protocol/http/push_body.h"
#include "services/lambda/lambda_errors.h"
#include "services/lambda/lambda_service.h"

namespace tidepool::lambda {
namespace json = boost::json;
using functions::InvokeOutcome;
using protocol::CallPtr;

namespace {

constexpr size_t kMaxSyncPayload = 6 * 1024 * 1024;
constexpr size_t kMaxAsyncPayload = 1024 * 1024;
constexpr size_t kLogTail = 4096;

Status CheckPayload(std::string_view payload, size_t limit) {
  if (payload.size() > limit) {
    return LambdaStatus(LambdaError::kRequestTooLarge,
                        "Request must be smaller than " + std::to_string(limit) +
                            " bytes for the InvokeFunction operation");
  }
  if (!payload.empty()) {
    boost::system::error_code ec;
    json::parse(payload, ec);
    if (ec) {
      return LambdaStatus(LambdaError::kInvalidRequestContent,
                          "Could not parse request body into json: Could not parse payload into "
                          "json: " +
                              ec.message());
    }
  }
  return Status::Ok();
}

// AWS's text for an invocation recursive loop detection stopped.
std::string RecursionMessage(std::string_view function_arn) {
  return "Lambda detected that the function " + std::string(function_arn) +
         " was invoked more than " + std::to_string(kMaxChainInvocations) +
         " times in one chain of requests (a recursive loop) and stopped the invocation. Set its "
         "RecursiveLoop to Allow with PutFunctionRecursionConfig to let it run.";
}

// Continues `invocation`'s trace with one more invocation of `function_arn` (recursion.h).
// False (and logged) when the chain already invoked it kMaxChainInvocations times and the
// function's RecursiveLoop is Terminate: the invocation must not run.
bool ContinueChain(std::string_view function_arn, bool recursion_allowed,
                   functions::Invocation& invocation) {
  LineageStep step = ContinueLineage(invocation.trace_id, function_arn);
  if (step.count > kMaxChainInvocations && !recursion_allowed) {
    spdlog::warn("lambda: recursive loop stopped: {} invoked {} times by the chain of trace {}",
                 function_arn, step.count, invocation.trace_id);
    return false;
  }
  invocation.trace_id = std::move(step.header);
  return true;
}

// The error of an invocation that did not run the function (throttled, or the sandbox could
// not run it); nullopt when the function ran, successfully or not. A throttle carries AWS's
// `Reason` member (ReservedFunctionConcurrentInvocationLimitExceeded...).
std::optional<protocol::AwsError> NotRun(const InvokeOutcome& outcome) {
  switch (outcome.kind) {
    case InvokeOutcome::Kind::kThrottled: {
      protocol::AwsError e =
          ToAwsError(LambdaStatus(LambdaError::kTooManyRequests, "Rate Exceeded."));
      e.extra_json = "\"Reason\":" + json::serialize(json::string(outcome.message));
      return e;
    }
    case InvokeOutcome::Kind::kServiceError:
      return ToAwsError(LambdaStatus(LambdaError::kServiceException,
                                     "tidepool could not run the function: " + outcome.message));
    default:
      return std::nullopt;
  }
}

// InvokeWithResponseStream's reply: an event stream of PayloadChunk events, then
// InvokeComplete. A function that streams (functions::ResponseStream) gets its headers sent
// when its response begins and each piece sent as it arrives; any other response goes out
// whole when the invocation ends (one PayloadChunk). Thread-safe.
class EventStreamResponse final : public functions::ResponseStream {
 public:
  EventStreamResponse(CallPtr call, std::string version)
      : call_(std::move(call)), version_(std::move(version)) {}

  void Begin(std::string_view content_type) override {
    std::lock_guard lock(mu_);
    if (ended_ || body_) return;
    body_ = std::make_shared<protocol::http::PushBody>();
    call_->ReplyStreamed(Headers(content_type), body_);
  }
  void Write(std::string_view bytes) override {
    std::lock_guard lock(mu_);
    if (ended_ || !body_ || bytes.empty()) return;
    body_->Push(
        protocol::event_stream::EncodeEvent("PayloadChunk", "application/octet-stream", bytes));
  }
  // The invocation ended (`outcome`); `tail`: the caller asked for the log (LogType Tail).
  void Complete(const InvokeOutcome& outcome, bool tail) {
    std::lock_guard lock(mu_);
    ended_ = true;
    if (!body_) {
      if (auto failed = NotRun(outcome)) return call_->Fail(std::move(*failed));
    }
    std::string stream;
    json::object complete;
    if (outcome.kind == InvokeOutcome::Kind::kFunctionError) {
      boost::system::error_code ec;
      json::value error = json::parse(outcome.payload, ec);
      const json::object* e = ec ? nullptr : error.if_object();
      complete["ErrorCode"] = e ? StringMember(*e, "errorType") : std::string("Unhandled");
      complete["ErrorDetails"] = e ? StringMember(*e, "errorMessage") : outcome.payload;
    } else if (outcome.kind != InvokeOutcome::Kind::kSuccess) {
      complete["ErrorCode"] = "ServiceException";  // after the response began
      complete["ErrorDetails"] = outcome.message;
    } else if (!outcome.streamed && !outcome.payload.empty()) {
      stream = protocol::event_stream::EncodeEvent("PayloadChunk", "application/octet-stream",
                                                   outcome.payload);
    }
    if (tail) {
      std::string_view log = outcome.log;
      if (log.size() > kLogTail) log = log.substr(log.size() - kLogTail);
      complete["LogResult"] = Base64Encode(log);
    }
    stream += protocol::event_stream::EncodeEvent("InvokeComplete", "application/json",
                                                  json::serialize(complete));
    if (body_) {
      body_->Push(stream);
      body_->End();
      return;
    }
    json::object headers = Headers("application/octet-stream");
    headers["EventStream"] = std::move(stream);
    call_->Reply(std::move(headers));
  }

 private:
  json::object Headers(std::string_view content_type) const {
    return json::object{{"StatusCode", 200},
                        {"ExecutedVersion", version_},
                        {"ResponseStreamContentType", content_type}};
  }

  std::mutex mu_;
  CallPtr call_;
  const std::string version_;
  std::shared_ptr<protocol::http::PushBody> body_;  // once the function's response began
  bool ended_ = false;
};

}  // namespace

void LambdaService::InvokeOp(CallPtr call) {
  const json::object& in = call->input();
  std::string type = StringMember(in, "InvocationType");
  if (type.empty()) type = "RequestResponse";
  std::string payload = StringMember(in, "Payload");
  if (Status s = CheckPayload(payload, type == "Event" ? kMaxAsyncPayload : kMaxSyncPayload);
      !s.ok()) {
    return Fail(call, s);
  }
  std::string qualifier;
  bool recursion_allowed = false;
  auto spec = SpecForCall(*call, &qualifier, &recursion_allowed);
  if (!spec.ok()) return Fail(call, spec.status());
  if (type == "DryRun") return call->Reply(json::object{{"StatusCode", 204}});
  if (json::object durable = DurableConfigForCall(*call); !durable.empty()) {
    return InvokeDurable(call, *spec, durable, type != "Event");
  }

  functions::Invocation invocation;
  invocation.payload = payload.empty() ? "{}" : std::move(payload);
  invocation.client_context = StringMember(in, "ClientContext");
  // The function's request id is the API request's (x-amzn-RequestId), as on AWS.
  invocation.request_id = call->context().request_id;
  invocation.trace_id = call->context().trace_header;  // else the sandbox starts a trace
  invocation.invoked_arn = (*spec)->function_arn;
  if (!qualifier.empty()) invocation.invoked_arn += ":" + qualifier;

  if (type == "Event") {
    return EnqueueAsync(call, invocation.invoked_arn, std::move(invocation.payload),
                        json::object{{"StatusCode", 202}});
  }
  // An Event invocation continues its chain when the async queue runs it.
  if (!ContinueChain((*spec)->function_arn, recursion_allowed, invocation)) {
    return Fail(call, LambdaStatus(LambdaError::kRecursiveInvocation,
                                   RecursionMessage((*spec)->function_arn)));
  }
  const bool tail = StringMember(in, "LogType") == "Tail";
  invocation.want_log = tail;
  invoker_.Invoke(*spec, std::move(invocation),
                  [call, tail, version = (*spec)->version](InvokeOutcome outcome) {
                    if (auto failed = NotRun(outcome)) return call->Fail(std::move(*failed));
                    json::object output{{"StatusCode", 200},
                                        {"ExecutedVersion", version},
                                        {"Payload", std::move(outcome.payload)}};
                    if (outcome.kind == InvokeOutcome::Kind::kFunctionError)
                      output["FunctionError"] = "Unhandled";
                    if (tail) {
                      std::string_view log = outcome.log;
                      if (log.size() > kLogTail) log = log.substr(log.size() - kLogTail);
                      output["LogResult"] = Base64Encode(log);
                    }
                    call->Reply(std::move(output));
                  });
}

Result<functions::FunctionSpecPtr> LambdaService::SpecForCall(const protocol::Call& call,
                                                              std::string* qualifier,
                                                              bool* recursion_allowed) {
  auto fn = ResolveQualified(call, qualifier);
  if (!fn.ok()) return fn.status();
  std::lock_guard lock((*fn)->mu);
  if (recursion_allowed != nullptr) *recursion_allowed = (*fn)->record.recursion_allowed;
  const FunctionRecord* record = RecordToRun(**fn, *qualifier);
  if (record == nullptr) return NotFound("Function not found: " + *qualifier);
  return SpecFor(**fn, *record);
}

void LambdaService::InvokeWithResponseStream(CallPtr call) {
  const json::object& in = call->input();
  std::string type = StringMember(in, "InvocationType");
  std::string payload = StringMember(in, "Payload");
  if (Status s = CheckPayload(payload, kMaxSyncPayload); !s.ok()) return Fail(call, s);
  std::string qualifier;
  bool recursion_allowed = false;
  auto spec = SpecForCall(*call, &qualifier, &recursion_allowed);
  if (!spec.ok()) return Fail(call, spec.status());
  if (type == "DryRun") return call->Reply(json::object{{"StatusCode", 204}});
  functions::Invocation invocation;
  invocation.payload = payload.empty() ? "{}" : std::move(payload);
  invocation.client_context = StringMember(in, "ClientContext");
  // The function's request id is the API request's (x-amzn-RequestId), as on AWS.
  invocation.request_id = call->context().request_id;
  invocation.trace_id = call->context().trace_header;
  invocation.invoked_arn = (*spec)->function_arn;
  if (!qualifier.empty()) invocation.invoked_arn += ":" + qualifier;
  if (!ContinueChain((*spec)->function_arn, recursion_allowed, invocation)) {
    return Fail(call, LambdaStatus(LambdaError::kRecursiveInvocation,
                                   RecursionMessage((*spec)->function_arn)));
  }
  const bool tail = StringMember(in, "LogType") == "Tail";
  invocation.want_log = tail;
  auto out = std::make_shared<EventStreamResponse>(call, (*spec)->version);
  invocation.stream = out;
  invoker_.Invoke(*spec, std::move(invocation),
                  [call, out, tail](InvokeOutcome outcome) { out->Complete(outcome, tail); });
}

void LambdaService::InvokeAsync(CallPtr call) {
  const json::object& in = call->input();
  std::string payload = StringMember(in, "InvokeArgs");
  if (Status s = CheckPayload(payload, kMaxAsyncPayload); !s.ok()) return Fail(call, s);
  auto fn = ResolveFunction(*call, StringMember(in, "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  Result<functions::FunctionSpecPtr> spec = [&] {
    std::lock_guard lock((*fn)->mu);
    return SpecFor(**fn, (*fn)->record);
  }();
  if (!spec.ok()) return Fail(call, spec.status());
  EnqueueAsync(call, (*spec)->function_arn, payload.empty() ? "{}" : std::move(payload),
               json::object{{"Status", 202}});
}

void LambdaService::InvokeFunction(std::string_view function, std::string_view account,
                                   std::string_view region, functions::Invocation invocation,
                                   functions::InvokeDone done, RecursionCheck recursion) {
  auto fail = [&done](std::string message) {
    InvokeOutcome outcome;
    outcome.kind = InvokeOutcome::Kind::kServiceError;
    outcome.message = std::move(message);
    done(std::move(outcome));
  };
  auto ref = ParseFunctionRef(function);
  if (!ref.ok()) return fail(ref.status().message());
  std::string arn = "arn:aws:lambda:" + (ref->region.empty() ? std::string(region) : ref->region) +
                    ":" + (ref->account.empty() ? std::string(account) : ref->account) +
                    ":function:" + ref->name;
  auto fn = FindFunction(arn);
  if (!fn) return fail("Function not found: " + arn);
  bool recursion_allowed = recursion == RecursionCheck::kCount;
  Result<functions::FunctionSpecPtr> spec = [&]() -> Result<functions::FunctionSpecPtr> {
    std::lock_guard lock(fn->mu);
    recursion_allowed = recursion_allowed || fn->record.recursion_allowed;
    const FunctionRecord* record = RecordToRun(*fn, ref->qualifier);
    if (record == nullptr) return NotFound("Function not found: " + arn + ":" + ref->qualifier);
    return SpecFor(*fn, *record);
  }();
  if (!spec.ok()) return fail(spec.status().message());
  if (invocation.payload.empty()) invocation.payload = "{}";
  if (invocation.invoked_arn.empty()) {
    invocation.invoked_arn = ref->qualifier.empty() ? arn : arn + ":" + ref->qualifier;
  }
  if (!ContinueChain(arn, recursion_allowed, invocation)) {
    InvokeOutcome outcome;
    outcome.kind = InvokeOutcome::Kind::kServiceError;
    outcome.message = std::string(kRecursionStoppedPrefix) + ": " + RecursionMessage(arn);
    outcome.payload = json::serialize(json::object{{"errorMessage", RecursionMessage(arn)},
                                                   {"errorType", kRecursionStoppedPrefix}});
    return done(std::move(outcome));
  }
  invoker_.Invoke(*spec, std::move(invocation), std::move(done));
}

}  // namespace tidepool::lambda
