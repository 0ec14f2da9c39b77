// HTTP APIs' authorizers: their management API and, at invoke time, the route's authorizer.
//
// Lambda (AuthorizerType REQUEST): every identity source ($request.header.<name>,
// $request.querystring.<name>, $context.<variable>, $stageVariables.<name>) must have a
// value, else 401 {"message":"Unauthorized"} without invoking; the function gets the payload
// format 2.0 authorizer event (routeArn, identitySource list) or 1.0 (methodArn,
// identitySource and authorizationToken as one comma-joined string); it answers a simple
// response {"isAuthorized", "context"} (EnableSimpleResponses, 2.0 only) or an IAM policy
// evaluated against the route ARN (authorizer_policy.h). Not allowed: 403
// {"message":"Forbidden"}; the function failing or answering malformed: 500. Results are
// cached for AuthorizerResultTtlInSeconds (default 0: none) by the identity sources' values.
//
// JWT: the bearer token of the identity source (jwt.h); failing: 401 with a WWW-Authenticate
// header; none of the route's AuthorizationScopes granted: 403.
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/http_api_service.h"
#include "services/apigateway/http_exchange.h"
#include "services/apigateway/integration_uri.h"
#include "services/apigateway/proxy_event_v2.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using protocol::CallPtr;
using protocol::http::HttpResponse;
using protocol::http::Responder;

namespace {

constexpr HttpApiService::Collection kAuthorizers{"authorizers", "AuthorizerId",
                                                  "Invalid Authorizer identifier specified"};

std::vector<std::string> Strings(const json::object& o, std::string_view member) {
  std::vector<std::string> out;
  if (const json::value* v = o.if_contains(member); v && v->is_array()) {
    for (const json::value& item : v->get_array()) {
      if (item.is_string()) out.emplace_back(item.get_string());
    }
  }
  return out;
}

int64_t TtlSeconds(const json::object& authorizer) {
  const json::value* t = authorizer.if_contains("AuthorizerResultTtlInSeconds");
  return t && t->is_int64() ? t->get_int64() : 0;
}

// The function an AuthorizerUri names (an invocation URI or a function ARN); "" when none.
std::string AuthorizerFunction(const json::object& authorizer) {
  std::string uri = StringField(authorizer, "AuthorizerUri");
  if (uri.starts_with("arn:aws:lambda:")) return uri;
  auto parsed = ParseIntegrationUri(uri);
  return parsed.ok() ? parsed->function_arn : std::string();
}

bool ValidIdentitySource(std::string_view source) {
  for (std::string_view prefix :
       {"$request.header.", "$request.querystring.", "$context.", "$stageVariables."}) {
    if (source.starts_with(prefix) && source.size() > prefix.size()) return true;
  }
  return false;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The value identity source `source` names for `r` ("" when absent); repeated headers and
// query parameters joined with ','.
std::string IdentityValue(std::string_view source, const ProxyRequest& r) {
  auto joined = [](const std::vector<std::pair<std::string, std::string>>& pairs,
                   std::string_view name, bool any_case) {
    std::string out;
    bool found = false;
    for (const auto& [k, v] : pairs) {
      if (any_case ? boost::beast::iequals(k, name) : k == name) {
        out += (found ? "," : "") + v;
        found = true;
      }
    }
    return out;
  };
  if (source.starts_with("$request.header.")) return joined(r.headers, source.substr(16), true);
  if (source.starts_with("$request.querystring.")) return joined(r.query, source.substr(21), false);
  if (source.starts_with("$stageVariables.")) {
    return joined(r.stage_variables, source.substr(16), false);
  }
  std::string_view name = source.starts_with("$context.") ? source.substr(9) : "";
  std::string user_agent = joined(r.headers, "user-agent", true);
  const std::pair<std::string_view, std::string> context[] = {
      {"accountId", r.account_id},
      {"apiId", r.api_id},
      {"domainName", r.domain_name},
      {"domainPrefix", r.domain_name.substr(0, r.domain_name.find('.'))},
      {"httpMethod", r.http_method},
      {"identity.sourceIp", r.source_ip},
      {"identity.userAgent", user_agent},
      {"path", r.path},
      {"protocol", "HTTP/1.1"},
      {"requestId", r.request_id},
      {"requestTimeEpoch", std::to_string(r.request_time_ms)},
      {"routeKey", r.resource_path},
      {"stage", r.stage},
  };
  for (const auto& [key, value] : context) {
    if (key == name) return value;
  }
  return "";
}

HttpResponse Unauthorized() { return HttpApiMessage(401, "Unauthorized"); }
HttpResponse Forbidden() { return HttpApiMessage(403, "Forbidden"); }
HttpResponse Failure() { return HttpApiMessage(500, "Internal Server Error"); }

}  // namespace

Status CheckHttpAuthorizer(const json::object& a) {
  if (StringField(a, "Name").empty()) return BadRequest("Authorizer name must be specified");
  std::string type = StringField(a, "AuthorizerType");
  std::vector<std::string> sources = Strings(a, "IdentitySource");
  int64_t ttl = TtlSeconds(a);
  if (ttl < 0 || ttl > 3600) {
    return BadRequest("AuthorizerResultTtlInSeconds must be between 0 and 3600");
  }
  if (type == "JWT") {
    const json::object* jwt = FindObject(a, "JwtConfiguration");
    std::string issuer = jwt ? StringField(*jwt, "Issuer") : "";
    if (issuer.empty()) return BadRequest("JwtConfiguration.Issuer must be specified for JWT");
    if (!ParseHttpUrl(issuer).ok()) {
      return BadRequest("JwtConfiguration.Issuer must be an http:// or https:// URL: " + issuer);
    }
    if (Strings(*jwt, "Audience").empty()) {
      return BadRequest("JwtConfiguration.Audience must have at least one entry for JWT");
    }
    if (sources.size() != 1 || !sources[0].starts_with("$request.header.")) {
      return BadRequest(
          "A JWT authorizer needs one identity source of the form $request.header.<name>");
    }
    if (ttl != 0 || a.contains("AuthorizerUri")) {
      return BadRequest(
          "AuthorizerUri and AuthorizerResultTtlInSeconds are for REQUEST "
          "authorizers only");
    }
    return Status::Ok();
  }
  if (type != "REQUEST") {
    return BadRequest("Invalid authorizer type " + type + ". Valid options are REQUEST, JWT");
  }
  if (AuthorizerFunction(a).empty()) {
    return BadRequest("Invalid Authorizer URI: " + StringField(a, "AuthorizerUri") +
                      ". Authorizer URI should be a valid API Gateway ARN that represents a "
                      "Lambda function invocation.");
  }
  std::string version = StringField(a, "AuthorizerPayloadFormatVersion");
  if (version != "1.0" && version != "2.0") {
    return BadRequest("AuthorizerPayloadFormatVersion must be 1.0 or 2.0 for REQUEST authorizers");
  }
  if (const json::value* simple = a.if_contains("EnableSimpleResponses");
      simple && simple->is_bool() && simple->get_bool() && version != "2.0") {
    return BadRequest("EnableSimpleResponses is supported for payload format version 2.0 only");
  }
  if (ttl > 0 && sources.empty()) {
    return BadRequest("Identity Source must be specified when the authorizer caches results");
  }
  for (const std::string& source : sources) {
    if (!ValidIdentitySource(source)) return BadRequest("Invalid identity source " + source);
  }
  return Status::Ok();
}

void HttpApiService::CreateAuthorizer(CallPtr call) {
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    json::object a;
    CopyMembers(
        call->input(),
        {"Name", "AuthorizerType", "AuthorizerUri", "AuthorizerCredentialsArn",
         "AuthorizerPayloadFormatVersion", "AuthorizerResultTtlInSeconds", "EnableSimpleResponses",
         "IdentitySource", "IdentityValidationExpression", "JwtConfiguration"},
        a);
    if (Status s = CheckHttpAuthorizer(a); !s.ok()) return s;
    json::object& authorizers = ObjectField(doc, "authorizers");
    std::string id;
    do {
      id = NewGatewayId(6);
    } while (authorizers.contains(id));
    a["AuthorizerId"] = id;
    authorizers[id] = a;
    return a;
  });
}

void HttpApiService::GetAuthorizer(CallPtr call) { GetItem(call, kAuthorizers); }
void HttpApiService::GetAuthorizers(CallPtr call) { GetItems(call, kAuthorizers); }
void HttpApiService::UpdateAuthorizer(CallPtr call) {
  UpdateItem(call, kAuthorizers,
             [](const json::object& a, const json::object&) { return CheckHttpAuthorizer(a); });
}

void HttpApiService::DeleteAuthorizer(CallPtr call) {
  EditApi(call, [&](HttpApi&, json::object& doc) -> Result<json::object> {
    std::string id = StringField(call->input(), "AuthorizerId");
    json::object& authorizers = ObjectField(doc, "authorizers");
    if (!authorizers.contains(id)) return NotFound(std::string(kAuthorizers.not_found));
    for (const auto& kv : ObjectField(doc, "routes")) {
      const json::object* route = kv.value().if_object();
      std::string type = route ? StringField(*route, "AuthorizationType") : "";
      if ((type == "CUSTOM" || type == "JWT") && StringField(*route, "AuthorizerId") == id) {
        return BadRequest("Cannot delete authorizer " + id + ", it is used by route " +
                          StringField(*route, "RouteKey"));
      }
    }
    authorizers.erase(id);
    return json::object();
  });
}

void HttpApiService::Authorize(const HttpApiPtr& api, HttpRoutesPtr routes,
                               const json::object& route, std::string raw_query,
                               ProxyRequest&& proxy, Responder respond, Authorized next) {
  const json::object* authorizer =
      FindObject(routes->authorizers, StringField(route, "AuthorizerId"));
  if (authorizer == nullptr) return respond(Failure());
  if (StringField(*authorizer, "AuthorizerType") == "JWT") {
    return AuthorizeJwt(*authorizer, Strings(route, "AuthorizationScopes"), std::move(proxy),
                        std::move(respond), std::move(next));
  }
  AuthorizeLambda(api, *authorizer, std::move(raw_query), std::move(proxy), std::move(respond),
                  std::move(next));
}

void HttpApiService::AuthorizeLambda(const HttpApiPtr& api, const json::object& authorizer,
                                     std::string raw_query, ProxyRequest&& proxy, Responder respond,
                                     Authorized next) {
  std::string function = AuthorizerFunction(authorizer);
  if (function.empty() || !invoke_function_) return respond(Failure());
  json::array identity;
  std::string cache_key =
      api->id + "/" + proxy.stage + "/" + StringField(authorizer, "AuthorizerId") + "\n";
  for (const std::string& source : Strings(authorizer, "IdentitySource")) {
    std::string value = IdentityValue(source, proxy);
    if (value.empty()) return respond(Unauthorized());
    cache_key += value;
    cache_key.push_back('\0');
    identity.emplace_back(json::string(value));
  }
  const std::string route_arn =
      ExecuteApiArn(api->region, api->account, api->id, proxy.stage, proxy.http_method, proxy.path);
  const bool v2 = StringField(authorizer, "AuthorizerPayloadFormatVersion") == "2.0";
  const json::value* simple_flag = authorizer.if_contains("EnableSimpleResponses");
  const bool simple = v2 && simple_flag && simple_flag->is_bool() && simple_flag->get_bool();

  // Applies a result: a simple response or the policy decides; the context goes on.
  auto apply = [route_arn, simple, next = std::move(next)](
                   const json::object& result, ProxyRequest&& proxy, Responder respond) {
    if (simple) {
      const json::value* allowed = result.if_contains("isAuthorized");
      if (allowed == nullptr || !allowed->is_bool()) return respond(Failure());
      if (!allowed->get_bool()) return respond(Forbidden());
    } else {
      switch (EvaluatePolicy(result, route_arn)) {
        case PolicyVerdict::kMalformed:
          return respond(Failure());
        case PolicyVerdict::kDeny:
        case PolicyVerdict::kNoAllow:
          return respond(Forbidden());
        case PolicyVerdict::kAllow:
          break;
      }
    }
    const json::value* context = result.if_contains("context");
    if (context != nullptr && !context->is_object() && !context->is_null()) {
      return respond(Failure());
    }
    json::object out{{"lambda", context && context->is_object() ? *context : json::object()}};
    if (!simple && result.contains("principalId")) out["principalId"] = result.at("principalId");
    proxy.authorizer = std::move(out);
    next(std::move(proxy), std::move(respond));
  };

  const int64_t now = clock_.NowMillis();
  const int64_t ttl = TtlSeconds(authorizer);
  const bool cacheable = ttl > 0 && !identity.empty();
  if (cacheable) {
    if (auto cached = auth_cache_.Find(cache_key, now)) {
      return apply(*cached, std::move(proxy), std::move(respond));
    }
  }
  json::object event;
  if (v2) {
    event = BuildEventV2(proxy, proxy.resource_path,
                         proxy.stage == "$default" ? proxy.path : "/" + proxy.stage + proxy.path,
                         raw_query);
    event["type"] = "REQUEST";
    event["routeArn"] = route_arn;
    event["identitySource"] = identity;
  } else {
    boost::system::error_code ec;
    event = json::parse(BuildProxyEvent(proxy), ec).as_object();
    std::string joined;
    for (const json::value& v : identity) {
      joined += (joined.empty() ? "" : ",") + std::string(v.get_string());
    }
    event["version"] = "1.0";
    event["type"] = "REQUEST";
    event["methodArn"] = route_arn;
    event["identitySource"] = joined;
    event["authorizationToken"] = joined;
  }
  event.erase("body");
  event.erase("isBase64Encoded");
  functions::Invocation invocation;
  invocation.payload = json::serialize(event);
  invocation.invoked_arn = function;
  auto waiting = std::make_shared<ProxyRequest>(std::move(proxy));
  invoke_function_(
      function, api->account, api->region, std::move(invocation),
      [this, apply = std::move(apply), waiting, respond = std::move(respond), cacheable, cache_key,
       expires = now + ttl * 1000](functions::InvokeOutcome outcome) mutable {
        if (outcome.kind != functions::InvokeOutcome::Kind::kSuccess) return respond(Failure());
        boost::system::error_code ec;
        json::value result = json::parse(outcome.payload, ec);
        if (ec || !result.is_object()) return respond(Failure());
        if (cacheable) auth_cache_.Put(cache_key, expires, result.get_object());
        apply(result.get_object(), std::move(*waiting), std::move(respond));
      });
}

}  // namespace tidepool::apigateway
