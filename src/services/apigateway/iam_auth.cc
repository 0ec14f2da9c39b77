#include "services/apigateway/iam_auth.h"

#include <string>
#include <string_view>

namespace tidepool::apigateway {

std::variant<IamCaller, IamDenial> AuthenticateIamCaller(const IamVerifier& verify,
                                                         const protocol::http::HttpRequest& request,
                                                         std::string_view service) {
  const bool header = request.find(boost::beast::http::field::authorization) != request.end();
  const bool presigned =
      std::string_view(request.target()).find("X-Amz-Algorithm=") != std::string_view::npos;
  if (!header && !presigned) {
    return IamDenial{GatewayResponseType::kMissingAuthenticationToken,
                     "Missing Authentication Token", "MissingAuthenticationTokenException"};
  }
  if (!verify) {
    return IamDenial{GatewayResponseType::kInvalidSignature,
                     "The security token included in the request is invalid.",
                     "UnrecognizedClientException"};
  }
  auto verified = verify(request);
  if (auto* error = std::get_if<protocol::AwsError>(&verified)) {
    const bool expired = error->code == "ExpiredTokenException";
    return IamDenial{
        expired ? GatewayResponseType::kExpiredToken : GatewayResponseType::kInvalidSignature,
        error->message, error->code};
  }
  IamCaller caller = std::get<IamCaller>(std::move(verified));
  if (caller.service != service) {
    return IamDenial{
        GatewayResponseType::kInvalidSignature,
        "Credential should be scoped to correct service: '" + std::string(service) + "'. ",
        "InvalidSignatureException"};
  }
  return caller;
}

boost::json::object IamAuthorizerContext(const IamCaller& who) {
  return boost::json::object{{"accessKey", who.access_key}, {"accountId", who.account_id},
                             {"callerId", who.caller},      {"cognitoIdentity", nullptr},
                             {"principalOrgId", nullptr},   {"userArn", who.user_arn},
                             {"userId", who.caller}};
}

}  // namespace tidepool::apigateway
