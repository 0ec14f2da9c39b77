// In-process calls to a service through its own operations, the way an AWS poller or SDK
// client calls it (the engine's event source mappings read streams and queues this way): the
// input is the operation's JSON-protocol wire document and so is the output (blobs base64,
// timestamps epoch seconds), so what the engine sees is exactly what a client would.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <functional>
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

// A string member of `o`; "" when absent or not a string.
std::string JsonString(const boost::json::object& o, std::string_view key);

}  // namespace tidepool::engine
