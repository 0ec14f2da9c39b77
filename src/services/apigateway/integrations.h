// The non-proxy side of integrations (MOCK, AWS): request templates with their passthrough
// behaviours, integration response selection, response templates and response parameters,
// and the requests an AWS service integration sends to this process's own services.
//
// Request: the template for the request's Content-Type (application/json when it has none) is
// rendered; with none, passthroughBehavior decides: WHEN_NO_MATCH passes the body through;
// WHEN_NO_TEMPLATES passes it when the integration has no template at all, else 415; NEVER
// is 415.
// Response: the integration response whose selectionPattern (RE2, whole match) matches the
// selector (a status code for MOCK and AWS services, a function's errorMessage for Lambda;
// success selects the default), else the default one (no pattern); none at all is 500. Its
// template for application/json (or its only one) renders the integration's body ($input);
// with none the body passes through. responseParameters set method.response.header.X from
// 'literal' and integration.response.header.Y.
// Thread-safety: pure functions.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <functional>

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.h"
#include "protocol/http/responder.h"
#include "services/apigateway/gateway_responses.h"
#include "services/apigateway/integration_uri.h"
#include "services/apigateway/mapping_template.h"
#include "services/apigateway/proxy_event.h"

namespace tidepool::apigateway {

// API Gateway's 500 (or `status`) Internal server error, as a gateway response of `type`.
protocol::http::HttpResponse InternalError(GatewayResponseType type, unsigned status = 500);

// Runs `start` with a reply function; `respond` gets the first of that reply and, when
// `timeout_ms` passes first, `on_timeout`.
void ReplyWithin(
    boost::asio::io_context& io, int64_t timeout_ms, protocol::http::Responder respond,
    protocol::http::HttpResponse on_timeout,
    const std::function<void(std::function<void(protocol::http::HttpResponse&&)>)>& start);

// Whether `content_type` (parameters ignored) is one of an API's binaryMediaTypes `types`
// (exact, any case, "type/*" or "*/*"); false when `types` is not an array.
bool IsBinaryMediaType(const boost::json::value* types, std::string_view content_type);

// The template inputs of a request: its parameters, $context and $stageVariables.
MappingInput MappingInputOf(const ProxyRequest& request);

// The integration request body (a template rendered, or the body passed through), or the
// response to give instead (415, or 500 for a template that fails to render).
std::variant<std::string, protocol::http::HttpResponse> IntegrationRequestBody(
    const boost::json::object& integration, std::string_view content_type,
    const MappingInput& input);

// The method response for an integration's answer (`body`, with `headers` for
// integration.response.header.* parameters), selected by `selector`.
protocol::http::HttpResponse MethodResponseFor(
    const boost::json::object& integration, const std::string& selector, std::string body,
    const std::vector<std::pair<std::string, std::string>>& headers, MappingInput input);

// The request an AWS service integration sends to this process (`uri`'s service and action
// or path, the integration's httpMethod and requestParameters' literal
// integration.request.header.* values), signed with a placeholder SigV4 header whose scope
// names the service, so the router and the query dispatcher pick it.
protocol::http::HttpRequest AwsServiceRequest(const IntegrationUri& uri,
                                              const boost::json::object& integration,
                                              std::string body, const std::string& account,
                                              int64_t now_ms);

}  // namespace tidepool::apigateway
