#include "services/apigateway/access_log.h"

#include <boost/json.hpp>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/gateway_responses.h"
#include "services/apigateway/integrations.h"
#include "services/apigateway/mapping_template.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;

std::optional<LogGroupArn> ParseLogGroupArn(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:logs:";
  if (!arn.starts_with(kPrefix)) return std::nullopt;
  arn.remove_prefix(kPrefix.size());
  LogGroupArn out;
  size_t colon = arn.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  out.region = std::string(arn.substr(0, colon));
  arn.remove_prefix(colon + 1);
  colon = arn.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  out.account = std::string(arn.substr(0, colon));
  arn.remove_prefix(colon + 1);
  constexpr std::string_view kGroup = "log-group:";
  if (!arn.starts_with(kGroup)) return std::nullopt;
  arn.remove_prefix(kGroup.size());
  if (arn.ends_with(":*")) arn.remove_suffix(2);
  out.group = std::string(arn);
  if (out.region.empty() || out.account.empty() || out.group.empty()) return std::nullopt;
  return out;
}

Status CheckAccessLogSettings(const json::object& settings) {
  std::string arn = StringField(settings, "destinationArn");
  if (!ParseLogGroupArn(arn)) {
    return BadRequest("Invalid ARN specified in the request: " + arn +
                      " (tidepool writes access logs to CloudWatch Logs groups only)");
  }
  std::string format = StringField(settings, "format");
  if (format.empty()) return BadRequest("Access Log format must not be empty");
  if (Status s = CheckMappingTemplate(format); !s.ok()) {
    return BadRequest("Invalid access log format: " + s.message());
  }
  return Status::Ok();
}

std::optional<std::string> AccessLogLine(std::string_view format, const ProxyRequest& request,
                                         const protocol::http::HttpResponse& response,
                                         int64_t now_ms) {
  MappingInput input = MappingInputOf(request);
  input.body.clear();
  input.context["status"] = response.result_int();
  input.context["responseLength"] = static_cast<int64_t>(response.body().size());
  input.context["responseLatency"] = now_ms - request.request_time_ms;
  std::string message;
  if (response.result_int() >= 400) {
    boost::system::error_code ec;
    json::value body = json::parse(response.body(), ec);
    if (!ec && body.is_object()) message = StringField(body.get_object(), "message");
  }
  input.context["error"] =
      json::object{{"message", message}, {"messageString", json::serialize(json::value(message))}};
  auto line = RenderMappingTemplate(format, input);
  if (!line.ok()) return std::nullopt;
  return std::move(*line);
}

}  // namespace tidepool::apigateway
