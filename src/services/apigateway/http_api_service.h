// HttpApiService: API Gateway HTTP APIs (the `apigatewayv2` model, rest-json): APIs (quick
// create with Target included, CorsConfiguration), routes, Lambda proxy integrations (payload
// format 1.0 and 2.0), Lambda (REQUEST) and JWT authorizers, stages ($default and auto-deploy)
// and deployments; invoked through the same execute-api URLs as REST APIs (ApiGatewayService
// hands it the ids it does not know).
//
// State: one document per API (keyspace 'h': {"account","region","api","routes",
// "integrations","authorizers","stages",
// "deployments": {id: {"deployment","routes","integrations","authorizers"}}}),
// mirrored in memory with each served configuration compiled into HttpRoutes (the live one
// for auto-deploy stages, one per deployment). Writes follow ApiGatewayService's pattern.
//
// Thread-safety: as ApiGatewayService.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "core/clock.h"
#include "protocol/http/responder.h"
#include "protocol/service.h"
#include "services/apigateway/access_log.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/authorizer_policy.h"
#include "services/apigateway/custom_domains.h"
#include "services/apigateway/jwt.h"
#include "services/apigateway/resource_tree.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::apigateway {

// A served configuration of an HTTP API: its routes by path and method, and integrations.
struct HttpRoutes {
  ResourceTree tree;                                                  // path -> "path" key below
  std::map<std::string, std::map<std::string, std::string>> by_path;  // path -> verb -> route id
  std::string default_route;                                          // "$default" route id
  boost::json::object routes;                                         // id -> Route
  boost::json::object integrations;                                   // id -> Integration
  boost::json::object authorizers;                                    // id -> Authorizer
};
using HttpRoutesPtr = std::shared_ptr<const HttpRoutes>;

struct HttpApi {
  std::string id;
  std::string account;
  std::string region;
  std::mutex mu;
  boost::json::object doc;                        // guarded by mu
  HttpRoutesPtr live;                             // guarded by mu
  std::map<std::string, HttpRoutesPtr> deployed;  // guarded by mu
};
using HttpApiPtr = std::shared_ptr<HttpApi>;

class HttpApiService final : public protocol::Service {
 public:
  // The collections of an API's document: "routes" (RouteId), "integrations"
  // (IntegrationId), "stages" (StageName).
  struct Collection {
    std::string_view name;
    std::string_view id_member;
    std::string_view not_found;
  };

  HttpApiService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
                 boost::asio::io_context& io, ApiGatewayOptions options = {});
  ~HttpApiService() override;

  Status Recover();
  void SetFunctionInvoke(FunctionInvoke invoke) { invoke_function_ = std::move(invoke); }
  // Where stages' access logs go (access_log.h); set once, before serving.
  void SetAccessLog(AccessLogSink sink) { access_log_ = std::move(sink); }
  // Checks the signatures of requests to AWS_IAM routes (iam_auth.h); set once, before serving.
  void SetIamVerifier(IamVerifier verify) { iam_verifier_ = std::move(verify); }
  // The custom domain names ApiGatewayService keeps (not owned); set once, before serving.
  // Without them the domain name operations answer NotFound.
  void SetCustomDomains(CustomDomains* domains) { domains_ = domains; }

  std::string_view Name() const override { return "apigatewayv2"; }
  const protocol::model::ServiceModel& Model() const override;
  void Invoke(protocol::CallPtr call) override;
  boost::json::object Health() const override;

  // Whether `api_id` is an HTTP API of this service.
  bool Has(std::string_view api_id) const;
  // Serves an execute-api request for HTTP API `api_id` whose path (after the host or the
  // "/restapis/<api>" prefix) is `path`: "/<stage>/..." or, for the $default stage, "/...".
  void HandleRequest(std::string_view api_id, std::string path,
                     protocol::http::HttpRequest&& request, protocol::RequestContext context,
                     protocol::http::Responder respond);

  // Serves a request to a Lambda function URL: `function_arn` (qualified for an alias's URL)
  // gets the payload format 2.0 event (routeKey and stage "$default", apiId `url_id`) of
  // `request`, whose path after the URL's host is `path`. With `iam_auth` (AuthType AWS_IAM)
  // the request needs a SigV4 signature scoped to `lambda` that the IAM verifier accepts
  // (403 otherwise); the signer reaches the event as requestContext.authorizer.iam and its
  // account as requestContext.accountId. No IAM policy is evaluated.
  // `cors` (the URL's Cors configuration) answers preflights and adds the CORS headers.
  // A function error is 502 {"Message":"Internal Server Error"}, as function URLs answer.
  // `response_stream` (InvokeMode RESPONSE_STREAM): a response the function streams goes out
  // as it arrives (function_url_stream.h).
  void HandleFunctionUrl(std::string function_arn, std::string url_id, bool iam_auth,
                         bool response_stream, boost::json::object cors, std::string path,
                         protocol::http::HttpRequest&& request, protocol::RequestContext context,
                         protocol::http::Responder respond);

 private:
  using Handler = void (HttpApiService::*)(protocol::CallPtr);
  friend struct HttpApiServiceTable;

  // --- http_api_ops.cc
  void CreateApi(protocol::CallPtr call);
  void GetApi(protocol::CallPtr call);
  void GetApis(protocol::CallPtr call);
  void UpdateApi(protocol::CallPtr call);
  void DeleteApi(protocol::CallPtr call);
  void CreateRoute(protocol::CallPtr call);
  void GetRoute(protocol::CallPtr call);
  void GetRoutes(protocol::CallPtr call);
  void UpdateRoute(protocol::CallPtr call);
  void DeleteRoute(protocol::CallPtr call);
  void CreateIntegration(protocol::CallPtr call);
  void GetIntegration(protocol::CallPtr call);
  void GetIntegrations(protocol::CallPtr call);
  void UpdateIntegration(protocol::CallPtr call);
  void DeleteIntegration(protocol::CallPtr call);
  void CreateStage(protocol::CallPtr call);
  void GetStage(protocol::CallPtr call);
  void GetStages(protocol::CallPtr call);
  void UpdateStage(protocol::CallPtr call);
  void DeleteStage(protocol::CallPtr call);
  void CreateDeployment(protocol::CallPtr call);
  void GetDeployments(protocol::CallPtr call);
  void DeleteCorsConfiguration(protocol::CallPtr call);
  // A new API's entry in the registry (its document still to be committed), and its removal
  // when the request creating it fails before CommitNewApi.
  HttpApiPtr RegisterNewApi(const protocol::Call& call);
  void ForgetApi(const std::string& id);
  // The document of a new API whose Api object is `out`, without routes or stages.
  static boost::json::object NewApiDocument(const HttpApi& api, const boost::json::object& out);
  // Installs and commits a registered API's first document; replies `out` once durable.
  void CommitNewApi(protocol::CallPtr call, const HttpApiPtr& api, boost::json::object doc,
                    boost::json::object out);

  // --- http_api_settings_ops.cc: deleting one stage or route setting, and a stage's cached
  // authorizer results.
  void DeleteAccessLogSettings(protocol::CallPtr call);
  void DeleteRouteSettings(protocol::CallPtr call);
  void DeleteRouteRequestParameter(protocol::CallPtr call);
  void ResetAuthorizersCache(protocol::CallPtr call);
  // --- http_api_deployment_ops.cc
  void GetDeployment(protocol::CallPtr call);
  void UpdateDeployment(protocol::CallPtr call);
  void DeleteDeployment(protocol::CallPtr call);
  void TagResource(protocol::CallPtr call);
  void UntagResource(protocol::CallPtr call);
  void GetTags(protocol::CallPtr call);

  // --- http_api_domain_ops.cc
  void CreateDomainName(protocol::CallPtr call);
  void GetDomainName(protocol::CallPtr call);
  void GetDomainNames(protocol::CallPtr call);
  void UpdateDomainName(protocol::CallPtr call);
  void DeleteDomainName(protocol::CallPtr call);
  void CreateApiMapping(protocol::CallPtr call);
  void GetApiMapping(protocol::CallPtr call);
  void GetApiMappings(protocol::CallPtr call);
  void UpdateApiMapping(protocol::CallPtr call);
  void DeleteApiMapping(protocol::CallPtr call);
  // A stored mapping ({"key","apiId","stage"}) must name a stage of an HTTP API of the caller.
  Status CheckApiMapping(const protocol::Call& call, const boost::json::object& mapping);

  // --- vpc_link_ops.cc
  void CreateVpcLink(protocol::CallPtr call);
  void GetVpcLink(protocol::CallPtr call);
  void GetVpcLinks(protocol::CallPtr call);
  void UpdateVpcLink(protocol::CallPtr call);
  void DeleteVpcLink(protocol::CallPtr call);

  // --- http_api_import_ops.cc
  void ImportApi(protocol::CallPtr call);
  void ReimportApi(protocol::CallPtr call);
  void ExportApi(protocol::CallPtr call);

  // --- http_api_authorizers.cc
  void CreateAuthorizer(protocol::CallPtr call);
  void GetAuthorizer(protocol::CallPtr call);
  void GetAuthorizers(protocol::CallPtr call);
  void UpdateAuthorizer(protocol::CallPtr call);
  void DeleteAuthorizer(protocol::CallPtr call);
  // Runs `route`'s authorizer (CUSTOM: a Lambda REQUEST authorizer, or its cached result;
  // JWT: the bearer token verified) for `proxy`; when it allows, sets proxy.authorizer (the
  // payload format 2.0 shape: {"lambda": context} or {"jwt": {"claims","scopes"}}) and calls
  // `next`; otherwise answers 401, 403 or 500 as HTTP APIs do. `routes` holds `route` alive.
  using Authorized = std::function<void(ProxyRequest&&, protocol::http::Responder)>;
  void Authorize(const HttpApiPtr& api, HttpRoutesPtr routes, const boost::json::object& route,
                 std::string raw_query, ProxyRequest&& proxy, protocol::http::Responder respond,
                 Authorized next);
  void AuthorizeLambda(const HttpApiPtr& api, const boost::json::object& authorizer,
                       std::string raw_query, ProxyRequest&& proxy,
                       protocol::http::Responder respond, Authorized next);
  // --- http_api_jwt.cc
  void AuthorizeJwt(const boost::json::object& authorizer, std::vector<std::string> scopes,
                    ProxyRequest&& proxy, protocol::http::Responder respond, Authorized next);

  // Under the API's lock: runs `edit` on a copy of the document; commits and installs it,
  // recompiles the live routes, replies the output once durable.
  using DocEdit =
      std::function<Result<boost::json::object>(HttpApi& api, boost::json::object& doc)>;
  // EditApi and ReadApi take the API the call's ApiId names; the *ById forms `api_id`.
  void EditApi(protocol::CallPtr call, const DocEdit& edit);
  void ReadApi(protocol::CallPtr call, const DocEdit& read);
  void EditApiById(protocol::CallPtr call, const std::string& api_id, const DocEdit& edit);
  void ReadApiById(protocol::CallPtr call, const std::string& api_id, const DocEdit& read);
  Result<HttpApiPtr> FindApi(const protocol::Call& call, const std::string& api_id) const;
  void GetItem(protocol::CallPtr call, const Collection& c);
  void GetItems(protocol::CallPtr call, const Collection& c);
  // `check` gets the updated item and the API's document.
  void UpdateItem(
      protocol::CallPtr call, const Collection& c,
      const std::function<Status(const boost::json::object&, const boost::json::object&)>& check);
  void DeleteItem(protocol::CallPtr call, const Collection& c);
  boost::json::object NewApiOutput(const protocol::Call& call, const std::string& id) const;

  // --- http_api_gateway.cc
  // HTTP_PROXY: `proxy` forwarded to the integration's URL, its answer passed back.
  void ServeHttpProxy(const boost::json::object& integration, const ProxyRequest& proxy,
                      int64_t timeout_ms, protocol::http::Responder respond);
  // `cors`: the API's CorsConfiguration (empty: none).
  void Serve(const HttpApiPtr& api, HttpRoutesPtr routes, boost::json::object stage,
             boost::json::object cors, std::string path, protocol::http::HttpRequest&& request,
             protocol::RequestContext context, protocol::http::Responder respond);
  // The route's integration (in `routes`) with `proxy`.
  void Integrate(const HttpApiPtr& api, const boost::json::object& integration,
                 std::string raw_query, ProxyRequest&& proxy, protocol::http::Responder respond);

  storage::Store& store_;
  storage::CommitQueue& commits_;
  const Clock& clock_;
  boost::asio::io_context& io_;
  const ApiGatewayOptions options_;
  FunctionInvoke invoke_function_;
  AccessLogSink access_log_;
  IamVerifier iam_verifier_;
  AuthorizerResultCache auth_cache_;  // Lambda authorizers' results
  JwksCache jwks_;                    // JWT authorizers' signing keys by issuer
  CustomDomains* domains_ = nullptr;
  OwnedRecords vpc_links_{commits_, 'v'};  // HttpVpcLinkRecords by id (vpc_link_ops.cc)

  mutable std::shared_mutex registry_mu_;
  std::map<std::string, HttpApiPtr> apis_;
};

// The served configuration of `routes`, `integrations` and `authorizers` (Route,
// Integration and Authorizer objects).
HttpRoutesPtr CompileHttpRoutes(const boost::json::object& routes,
                                const boost::json::object& integrations,
                                const boost::json::object& authorizers);

// The checks of CreateAuthorizer/UpdateAuthorizer (http_api_authorizers.cc).
Status CheckHttpAuthorizer(const boost::json::object& authorizer);
// The checks of CreateRoute/UpdateRoute (its integration and authorizer in `doc`) and of
// CreateIntegration/UpdateIntegration (http_api_ops.cc).
Status CheckRoute(const boost::json::object& route, const boost::json::object& doc);
Status CheckIntegration(const boost::json::object& integration);

}  // namespace tidepool::apigateway
