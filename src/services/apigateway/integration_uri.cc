#include "services/apigateway/integration_uri.h"

#include "services/apigateway/apigateway_errors.h"

namespace tidepool::apigateway {

Result<IntegrationUri> ParseIntegrationUri(std::string_view uri) {
  constexpr std::string_view kPrefix = "arn:aws:apigateway:";
  if (uri.substr(0, kPrefix.size()) != kPrefix) {
    return BadRequest("Invalid ARN specified in the request");
  }
  std::string_view rest = uri.substr(kPrefix.size());
  IntegrationUri out;
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return BadRequest("Invalid ARN specified in the request");
  out.region = std::string(rest.substr(0, colon));
  rest.remove_prefix(colon + 1);
  colon = rest.find(':');
  if (colon == std::string_view::npos) return BadRequest("Invalid ARN specified in the request");
  out.service = std::string(rest.substr(0, colon));
  rest.remove_prefix(colon + 1);
  if (rest.substr(0, 5) == "path/") {
    out.target = std::string(rest.substr(5));
  } else if (rest.substr(0, 7) == "action/") {
    out.action = true;
    out.target = std::string(rest.substr(7));
  } else {
    return BadRequest("AWS ARN for integration must contain path or action");
  }
  if (out.service == "lambda") {
    constexpr std::string_view kFunctions = "/functions/";
    constexpr std::string_view kInvocations = "/invocations";
    std::string_view path = out.target;
    size_t at = path.find(kFunctions);
    if (out.action || at == std::string_view::npos || path.size() < kInvocations.size() ||
        path.substr(path.size() - kInvocations.size()) != kInvocations ||
        at + kFunctions.size() >= path.size() - kInvocations.size()) {
      return BadRequest("Invalid Lambda function ARN in integration URI: " + std::string(uri));
    }
    out.function_arn = std::string(path.substr(
        at + kFunctions.size(), path.size() - kInvocations.size() - at - kFunctions.size()));
  }
  return out;
}

}  // namespace tidepool::apigateway
