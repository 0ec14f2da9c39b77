// CORS as HTTP APIs (CorsConfiguration) and Lambda function URLs (Cors) answer it: a preflight
// (OPTIONS with Origin and Access-Control-Request-Method) is answered by the gateway itself,
// and responses to a request from an allowed Origin get Access-Control-Allow-Origin,
// -Allow-Credentials and -Expose-Headers. `cors` is the configuration object (AllowOrigins,
// AllowMethods, AllowHeaders, ExposeHeaders, MaxAge, AllowCredentials); empty: no CORS.
#pragma once

#include <boost/json/object.hpp>

#include <string_view>

#include "core/result.h"
#include "protocol/http/responder.h"

namespace tidepool::apigateway {

// BadRequest for what CreateApi/UpdateApi refuse: AllowCredentials with a "*" origin, MaxAge
// outside -1..86400, members of the wrong type.
Status CheckCorsConfiguration(const boost::json::object& cors);

bool IsPreflight(const protocol::http::HttpRequest& request);

// An HTTP API's preflight answer: 204; with the Access-Control-Allow-* headers (and Max-Age)
// only when the origin, the requested method and every requested header are allowed
// (case-insensitively for methods and headers; "*" allows any).
protocol::http::HttpResponse HttpApiPreflight(const boost::json::object& cors,
                                              const protocol::http::HttpRequest& request);

// A function URL's preflight answer: 200 with the configured headers for an allowed origin.
protocol::http::HttpResponse FunctionUrlPreflight(const boost::json::object& cors,
                                                  std::string_view origin);

// Adds the CORS response headers `cors` allows for a request from `origin` (after removing
// any Access-Control-* header the integration set, which API Gateway ignores).
void AddCorsHeaders(const boost::json::object& cors, std::string_view origin,
                    protocol::http::HttpResponse& r);

}  // namespace tidepool::apigateway
