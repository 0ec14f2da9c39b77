#include "main/execute_api_auth.h"

#include <memory>
#include <utility>

#include "protocol/http/query_string.h"

namespace tidepool {

apigateway::IamVerifier MakeExecuteApiVerifier(protocol::AuthMode mode,
                                               protocol::CredentialMap credentials,
                                               const Clock* clock, const iam::IamService* iam,
                                               std::string default_account) {
  auto lookup = [iam](std::string_view access_key_id) {
    return iam->FindCredential(access_key_id);
  };
  auto strict = std::make_shared<protocol::Authenticator>(protocol::AuthMode::kStrict, credentials,
                                                          clock, 900, lookup);
  auto any = std::make_shared<protocol::Authenticator>(protocol::AuthMode::kAcceptAny,
                                                       std::move(credentials), clock, 900, lookup);
  const bool accept_unknown = mode == protocol::AuthMode::kAcceptAny;
  return [strict, any, accept_unknown, iam,
          default_account = std::move(default_account)](const protocol::http::HttpRequest& request)
             -> std::variant<apigateway::IamCaller, protocol::AwsError> {
    auto [path, query] = protocol::http::SplitTarget(request.target());
    auto result = strict->Authenticate(request, path, query, /*json_protocol=*/false, false);
    if (auto* error = std::get_if<protocol::AwsError>(&result)) {
      // Strict refuses a key it does not know with UnrecognizedClientException; so does a
      // known key's wrong session token, which accept-any lets pass as elsewhere.
      if (!accept_unknown || error->code != "UnrecognizedClientException") return *error;
      result = any->Authenticate(request, path, query, /*json_protocol=*/false, false);
      if (auto* again = std::get_if<protocol::AwsError>(&result)) return *again;
    }
    protocol::AuthInfo info = std::get<protocol::AuthInfo>(std::move(result));
    protocol::RequestContext context;
    context.access_key_id = info.access_key_id;
    context.account_id = !info.account_id.empty() ? info.account_id : default_account;
    if (info.account_id.empty() && info.access_key_id.size() == 12 &&
        info.access_key_id.find_first_not_of("0123456789") == std::string::npos) {
      context.account_id = info.access_key_id;
    }
    context.region = info.region;
    const iam::CallerIdentity who = iam->IdentityOf(context);
    return apigateway::IamCaller{info.access_key_id, who.account, who.user_id, who.arn,
                                 info.service};
  };
}

}  // namespace tidepool
