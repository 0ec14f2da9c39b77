// The OpenAPI importer (ImportRestApi, PutRestApi): an OpenAPI 3.0 or Swagger 2.0 document in
// JSON or YAML (a body not starting with '{' is read by protocol/codec/yaml_reader.h), with
// API Gateway's extensions, as a REST API's resources and methods.
//
// Read: info.title/description/version; paths -> one resource per path segment; each
// operation (get, put, post, delete, patch, head, options, x-amazon-apigateway-any-method ->
// ANY) -> a method: operationId, parameters (path/query/header -> method.request.*
// requestParameters with their `required`), responses (-> method responses, headers ->
// method.response.header.*), `security` naming an apiKey scheme of x-api-key in the header
// -> apiKeyRequired, a requestBody (or Swagger body parameter) whose schema is a $ref to a
// schema -> requestModels, x-amazon-apigateway-request-validator (or the top-level default)
// -> requestValidatorId, and x-amazon-apigateway-integration (type, uri, httpMethod,
// requestTemplates, requestParameters, passthroughBehavior, timeoutInMillis,
// contentHandling, responses: pattern -> {statusCode, responseTemplates,
// responseParameters}). Top level: x-amazon-apigateway-binary-media-types and
// x-amazon-apigateway-api-key-source, x-amazon-apigateway-request-validators,
// x-amazon-apigateway-documentation (its parts; an invalid one is a warning), and the schemas
// as models (their $refs to other schemas rewritten to model URLs). What tidepool does not
// import (authorizers, gateway responses, x-amazon-apigateway-policy...) is refused
// with BadRequest naming it.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string_view>
#include <utility>

#include "core/result.h"
#include "services/apigateway/documentation.h"

namespace tidepool::apigateway {

struct ImportedApi {
  // x-amazon-apigateway-documentation (documentation.h): parts without ids, and warnings.
  ImportedDocumentation documentation;
  boost::json::object api;         // RestApi members: name, description, version, ...
  boost::json::object resources;   // id -> Resource (with resourceMethods), "/" included
  boost::json::object models;      // name -> Model (components.schemas / definitions)
  boost::json::object validators;  // id -> RequestValidator
};

// An OpenAPI definition: JSON when it starts with '{' (after blanks), else YAML; BadRequest
// "Invalid OpenAPI input: ..." when it does not parse.
Result<boost::json::value> ParseOpenApiDefinition(std::string_view body);

// The operations of a path item: OpenAPI key -> HTTP method (x-amazon-apigateway-any-method ->
// ANY).
extern const std::pair<std::string_view, std::string_view> kOpenApiOperations[8];

// `new_id(n)` makes resource ids.
Result<ImportedApi> ImportOpenApi(std::string_view body, std::string (*new_id)(size_t));

}  // namespace tidepool::apigateway
