#include "protocol/codec/cbor_event_stream.h"

#include <boost/json.hpp>

#include <mutex>
#include <utility>

#include "protocol/codec/cbor_codec.h"
#include "protocol/codec/json_codec.h"

namespace tidepool::protocol::cbor_codec {
namespace json = boost::json;
namespace {

// The shape of `message`'s payload: the output itself for the initial-response, else the
// member of the output's event stream union that the event or exception type names.
uint16_t PayloadShape(const model::ServiceModel& model, const model::Operation& op,
                      const event_stream::Message& message) {
  if (op.output == model::kNoShape) return model::kNoShape;
  const std::string_view kind = message.Header(":message-type");
  const std::string_view type =
      kind == "exception" ? message.Header(":exception-type") : message.Header(":event-type");
  if (kind == "event" && type == "initial-response") return op.output;
  for (const model::Member& stream : model.MembersOf(model.shape(op.output))) {
    if (!model.shape(stream.shape).event_stream) continue;
    for (const model::Member& event : model.MembersOf(model.shape(stream.shape))) {
      if (event.name == type) return event.shape;
    }
  }
  return model::kNoShape;
}

// Reads what `source` has and pushes it on to `target` message by message. Lives as long as
// `source` (which holds it in its wakeup).
class Relay {
 public:
  Relay(const model::ServiceModel& model, const model::Operation& op,
        std::shared_ptr<http::PushBody> target)
      : model_(model), op_(op), target_(std::move(target)) {}

  // Drains `source` until it has nothing more for now; ends the target at its end.
  void Drain(http::PushBody& source) {
    std::lock_guard lock(mu_);
    char chunk[16384];
    for (;;) {
      const int64_t n = source.Read(chunk, sizeof chunk);
      if (n == http::PushBody::kPending) break;
      if (n <= 0) {
        ended_ = true;
        break;
      }
      pending_.append(chunk, static_cast<size_t>(n));
    }
    std::string_view rest = pending_;
    for (;;) {
      size_t consumed = 0;
      std::string error;
      auto message = event_stream::DecodeMessage(rest, &consumed, &error);
      if (!message) {
        if (!error.empty()) rest = {}, ended_ = true;  // not ours to mend: end the stream
        break;
      }
      target_->Push(EncodeEventMessage(model_, op_, *message));
      rest.remove_prefix(consumed);
    }
    pending_.erase(0, pending_.size() - rest.size());
    if (ended_) target_->End();
  }

 private:
  const model::ServiceModel& model_;
  const model::Operation& op_;
  std::shared_ptr<http::PushBody> target_;
  std::mutex mu_;        // one Drain at a time: wakeups may come from several threads
  std::string pending_;  // bytes of a message not complete yet
  bool ended_ = false;
};

}  // namespace

std::string EncodeEventMessage(const model::ServiceModel& model, const model::Operation& op,
                               const event_stream::Message& message) {
  const uint16_t shape = PayloadShape(model, op, message);
  auto pass = [&] { return event_stream::EncodeMessage(message.headers, message.payload); };
  if (shape == model::kNoShape) return pass();
  boost::system::error_code ec;
  json::value payload = json::parse(message.payload, ec);
  if (ec || !payload.is_object()) return pass();
  if (json_codec::DecodeBodyMembers(model, shape, payload.as_object())) return pass();
  auto headers = message.headers;
  for (auto& [name, value] : headers) {
    if (name == ":content-type") value = std::string(kContentType);
  }
  return event_stream::EncodeMessage(headers, EncodeStructure(model, shape, payload.as_object()));
}

std::shared_ptr<http::PushBody> RelayAsCbor(const model::ServiceModel& model,
                                            const model::Operation& op,
                                            const std::shared_ptr<http::PushBody>& json_events) {
  auto target = std::make_shared<http::PushBody>();
  auto relay = std::make_shared<Relay>(model, op, target);
  http::PushBody* source = json_events.get();
  // The source calls its wakeup only while it lives, so the raw pointer is valid there.
  json_events->SetWakeup([relay, source] { relay->Drain(*source); });
  target->OnAbandoned([weak = std::weak_ptr<http::PushBody>(json_events)] {
    if (auto source = weak.lock()) source->Abandon();
  });
  relay->Drain(*json_events);
  return target;
}

}  // namespace tidepool::protocol::cbor_codec
