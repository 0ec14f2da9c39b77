#include "engine/in_process_caller.h"

#include <boost/json.hpp>

#include <chrono>
#include <future>
#include <memory>

#include "engine/service_client.h"
#include "protocol/http/responder.h"

namespace tidepool::engine {
namespace json = boost::json;
using cloudformation::ServiceError;

namespace {

// What a provider reads of a streamed payload (S3 GetObject of a template): at most 16 MiB.
constexpr size_t kMaxPayloadBytes = 16 << 20;
// How long a call may take before the deployment gives up on it: a call that never completes
// must not stop every later deployment.
constexpr std::chrono::minutes kCallTimeout{15};

std::variant<json::object, ServiceError> Decoded(const protocol::model::ServiceModel& model,
                                                 const protocol::model::Operation& op,
                                                 protocol::Outcome outcome) {
  if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
    return ServiceError{err->code, err->message, err->http_status};
  }
  if (auto* encoded = std::get_if<protocol::EncodedJson>(&outcome)) {
    boost::system::error_code ec;
    json::value v = json::parse(encoded->body, ec);
    if (!ec && v.is_object()) return std::move(v.get_object());
    return json::object();
  }
  if (auto* streamed = std::get_if<protocol::StreamedOutput>(&outcome)) {
    std::string_view member;
    if (op.output != protocol::model::kNoShape) member = model.shape(op.output).payload;
    if (streamed->body && !member.empty()) {
      std::optional<std::string> text = ReadBody(*streamed->body, kMaxPayloadBytes);
      if (!text) {
        return ServiceError{
            "InvalidRequest",
            std::string(op.name) + "'s payload is too large or unreadable in process"};
      }
      streamed->output[member] = std::move(*text);
    }
    return std::move(streamed->output);
  }
  return std::move(std::get<json::object>(outcome));
}

}  // namespace

std::variant<json::object, ServiceError> InProcessCaller::Call(std::string_view service,
                                                               std::string_view operation,
                                                               json::object input) {
  auto it = services_.find(service);
  if (it == services_.end()) {
    return ServiceError{"InvalidAction", "tidepool serves no service " + std::string(service)};
  }
  protocol::Service& target = *it->second;
  const auto& model = target.Model();
  const protocol::model::Operation* op = model.FindOperation(operation);
  if (op == nullptr) {
    return ServiceError{"InvalidAction",
                        std::string(service) + " has no operation " + std::string(operation)};
  }
  // A blob or text payload member (S3 PutObject's Body) goes as the request body; a structure
  // payload (PutBucketVersioning's VersioningConfiguration) stays in the decoded input.
  std::optional<std::string> body;
  if (op->input != protocol::model::kNoShape) {
    std::string_view member = model.shape(op->input).payload;
    auto* p = member.empty() ? nullptr : input.if_contains(member);
    if (p != nullptr && !p->is_object()) {
      body = p->is_string() ? std::string(p->get_string()) : json::serialize(*p);
      input.erase(member);
    }
  }
  // Shared with the completion: a service that answers after the timeout finds it alive.
  auto answer = std::make_shared<std::promise<std::variant<json::object, ServiceError>>>();
  auto future = answer->get_future();
  InvokeDecoded(
      target, *op, std::move(input), account_, region_, std::move(body),
      [answer, &model, op](protocol::Outcome outcome) {
        answer->set_value(Decoded(model, *op, std::move(outcome)));
      },
      host_);
  if (future.wait_for(kCallTimeout) != std::future_status::ready) {
    return ServiceError{
        "InternalFailure",
        std::string(service) + " did not answer " + std::string(operation) + " within 15 minutes",
        500};
  }
  return future.get();
}

}  // namespace tidepool::engine
