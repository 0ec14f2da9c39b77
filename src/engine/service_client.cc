#include "engine/service_client.h"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "core/encoding.h"
#include "protocol/codec/json_codec.h"
#include "protocol/codec/validate.h"
#include "protocol/http/push_body.h"
#include "protocol/http/responder.h"

namespace tidepool::engine {
namespace json = boost::json;

namespace {

protocol::RequestContext InProcessContext(std::string_view account, std::string_view region,
                                          std::string_view host = "localhost") {
  protocol::RequestContext ctx;
  ctx.account_id = std::string(account);
  ctx.region = std::string(region);
  ctx.request_id = NewUuid();
  ctx.host = std::string(host);
  return ctx;
}

}  // namespace

void CallService(protocol::Service& service, std::string_view operation, const json::value& input,
                 std::string_view account, std::string_view region,
                 std::function<void(ServiceOutcome)> done) {
  const protocol::model::ServiceModel& model = service.Model();
  const protocol::model::Operation* op = model.FindOperation(operation);
  if (op == nullptr) {
    return done(protocol::AwsError{"InvalidAction",
                                   "tidepool: no operation " + std::string(operation), 400});
  }
  protocol::RequestContext ctx = InProcessContext(account, region);
  auto complete = [done, op, &model](protocol::Outcome outcome) {
    if (auto* err = std::get_if<protocol::AwsError>(&outcome)) return done(std::move(*err));
    std::string body;
    if (auto* encoded = std::get_if<protocol::EncodedJson>(&outcome)) {
      body = std::move(encoded->body);
    } else if (auto* streamed = std::get_if<protocol::StreamedOutput>(&outcome)) {
      // An event stream (Kinesis SubscribeToShard) or a streamed body: nothing in process reads
      // one. Abandoning a pushed body ends its producer at once.
      if (auto push = std::dynamic_pointer_cast<protocol::http::PushBody>(streamed->body)) {
        push->Abandon();
      }
      return done(protocol::AwsError{
          "InvalidAction", "tidepool: " + std::string(op->name) + " streams its output", 400});
    } else {
      body = protocol::json_codec::EncodeOutput(model, *op, std::get<json::object>(outcome));
    }
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec) v = json::object();
    done(std::move(v));
  };
  auto call = protocol::json_codec::MakeCall(service, *op, json::serialize(input), std::move(ctx),
                                             std::move(complete));
  if (call) service.Invoke(std::move(call));
}

void CallService(boost::asio::io_context& io, protocol::Service& service,
                 std::string_view operation, const json::value& input, std::string_view account,
                 std::string_view region, std::function<void(ServiceOutcome)> done) {
  CallService(service, operation, input, account, region,
              [&io, done = std::move(done)](ServiceOutcome outcome) {
                boost::asio::post(io, [done, outcome = std::move(outcome)]() mutable {
                  done(std::move(outcome));
                });
              });
}

void InvokeDecoded(protocol::Service& service, const protocol::model::Operation& op,
                   json::object input, std::string_view account, std::string_view region,
                   std::optional<std::string> body, std::function<void(protocol::Outcome)> done,
                   std::string_view host) {
  const protocol::model::ServiceModel& model = service.Model();
  std::shared_ptr<protocol::BodyConsumer> consumer;
  if (body) {
    consumer = service.OpenBodyConsumer(op, protocol::BodyFraming{});
    if (consumer) {
      consumer->Write(*body);
    } else if (op.input != protocol::model::kNoShape && !model.shape(op.input).payload.empty()) {
      input[model.shape(op.input).payload] = std::move(*body);  // a payload held in the input
    }
  }
  if (auto message = protocol::validate::ValidateInput(model, op.input, input)) {
    return done(protocol::AwsError{"ValidationException", std::move(*message), 400, true, {}});
  }
  auto call = std::make_shared<protocol::Call>(InProcessContext(account, region, host), op,
                                               std::move(input), std::move(done));
  if (consumer) call->set_body_consumer(std::move(consumer));
  service.Invoke(std::move(call));
}

std::optional<std::string> ReadBody(protocol::http::BodySource& body, uint64_t max_bytes) {
  if (body.size() > max_bytes) return std::nullopt;
  std::string text;
  char buffer[16384];
  while (true) {
    int64_t n = body.Read(buffer, sizeof buffer);
    if (n < 0) return std::nullopt;
    if (n == 0) return text;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > max_bytes) return std::nullopt;
  }
}

std::string JsonString(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace tidepool::engine
