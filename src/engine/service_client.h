// In-process calls to a service through its own operations, the way an AWS poller or SDK
// client calls it (the engine's event source mappings read streams and queues this way): the
// input is the operation's JSON-protocol wire document and so is the output (blobs base64,
// timestamps epoch seconds), so what the engine sees is exactly what a client would.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/service.h"

namespace tidepool::engine {

using ServiceOutcome = std::variant<boost::json::value, protocol::AwsError>;

// Calls `operation` of `service` with `input` as account/region `account`/`region`. `done`
// runs exactly once with the output document, or with the service's error (an unknown
// operation or an input the model rejects included), wherever the service completes the call:
// possibly inline, possibly under the service's own locks (so `done` must not call back into
// it synchronously), possibly later on an io thread.
void CallService(protocol::Service& service, std::string_view operation,
                 const boost::json::value& input, std::string_view account, std::string_view region,
                 std::function<void(ServiceOutcome)> done);

// The same, with `done` posted to `io`: never inline, never under the service's locks.
void CallService(boost::asio::io_context& io, protocol::Service& service,
                 std::string_view operation, const boost::json::value& input,
                 std::string_view account, std::string_view region,
                 std::function<void(ServiceOutcome)> done);

// Calls `op` of `service` with `input` in the operation's decoded form: every member under its
// model name, wherever the protocol binds it (REST URI labels, headers and query members
// included), checked against the model first (a missing required member or a wrong type is a
// ValidationException). `body`, when set, is the payload handed to the consumer the service
// opens for uploads (S3 PutObject's Body), as a client's request body would be. `done` runs
// exactly once with the outcome as the service gives it (a StreamedOutput included), wherever
// the service completes the call, as for CallService. `host` is the request's Host (what
// queue URLs are made of).
void InvokeDecoded(protocol::Service& service, const protocol::model::Operation& op,
                   boost::json::object input, std::string_view account, std::string_view region,
                   std::optional<std::string> body, std::function<void(protocol::Outcome)> done,
                   std::string_view host = "localhost");

// A streamed output's body (S3 GetObject's Body) read whole as text; nullopt when it holds more
// than `max_bytes` or cannot be read.
std::optional<std::string> ReadBody(protocol::http::BodySource& body, uint64_t max_bytes);

// A string member of `o`; "" when absent or not a string.
std::string JsonString(const boost::json::object& o, std::string_view key);

}  // namespace tidepool::engine
