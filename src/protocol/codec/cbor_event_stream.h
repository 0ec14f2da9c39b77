// Event streams for CBOR clients: a service writes the events of an event stream output
// (Kinesis SubscribeToShard) with JSON payloads; a client that called in CBOR
// (application/x-amz-cbor-1.1, the AWS SDK for Java and the KCL) gets each message with its
// payload re-encoded in CBOR along the event's shape and `:content-type` saying so, as AWS
// sends them.
#pragma once

#include <memory>
#include <string>

#include "protocol/codec/event_stream.h"
#include "protocol/http/push_body.h"
#include "protocol/model/model.h"

namespace tidepool::protocol::cbor_codec {

// `message` (an event, an exception or the initial-response of `op`'s output event stream,
// with a JSON payload) with its payload in CBOR. A message whose type the model does not
// name, or whose payload is not a JSON object, is returned as it is. Pure; thread-safe.
std::string EncodeEventMessage(const model::ServiceModel& model, const model::Operation& op,
                               const event_stream::Message& message);

// A body that carries the messages pushed to `json_events`, each through EncodeEventMessage,
// and ends when it ends. Abandoning the returned body abandons `json_events`. The relay runs
// on the thread that pushes to `json_events`; `model` must outlive both bodies.
std::shared_ptr<http::PushBody> RelayAsCbor(const model::ServiceModel& model,
                                            const model::Operation& op,
                                            const std::shared_ptr<http::PushBody>& json_events);

}  // namespace tidepool::protocol::cbor_codec
