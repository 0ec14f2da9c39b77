// HTTP APIs at invoke time: stage (a named one, else $default), route (the most specific
// path, its method or ANY, else the $default route), and the Lambda proxy integration with
// payload format 2.0 (or 1.0), or an HTTP proxy (http_integration.h). Errors as HTTP APIs
// give them: 404 {"message":"Not Found"},
// 500 {"message":"Internal Server Error"}, 503 {"message":"Service Unavailable"} on timeout.
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include "core/encoding.h"
#include "protocol/http/query_string.h"
#include "services/apigateway/http_api_service.h"
#include "services/apigateway/http_integration.h"
#include "services/apigateway/integration_uri.h"
#include "services/apigateway/integrations.h"
#include "services/apigateway/proxy_event.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using protocol::http::HttpRequest;
using protocol::http::HttpResponse;
using protocol::http::Responder;

namespace {

HttpResponse Message(unsigned status, std::string_view message) {
  HttpResponse r(static_cast<bhttp::status>(status), 11);
  r.set(bhttp::field::content_type, "application/json");
  r.body() = json::serialize(json::object{{"message", message}});
  return r;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The payload format 2.0 event.
std::string BuildEventV2(const ProxyRequest& r, std::string_view route_key,
                         std::string_view raw_path, std::string_view raw_query) {
  json::object headers;
  json::array cookies;
  std::string user_agent;
  for (const auto& [name, value] : r.headers) {
    std::string key = Lower(name);
    if (key == "cookie") {
      std::string_view rest = value;
      while (!rest.empty()) {
        size_t semi = rest.find(';');
        std::string_view c = rest.substr(0, semi);
        while (!c.empty() && c.front() == ' ') c.remove_prefix(1);
        if (!c.empty()) cookies.emplace_back(json::string(c));
        if (semi == std::string_view::npos) break;
        rest.remove_prefix(semi + 1);
      }
      continue;
    }
    if (key == "user-agent") user_agent = value;
    json::value& slot = headers[key];
    slot = slot.is_string()
               ? json::value(json::string(std::string(slot.get_string()) + "," + value))
               : json::value(json::string(value));
  }
  json::object query;
  for (const auto& [k, v] : r.query) {
    json::value& slot = query[k];
    slot = slot.is_string() ? json::value(json::string(std::string(slot.get_string()) + "," + v))
                            : json::value(json::string(v));
  }
  json::object event{
      {"version", "2.0"},
      {"routeKey", route_key},
      {"rawPath", raw_path},
      {"rawQueryString", raw_query},
      {"headers", std::move(headers)},
      {"requestContext",
       json::object{{"accountId", r.account_id},
                    {"apiId", r.api_id},
                    {"domainName", r.domain_name},
                    {"domainPrefix", r.domain_name.substr(0, r.domain_name.find('.'))},
                    {"http", json::object{{"method", r.http_method},
                                          {"path", raw_path},
                                          {"protocol", "HTTP/1.1"},
                                          {"sourceIp", r.source_ip},
                                          {"userAgent", user_agent}}},
                    {"requestId", r.request_id},
                    {"routeKey", route_key},
                    {"stage", r.stage},
                    {"time", RequestTimeText(r.request_time_ms)},
                    {"timeEpoch", r.request_time_ms}}},
      {"isBase64Encoded", false}};
  if (!cookies.empty()) event["cookies"] = std::move(cookies);
  if (!query.empty()) event["queryStringParameters"] = std::move(query);
  if (!r.path_parameters.empty()) {
    json::object params;
    for (const auto& [k, v] : r.path_parameters) params[k] = v;
    event["pathParameters"] = std::move(params);
  }
  if (!r.stage_variables.empty()) {
    json::object vars;
    for (const auto& [k, v] : r.stage_variables) vars[k] = v;
    event["stageVariables"] = std::move(vars);
  }
  if (!r.body.empty()) {
    // HTTP APIs base64-encode bodies that are not text.
    bool text = true;
    for (unsigned char c : r.body)
      text = text && (c >= 0x20 || c == '\n' || c == '\r' || c == '\t');
    event["body"] = text ? r.body : Base64Encode(r.body);
    event["isBase64Encoded"] = !text;
  }
  return json::serialize(event);
}

// A payload format 2.0 response: a structured one (statusCode...) or any other JSON as a 200
// application/json body.
HttpResponse ResponseV2(const std::string& payload) {
  boost::system::error_code ec;
  json::value v = json::parse(payload, ec);
  if (ec) return Message(500, "Internal Server Error");
  const json::object* o = v.if_object();
  if (o == nullptr || !o->contains("statusCode")) {
    HttpResponse r(bhttp::status::ok, 11);
    r.set(bhttp::field::content_type, "application/json");
    r.body() = payload;
    return r;
  }
  json::object copy = *o;
  json::array cookies;
  if (const json::value* c = copy.if_contains("cookies"); c && c->is_array())
    cookies = c->get_array();
  copy.erase("cookies");
  auto parsed = ParseProxyResponse(json::serialize(copy));
  if (!parsed) return Message(500, "Internal Server Error");
  HttpResponse r(static_cast<bhttp::status>(parsed->status), 11);
  bool has_type = false;
  for (auto& [name, value] : parsed->headers) {
    has_type = has_type || boost::beast::iequals(name, "content-type");
    r.insert(name, value);
  }
  for (const json::value& c : cookies) {
    if (c.is_string()) r.insert(bhttp::field::set_cookie, std::string(c.get_string()));
  }
  if (!has_type) r.set(bhttp::field::content_type, "text/plain; charset=utf-8");
  r.body() = std::move(parsed->body);
  return r;
}

}  // namespace

HttpRoutesPtr CompileHttpRoutes(const json::object& routes, const json::object& integrations) {
  auto out = std::make_shared<HttpRoutes>();
  out->routes = routes;
  out->integrations = integrations;
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
  if (!api) return respond(Message(404, "Not Found"));
  HttpRoutesPtr routes;
  json::object stage;
  std::string rest = path;
  {
    std::lock_guard lock(api->mu);
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
    if (s == nullptr) return respond(Message(404, "Not Found"));
    stage = *s;
    if (const json::value* auto_deploy = stage.if_contains("AutoDeploy");
        auto_deploy && auto_deploy->is_bool() && auto_deploy->get_bool()) {
      routes = api->live;
    } else if (auto it = api->deployed.find(StringField(stage, "DeploymentId"));
               it != api->deployed.end()) {
      routes = it->second;
    }
  }
  if (!routes) return respond(Message(404, "Not Found"));
  if (rest.empty()) rest = "/";
  Serve(api, std::move(routes), std::move(stage), std::move(rest), std::move(request),
        std::move(context), std::move(respond));
}

void HttpApiService::Serve(const HttpApiPtr& api, HttpRoutesPtr routes, json::object stage,
                           std::string path, HttpRequest&& request,
                           protocol::RequestContext context, Responder respond) {
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
  if (route == nullptr) return respond(Message(404, "Not Found"));
  std::string target = StringField(*route, "Target");
  const json::object* integration = target.starts_with("integrations/")
                                        ? FindObject(routes->integrations, target.substr(13))
                                        : nullptr;
  if (integration == nullptr) return respond(Message(500, "Internal Server Error"));

  ProxyRequest proxy;
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
  int64_t timeout_ms = 30000;
  if (const json::value* t = integration->if_contains("TimeoutInMillis"); t && t->is_int64()) {
    timeout_ms = t->get_int64();
  }
  if (StringField(*integration, "IntegrationType") == "HTTP_PROXY") {
    return ServeHttpProxy(*integration, proxy, timeout_ms, std::move(respond));
  }
  std::string function = StringField(*integration, "IntegrationUri");
  if (!function.starts_with("arn:aws:lambda:")) {
    auto uri = ParseIntegrationUri(function);
    if (!uri.ok() || uri->function_arn.empty() || !invoke_function_) {
      return respond(Message(500, "Internal Server Error"));
    }
    function = uri->function_arn;
  }
  if (!invoke_function_) return respond(Message(500, "Internal Server Error"));
  const bool v2 = StringField(*integration, "PayloadFormatVersion") != "1.0";
  std::string raw_path = proxy.stage == "$default" ? path : "/" + proxy.stage + path;

  functions::Invocation invocation;
  invocation.payload =
      v2 ? BuildEventV2(proxy, proxy.resource_path, raw_path, raw_query) : BuildProxyEvent(proxy);
  invocation.invoked_arn = function;
  ReplyWithin(io_, timeout_ms, std::move(respond), Message(503, "Service Unavailable"),
              [&](std::function<void(HttpResponse &&)> reply) {
                invoke_function_(function, api->account, api->region, std::move(invocation),
                                 [reply, v2](functions::InvokeOutcome outcome) {
                                   if (outcome.kind != functions::InvokeOutcome::Kind::kSuccess) {
                                     return reply(Message(500, "Internal Server Error"));
                                   }
                                   if (v2) return reply(ResponseV2(outcome.payload));
                                   auto parsed = ParseProxyResponse(outcome.payload);
                                   if (!parsed) return reply(Message(500, "Internal Server Error"));
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
  if (!built.ok()) return respond(Message(500, "Internal Server Error"));
  ReplyWithin(io_, timeout_ms, std::move(respond), Message(503, "Service Unavailable"),
              [&](std::function<void(HttpResponse &&)> reply) {
                StartHttpExchange(io_, built->url, std::move(built->request),
                                  std::chrono::milliseconds(timeout_ms + 100),
                                  [reply](Result<HttpResponse> answer) {
                                    if (!answer.ok()) {
                                      return reply(Message(500, "Internal Server Error"));
                                    }
                                    reply(ProxiedHttpAnswer(std::move(*answer)));
                                  });
              });
}

namespace {

// The value of Cors member `member` (a list) joined with ", "; "" when absent.
std::string CorsList(const json::object& cors, std::string_view member) {
  std::string out;
  if (const json::value* v = cors.if_contains(member); v && v->is_array()) {
    for (const json::value& item : v->get_array()) {
      if (item.is_string()) out += (out.empty() ? "" : ", ") + std::string(item.get_string());
    }
  }
  return out;
}

// Adds the CORS response headers `cors` allows for a request from `origin`.
void AddCorsHeaders(const json::object& cors, std::string_view origin, HttpResponse& r) {
  if (cors.empty() || origin.empty()) return;
  std::string origins = CorsList(cors, "AllowOrigins");
  bool allowed = origins == "*";
  if (const json::value* v = cors.if_contains("AllowOrigins"); v && v->is_array()) {
    for (const json::value& item : v->get_array()) {
      allowed = allowed ||
                (item.is_string() && (item.get_string() == origin || item.get_string() == "*"));
    }
  }
  if (!allowed) return;
  r.set("Access-Control-Allow-Origin", origins == "*" ? std::string("*") : std::string(origin));
  if (const json::value* c = cors.if_contains("AllowCredentials");
      c && c->is_bool() && c->get_bool()) {
    r.set("Access-Control-Allow-Credentials", "true");
  }
  if (std::string expose = CorsList(cors, "ExposeHeaders"); !expose.empty()) {
    r.set("Access-Control-Expose-Headers", expose);
  }
}

}  // namespace

void HttpApiService::HandleFunctionUrl(std::string function_arn, std::string url_id, bool iam_auth,
                                       json::object cors, std::string path, HttpRequest&& request,
                                       protocol::RequestContext context, Responder respond) {
  const std::string origin(request[bhttp::field::origin]);
  if (request.method() == bhttp::verb::options && !cors.empty() &&
      !request["access-control-request-method"].empty()) {
    HttpResponse r(bhttp::status::ok, 11);
    AddCorsHeaders(cors, origin, r);
    if (std::string methods = CorsList(cors, "AllowMethods"); !methods.empty()) {
      r.set("Access-Control-Allow-Methods", methods);
    }
    if (std::string headers = CorsList(cors, "AllowHeaders"); !headers.empty()) {
      r.set("Access-Control-Allow-Headers", headers);
    }
    if (const json::value* age = cors.if_contains("MaxAge"); age && age->is_int64()) {
      r.set("Access-Control-Max-Age", std::to_string(age->get_int64()));
    }
    return respond(std::move(r));
  }
  if (iam_auth && request[bhttp::field::authorization].empty() &&
      request["x-amz-signature"].empty()) {
    HttpResponse r(bhttp::status::forbidden, 11);
    r.set(bhttp::field::content_type, "application/json");
    r.body() = R"({"Message":"Forbidden"})";
    return respond(std::move(r));
  }
  auto [raw_path, raw_query] = protocol::http::SplitTarget(request.target());
  ProxyRequest proxy;
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
  invocation.payload = BuildEventV2(proxy, "$default", path, query);
  invocation.invoked_arn = function_arn;
  auto reply = [respond = std::move(respond), cors = std::move(cors),
                origin](HttpResponse&& r) mutable {
    AddCorsHeaders(cors, origin, r);
    respond(std::move(r));
  };
  invoke_function_(function_arn, "", "", std::move(invocation),
                   [reply = std::move(reply)](functions::InvokeOutcome outcome) mutable {
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
