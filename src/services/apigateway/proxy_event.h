// The Lambda proxy integration's payload format 1.0 (REST APIs): the event a function gets and
// the response it must return.
//
// Event: version "1.0", resource (the resource path template), path (without the stage),
// httpMethod, headers (last value per name) and multiValueHeaders, queryStringParameters and
// multiValueQueryStringParameters (null when none), pathParameters and stageVariables (null
// when none), requestContext (accountId, apiId, domainName, domainPrefix, extendedRequestId,
// httpMethod, identity {sourceIp, userAgent, apiKey, apiKeyId, the rest null}, path (with the
// stage), protocol, requestId, requestTime, requestTimeEpoch, resourceId, resourcePath, stage),
// body (null when empty; base64 with isBase64Encoded for binary media types).
//
// With a Lambda authorizer, requestContext.authorizer holds its principalId and context.
//
// Response: a JSON object with statusCode (integer), headers (name -> scalar),
// multiValueHeaders (name -> list of scalars), body (string) and isBase64Encoded. Anything
// else is malformed: API Gateway answers 502 {"message": "Internal server error"}.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidepool::apigateway {

// Who signed a request to an AWS_IAM method or route (iam_auth.h).
struct IamCaller {
  std::string access_key;
  std::string account_id;
  std::string caller;    // the principal's id: AIDA... (user), AROA...:session, the account
  std::string user_arn;  // arn:aws:iam::<account>:user/<name>, :root, or an assumed-role ARN
  std::string service;   // the signature's credential scope service
};

struct ProxyRequest {
  std::string http_method;
  std::string path;           // the request path after the stage, "/pets/1"
  std::string resource_path;  // "/pets/{id}"
  std::string resource_id;
  std::string stage;
  std::string api_id;
  std::string account_id;
  std::string domain_name;  // the Host header
  std::string request_id;
  std::string source_ip;
  std::string api_key;  // the key used (empty when none)
  std::string api_key_id;
  int64_t request_time_ms = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // in arrival order
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> path_parameters;
  std::vector<std::pair<std::string, std::string>> stage_variables;
  std::string body;
  bool binary = false;  // the body's media type is one of the API's binaryMediaTypes
  // A Lambda authorizer's principalId and context (requestContext.authorizer); empty: none.
  boost::json::object authorizer;
  // AWS_IAM: the signer (requestContext.identity's accessKey, accountId, caller, user, userArn).
  std::optional<IamCaller> iam_caller;
};

// The event document (JSON text).
std::string BuildProxyEvent(const ProxyRequest& request);

// The value a parameter mapping source names for `r` ("" when absent): a 'literal',
// method.request.header.<name> (any case), method.request.querystring.<name>,
// method.request.path.<name>, stageVariables.<name>, or context.<member> for stage,
// httpMethod, resourcePath, requestId and identity.sourceIp.
std::string RequestParameterValue(std::string_view source, const ProxyRequest& r);

struct ProxyResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // multiValueHeaders merged in
  std::string body;                                          // decoded when isBase64Encoded
};

// nullopt when `payload` is not a well-formed proxy response.
std::optional<ProxyResponse> ParseProxyResponse(std::string_view payload);

// "04/Mar/2020:19:15:17 +0000", API Gateway's requestTime.
std::string RequestTimeText(int64_t epoch_ms);

}  // namespace tidepool::apigateway
