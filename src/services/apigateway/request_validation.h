// Request validation at invoke time: the method's request validator (requestValidatorId, from
// the deployment's snapshot) decides what is checked.
//   validateRequestParameters: every method.request.{querystring,header,path}.<name> the
//     method marks required (requestParameters value true) must be present, else 400
//     {"message": "Missing required request parameters: [a, b]"} (BAD_REQUEST_PARAMETERS).
//   validateRequestBody: the body must be JSON satisfying the model requestModels names for
//     the request's media type (application/json when it has no Content-Type; "$default"
//     when its type has none), else 400 {"message": "Invalid request body"}
//     (BAD_REQUEST_BODY). A media type without a model is not checked.
// Parameters are checked before the body, as API Gateway does.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "protocol/http/responder.h"
#include "services/apigateway/apigateway_service.h"

namespace tidepool::apigateway {

// nullopt when `request` passes `method`'s validator (or it has none); else the 400 to answer.
std::optional<protocol::http::HttpResponse> ValidateRequest(const boost::json::object& method,
                                                            const Deployment& deployment,
                                                            const ProxyRequest& request,
                                                            std::string_view content_type);

}  // namespace tidepool::apigateway
