// The execute-api endpoint: the life of an API request (docs/architecture.md, "API Gateway").
//   target (URL form or Host form) -> API -> stage -> deployment -> resource (ResourceTree) ->
//   method (or ANY) -> method throttle -> authorizer -> API key and usage plan -> request
//   validation (request_validation.h) -> integration (MOCK, AWS_PROXY to a function with the
//   1.0 payload, AWS, HTTP and HTTP_PROXY (http_integration.h), under the integration
//   timeout) -> response.
// A request to a custom domain name finds its API and stage through the domain's base path
// mappings instead (custom_domains.h).
// Errors are API Gateway's: 403 Missing Authentication Token for an unknown resource or
// method, 403 Forbidden for an unknown API or stage and a bad API key, 400 for a request its
// validator refuses, 429 Too Many Requests or Limit Exceeded, 500/502 Internal server error,
// 504 Endpoint request timed out; each a gateway response the deployment may customize
// (gateway_responses.h).
#include <re2/re2.h>
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include "protocol/http/query_string.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/http_api_service.h"
#include "services/apigateway/http_integration.h"
#include "services/apigateway/iam_auth.h"
#include "services/apigateway/integration_uri.h"
#include "services/apigateway/integrations.h"
#include "services/apigateway/proxy_event.h"
#include "services/apigateway/records.h"
#include "services/apigateway/request_validation.h"

namespace tidepool::apigateway {
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using protocol::http::HttpRequest;
using protocol::http::HttpResponse;
using protocol::http::Responder;

namespace {

HttpResponse MissingToken() {
  return GatewayError(GatewayResponseType::kMissingAuthenticationToken, 403,
                      "Missing Authentication Token", "MissingAuthenticationTokenException");
}
// An unknown API or stage (no gateway response applies), or a bad API key.
HttpResponse Forbidden(GatewayResponseType type) {
  return GatewayError(type, 403, "Forbidden", "ForbiddenException");
}
HttpResponse Throttled() {
  return GatewayError(GatewayResponseType::kThrottled, 429, "Too Many Requests",
                      "TooManyRequestsException");
}

// Where an invoke URL points.
struct InvokeTarget {
  std::string api_id;
  std::string stage;
  std::string path;  // after the stage, "/" at least, still percent-encoded
};

std::optional<InvokeTarget> ParseTarget(const HttpRequest& request, std::string_view path) {
  InvokeTarget t;
  std::string_view host = request[bhttp::field::host];
  size_t dot = host.find('.');
  const bool host_form = dot != std::string_view::npos && dot > 0 &&
                         boost::beast::iequals(host.substr(dot, 13), ".execute-api.");
  std::string_view rest = path.substr(path.empty() ? 0 : 1);  // without the leading '/'
  if (host_form) {
    t.api_id = std::string(host.substr(0, dot));  // <api>.execute-api...: "<stage>/<path>"
  } else {
    rest.remove_prefix(std::min(rest.size(), std::string_view("restapis/").size()));
    size_t slash = rest.find('/');
    t.api_id = std::string(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  size_t slash = rest.find('/');
  t.stage = std::string(rest.substr(0, slash));
  rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  constexpr std::string_view kUser = "/_user_request_";
  if (!host_form) rest.remove_prefix(std::min(rest.size(), kUser.size()));
  t.path = rest.empty() ? "/" : std::string(rest);
  if (t.api_id.empty() || t.stage.empty()) return std::nullopt;
  return t;
}

std::string SubstituteStageVariables(std::string text, const json::object* variables) {
  constexpr std::string_view kOpen = "${stageVariables.";
  size_t at = 0;
  while ((at = text.find(kOpen, at)) != std::string::npos) {
    size_t close = text.find('}', at);
    if (close == std::string::npos) break;
    std::string name = text.substr(at + kOpen.size(), close - at - kOpen.size());
    std::string value = variables ? StringField(*variables, name) : std::string();
    text.replace(at, close + 1 - at, value);
    at += value.size();
  }
  return text;
}

HttpResponse ProxyHttpResponse(ProxyResponse&& r) {
  HttpResponse out(static_cast<bhttp::status>(r.status), 11);
  bool has_type = false;
  for (auto& [name, value] : r.headers) {
    has_type = has_type || boost::beast::iequals(name, "content-type");
    out.insert(name, value);
  }
  if (!has_type) out.set(bhttp::field::content_type, "application/json");
  out.body() = std::move(r.body);
  return out;
}

}  // namespace

void ApiGatewayService::HandleExecuteApi(HttpRequest&& request, protocol::RequestContext context,
                                         Responder respond) {
  auto [raw_path, query] = protocol::http::SplitTarget(request.target());
  // A custom domain name routes through its mappings (custom_domains.h); other hosts name the
  // API in the host or the path.
  std::optional<InvokeTarget> target;
  if (std::string_view host = request[bhttp::field::host]; domains_.IsCustomDomain(host)) {
    if (auto mapped = domains_.Resolve(host, raw_path)) {
      target = InvokeTarget{std::move(mapped->api_id), std::move(mapped->stage),
                            std::move(mapped->path)};
    }
  } else {
    target = ParseTarget(request, raw_path);
  }
  RestApiPtr api = target ? FindApiById(target->api_id) : nullptr;
  if (!api && target && http_apis_ != nullptr && http_apis_->Has(target->api_id)) {
    std::string path = "/" + target->stage + (target->path == "/" ? "" : target->path);
    return http_apis_->HandleRequest(target->api_id, std::move(path), std::move(request),
                                     std::move(context), std::move(respond));
  }
  // Every REST API reply passes through ApplyGatewayResponse; `routed`, set below before
  // anything can answer, gives the deployment's customizations and the request.
  auto routed = std::make_shared<RoutedRequest>();
  respond = Responder::FromFunction([this, routed, respond](HttpResponse&& response) {
    if (routed->deployment == nullptr || routed->deployment->gateway_responses.empty()) {
      response.erase(kResponseTypeHeader);
    } else {
      ApplyGatewayResponse(response, routed->deployment->gateway_responses, routed->proxy);
    }
    LogAccess(*routed, response);
    respond(std::move(response));
  });
  if (!api) return respond(Forbidden(GatewayResponseType::kDefault4xx));
  DeploymentPtr deployment;
  json::object stage;
  json::value binary_types;
  {
    std::lock_guard lock(api->mu);
    const json::object* s = FindObject(ObjectField(api->doc, "stages"), target->stage);
    if (s != nullptr) {
      stage = *s;
      auto it = api->deployments.find(StringField(stage, "deploymentId"));
      if (it != api->deployments.end()) deployment = it->second;
      if (const json::value* b = ObjectField(api->doc, "api").if_contains("binaryMediaTypes")) {
        binary_types = *b;
      }
    }
  }
  if (!deployment) return respond(Forbidden(GatewayResponseType::kDefault4xx));
  const int64_t now = clock_.NowMillis();
  routed->api = api;
  routed->stage = std::move(stage);
  const json::object* variables = FindObject(routed->stage, "variables");
  ProxyRequest& proxy = routed->proxy;
  proxy.http_method = std::string(request.method_string());
  proxy.path = "/";
  {
    auto segments = ResourceTree::SplitRequestPath(target->path);
    if (!segments.empty()) proxy.path.clear();
    for (const auto& s : segments) proxy.path += "/" + s;
  }
  proxy.stage = target->stage;
  proxy.api_id = api->id;
  proxy.account_id = api->account;
  proxy.domain_name = std::string(request[bhttp::field::host]);
  proxy.request_id = context.request_id;
  std::string_view forwarded = request["x-forwarded-for"];
  proxy.source_ip =
      forwarded.empty() ? "127.0.0.1" : std::string(forwarded.substr(0, forwarded.find(',')));
  proxy.request_time_ms = now;
  for (const auto& field : request) {
    proxy.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  proxy.query = protocol::http::ParseQueryString(query, true);
  if (variables != nullptr) {
    for (const auto& kv : *variables) {
      if (kv.value().is_string()) {
        proxy.stage_variables.emplace_back(std::string(kv.key()),
                                           std::string(kv.value().get_string()));
      }
    }
  }
  routed->deployment = deployment;

  auto match = deployment->routes.Find(target->path);
  if (!match) return respond(MissingToken());
  const json::object* resource = FindObject(deployment->resources, match->resource_id);
  const json::object* methods = resource ? FindObject(*resource, "resourceMethods") : nullptr;
  const json::object* method = methods ? FindObject(*methods, proxy.http_method) : nullptr;
  if (method == nullptr && methods != nullptr) method = FindObject(*methods, "ANY");
  if (method == nullptr) return respond(MissingToken());
  proxy.resource_path = match->resource_path;
  proxy.resource_id = match->resource_id;
  proxy.path_parameters = std::move(match->path_parameters);

  // Stage and method throttling (methodSettings "<path>/<VERB>", else "*/*").
  if (const json::object* settings = FindObject(routed->stage, "methodSettings")) {
    std::string key;
    for (char c : proxy.resource_path) key += c == '/' ? std::string("~1") : std::string(1, c);
    key += "/" + StringField(*method, "httpMethod");
    const json::object* setting = FindObject(*settings, key);
    if (setting == nullptr) setting = FindObject(*settings, "*/*");
    if (setting != nullptr) {
      RateLimit limit;
      if (const json::value* r = setting->if_contains("throttlingRateLimit"); r && r->is_number()) {
        limit.rate = r->to_number<double>();
      }
      if (const json::value* b = setting->if_contains("throttlingBurstLimit"); b && b->is_int64()) {
        limit.burst = b->get_int64();
      }
      if (!meter_.TakeToken(api->id + "/" + target->stage + "/" + key, limit, now)) {
        return respond(Throttled());
      }
    }
  }

  routed->method = method;
  if (StringField(*method, "authorizationType") == "AWS_IAM") {
    auto caller = AuthenticateIamCaller(iam_verifier_, request);  // before the body moves
    if (auto* denial = std::get_if<IamDenial>(&caller)) {
      return respond(GatewayError(denial->type, 403, denial->message, denial->error_type));
    }
    proxy.iam_caller = std::get<IamCaller>(std::move(caller));
  }
  routed->api_key = std::string(request["x-api-key"]);
  routed->content_type = std::string(request[bhttp::field::content_type]);
  proxy.binary = IsBinaryMediaType(&binary_types, routed->content_type);
  proxy.body = std::move(request.body());
  if (StringField(*method, "authorizationType") == "CUSTOM") {
    return Authorize(std::move(routed), std::move(respond));
  }
  Dispatch(std::move(routed), std::move(respond));
}

void ApiGatewayService::LogAccess(const RoutedRequest& routed, const HttpResponse& response) {
  const json::object* settings = FindObject(routed.stage, "accessLogSettings");
  if (settings == nullptr || !access_log_ || routed.api == nullptr) return;
  auto arn = ParseLogGroupArn(StringField(*settings, "destinationArn"));
  if (!arn) return;
  const int64_t now = clock_.NowMillis();
  auto line = AccessLogLine(StringField(*settings, "format"), routed.proxy, response, now);
  if (!line) return;
  access_log_(arn->account, arn->region, arn->group, routed.api->id + "_" + routed.proxy.stage, now,
              std::move(*line));
}

void ApiGatewayService::Dispatch(std::shared_ptr<RoutedRequest> routed, Responder respond) {
  const json::value* required = routed->method->if_contains("apiKeyRequired");
  if (required == nullptr || !required->is_bool() || !required->get_bool()) {
    return Integrate(std::move(routed), std::move(respond));
  }
  const std::string api_id = routed->api->id;
  const std::string stage = routed->proxy.stage;
  const std::string value = routed->api_key;
  AdmitApiKey(
      api_id, stage, value,
      [this, routed = std::move(routed), respond](KeyVerdict verdict, std::string key_id) mutable {
        switch (verdict) {
          case KeyVerdict::kAccepted:
            routed->proxy.api_key = routed->api_key;
            routed->proxy.api_key_id = std::move(key_id);
            return Integrate(std::move(routed), std::move(respond));
          case KeyVerdict::kForbidden:
            return respond(Forbidden(GatewayResponseType::kInvalidApiKey));
          case KeyVerdict::kThrottled:
            return respond(Throttled());
          case KeyVerdict::kQuotaExceeded:
            return respond(GatewayError(GatewayResponseType::kQuotaExceeded, 429, "Limit Exceeded",
                                        "LimitExceededException"));
          case KeyVerdict::kUnavailable:
            return respond(InternalError(GatewayResponseType::kDefault5xx));
        }
      });
}

void ApiGatewayService::Integrate(std::shared_ptr<RoutedRequest> routed, Responder respond) {
  const json::object* method = routed->method;
  ProxyRequest& proxy = routed->proxy;
  const RestApi& api = *routed->api;
  if (auto invalid = ValidateRequest(*method, *routed->deployment, proxy, routed->content_type)) {
    return respond(std::move(*invalid));
  }

  const json::object* integration = FindObject(*method, "methodIntegration");
  if (integration == nullptr)
    return respond(InternalError(GatewayResponseType::kApiConfigurationError));
  const json::object* variables = FindObject(routed->stage, "variables");
  const std::string& content_type = routed->content_type;
  std::string type = StringField(*integration, "type");
  if (type == "MOCK") return RunMock(*integration, proxy, content_type, std::move(respond));
  int64_t timeout_ms = options_.default_timeout_ms;
  if (const json::value* t = integration->if_contains("timeoutInMillis"); t && t->is_int64()) {
    timeout_ms = t->get_int64();
  }
  std::string uri_text = SubstituteStageVariables(StringField(*integration, "uri"), variables);
  if (type == "HTTP" || type == "HTTP_PROXY") {
    std::optional<ClientIdentity> identity;
    if (std::string cert = StringField(routed->stage, "clientCertificateId"); !cert.empty()) {
      identity = FindClientIdentity(cert, api.account, api.region);
    }
    return RunHttp(*integration, uri_text, proxy, content_type, type == "HTTP_PROXY", timeout_ms,
                   std::move(respond), identity ? &*identity : nullptr);
  }
  auto uri = ParseIntegrationUri(uri_text);
  if (!uri.ok()) return respond(InternalError(GatewayResponseType::kApiConfigurationError));
  if (type == "AWS_PROXY" && !uri->function_arn.empty()) {
    return RunProxy(*uri, proxy, api.account, api.region, timeout_ms, std::move(respond));
  }
  if (type == "AWS") {
    return RunAws(*integration, *uri, proxy, content_type, api.account, api.region, timeout_ms,
                  std::move(respond));
  }
  respond(InternalError(GatewayResponseType::kApiConfigurationError));
}

void ApiGatewayService::WithTimeout(int64_t timeout_ms, Responder respond,
                                    const std::function<void(Reply)>& start) {
  ReplyWithin(io_, timeout_ms, std::move(respond),
              GatewayError(GatewayResponseType::kIntegrationTimeout, 504,
                           "Endpoint request timed out", "IntegrationTimeout"),
              start);
}

void ApiGatewayService::RunMock(const json::object& integration, const ProxyRequest& proxy,
                                const std::string& content_type, Responder respond) {
  MappingInput input = MappingInputOf(proxy);
  auto body = IntegrationRequestBody(integration, content_type, input);
  if (auto* response = std::get_if<HttpResponse>(&body)) return respond(std::move(*response));
  int status = 200;
  boost::system::error_code ec;
  json::value doc = json::parse(std::get<std::string>(body), ec);
  if (!ec && doc.is_object()) {
    if (const json::value* code = doc.get_object().if_contains("statusCode");
        code && code->is_int64()) {
      status = static_cast<int>(code->get_int64());
    }
  }
  respond(MethodResponseFor(integration, std::to_string(status), "", {}, std::move(input)));
}

void ApiGatewayService::RunHttp(const json::object& integration, const std::string& uri,
                                const ProxyRequest& proxy, const std::string& content_type,
                                bool pass_through, int64_t timeout_ms, Responder respond,
                                const ClientIdentity* identity) {
  MappingInput input = MappingInputOf(proxy);
  std::string body;
  if (!pass_through) {
    auto rendered = IntegrationRequestBody(integration, content_type, input);
    if (auto* response = std::get_if<HttpResponse>(&rendered)) {
      return respond(std::move(*response));
    }
    body = std::move(std::get<std::string>(rendered));
  }
  auto built = BuildHttpIntegrationRequest(integration, uri, proxy, content_type, pass_through,
                                           std::move(body));
  if (!built.ok()) return respond(InternalError(GatewayResponseType::kApiConfigurationError));
  auto shared = std::make_shared<json::object>(integration);
  WithTimeout(timeout_ms, std::move(respond), [&](Reply reply) {
    // The exchange outlives the 504 by a little, then gives up on its own.
    StartHttpExchange(
        io_, built->url, std::move(built->request), std::chrono::milliseconds(timeout_ms + 100),
        [reply, shared, input, pass_through](Result<HttpResponse> answer) mutable {
          if (!answer.ok()) return reply(InternalError(GatewayResponseType::kIntegrationFailure));
          if (pass_through) return reply(ProxiedHttpAnswer(std::move(*answer)));
          std::vector<std::pair<std::string, std::string>> headers;
          for (const auto& field : *answer) {
            headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
          }
          reply(MethodResponseFor(*shared, std::to_string(answer->result_int()),
                                  std::move(answer->body()), headers, std::move(input)));
        },
        identity);
  });
}

void ApiGatewayService::RunProxy(const IntegrationUri& uri, const ProxyRequest& proxy,
                                 const std::string& account, const std::string& region,
                                 int64_t timeout_ms, Responder respond) {
  if (!invoke_function_) return respond(InternalError(GatewayResponseType::kApiConfigurationError));
  functions::Invocation invocation;
  invocation.payload = BuildProxyEvent(proxy);
  invocation.invoked_arn = uri.function_arn;
  WithTimeout(timeout_ms, std::move(respond), [&](Reply reply) {
    invoke_function_(
        uri.function_arn, account, region, std::move(invocation),
        [reply](functions::InvokeOutcome outcome) {
          using Kind = functions::InvokeOutcome::Kind;
          if (outcome.kind != Kind::kSuccess) {
            return reply(InternalError(GatewayResponseType::kIntegrationFailure,
                                       outcome.kind == Kind::kFunctionError ? 502 : 500));
          }
          auto parsed = ParseProxyResponse(outcome.payload);
          if (!parsed) return reply(InternalError(GatewayResponseType::kIntegrationFailure, 502));
          reply(ProxyHttpResponse(std::move(*parsed)));
        });
  });
}

void ApiGatewayService::RunAws(const json::object& integration, const IntegrationUri& uri,
                               const ProxyRequest& proxy, const std::string& content_type,
                               const std::string& account, const std::string& region,
                               int64_t timeout_ms, Responder respond) {
  MappingInput input = MappingInputOf(proxy);
  auto body = IntegrationRequestBody(integration, content_type, input);
  if (auto* response = std::get_if<HttpResponse>(&body)) return respond(std::move(*response));
  auto shared = std::make_shared<json::object>(integration);
  if (uri.service == "lambda") {
    if (!invoke_function_ || uri.function_arn.empty())
      return respond(InternalError(GatewayResponseType::kApiConfigurationError));
    functions::Invocation invocation;
    invocation.payload = std::move(std::get<std::string>(body));
    invocation.invoked_arn = uri.function_arn;
    return WithTimeout(timeout_ms, std::move(respond), [&](Reply reply) {
      invoke_function_(
          uri.function_arn, account, region, std::move(invocation),
          [reply, shared, input](functions::InvokeOutcome outcome) mutable {
            using Kind = functions::InvokeOutcome::Kind;
            if (outcome.kind == Kind::kThrottled || outcome.kind == Kind::kServiceError) {
              return reply(InternalError(GatewayResponseType::kIntegrationFailure));
            }
            // A function error is selected by its errorMessage; success by the default.
            std::string selector;
            if (outcome.kind == Kind::kFunctionError) {
              boost::system::error_code ec;
              json::value error = json::parse(outcome.payload, ec);
              if (!ec && error.is_object()) {
                selector = StringField(error.get_object(), "errorMessage");
              }
              if (selector.empty()) selector = outcome.payload;
            }
            reply(MethodResponseFor(*shared, selector, std::move(outcome.payload), {},
                                    std::move(input)));
          });
    });
  }
  if (!local_request_) return respond(InternalError(GatewayResponseType::kApiConfigurationError));
  HttpRequest aws = AwsServiceRequest(uri, integration, std::move(std::get<std::string>(body)),
                                      account, clock_.NowMillis());
  WithTimeout(timeout_ms, std::move(respond), [&](Reply reply) {
    local_request_(std::move(aws), [reply, shared, input](HttpResponse&& response) mutable {
      std::vector<std::pair<std::string, std::string>> headers;
      for (const auto& field : response) {
        headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      reply(MethodResponseFor(*shared, std::to_string(response.result_int()),
                              std::move(response.body()), headers, std::move(input)));
    });
  });
}

}  // namespace tidepool::apigateway
