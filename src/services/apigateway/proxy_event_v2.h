// The Lambda proxy integration's payload format 2.0 (HTTP APIs and function URLs): the event
// a function gets and the response it may return.
//
// Event: version "2.0", routeKey, rawPath (with a named stage), rawQueryString, cookies (the
// Cookie header split, absent when none), headers (lower-case names, repeated values joined
// with ','), queryStringParameters (joined with ','), requestContext (accountId, apiId,
// domainName, domainPrefix, http {method, path, protocol, sourceIp, userAgent}, requestId,
// routeKey, stage, time, timeEpoch, and authorizer when one ran), pathParameters and
// stageVariables (absent when none), body (base64 with isBase64Encoded when not text).
//
// Response: an object with statusCode (and headers, multiValueHeaders, cookies, body,
// isBase64Encoded), or any other JSON, which is a 200 application/json body.
#pragma once

#include <boost/json/object.hpp>

#include <string_view>

#include "protocol/http/responder.h"
#include "services/apigateway/proxy_event.h"

namespace tidepool::apigateway {

boost::json::object BuildEventV2(const ProxyRequest& r, std::string_view route_key,
                                 std::string_view raw_path, std::string_view raw_query);

// The HTTP response for a function's payload; a malformed one is 500.
protocol::http::HttpResponse ResponseV2(const std::string& payload);

// An HTTP API's error: `status` with {"message": `message`}.
protocol::http::HttpResponse HttpApiMessage(unsigned status, std::string_view message);

}  // namespace tidepool::apigateway
