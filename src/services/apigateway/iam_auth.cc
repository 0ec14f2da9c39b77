#include "services/apigateway/iam_auth.h"

#include <string_view>

namespace tidepool::apigateway {

std::variant<IamCaller, IamDenial> AuthenticateIamCaller(
    const IamVerifier& verify, const protocol::http::HttpRequest& request) {
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
  if (caller.service != "execute-api") {
    return IamDenial{GatewayResponseType::kInvalidSignature,
                     "Credential should be scoped to correct service: 'execute-api'. ",
                     "InvalidSignatureException"};
  }
  return caller;
}

}  // namespace tidepool::apigateway
