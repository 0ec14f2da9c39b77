// GetExport: a deployed stage of a REST API as an OpenAPI 3.0 ("oas30") or Swagger 2.0
// ("swagger") JSON document, the inverse of openapi.h's importer.
//
// Written: info (title, description, version), the server (oas30 `servers`, swagger
// `host`/`basePath`) at the stage's host-form invoke URL, one path per resource with methods;
// per method: operationId, parameters from requestParameters (path / query / header, with
// `required`), the request body from requestModels, responses from methodResponses (header
// parameters, response models), `security` for apiKeyRequired; models as components.schemas
// (definitions), their model-URL $refs rewritten to the document's. With `integrations`
// (extensions "integrations" or "apigateway"): x-amazon-apigateway-integration (type, uri,
// httpMethod, templates, parameters, passthroughBehavior, timeoutInMillis, responses keyed by
// selection pattern or "default") and, with "apigateway", request validators.
// Authorizers are not written.
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "services/apigateway/apigateway_service.h"

namespace tidepool::apigateway {

struct ExportOptions {
  bool swagger = false;       // else oas30
  bool integrations = false;  // x-amazon-apigateway-integration
  bool validators = false;    // x-amazon-apigateway-request-validator(s)
  std::string host;           // "<api>.execute-api.localhost:4566"
};

// `api` is the RestApi output shape, `deployment` the stage's deployment.
boost::json::object ExportOpenApi(const boost::json::object& api, const Deployment& deployment,
                                  const std::string& stage, const ExportOptions& options);

}  // namespace tidepool::apigateway
