// The sandbox's Runtime API endpoint: what the runtime in the sandbox's process calls
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html), including responses the
// runtime streams
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html#runtimes-custom-response-streaming).
#include <boost/beast/core/string.hpp>

#include <string>
#include <string_view>

#include "core/encoding.h"
#include "functions/runtime_api_reply.h"
#include "functions/sandbox.h"

namespace tidepool::functions {
namespace {

namespace bhttp = boost::beast::http;
using protocol::http::HttpRequest;
using protocol::http::Responder;
using runtime_api::ErrorJson;
using runtime_api::kPrefix;
using runtime_api::Reply;

constexpr std::string_view kResponseMode = "Lambda-Runtime-Function-Response-Mode";
constexpr std::string_view kErrorType = "Lambda-Runtime-Function-Error-Type";
constexpr std::string_view kErrorBody = "Lambda-Runtime-Function-Error-Body";

// AWS's error for a response over its limit (AWS's text names 6291556 bytes for a buffered one).
std::string TooLarge(bool streamed) {
  return ErrorJson("Function.ResponseSizeTooLarge",
                   "Response payload size exceeded maximum allowed payload size (" +
                       std::to_string(streamed ? runtime_api::kMaxStreamedResponse : 6291556) +
                       " bytes).");
}

}  // namespace

// The body of a streamed /response, handed to the sandbox piece by piece as it arrives.
class StreamedResponseBody final : public protocol::http::BodySink {
 public:
  StreamedResponseBody(std::weak_ptr<Sandbox> sandbox, std::string id)
      : sandbox_(std::move(sandbox)), id_(std::move(id)) {}
  void Write(std::string_view piece) override {
    if (auto sandbox = sandbox_.lock()) sandbox->StreamedPiece(id_, piece);
  }
  void Finish(HttpRequest&& head, Responder respond) override {
    if (auto sandbox = sandbox_.lock()) {
      return sandbox->FinishStreamed(id_, std::move(head), std::move(respond));
    }
    respond(Reply(410, ErrorJson("Sandbox.Gone", "the sandbox has ended")));
  }

 private:
  std::weak_ptr<Sandbox> sandbox_;
  std::string id_;
};

std::shared_ptr<protocol::http::BodySink> Sandbox::StreamedResponseSink(const HttpRequest& head) {
  if (head.method() != bhttp::verb::post ||
      !boost::beast::iequals(head[kResponseMode], "streaming")) {
    return nullptr;
  }
  std::string_view target = head.target();
  constexpr std::string_view kInvocation = "invocation/";
  constexpr std::string_view kResponse = "/response";
  if (target.substr(0, kPrefix.size()) != kPrefix) return nullptr;
  target.remove_prefix(kPrefix.size());
  if (target.substr(0, kInvocation.size()) != kInvocation || target.size() < kResponse.size() ||
      target.substr(target.size() - kResponse.size()) != kResponse) {
    return nullptr;
  }
  std::string id(
      target.substr(kInvocation.size(), target.size() - kInvocation.size() - kResponse.size()));
  std::shared_ptr<ResponseStream> stream;
  {
    std::lock_guard lock(mu_);
    // Anything else (an unknown id) is read whole and refused by HandleRuntimeApi.
    if (!running_ || running_->invocation.request_id != id || !running_->delivered ||
        running_->streaming) {
      return nullptr;
    }
    running_->streaming = true;
    stream = running_->invocation.stream;
    running_->streamed_to_sink = stream != nullptr;
  }
  if (stream) {
    std::string_view type = head[bhttp::field::content_type];
    stream->Begin(type.empty() ? std::string_view("application/octet-stream") : type);
  }
  return std::make_shared<StreamedResponseBody>(weak_from_this(), std::move(id));
}

void Sandbox::StreamedPiece(const std::string& id, std::string_view bytes) {
  std::shared_ptr<ResponseStream> stream;
  {
    std::lock_guard lock(mu_);
    if (!running_ || running_->invocation.request_id != id || running_->stream_overflow) return;
    const size_t limit =
        running_->streamed_to_sink ? runtime_api::kMaxStreamedResponse : runtime_api::kMaxResponse;
    running_->streamed_bytes += bytes.size();
    if (running_->streamed_bytes > limit) {
      running_->stream_overflow = true;
      running_->streamed.clear();
      return;
    }
    if (!running_->streamed_to_sink) {
      running_->streamed.append(bytes);
      return;
    }
    stream = running_->invocation.stream;
  }
  // Outside the lock, in order (one connection's strand). A timeout may end the invocation
  // meanwhile: the stream ignores what comes after its end.
  stream->Write(bytes);
}

void Sandbox::FinishStreamed(const std::string& id, HttpRequest&& head, Responder respond) {
  std::function<void()> finish;
  {
    std::lock_guard lock(mu_);
    if (running_ && running_->invocation.request_id == id && running_->streaming) {
      std::string error_type(head[kErrorType]);
      if (OverMemoryLocked()) {
        finish = OutOfMemoryLocked();
      } else if (!error_type.empty()) {
        // An error after the response began: AWS's trailers carry its type and its body.
        auto body = Base64Decode(head[kErrorBody]);
        finish =
            FinishLocked(InvokeOutcome::Kind::kFunctionError,
                         body && !body->empty() ? std::move(*body) : ErrorJson(error_type, ""));
      } else if (running_->stream_overflow) {
        finish =
            FinishLocked(InvokeOutcome::Kind::kFunctionError, TooLarge(running_->streamed_to_sink));
      } else {
        finish = FinishLocked(InvokeOutcome::Kind::kSuccess, std::move(running_->streamed));
      }
    }
  }
  if (!finish) return respond(Reply(400, ErrorJson("InvalidRequestID", "Invalid request ID")));
  respond(Reply(202, R"({"status":"OK"})"));
  finish();
}

void Sandbox::HandleRuntimeApi(HttpRequest&& request, Responder respond) {
  std::string_view target = request.target();
  if (target.substr(0, kPrefix.size()) != kPrefix) {
    return respond(Reply(404, ErrorJson("InvalidPath", "Unknown Runtime API path")));
  }
  std::string_view rest = target.substr(kPrefix.size());
  std::function<void()> finish;
  if (request.method() == bhttp::verb::get && rest == "invocation/next") {
    std::optional<Responder> displaced;
    std::function<void()> deliver;
    {
      std::lock_guard lock(mu_);
      displaced = std::move(parked_next_);
      parked_next_ = std::move(respond);
      deliver = DeliverLocked();
    }
    if (displaced) {
      (*displaced)(Reply(409, ErrorJson("Runtime.DuplicateNext", "a next is already parked")));
    }
    if (deliver) deliver();
    return;
  }
  if (request.method() == bhttp::verb::post && rest == "init/error") {
    {
      std::lock_guard lock(mu_);
      init_error_ =
          request.body().empty() ? ErrorJson("Runtime.Unknown", "init error") : request.body();
      killing_ = true;  // as on AWS, a sandbox whose init failed is not reused
      if (running_) finish = FinishLocked(InvokeOutcome::Kind::kFunctionError, init_error_);
    }
    respond(Reply(202, R"({"status":"OK"})"));
    if (finish) finish();
    return;
  }
  constexpr std::string_view kInvocation = "invocation/";
  if (request.method() == bhttp::verb::post && rest.substr(0, kInvocation.size()) == kInvocation) {
    rest.remove_prefix(kInvocation.size());
    size_t slash = rest.find('/');
    std::string_view id = rest.substr(0, slash);
    std::string_view what = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
    if (what != "response" && what != "error") {
      return respond(Reply(404, ErrorJson("InvalidPath", "Unknown Runtime API path")));
    }
    bool unknown_id = false;
    {
      std::lock_guard lock(mu_);
      if (!running_ || running_->invocation.request_id != id || !running_->delivered) {
        unknown_id = true;
      } else {
        std::string body = std::move(request.body());
        if (OverMemoryLocked()) {
          finish = OutOfMemoryLocked();  // the peak passed MemorySize since the last poll
        } else if (what == "response") {
          if (body.size() > runtime_api::kMaxResponse) {
            finish = FinishLocked(InvokeOutcome::Kind::kFunctionError, TooLarge(false));
          } else {
            finish = FinishLocked(InvokeOutcome::Kind::kSuccess, std::move(body));
          }
        } else {
          if (body.empty()) {
            std::string type(request["Lambda-Runtime-Function-Error-Type"]);
            body = ErrorJson(type.empty() ? "Unhandled" : type, "");
          }
          finish = FinishLocked(InvokeOutcome::Kind::kFunctionError, std::move(body));
        }
      }
    }
    if (unknown_id) {
      return respond(Reply(400, ErrorJson("InvalidRequestID", "Invalid request ID")));
    }
    respond(Reply(202, R"({"status":"OK"})"));
    finish();
    return;
  }
  respond(Reply(404, ErrorJson("InvalidPath", "Unknown Runtime API path")));
}

}  // namespace tidepool::functions
