// HTTP APIs at invoke time: stage (a named one, else $default), route (the most specific
// path, its method or ANY, else the $default route), and the Lambda proxy integration with
// payload format 2.0 (or 1.0), or an HTTP proxy (http_integration.h). Errors as HTTP APIs
// give them: 404 {"message":"Not Found"},
// 500 {"message":"Internal Server Error"}, 503 {"message":"Service Unavailable"} on timeout.
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include "core/encoding.h"
#include "protocol/http/query_string.h"
#include "services/apigateway/function_url_stream.h"
#include "services/apigateway/http_api_cors.h"
#include "services/apigateway/http_api_service.h"
#include "services/apigateway/http_integration.h"
#include "services/apigateway/iam_auth.h"
#include "services/apigateway/integration_uri.h"
#include "services/apigateway/integrations.h"
#include "services/apigateway/proxy_event_v2.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using protocol::http::HttpRequest;
using protocol::http::HttpResponse;
using protocol::http::Responder;

HttpRoutesPtr CompileHttpRoutes(const json::object& routes, const json::object& integrations,
                                const json::object& authorizers) {
  auto out = std::make_shared<HttpRoutes>();
  out->routes = routes;
  out->integrations = integrations;
  out->authorizers = authorizers;
  for (const auto& kv : routes) {
    const json::object* r = kv.value().if_object();
    if (r == nullptr) continue;
    std::string key = StringField(*r, "RouteKey");
    if (key == "$default") {
      out->default_route = std::string(kv.key());
      continue;
    }
    size_t space = key.find(' ');
    if (space == std::string::npos) continue;
    std::string path = key.substr(space + 1);
    if (!out->by_path.contains(path) && !out->tree.Add(path, path).ok()) continue;
    out->by_path[path][key.substr(0, space)] = std::string(kv.key());
  }
  return out;
}

void HttpApiService::HandleRequest(std::string_view api_id, std::string path, HttpRequest&& request,
                                   protocol::RequestContext context, Responder respond) {
  HttpApiPtr api;
  {
    std::shared_lock lock(registry_mu_);
    auto it = apis_.find(std::string(api_id));
    if (it != apis_.end()) api = it->second;
  }
  if (!api) return respond(HttpApiMessage(404, "Not Found"));
  HttpRoutesPtr routes;
  json::object stage;
  json::object cors;
  std::string rest = path;
  {
    std::lock_guard lock(api->mu);
    if (const json::object* c = FindObject(ObjectField(api->doc, "api"), "CorsConfiguration")) {
      cors = *c;
    }
    const json::object& stages = ObjectField(api->doc, "stages");
    std::string_view p = path;
    std::string first(p.substr(
        1, p.find('/', 1) == std::string_view::npos ? std::string_view::npos : p.find('/', 1) - 1));
    const json::object* s =
        first.empty() || first == "$default" ? nullptr : FindObject(stages, first);
    if (s != nullptr) {
      rest = path.substr(1 + first.size());
    } else {
      s = FindObject(stages, "$default");
      if (first == "$default") rest = path.substr(9);
    }
    if (s == nullptr) return respond(HttpApiMessage(404, "Not Found"));
    stage = *s;
    if (const json::value* auto_deploy = stage.if_contains("AutoDeploy");
        auto_deploy && auto_deploy->is_bool() && auto_deploy->get_bool()) {
      routes = api->live;
    } else if (auto it = api->deployed.find(StringField(stage, "DeploymentId"));
               it != api->deployed.end()) {
      routes = it->second;
    }
  }
  if (!routes) return respond(HttpApiMessage(404, "Not Found"));
  if (rest.empty()) rest = "/";
  Serve(api, std::move(routes), std::move(stage), std::move(cors), std::move(rest),
        std::move(request), std::move(context), std::move(respond));
}

void HttpApiService::Serve(const HttpApiPtr& api, HttpRoutesPtr routes, json::object stage,
                           json::object cors, std::string path, HttpRequest&& request,
                           protocol::RequestContext context, Responder respond) {
  if (!cors.empty()) {
    // The gateway answers preflights itself and adds the CORS headers to every answer.
    if (IsPreflight(request)) return respond(HttpApiPreflight(cors, request));
    respond = Responder::FromFunction([cors = std::move(cors),
                                       origin = std::string(request[bhttp::field::origin]),
                                       respond](HttpResponse&& r) {
      AddCorsHeaders(cors, origin, r);
      respond(std::move(r));
    });
  }
  auto [raw_target, raw_query] = protocol::http::SplitTarget(request.target());
  std::string verb(request.method_string());
  std::string route_id;
  std::vector<std::pair<std::string, std::string>> params;
  if (auto match = routes->tree.Find(path)) {
    const auto& verbs = routes->by_path.at(match->resource_id);
    auto it = verbs.find(verb);
    if (it == verbs.end()) it = verbs.find("ANY");
    if (it != verbs.end()) {
      route_id = it->second;
      params = std::move(match->path_parameters);
    }
  }
  if (route_id.empty()) route_id = routes->default_route;
  const json::object* route = FindObject(routes->routes, route_id);
  if (route == nullptr) return respond(HttpApiMessage(404, "Not Found"));
  std::string target = StringField(*route, "Target");
  const json::object* integration = target.starts_with("integrations/")
                                        ? FindObject(routes->integrations, target.substr(13))
                                        : nullptr;
  if (integration == nullptr) return respond(HttpApiMessage(500, "Internal Server Error"));

  ProxyRequest proxy;
  if (StringField(*route, "AuthorizationType") == "AWS_IAM") {
    auto caller = AuthenticateIamCaller(iam_verifier_, request);
    if (auto* denial = std::get_if<IamDenial>(&caller)) {
      const bool unsigned_request =
          denial->type == GatewayResponseType::kMissingAuthenticationToken;
      return respond(HttpApiMessage(403, unsigned_request ? "Forbidden" : denial->message));
    }
    const IamCaller& who = std::get<IamCaller>(caller);
    proxy.authorizer["iam"] = IamAuthorizerContext(who);
    proxy.iam_caller = std::get<IamCaller>(std::move(caller));
  }
  proxy.http_method = verb;
  proxy.path = path;
  proxy.resource_path = StringField(*route, "RouteKey");
  proxy.resource_id = route_id;
  proxy.stage = StringField(stage, "StageName");
  proxy.api_id = api->id;
  proxy.account_id = api->account;
  proxy.domain_name = std::string(request[bhttp::field::host]);
  proxy.request_id = context.request_id;
  std::string_view forwarded = request["x-forwarded-for"];
  proxy.source_ip =
      forwarded.empty() ? "127.0.0.1" : std::string(forwarded.substr(0, forwarded.find(',')));
  proxy.request_time_ms = clock_.NowMillis();
  for (const auto& field : request) {
    proxy.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  proxy.query = protocol::http::ParseQueryString(raw_query, true);
  proxy.path_parameters = std::move(params);
  if (const json::object* vars = FindObject(stage, "StageVariables")) {
    for (const auto& kv : *vars) {
      if (kv.value().is_string()) {
        proxy.stage_variables.emplace_back(std::string(kv.key()),
                                           std::string(kv.value().get_string()));
      }
    }
  }
  proxy.body = std::move(request.body());
  if (const json::object* settings = FindObject(stage, "AccessLogSettings");
      settings != nullptr && access_log_) {
    // The stage's access log line once the request is answered (access_log.h).
    auto arn = ParseLogGroupArn(StringField(*settings, "DestinationArn"));
    if (arn) {
      respond = Responder::FromFunction(
          [this, arn = *arn, format = StringField(*settings, "Format"),
           stream = api->id + "_" + proxy.stage, logged = proxy, respond](HttpResponse&& response) {
            const int64_t now = clock_.NowMillis();
            if (auto line = AccessLogLine(format, logged, response, now)) {
              access_log_(arn.account, arn.region, arn.group, stream, now, std::move(*line));
            }
            respond(std::move(response));
          });
    }
  }
  std::string type = StringField(*route, "AuthorizationType");
  if (type == "CUSTOM" || type == "JWT") {
    return Authorize(
        api, routes, *route, std::string(raw_query), std::move(proxy), std::move(respond),
        [this, api, routes, integration, query = std::string(raw_query)](ProxyRequest&& authorized,
                                                                         Responder respond) {
          Integrate(api, *integration, query, std::move(authorized), std::move(respond));
        });
  }
  Integrate(api, *integration, std::string(raw_query), std::move(proxy), std::move(respond));
}

void HttpApiService::Integrate(const HttpApiPtr& api, const json::object& integration,
                               std::string raw_query, ProxyRequest&& proxy, Responder respond) {
  int64_t timeout_ms = 30000;
  if (const json::value* t = integration.if_contains("TimeoutInMillis"); t && t->is_int64()) {
    timeout_ms = t->get_int64();
  }
  if (StringField(integration, "IntegrationType") == "HTTP_PROXY") {
    return ServeHttpProxy(integration, proxy, timeout_ms, std::move(respond));
  }
  std::string function = StringField(integration, "IntegrationUri");
  if (!function.starts_with("arn:aws:lambda:")) {
    auto uri = ParseIntegrationUri(function);
    if (!uri.ok() || uri->function_arn.empty() || !invoke_function_) {
      return respond(HttpApiMessage(500, "Internal Server Error"));
    }
    function = uri->function_arn;
  }
  if (!invoke_function_) return respond(HttpApiMessage(500, "Internal Server Error"));
  const bool v2 = StringField(integration, "PayloadFormatVersion") != "1.0";
  std::string raw_path = proxy.stage == "$default" ? proxy.path : "/" + proxy.stage + proxy.path;
  if (!v2 && !proxy.authorizer.empty()) {
    // Payload format 1.0 carries a Lambda authorizer's context (and principalId) flat, a JWT
    // authorizer's claims and scopes as members.
    json::object flat;
    if (const json::object* lambda = FindObject(proxy.authorizer, "lambda")) flat = *lambda;
    if (const json::object* jwt = FindObject(proxy.authorizer, "jwt")) flat = *jwt;
    if (const json::value* principal = proxy.authorizer.if_contains("principalId")) {
      flat["principalId"] = *principal;
    }
    proxy.authorizer = std::move(flat);
  }

  functions::Invocation invocation;
  invocation.payload =
      v2 ? json::serialize(BuildEventV2(proxy, proxy.resource_path, raw_path, raw_query))
         : BuildProxyEvent(proxy);
  invocation.invoked_arn = function;
  ReplyWithin(io_, timeout_ms, std::move(respond), HttpApiMessage(503, "Service Unavailable"),
              [&](std::function<void(HttpResponse &&)> reply) {
                invoke_function_(function, api->account, api->region, std::move(invocation),
                                 [reply, v2](functions::InvokeOutcome outcome) {
                                   if (outcome.kind != functions::InvokeOutcome::Kind::kSuccess) {
                                     return reply(HttpApiMessage(500, "Internal Server Error"));
                                   }
                                   if (v2) return reply(ResponseV2(outcome.payload));
                                   auto parsed = ParseProxyResponse(outcome.payload);
                                   if (!parsed)
                                     return reply(HttpApiMessage(500, "Internal Server Error"));
                                   HttpResponse r(static_cast<bhttp::status>(parsed->status), 11);
                                   for (auto& [name, value] : parsed->headers)
                                     r.insert(name, value);
                                   r.body() = std::move(parsed->body);
                                   reply(std::move(r));
                                 });
              });
}

void HttpApiService::ServeHttpProxy(const json::object& integration, const ProxyRequest& proxy,
                                    int64_t timeout_ms, Responder respond) {
  json::object settings{{"httpMethod", StringField(integration, "IntegrationMethod")}};
  auto built = BuildHttpIntegrationRequest(settings, StringField(integration, "IntegrationUri"),
                                           proxy, "", /*proxy=*/true, std::string());
  if (!built.ok()) return respond(HttpApiMessage(500, "Internal Server Error"));
  ReplyWithin(io_, timeout_ms, std::move(respond), HttpApiMessage(503, "Service Unavailable"),
              [&](std::function<void(HttpResponse &&)> reply) {
                StartHttpExchange(io_, built->url, std::move(built->request),
                                  std::chrono::milliseconds(timeout_ms + 100),
                                  [reply](Result<HttpResponse> answer) {
                                    if (!answer.ok()) {
                                      return reply(HttpApiMessage(500, "Internal Server Error"));
                                    }
                                    reply(ProxiedHttpAnswer(std::move(*answer)));
                                  });
              });
}

namespace {

// A function URL's refusal of an AWS_IAM request: unsigned, {"Message":"Forbidden"}; a
// signature that does not verify, {"message": <the SigV4 text>} with its error type.
HttpResponse FunctionUrlDenial(const IamDenial& denial) {
  HttpResponse r(bhttp::status::forbidden, 11);
  r.set(bhttp::field::content_type, "application/json");
  if (denial.type == GatewayResponseType::kMissingAuthenticationToken) {
    r.body() = R"({"Message":"Forbidden"})";
  } else {
    r.set("x-amzn-ErrorType", denial.error_type);
    r.body() = json::serialize(json::object{{"message", denial.message}});
  }
  return r;
}

}  // namespace

void HttpApiService::HandleFunctionUrl(std::string function_arn, std::string url_id, bool iam_auth,
                                       bool response_stream, json::object cors, std::string path,
                                       HttpRequest&& request, protocol::RequestContext context,
                                       Responder respond) {
  const std::string origin(request[bhttp::field::origin]);
  if (!cors.empty() && request.method() == bhttp::verb::options &&
      !request["access-control-request-method"].empty()) {
    return respond(FunctionUrlPreflight(cors, origin));
  }
  ProxyRequest proxy;
  if (iam_auth) {
    auto caller = AuthenticateIamCaller(iam_verifier_, request, "lambda");
    if (auto* denial = std::get_if<IamDenial>(&caller)) {
      return respond(FunctionUrlDenial(*denial));
    }
    proxy.authorizer["iam"] = IamAuthorizerContext(std::get<IamCaller>(caller));
    context.account_id = std::get<IamCaller>(caller).account_id;
  }
  auto [raw_path, raw_query] = protocol::http::SplitTarget(request.target());
  proxy.http_method = std::string(request.method_string());
  proxy.stage = "$default";
  proxy.api_id = url_id;
  proxy.account_id = iam_auth ? context.account_id : "anonymous";
  proxy.domain_name = std::string(request[bhttp::field::host]);
  if (proxy.domain_name.find(".lambda-url.") == std::string::npos) {
    proxy.domain_name = url_id + ".lambda-url." + context.region + ".on.aws";
  }
  proxy.request_id = context.request_id;
  std::string_view forwarded = request["x-forwarded-for"];
  proxy.source_ip =
      forwarded.empty() ? "127.0.0.1" : std::string(forwarded.substr(0, forwarded.find(',')));
  proxy.request_time_ms = clock_.NowMillis();
  for (const auto& field : request) {
    proxy.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  proxy.query = protocol::http::ParseQueryString(raw_query, true);
  std::string query(raw_query);
  proxy.body = std::move(request.body());
  functions::Invocation invocation;
  invocation.payload = json::serialize(BuildEventV2(proxy, "$default", path, query));
  invocation.invoked_arn = function_arn;
  std::shared_ptr<FunctionUrlStream> stream;
  if (response_stream) {  // RESPONSE_STREAM: what the function streams goes out as it comes
    stream = std::make_shared<FunctionUrlStream>(
        respond, [cors, origin](HttpResponse& r) { AddCorsHeaders(cors, origin, r); });
    invocation.stream = stream;
  }
  auto reply = [respond = std::move(respond), cors = std::move(cors),
                origin](HttpResponse&& r) mutable {
    AddCorsHeaders(cors, origin, r);
    respond(std::move(r));
  };
  invoke_function_(function_arn, "", "", std::move(invocation),
                   [reply = std::move(reply), stream](functions::InvokeOutcome outcome) mutable {
                     if (stream && stream->End()) return;
                     if (outcome.kind == functions::InvokeOutcome::Kind::kThrottled) {
                       HttpResponse r(bhttp::status::too_many_requests, 11);
                       r.set(bhttp::field::content_type, "application/json");
                       r.body() = R"({"Message":"Rate Exceeded."})";
                       return reply(std::move(r));
                     }
                     if (outcome.kind != functions::InvokeOutcome::Kind::kSuccess) {
                       HttpResponse r(bhttp::status::bad_gateway, 11);
                       r.set(bhttp::field::content_type, "application/json");
                       r.body() = R"({"Message":"Internal Server Error"})";
                       return reply(std::move(r));
                     }
                     reply(ResponseV2(outcome.payload));
                   });
}

}  // namespace tidepool::apigateway
