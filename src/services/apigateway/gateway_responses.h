// Gateway responses: the errors API Gateway itself answers at invoke time (a missing route, a
// bad API key, a throttle, an authorizer's verdict, a failed validation, an integration's
// timeout...), each of one response type, and their customization per API
// (Put/Get/Update/Delete GatewayResponse(s), deployed with the API).
//
// An error is made by GatewayError(type, ...) with API Gateway's default status, message and
// x-amzn-ErrorType; it carries its type in the internal header kResponseTypeHeader until
// ApplyGatewayResponse (run on every REST API reply) removes it and, when the deployment
// customizes that type (or DEFAULT_4XX / DEFAULT_5XX for its status class), applies the
// customization: statusCode, responseParameters (gatewayresponse.header.<name> from a
// 'literal', method.request.header|querystring|path.<name> or stageVariables.<name>) and the
// application/json (else first) responseTemplate, rendered as a mapping template with
// $context.error.message, .messageString (quoted) and .responseType.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/http/responder.h"
#include "services/apigateway/proxy_event.h"

namespace tidepool::apigateway {

enum class GatewayResponseType : uint8_t {
  kAccessDenied,
  kApiConfigurationError,
  kAuthorizerConfigurationError,
  kAuthorizerFailure,
  kBadRequestBody,
  kBadRequestParameters,
  kDefault4xx,
  kDefault5xx,
  kExpiredToken,
  kIntegrationFailure,
  kIntegrationTimeout,
  kInvalidApiKey,
  kInvalidSignature,
  kMissingAuthenticationToken,
  kQuotaExceeded,
  kRequestTooLarge,
  kResourceNotFound,
  kThrottled,
  kUnauthorized,
  kUnsupportedMediaType,
  kWafFiltered,
};
inline constexpr size_t kGatewayResponseTypes = 21;

inline constexpr std::string_view kResponseTypeHeader = "x-tidepool-gateway-response";

std::string_view GatewayResponseTypeName(GatewayResponseType type);
std::optional<GatewayResponseType> ParseGatewayResponseType(std::string_view name);

// API Gateway's own error answer of `type`: {"message": message} with x-amzn-ErrorType
// `error_type`, marked with its type (see above).
protocol::http::HttpResponse GatewayError(GatewayResponseType type, unsigned status,
                                          std::string_view message, std::string_view error_type);

// The GatewayResponse output shape of `type` as an API has it without customization
// (defaultResponse true).
boost::json::object DefaultGatewayResponse(GatewayResponseType type);

// `customized` (responseType -> GatewayResponse, as PutGatewayResponse stored them) applied to
// `response` when it is a marked gateway error; the mark is removed either way. `request`
// gives the parameters, $context and $stageVariables.
void ApplyGatewayResponse(protocol::http::HttpResponse& response,
                          const boost::json::object& customized, const ProxyRequest& request);

}  // namespace tidepool::apigateway
