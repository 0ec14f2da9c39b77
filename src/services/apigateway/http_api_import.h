// The OpenAPI 3.0 importer and exporter of HTTP APIs (ImportApi, ReimportApi, ExportApi).
//
// Import reads a definition (JSON or YAML, openapi.h's ParseOpenApiDefinition):
//   info.title/description/version     -> Name, Description, Version
//   paths./p.<verb>                     -> route "<VERB> /p" (x-amazon-apigateway-any-method:
//                                          ANY; the path "/$default" with it: "$default")
//   <op>.x-amazon-apigateway-integration (or a {"$ref":
//     "#/components/x-amazon-apigateway-integrations/<name>"}, one integration per name)
//                                       -> the route's integration: type, uri, httpMethod,
//                                          payloadFormatVersion, connectionType,
//                                          timeoutInMillis, description
//   <op>.security (else the top-level security): a scheme of components.securitySchemes with
//     x-amazon-apigateway-authorizer type jwt (identitySource, jwtConfiguration) or request
//     (authorizerUri, authorizerPayloadFormatVersion, authorizerResultTtlInSeconds,
//     enableSimpleResponses, identitySource, authorizerCredentials) -> an authorizer named
//     after the scheme (the requirement's scopes: the route's AuthorizationScopes), or
//     x-amazon-apigateway-authtype awsSigv4 -> AWS_IAM
//   x-amazon-apigateway-cors            -> CorsConfiguration
//   x-amazon-apigateway-importexport-version: "1.0" only
// The base path (the path of servers[0].url, its {variables} replaced by their defaults) is
// ignored, prepended to every route path, or split (its first segment dropped, the rest
// prepended) as `basepath` says. Any other x-amazon-apigateway-* member, an integration or
// authorizer member not listed, Swagger 2.0, VPC links and integration subtypes are refused
// with BadRequest naming them: nothing is ignored, so there are never warnings.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "core/result.h"

namespace tidepool::apigateway {

// An imported definition in the shapes of an HTTP API's document (http_api_service.h).
struct ImportedHttpApi {
  boost::json::object api;           // Name, Description, Version, CorsConfiguration
  boost::json::object routes;        // RouteId -> Route
  boost::json::object integrations;  // IntegrationId -> Integration
  boost::json::object authorizers;   // AuthorizerId -> Authorizer
};

// `basepath`: "", "ignore", "prepend" or "split". `new_id(n)` makes ids of n characters.
Result<ImportedHttpApi> ImportHttpApi(std::string_view body, std::string_view basepath,
                                      std::string (*new_id)(size_t));

// The OpenAPI 3.0 document of `api` (the Api object) serving `routes`, `integrations` and
// `authorizers`; `server_url` goes to servers[0]. Without `extensions` no x-amazon-apigateway-*
// member is written (so integrations, authorizers and CORS are left out).
boost::json::object ExportHttpApi(const boost::json::object& api, const boost::json::object& routes,
                                  const boost::json::object& integrations,
                                  const boost::json::object& authorizers,
                                  const std::string& server_url, bool extensions);

}  // namespace tidepool::apigateway
