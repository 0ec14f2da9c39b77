// Cross-origin requests to a rest-xml service (S3): reading the CORS facts of a request, and
// writing what the service's rules grant (Service::MatchCors) onto a response. The router
// answers OPTIONS preflights with PreflightResponse and adds the grant to the reply of an
// actual request that carries an Origin header. Pure functions; thread-safe.
#pragma once

#include <string>

#include "protocol/http/responder.h"
#include "protocol/service.h"

namespace tidepool::protocol {

// The query for `request` to `bucket`: its Origin, and for a preflight the
// Access-Control-Request-Method and -Headers (names lowercased, as browsers send them).
CorsQuery CorsQueryOf(const http::HttpRequest& request, std::string bucket, bool preflight);

// The answer to an OPTIONS preflight: 200 with the granted headers, or the service's error
// (400 BadRequest when Origin or Access-Control-Request-Method is missing) in S3's XML shape.
http::HttpResponse PreflightResponse(const Service& service, const http::HttpRequest& request,
                                     std::string bucket, const std::string& request_id);

void AddCorsHeaders(http::HttpResponse& response, const CorsGrant& grant);

}  // namespace tidepool::protocol
