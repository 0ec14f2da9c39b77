// AWS_IAM authorization of REST API methods and HTTP API routes: the request must carry a SigV4
// signature (Authorization header or presigned query) scoped to the `execute-api` service that
// the server's verifier (src/main binds it to the router's authenticator) accepts. No IAM
// policy is evaluated: any caller whose signature verifies is allowed.
//
// Thread-safety: pure functions; an IamVerifier must be callable from any I/O thread.
#pragma once

#include <boost/json/object.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/http/responder.h"
#include "protocol/service.h"
#include "services/apigateway/gateway_responses.h"
#include "services/apigateway/proxy_event.h"

namespace tidepool::apigateway {

// Checks a request's signature: its signer (IamCaller, proxy_event.h), or the AWS error (code and
// message) it fails with.
using IamVerifier =
    std::function<std::variant<IamCaller, protocol::AwsError>(const protocol::http::HttpRequest&)>;

// Why a request is refused, as API Gateway answers: always status 403.
struct IamDenial {
  GatewayResponseType type;
  std::string message;     // {"message": ...}
  std::string error_type;  // x-amzn-ErrorType
};

// The caller of an AWS_IAM method: unsigned requests get "Missing Authentication Token", a
// signature the verifier refuses its message (INVALID_SIGNATURE, or EXPIRED_TOKEN for expired
// session credentials), a scope other than `service` (execute-api for API Gateway, lambda for
// function URLs) AWS's "Credential should be scoped to correct service" text. Without a
// verifier every signed request is refused.
std::variant<IamCaller, IamDenial> AuthenticateIamCaller(const IamVerifier& verify,
                                                         const protocol::http::HttpRequest& request,
                                                         std::string_view service = "execute-api");

// The payload format 2.0 `requestContext.authorizer.iam` object of a verified caller.
boost::json::object IamAuthorizerContext(const IamCaller& who);

}  // namespace tidepool::apigateway
