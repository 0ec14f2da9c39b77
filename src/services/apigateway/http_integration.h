// HTTP and HTTP_PROXY integrations of REST APIs: the request sent to the integration's URL,
// and (HTTP_PROXY) the answer passed back.
//
// URL: the integration's uri (stage variables already substituted), each {name} replaced by
// the integration.request.path.name mapping or else the method request's path parameter of
// that name (percent-encoded; '/' kept for a greedy {proxy+} value). Query: HTTP_PROXY sends
// the request's own query string; both add integration.request.querystring.* mappings.
// Method: the integration's httpMethod; ANY sends the request's. Headers: HTTP_PROXY
// forwards the request's (not Host, Connection and the other hop-by-hop ones); both add
// integration.request.header.* mappings; HTTP sends the request's Content-Type. Body:
// HTTP_PROXY the request's as it came, HTTP the rendered request template (`body`).
// Mapping sources are RequestParameterValue's (proxy_event.h).
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "core/result.h"
#include "protocol/http/responder.h"
#include "services/apigateway/http_exchange.h"
#include "services/apigateway/proxy_event.h"

namespace tidepool::apigateway {

struct HttpIntegrationRequest {
  HttpUrl url;
  protocol::http::HttpRequest request;
};

// InvalidArgument when the uri is not an http:// or https:// URL.
Result<HttpIntegrationRequest> BuildHttpIntegrationRequest(const boost::json::object& integration,
                                                           std::string_view uri,
                                                           const ProxyRequest& request,
                                                           std::string_view content_type,
                                                           bool proxy, std::string body);

// An HTTP_PROXY answer as the client gets it: status, headers (hop-by-hop ones dropped) and
// body unchanged.
protocol::http::HttpResponse ProxiedHttpAnswer(protocol::http::HttpResponse&& answer);

}  // namespace tidepool::apigateway
