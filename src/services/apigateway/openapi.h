// The OpenAPI importer (ImportRestApi, PutRestApi): an OpenAPI 3.0 or Swagger 2.0 document in
// JSON, with API Gateway's extensions, as a REST API's resources and methods.
//
// Read: info.title/description/version; paths -> one resource per path segment; each
// operation (get, put, post, delete, patch, head, options, x-amazon-apigateway-any-method ->
// ANY) -> a method: operationId, parameters (path/query/header -> method.request.*
// requestParameters with their `required`), responses (-> method responses, headers ->
// method.response.header.*), `security` naming an apiKey scheme of x-api-key in the header
// -> apiKeyRequired, and x-amazon-apigateway-integration (type, uri, httpMethod,
// requestTemplates, requestParameters, passthroughBehavior, timeoutInMillis,
// contentHandling, responses: pattern -> {statusCode, responseTemplates,
// responseParameters}). Top level: x-amazon-apigateway-binary-media-types and
// x-amazon-apigateway-api-key-source. What tidepool does not import (YAML, authorizers,
// request validators, models, gateway responses, x-amazon-apigateway-policy...) is refused
// with BadRequest naming it.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>

#include <string_view>

#include "core/result.h"

namespace tidepool::apigateway {

struct ImportedApi {
  boost::json::object api;        // RestApi members: name, description, version, ...
  boost::json::object resources;  // id -> Resource (with resourceMethods), "/" included
};

// `new_id(n)` makes resource ids.
Result<ImportedApi> ImportOpenApi(std::string_view body, std::string (*new_id)(size_t));

}  // namespace tidepool::apigateway
