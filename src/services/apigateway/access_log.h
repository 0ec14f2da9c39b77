// Access logging of REST API stages (Stage.accessLogSettings): after every request a stage
// serves, its `format` is rendered as a mapping template over $context (the request's, plus
// status, responseLength, responseLatency (ms) and error.message/messageString) and
// the line goes to the CloudWatch Logs group that `destinationArn` names
// ("arn:aws:logs:<region>:<account>:log-group:<name>[:*]"), stream
// "<api id>_<stage>" (created when missing), through the AccessLogSink serve.cc binds to the
// logs service.
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "protocol/http/responder.h"
#include "services/apigateway/proxy_event.h"

namespace tidepool::apigateway {

// Writes `line` (timestamped `timestamp_ms`) to stream `stream` of log group `group` in
// `account` and `region`; never blocks.
using AccessLogSink = std::function<void(const std::string& account, const std::string& region,
                                         const std::string& group, const std::string& stream,
                                         int64_t timestamp_ms, std::string line)>;

struct LogGroupArn {
  std::string region;
  std::string account;
  std::string group;
};
std::optional<LogGroupArn> ParseLogGroupArn(std::string_view arn);

// BadRequest unless `settings` (AccessLogSettings) has a log group ARN and a format that
// parses as a template.
Status CheckAccessLogSettings(const boost::json::object& settings);

// The access log line of `request` answered with `response` at `now_ms`, per `format`;
// nullopt when the format does not render.
std::optional<std::string> AccessLogLine(std::string_view format, const ProxyRequest& request,
                                         const protocol::http::HttpResponse& response,
                                         int64_t now_ms);

}  // namespace tidepool::apigateway
