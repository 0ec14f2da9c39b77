// ApiGatewayService: API Gateway REST APIs (the `apigateway` model, rest-json) over the shared
// store, and the execute-api endpoint that serves their deployed stages.
//
// State (key grammar in keyspace.h), mirrored in memory: one document per REST API (settings,
// resources with methods, integrations and responses, stages, ...), one per deployment (a
// snapshot of the resources, compiled into a ResourceTree for routing), one per API key and
// per usage plan, one per plan and key's usage count. A management write changes a copy of the
// document, commits it through the commit queue under the owner's lock (commit order = change
// order) and installs it when durable... in memory at once, as every service here: a reader may see
// a change a moment before its reply, never one that is lost.
//
// Invocation (gateway.cc): the router's execute-api hook hands the HTTP request to
// HandleExecuteApi, which finds API, stage, deployment, resource and method, checks API keys
// and usage plans (usage_meter.h), runs the integration (MOCK, AWS_PROXY to a function through
// the FunctionInvoke bound by serve.cc) and answers as API Gateway does.
//
// Thread-safety: all public methods may be called from any thread; nothing blocks on the disk
// or on a function. The service must outlive the CommitQueue's pending completions, the
// io_context's timers and pending invocations.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "functions/invoker.h"
#include "protocol/http/responder.h"
#include "protocol/service.h"
#include "services/apigateway/access_log.h"
#include "services/apigateway/authorizer_policy.h"
#include "services/apigateway/custom_domains.h"
#include "services/apigateway/http_exchange.h"
#include "services/apigateway/iam_auth.h"
#include "services/apigateway/integration_uri.h"
#include "services/apigateway/proxy_event.h"
#include "services/apigateway/resource_tree.h"
#include "services/apigateway/usage_meter.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::apigateway {

// Runs a Lambda function in-process: `function` (a name or ARN; `account` and `region` apply
// to a bare name) with `invocation`; `done` exactly once. serve.cc binds it to
// LambdaService::InvokeFunction.
using FunctionInvoke =
    std::function<void(std::string_view function, std::string_view account, std::string_view region,
                       functions::Invocation invocation, functions::InvokeDone done)>;

// A new id of `length` characters [a-z0-9], as API Gateway's ids look (records.cc).
std::string NewGatewayId(size_t length);

// A deployment: immutable once built, shared by the stages that point at it.
struct Deployment {
  std::string id;
  boost::json::object meta;           // the Deployment output shape (id, description, createdDate)
  boost::json::object resources;      // snapshot: resource id -> Resource (with resourceMethods)
  boost::json::object authorizers;    // snapshot: authorizer id -> Authorizer
  boost::json::object models;         // model name -> its schema, parsed (null when none)
  boost::json::object stored_models;  // model name -> Model, as the record stores them
  boost::json::object validators;     // snapshot: request validator id -> RequestValidator
  boost::json::object gateway_responses;  // responseType -> GatewayResponse (customized only)
  ResourceTree routes;
};
using DeploymentPtr = std::shared_ptr<const Deployment>;

// One REST API. `id`, `account`, `region` are immutable; the rest is guarded by `mu`.
struct RestApi {
  std::string id;
  std::string account;
  std::string region;
  std::mutex mu;
  // {"api": RestApi output, "resources": {id: Resource}, "stages": {name: Stage}, "models",
  //  "authorizers", "requestValidators", "gatewayResponses": {key: ...}}
  boost::json::object doc;
  std::map<std::string, DeploymentPtr> deployments;
};
using RestApiPtr = std::shared_ptr<RestApi>;

// A request routed to a method of a deployed stage, on its way through the authorizer, the
// API key check and the integration. `method` points into `deployment`, which it keeps alive.
struct RoutedRequest {
  RestApiPtr api;
  DeploymentPtr deployment;
  boost::json::object stage;
  const boost::json::object* method = nullptr;
  ProxyRequest proxy;
  std::string content_type;
  std::string api_key;  // the x-api-key header
};

struct ApiGatewayOptions {
  // The integration timeout when a method gives none (AWS: 29 s), in milliseconds.
  int default_timeout_ms = 29000;
};

class ApiGatewayService final : public protocol::Service {
 public:
  ApiGatewayService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
                    boost::asio::io_context& io, ApiGatewayOptions options = {});
  ~ApiGatewayService() override;
  ApiGatewayService(const ApiGatewayService&) = delete;
  ApiGatewayService& operator=(const ApiGatewayService&) = delete;

  // Loads every API, deployment, key, plan and usage count; undecodable records are logged
  // and skipped.
  Status Recover();
  // Set once, before serving. Without it AWS_PROXY integrations to functions answer 500.
  void SetFunctionInvoke(FunctionInvoke invoke) { invoke_function_ = std::move(invoke); }
  // HTTP APIs (apigatewayv2) answer the execute-api requests whose API id is theirs, and see
  // this service's custom domain names; set once, before serving (not owned).
  void SetHttpApis(class HttpApiService* http_apis);
  // Sends a request to this process's own services (AWS service integrations); `done` runs
  // once with the response. Set once, before serving; without it AWS service integrations
  // (other than Lambda) answer 500.
  using LocalRequest = std::function<void(protocol::http::HttpRequest&&,
                                          std::function<void(protocol::http::HttpResponse&&)>)>;
  void SetLocalRequest(LocalRequest send) { local_request_ = std::move(send); }
  // Where stages' access logs go (access_log.h). Set once, before serving; without it access
  // log settings are stored and nothing is written.
  void SetAccessLog(AccessLogSink sink) { access_log_ = std::move(sink); }
  // Checks the signatures of requests to AWS_IAM methods (iam_auth.h). Set once, before
  // serving; without it every request to such a method is refused.
  void SetIamVerifier(IamVerifier verify) { iam_verifier_ = std::move(verify); }

  std::string_view Name() const override { return "apigateway"; }
  const protocol::model::ServiceModel& Model() const override;
  void Invoke(protocol::CallPtr call) override;
  boost::json::object Health() const override;

  // Whether `host` (a Host header) is a custom domain name (the router's execute-api hook
  // takes such requests; see custom_domains.h).
  bool IsCustomDomain(std::string_view host) const { return domains_.IsCustomDomain(host); }

  // The execute-api endpoint (router hook): answers `request` through `respond`, exactly once.
  void HandleExecuteApi(protocol::http::HttpRequest&& request, protocol::RequestContext context,
                        protocol::http::Responder respond);

 private:
  using Handler = void (ApiGatewayService::*)(protocol::CallPtr);
  friend struct ApiGatewayServiceTable;
  friend class GatewayRequest;

  // --- rest_api_ops.cc
  void CreateRestApi(protocol::CallPtr call);
  void GetRestApi(protocol::CallPtr call);
  void GetRestApis(protocol::CallPtr call);
  void UpdateRestApi(protocol::CallPtr call);
  void DeleteRestApi(protocol::CallPtr call);
  void ImportRestApi(protocol::CallPtr call);
  // Gives `api` a new id, registers it and commits its document `doc` (RestApi output `out`
  // gets the id), replying `out` once durable.
  void CommitNewApi(RestApiPtr api, boost::json::object doc, boost::json::object out,
                    protocol::CallPtr call);
  void PutRestApi(protocol::CallPtr call);
  void CreateResource(protocol::CallPtr call);
  void GetResource(protocol::CallPtr call);
  void GetResources(protocol::CallPtr call);
  void UpdateResource(protocol::CallPtr call);
  void DeleteResource(protocol::CallPtr call);
  // --- method_ops.cc
  void PutMethod(protocol::CallPtr call);
  void GetMethod(protocol::CallPtr call);
  void UpdateMethod(protocol::CallPtr call);
  void DeleteMethod(protocol::CallPtr call);
  void PutMethodResponse(protocol::CallPtr call);
  void GetMethodResponse(protocol::CallPtr call);
  void UpdateMethodResponse(protocol::CallPtr call);
  void DeleteMethodResponse(protocol::CallPtr call);
  void PutIntegration(protocol::CallPtr call);
  void GetIntegration(protocol::CallPtr call);
  void UpdateIntegration(protocol::CallPtr call);
  void DeleteIntegration(protocol::CallPtr call);
  void PutIntegrationResponse(protocol::CallPtr call);
  void GetIntegrationResponse(protocol::CallPtr call);
  void UpdateIntegrationResponse(protocol::CallPtr call);
  void DeleteIntegrationResponse(protocol::CallPtr call);
  // Method responses (`integration` false) and integration responses share these.
  void GetResponse(protocol::CallPtr call, bool integration);
  void UpdateResponse(protocol::CallPtr call, bool integration);
  void DeleteResponse(protocol::CallPtr call, bool integration);
  // --- model_ops.cc
  void CreateModel(protocol::CallPtr call);
  void GetModel(protocol::CallPtr call);
  void GetModels(protocol::CallPtr call);
  void UpdateModel(protocol::CallPtr call);
  void DeleteModel(protocol::CallPtr call);
  void GetModelTemplate(protocol::CallPtr call);
  void CreateRequestValidator(protocol::CallPtr call);
  void GetRequestValidator(protocol::CallPtr call);
  void GetRequestValidators(protocol::CallPtr call);
  void UpdateRequestValidator(protocol::CallPtr call);
  void DeleteRequestValidator(protocol::CallPtr call);
  void PutGatewayResponse(protocol::CallPtr call);
  void GetGatewayResponse(protocol::CallPtr call);
  void GetGatewayResponses(protocol::CallPtr call);
  void UpdateGatewayResponse(protocol::CallPtr call);
  void DeleteGatewayResponse(protocol::CallPtr call);
  // --- documentation_ops.cc
  void CreateDocumentationPart(protocol::CallPtr call);
  void GetDocumentationPart(protocol::CallPtr call);
  void GetDocumentationParts(protocol::CallPtr call);
  void UpdateDocumentationPart(protocol::CallPtr call);
  void DeleteDocumentationPart(protocol::CallPtr call);
  void ImportDocumentationParts(protocol::CallPtr call);
  void CreateDocumentationVersion(protocol::CallPtr call);
  void GetDocumentationVersion(protocol::CallPtr call);
  void GetDocumentationVersions(protocol::CallPtr call);
  void UpdateDocumentationVersion(protocol::CallPtr call);
  void DeleteDocumentationVersion(protocol::CallPtr call);
  // --- client_certificate_ops.cc
  void GenerateClientCertificate(protocol::CallPtr call);
  void GetClientCertificate(protocol::CallPtr call);
  void GetClientCertificates(protocol::CallPtr call);
  void UpdateClientCertificate(protocol::CallPtr call);
  void DeleteClientCertificate(protocol::CallPtr call);
  // The PEM certificate and key of client certificate `id` of `account`/`region`
  // (nullopt when there is none): what HTTP integrations present over TLS.
  std::optional<ClientIdentity> FindClientIdentity(const std::string& id,
                                                   const std::string& account,
                                                   const std::string& region) const;
  // --- stage_ops.cc
  void CreateDeployment(protocol::CallPtr call);
  void GetDeployment(protocol::CallPtr call);
  void GetDeployments(protocol::CallPtr call);
  void DeleteDeployment(protocol::CallPtr call);
  void UpdateDeployment(protocol::CallPtr call);
  void CreateStage(protocol::CallPtr call);
  void GetStage(protocol::CallPtr call);
  void GetStages(protocol::CallPtr call);
  void UpdateStage(protocol::CallPtr call);
  void DeleteStage(protocol::CallPtr call);
  void GetExport(protocol::CallPtr call);
  // Authorizer results cached for the stage are forgotten; FlushStageCache has nothing to
  // flush (stage caches are refused) and only checks the stage.
  void FlushStageAuthorizersCache(protocol::CallPtr call);
  void FlushStageCache(protocol::CallPtr call);
  // --- test_invoke_ops.cc
  void TestInvokeMethod(protocol::CallPtr call);
  // --- usage_ops.cc
  void CreateApiKey(protocol::CallPtr call);
  void GetApiKey(protocol::CallPtr call);
  void GetApiKeys(protocol::CallPtr call);
  void UpdateApiKey(protocol::CallPtr call);
  void DeleteApiKey(protocol::CallPtr call);
  void CreateUsagePlan(protocol::CallPtr call);
  void GetUsagePlan(protocol::CallPtr call);
  void GetUsagePlans(protocol::CallPtr call);
  void UpdateUsagePlan(protocol::CallPtr call);
  void DeleteUsagePlan(protocol::CallPtr call);
  void CreateUsagePlanKey(protocol::CallPtr call);
  void GetUsagePlanKey(protocol::CallPtr call);
  void GetUsagePlanKeys(protocol::CallPtr call);
  void DeleteUsagePlanKey(protocol::CallPtr call);
  void GetUsage(protocol::CallPtr call);

  // The invoke-time check of an API key (usage_ops.cc): the key `value` must be an enabled key
  // of a usage plan that includes `api_id`'s stage `stage`; that plan's throttle and quota then
  // count the request. `admitted` runs once with the verdict and the key's id: a refusal at
  // once, an acceptance on an io thread once the count (a UsageRecord) is durable (a failed
  // commit is kUnavailable).
  enum class KeyVerdict { kAccepted, kForbidden, kThrottled, kQuotaExceeded, kUnavailable };
  using KeyAdmitted = std::function<void(KeyVerdict verdict, std::string key_id)>;
  void AdmitApiKey(const std::string& api_id, const std::string& stage, const std::string& value,
                   KeyAdmitted admitted);
  // Writes usage records (caller holds usage_mu_) and replies `output` once durable.
  void CommitUsage(storage::WriteBatch batch, protocol::CallPtr call, boost::json::object output);

  // --- usage_admin_ops.cc: ImportApiKeys (api_key_csv.h) and UpdateUsage.
  void ImportApiKeys(protocol::CallPtr call);
  void UpdateUsage(protocol::CallPtr call);
  // --- tag_ops.cc: tags of REST APIs, stages, API keys, usage plans and domain names by ARN.
  void TagResource(protocol::CallPtr call);
  void UntagResource(protocol::CallPtr call);
  void GetTags(protocol::CallPtr call);
  // Runs `change` on the tags (an object, created empty) of the resource the call's
  // resourceArn names; with `write` commits the resource's record and replies the change's
  // output once durable, else replies it at once.
  using TagChange = std::function<Result<boost::json::object>(boost::json::object& tags)>;
  void WithTags(protocol::CallPtr call, bool write, const TagChange& change);
  // --- vpc_link_ops.cc
  void CreateVpcLink(protocol::CallPtr call);
  void GetVpcLink(protocol::CallPtr call);
  void GetVpcLinks(protocol::CallPtr call);
  void UpdateVpcLink(protocol::CallPtr call);
  void DeleteVpcLink(protocol::CallPtr call);
  // --- account_ops.cc
  void GetAccount(protocol::CallPtr call);
  void UpdateAccount(protocol::CallPtr call);
  // --- domain_name_ops.cc
  void CreateDomainName(protocol::CallPtr call);
  void GetDomainName(protocol::CallPtr call);
  void GetDomainNames(protocol::CallPtr call);
  void UpdateDomainName(protocol::CallPtr call);
  void DeleteDomainName(protocol::CallPtr call);
  void CreateBasePathMapping(protocol::CallPtr call);
  void GetBasePathMapping(protocol::CallPtr call);
  void GetBasePathMappings(protocol::CallPtr call);
  void UpdateBasePathMapping(protocol::CallPtr call);
  void DeleteBasePathMapping(protocol::CallPtr call);
  // A stored mapping ({"apiId","stage"}) must name a REST API of the caller (and a stage of it
  // when it names one).
  Status CheckRestMapping(const protocol::Call& call, const boost::json::object& mapping);

  // --- authorizers.cc
  void CreateAuthorizer(protocol::CallPtr call);
  void GetAuthorizer(protocol::CallPtr call);
  void GetAuthorizers(protocol::CallPtr call);
  void UpdateAuthorizer(protocol::CallPtr call);
  void DeleteAuthorizer(protocol::CallPtr call);
  // Runs the method's Lambda authorizer (or its cached policy); on Allow continues with
  // Dispatch, else answers 401/403/500 as API Gateway does.
  void Authorize(std::shared_ptr<RoutedRequest> routed, protocol::http::Responder respond);

  // --- gateway.cc: the access log line of `routed`'s stage for `response`, when it has one.
  void LogAccess(const RoutedRequest& routed, const protocol::http::HttpResponse& response);
  // --- gateway.cc: API keys, then Integrate: request validation and the integration.
  void Dispatch(std::shared_ptr<RoutedRequest> routed, protocol::http::Responder respond);
  void Integrate(std::shared_ptr<RoutedRequest> routed, protocol::http::Responder respond);
  // --- gateway.cc: integrations. Each answers through `respond` exactly once.
  using Reply = std::function<void(protocol::http::HttpResponse&&)>;
  // Runs `start` with a Reply; answers 504 Endpoint request timed out instead when the
  // reply has not come within `timeout_ms`.
  void WithTimeout(int64_t timeout_ms, protocol::http::Responder respond,
                   const std::function<void(Reply)>& start);
  void RunMock(const boost::json::object& integration, const ProxyRequest& proxy,
               const std::string& content_type, protocol::http::Responder respond);
  void RunProxy(const IntegrationUri& uri, const ProxyRequest& proxy, const std::string& account,
                const std::string& region, int64_t timeout_ms, protocol::http::Responder respond);
  // HTTP (`pass_through` false: templates and response selection as for AWS) and HTTP_PROXY;
  // an https exchange presents `identity` (the stage's client certificate) when given.
  void RunHttp(const boost::json::object& integration, const std::string& uri,
               const ProxyRequest& proxy, const std::string& content_type, bool pass_through,
               int64_t timeout_ms, protocol::http::Responder respond,
               const ClientIdentity* identity = nullptr);
  void RunAws(const boost::json::object& integration, const IntegrationUri& uri,
              const ProxyRequest& proxy, const std::string& content_type,
              const std::string& account, const std::string& region, int64_t timeout_ms,
              protocol::http::Responder respond);

  // --- apigateway_service.cc
  // The API `call`'s restApiId names, in the caller's account and region (NotFound otherwise).
  Result<RestApiPtr> FindApi(const protocol::Call& call) const;
  RestApiPtr FindApiById(std::string_view id) const;
  // A function of an API's document (a RestApiRecord) that returns the reply's output.
  using DocEdit = std::function<Result<boost::json::object>(boost::json::object& doc)>;
  // The pattern of every write to an API: under the API's lock, runs `edit` on a copy of its
  // document; on success commits the copy and replies the output once durable.
  void EditApi(protocol::CallPtr call, const DocEdit& edit);
  // The same with the API itself (its deployments) and the batch the document joins.
  using ApiEdit = std::function<Result<boost::json::object>(RestApi& api, boost::json::object& doc,
                                                            storage::WriteBatch& batch)>;
  void EditApiWith(protocol::CallPtr call, const ApiEdit& edit);
  // Replies a page (PageInto) of the values of the document's object member `member`
  // (GetAuthorizers, GetModels, GetRequestValidators), each as `view` shows it (nullopt: left
  // out; no view: as stored).
  using ListView =
      std::function<std::optional<boost::json::value>(const boost::json::object& item)>;
  void ReadList(protocol::CallPtr call, std::string_view member, const ListView& view = nullptr);
  // The same for reads: `read` sees the document itself, under the lock; nothing is written.
  void ReadApi(protocol::CallPtr call, const DocEdit& read);
  using ApiRead =
      std::function<Result<boost::json::object>(RestApi& api, boost::json::object& doc)>;
  void ReadApiWith(protocol::CallPtr call, const ApiRead& read);
  // Commits `api`'s document `doc` (+ `extra`), installs it, replies `output` when durable.
  // Caller holds api->mu.
  void CommitApi(RestApi& api, boost::json::object doc, protocol::CallPtr call,
                 boost::json::object output, storage::WriteBatch extra = {});
  // Applies `call`'s patchOperations to `target` (of output shape `shape_name`).
  static Status Patch(const protocol::Call& call, std::string_view shape_name,
                      boost::json::object& target);
  static void Fail(const protocol::CallPtr& call, const Status& status);
  double Now() const;  // seconds since the epoch, for createdDate members
  static std::string NewId(size_t length) { return NewGatewayId(length); }

  storage::Store& store_;
  storage::CommitQueue& commits_;
  const Clock& clock_;
  boost::asio::io_context& io_;
  const ApiGatewayOptions options_;
  FunctionInvoke invoke_function_;
  LocalRequest local_request_;
  AccessLogSink access_log_;
  IamVerifier iam_verifier_;
  class HttpApiService* http_apis_ = nullptr;

  // Lambda authorizers' policies by authorizer and identity, until their TTL (ms).
  AuthorizerResultCache auth_cache_;

  mutable std::shared_mutex registry_mu_;
  std::map<std::string, RestApiPtr> apis_;  // by id

  // Custom domain names of both APIs (HttpApiService sees them through SetHttpApis).
  CustomDomains domains_{commits_};
  OwnedRecords vpc_links_{commits_, 'l'};  // VpcLinkRecords by id (vpc_link_ops.cc)
  // ClientCertificateRecords by id (client_certificate_ops.cc).
  OwnedRecords client_certificates_{commits_, 'x'};
  // Account settings (the Account output shape) by "<account>/<region>"; absent: defaults.
  std::mutex account_mu_;
  std::map<std::string, boost::json::object> accounts_;

  // API keys and usage plans, guarded by usage_mu_: records as stored ({"account","region",
  // "key"|"plan", "keys"}).
  mutable std::mutex usage_mu_;
  std::map<std::string, boost::json::object> api_keys_;
  std::map<std::string, boost::json::object> usage_plans_;
  std::map<std::string, std::string> key_ids_by_value_;
  UsageMeter meter_;
  // Held from counting a request to submitting its UsageRecord, so records of one plan and
  // key commit in count order (a later count is never overwritten by an earlier one).
  std::mutex usage_write_mu_;
};

}  // namespace tidepool::apigateway
