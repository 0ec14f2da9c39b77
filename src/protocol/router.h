// The router: turns each HTTP request into a service Call (or an internal route's reply) and
// writes the service's answer back in the protocol's wire format.
//
// Per request: assigns a request id (UUID, sent back as x-amzn-RequestId); picks the route
//   /_tidepool/...            -> internal route (exact path, or a prefix registered as "/x/*")
//   X-Amz-Target: P.Op        -> the JSON-protocol service whose model's targetPrefix is P
//   Action=Op (query or form) -> the query-protocol hook (SetQueryProtocolHandler)
//   method + path (+ query)   -> the rest-json service operation whose requestUri template
//                                matches (RestRouteTable; ties between services broken by the
//                                SigV4 credential scope's service name)
//   anything else             -> the rest-xml service (S3), if one is registered (S3Routes:
//                                bucket, key and operation); else 404 UnknownOperationException
// A request without X-Amz-Target whose Host names a bucket (virtual-hosted style) or whose
// SigV4 credential scope says s3 goes to S3 before the query and rest-json checks.
// then authenticates (see Authenticator), derives the RequestContext (account: the credentials'
// account, else a 12-digit access key id, else the default; region: the SigV4 credential scope,
// else the default; host: the Host header), decodes the input with the service's codec and
// invokes the service.
//
// Thread-safety: registration (AddService, AddInternalRoute, Set*Handler) happens before serving
// and is not synchronised; Handle is safe from any number of threads concurrently.
#pragma once

#include <boost/beast/http/verb.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "protocol/authenticator.h"
#include "protocol/http/responder.h"
#include "protocol/rest/rest_routes.h"
#include "protocol/rest/s3_routes.h"
#include "protocol/service.h"

namespace tidepool::protocol {

class S3PostForm;

struct RouterOptions {
  std::string default_account = "000000000000";
  std::string default_region = "us-east-1";
  AuthMode auth_mode = AuthMode::kAcceptAny;
  CredentialMap credentials;           // used by both modes to map keys to accounts
  CredentialLookup credential_lookup;  // keys issued while serving (IAM, STS); may be empty
  const Clock* clock = nullptr;        // nullptr: SystemClock::Instance(); must outlive the router
  int64_t max_clock_skew_seconds = 900;
};

class Router {
 public:
  // Internal routes get the request and its context (request id, account, region, host); the
  // router adds x-amzn-RequestId to their response.
  using InternalHandler =
      std::function<void(http::HttpRequest&&, const RequestContext&, http::Responder)>;
  // A protocol codec plugged in by a later layer (query protocol now; REST later): called with
  // the request after authentication, it must answer through the Responder.
  using ProtocolHandler = std::function<void(http::HttpRequest&&, RequestContext, http::Responder)>;

  explicit Router(RouterOptions options);
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers a service (not owned; must outlive the router). JSON-protocol services are found by
  // their model's target prefix: AlreadyExists when the prefix is taken, InvalidArgument when the
  // model has no target prefix and no other protocol hook handles it. rest-json services are
  // found by their operations' method and requestUri templates.
  Status AddService(Service& service);
  // `path` must start with "/_tidepool/"; a trailing "*" makes it a prefix. AlreadyExists when
  // the same method and path are registered twice.
  Status AddInternalRoute(boost::beast::http::verb method, std::string path,
                          InternalHandler handler);
  // The query protocol (Action=...) hook. Without one, Action requests get an InvalidAction
  // error in the query protocol's XML shape.
  void SetQueryProtocolHandler(ProtocolHandler handler) { query_handler_ = std::move(handler); }
  // API Gateway's invoke URLs (execute-api), consulted before every other route: a Host
  // "<api>.execute-api.<...>" and paths "/restapis/<api>/<stage>/_user_request_[/...]". These
  // requests are not authenticated by SigV4 (the API's own keys and authorizers apply); the
  // context carries the request id, host and the default account/region; the router adds
  // x-amzn-RequestId to the response.
  void SetExecuteApiHandler(ProtocolHandler handler) { execute_api_handler_ = std::move(handler); }
  // Whether `request` (whose path is `path`) is addressed to an execute-api invoke URL.
  static bool IsExecuteApiRequest(const http::HttpRequest& request, std::string_view path);
  // Custom domain names of API Gateway: a request whose Host `is_custom_domain` accepts goes
  // to the execute-api hook too. Set once, before serving; called for every request.
  void SetCustomDomainCheck(std::function<bool(std::string_view host)> is_custom_domain) {
    is_custom_domain_ = std::move(is_custom_domain);
  }

  // Lambda function URLs, consulted first too: a Host "<url-id>.lambda-url.<...>" or a path
  // "/_tidepool/lambda-url/<url-id>[/...]" (for clients that cannot resolve the host name).
  // Not authenticated by SigV4 (the URL's AuthType applies); the context is as for
  // execute-api.
  void SetFunctionUrlHandler(ProtocolHandler handler) {
    function_url_handler_ = std::move(handler);
  }
  // The URL id and the path after it when `request` (whose path is `path`) is addressed to a
  // function URL; nullopt otherwise.
  static std::optional<std::pair<std::string, std::string>> FunctionUrlTarget(
      const http::HttpRequest& request, std::string_view path);

  // Answers `request` through `respond`, exactly once.
  void Handle(http::HttpRequest&& request, http::Responder respond) const;
  // A handler for HttpServer that forwards to Handle. The router must outlive the server.
  http::Handler AsHandler() const;
  // A body streamer for HttpServer (HttpServerOptions::body_streamer): the body of a request
  // that goes to a rest-xml operation whose service takes it in pieces (S3 PutObject,
  // UploadPart) streams into the service's BodyConsumer; every other body is buffered.
  http::BodyStreamer AsBodyStreamer() const;

  const std::vector<Service*>& services() const { return services_; }

 private:
  // An execute-api request, or one to a custom domain name (SetCustomDomainCheck).
  bool IsApiGatewayRequest(const http::HttpRequest& request, std::string_view path) const;
  struct JsonRoute {
    std::string_view target_prefix;
    Service* service;
  };
  struct InternalRoute {
    boost::beast::http::verb method;
    std::string path;  // without the trailing '*' for prefixes
    bool prefix;
    InternalHandler handler;
  };

  void HandleJson(http::HttpRequest&& request, http::Responder respond, std::string request_id,
                  std::string_view path, std::string_view query, std::string_view target) const;
  void HandleRest(const RestMatch& match, http::HttpRequest&& request, http::Responder respond,
                  std::string request_id, std::string_view path, std::string_view query) const;
  // The rest-xml service's request. `consumer`: the body's consumer when the body was
  // streamed into it (the request's own body is then empty). `chunks`: what checked the
  // streamed body's chunk signatures on its way in (strict mode, a signed aws-chunked body).
  void HandleRestXml(http::HttpRequest&& request, http::Responder respond, std::string request_id,
                     std::string_view path, std::string_view query,
                     std::shared_ptr<BodyConsumer> consumer,
                     std::shared_ptr<ChunkSignatureVerifier> chunks = nullptr) const;
  // A POST Object (browser form upload) to `target`'s bucket (s3_post_form.h): `consumer` is
  // the S3PostForm that read the body as it streamed, else the body is in `request`. The form
  // becomes a PutObject call; the reply is the form's (success_action_*).
  void HandlePostObject(http::HttpRequest&& request, http::Responder respond,
                        std::string request_id, const S3Target& target, CorsGrant cors,
                        std::shared_ptr<BodyConsumer> consumer) const;
  // The reader of a form to `bucket`; nullptr when `head`'s Content-Type is not
  // multipart/form-data with a boundary.
  std::shared_ptr<S3PostForm> OpenPostForm(const http::HttpRequest& head,
                                           const std::string& bucket) const;
  // Whether the rest-xml service should get this request before the other protocols are
  // tried (virtual-hosted bucket, or signed for s3).
  bool ClaimedByRestXml(const http::HttpRequest& request, std::string_view query) const;
  // Whether `request` goes to the rest-xml service (the checks of Handle, without the body).
  bool RoutesToRestXml(const http::HttpRequest& request, std::string_view path,
                       std::string_view query) const;
  void HandleQuery(http::HttpRequest&& request, http::Responder respond, std::string request_id,
                   std::string_view path, std::string_view query) const;
  void HandleInternal(const InternalRoute& route, http::HttpRequest&& request,
                      http::Responder respond, std::string request_id) const;
  // Fills account/region/access key from an authentication result.
  RequestContext MakeContext(const http::HttpRequest& request, std::string request_id,
                             AuthInfo&& auth) const;
  const InternalRoute* FindInternalRoute(boost::beast::http::verb method,
                                         std::string_view path) const;

  RouterOptions options_;
  Authenticator authenticator_;
  std::vector<Service*> services_;
  std::vector<JsonRoute> json_routes_;
  std::vector<InternalRoute> internal_routes_;
  RestRouteTable rest_routes_;
  // The rest-xml service (S3) and its addressing; at most one.
  Service* rest_xml_service_ = nullptr;
  std::unique_ptr<S3Routes> s3_routes_;
  ProtocolHandler query_handler_;
  ProtocolHandler execute_api_handler_;
  std::function<bool(std::string_view host)> is_custom_domain_;
  ProtocolHandler function_url_handler_;
};

}  // namespace tidepool::protocol
