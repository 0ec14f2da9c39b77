// Lambda authorizers (TOKEN and REQUEST): their management API, and at invoke time the call
// to the authorizer function, the result's cache (authorizerResultTtlInSeconds, keyed by the
// identity sources' values), and the policy document evaluated against the method ARN
// ("arn:aws:execute-api:<region>:<account>:<api>/<stage>/<VERB>/<path>"): an explicit Deny,
// or no Allow, is 403; a missing identity or the function failing with "Unauthorized" is 401;
// any other failure is 500. The principalId and context reach the integration as
// requestContext.authorizer / $context.authorizer.
#include <re2/re2.h>
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/authorizer_policy.h"
#include "services/apigateway/integration_uri.h"
#include "services/apigateway/integrations.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::http::HttpResponse;
using protocol::http::Responder;

namespace {

constexpr int64_t kDefaultTtlSeconds = 300;

Status CheckAuthorizer(const json::object& a) {
  std::string type = StringField(a, "type");
  if (type == "COGNITO_USER_POOLS") {
    return BadRequest("tidepool does not support COGNITO_USER_POOLS authorizers yet");
  }
  if (type != "TOKEN" && type != "REQUEST") {
    return BadRequest(
        "Invalid authorizer type specified. Valid options are TOKEN, REQUEST, "
        "COGNITO_USER_POOLS");
  }
  auto uri = ParseIntegrationUri(StringField(a, "authorizerUri"));
  if (!uri.ok() || uri->function_arn.empty()) {
    return BadRequest("Invalid Authorizer URI: " + StringField(a, "authorizerUri") +
                      ". Authorizer URI should be a valid API Gateway ARN that represents a "
                      "Lambda function invocation.");
  }
  int64_t ttl = kDefaultTtlSeconds;
  if (const json::value* t = a.if_contains("authorizerResultTtlInSeconds"); t && t->is_int64()) {
    ttl = t->get_int64();
  }
  if (ttl < 0 || ttl > 3600) {
    return BadRequest("Invalid authorizer TTL specified. Value must be between 0 and 3600.");
  }
  std::string source = StringField(a, "identitySource");
  if (type == "TOKEN" && !source.starts_with("method.request.header.")) {
    return BadRequest(
        "Invalid identity source specified: a TOKEN authorizer needs "
        "method.request.header.<name>");
  }
  if (type == "REQUEST" && ttl > 0 && source.empty()) {
    return BadRequest("Identity Source must be specified when the authorizer caches results");
  }
  std::string expression = StringField(a, "identityValidationExpression");
  if (!expression.empty() && !RE2(expression, RE2::Quiet).ok()) {
    return BadRequest("Invalid identityValidationExpression: " + expression);
  }
  return Status::Ok();
}

HttpResponse Unauthorized() {
  return GatewayError(GatewayResponseType::kUnauthorized, 401, "Unauthorized",
                      "UnauthorizedException");
}

HttpResponse AuthorizerFailure() {
  HttpResponse r = InternalError(GatewayResponseType::kAuthorizerConfigurationError);
  r.set("x-amzn-ErrorType", "AuthorizerConfigurationException");
  r.body() = R"({"message": null})";
  return r;
}

HttpResponse Denied(bool explicit_deny) {
  HttpResponse r =
      GatewayError(GatewayResponseType::kAccessDenied, 403, "", "AccessDeniedException");
  r.body() =
      explicit_deny
          ? R"({"Message":"User is not authorized to access this resource with an explicit deny"})"
          : R"({"Message":"User is not authorized to access this resource"})";
  return r;
}

}  // namespace

void ApiGatewayService::CreateAuthorizer(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    const json::object& in = call->input();
    json::object a;
    CopyMembers(in,
                {"name", "type", "providerARNs", "authType", "authorizerUri",
                 "authorizerCredentials", "identitySource", "identityValidationExpression"},
                a);
    a["authorizerResultTtlInSeconds"] = in.contains("authorizerResultTtlInSeconds")
                                            ? in.at("authorizerResultTtlInSeconds")
                                            : json::value(kDefaultTtlSeconds);
    if (Status s = CheckAuthorizer(a); !s.ok()) return s;
    json::object& authorizers = ObjectField(doc, "authorizers");
    std::string id;
    do {
      id = NewId(6);
    } while (authorizers.contains(id));
    a["id"] = id;
    authorizers[id] = a;
    return a;
  });
}

void ApiGatewayService::GetAuthorizer(CallPtr call) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    const json::object* a =
        FindObject(ObjectField(doc, "authorizers"), StringField(call->input(), "authorizerId"));
    if (a == nullptr) return NotFound("Invalid Authorizer identifier specified");
    return *a;
  });
}

void ApiGatewayService::GetAuthorizers(CallPtr call) { ReadList(std::move(call), "authorizers"); }

void ApiGatewayService::UpdateAuthorizer(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    json::object* a =
        FindObject(ObjectField(doc, "authorizers"), StringField(call->input(), "authorizerId"));
    if (a == nullptr) return NotFound("Invalid Authorizer identifier specified");
    if (Status s = Patch(*call, "Authorizer", *a); !s.ok()) return s;
    if (Status s = CheckAuthorizer(*a); !s.ok()) return s;
    return *a;
  });
}

void ApiGatewayService::DeleteAuthorizer(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    std::string id = StringField(call->input(), "authorizerId");
    json::object& authorizers = ObjectField(doc, "authorizers");
    if (!authorizers.contains(id)) return NotFound("Invalid Authorizer identifier specified");
    auto user = MethodReferencing(
        doc, [&](const json::object& method) { return StringField(method, "authorizerId") == id; });
    if (user)
      return Conflict("Cannot delete authorizer '" + id + "', is referenced in method: " + *user);
    authorizers.erase(id);
    return json::object();
  });
}

void ApiGatewayService::Authorize(std::shared_ptr<RoutedRequest> routed, Responder respond) {
  const json::object* authorizer =
      FindObject(routed->deployment->authorizers, StringField(*routed->method, "authorizerId"));
  auto uri = authorizer ? ParseIntegrationUri(StringField(*authorizer, "authorizerUri"))
                        : Result<IntegrationUri>(Status::NotFound("authorizer"));
  if (!uri.ok() || !invoke_function_) return respond(AuthorizerFailure());
  const ProxyRequest& proxy = routed->proxy;
  const bool token = StringField(*authorizer, "type") == "TOKEN";

  // The identity: every source's value, all required.
  std::string identity;
  std::string sources = StringField(*authorizer, "identitySource");
  std::string token_value;
  for (size_t start = 0; start < sources.size();) {
    size_t comma = sources.find(',', start);
    std::string_view source = std::string_view(sources).substr(start, comma - start);
    while (!source.empty() && source.front() == ' ') source.remove_prefix(1);
    while (!source.empty() && source.back() == ' ') source.remove_suffix(1);
    std::string value = RequestParameterValue(source, proxy);
    if (value.empty()) return respond(Unauthorized());
    if (token_value.empty()) token_value = value;
    identity += value;
    identity.push_back('\0');
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (token) {
    std::string expression = StringField(*authorizer, "identityValidationExpression");
    if (!expression.empty() && !RE2::FullMatch(token_value, RE2(expression, RE2::Quiet))) {
      return respond(Unauthorized());
    }
  }
  std::string method_arn = ExecuteApiArn(routed->api->region, routed->api->account, routed->api->id,
                                         proxy.stage, proxy.http_method, proxy.path);
  int64_t ttl = kDefaultTtlSeconds;
  if (const json::value* t = authorizer->if_contains("authorizerResultTtlInSeconds");
      t && t->is_int64()) {
    ttl = t->get_int64();
  }
  std::string cache_key =
      routed->api->id + "/" + proxy.stage + "/" + StringField(*authorizer, "id") + "\n" + identity;

  // Applies an authorizer result: the policy decides; the context goes to the integration.
  auto apply = [this, routed, method_arn](const json::object& result, Responder respond) {
    switch (EvaluatePolicy(result, method_arn)) {
      case PolicyVerdict::kMalformed:
        return respond(AuthorizerFailure());
      case PolicyVerdict::kDeny:
        return respond(Denied(true));
      case PolicyVerdict::kNoAllow:
        return respond(Denied(false));
      case PolicyVerdict::kAllow:
        break;
    }
    json::object context{{"principalId", result.contains("principalId") ? result.at("principalId")
                                                                        : json::value(nullptr)}};
    if (const json::object* extra = FindObject(result, "context")) {
      for (const auto& kv : *extra) {
        if (kv.value().is_object() || kv.value().is_array()) return respond(AuthorizerFailure());
        context[kv.key()] = kv.value();
      }
    }
    routed->proxy.authorizer = std::move(context);
    Dispatch(routed, std::move(respond));
  };

  const int64_t now = clock_.NowMillis();
  if (ttl > 0 && !identity.empty()) {
    if (auto cached = auth_cache_.Find(cache_key, now)) return apply(*cached, std::move(respond));
  }

  functions::Invocation invocation;
  if (token) {
    invocation.payload = json::serialize(json::object{
        {"type", "TOKEN"}, {"authorizationToken", token_value}, {"methodArn", method_arn}});
  } else {
    boost::system::error_code ec;
    json::value event = json::parse(BuildProxyEvent(proxy), ec);
    json::object& e = event.as_object();
    e["type"] = "REQUEST";
    e["methodArn"] = method_arn;
    e.erase("body");
    e.erase("isBase64Encoded");
    invocation.payload = json::serialize(event);
  }
  invocation.invoked_arn = uri->function_arn;
  invoke_function_(
      uri->function_arn, routed->api->account, routed->api->region, std::move(invocation),
      [this, apply, respond, ttl, cache_key, now,
       cacheable = ttl > 0 && !identity.empty()](functions::InvokeOutcome outcome) mutable {
        using Kind = functions::InvokeOutcome::Kind;
        if (outcome.kind == Kind::kFunctionError) {
          boost::system::error_code ec;
          json::value error = json::parse(outcome.payload, ec);
          bool unauthorized = !ec && error.is_object() &&
                              StringField(error.get_object(), "errorMessage") == "Unauthorized";
          return respond(unauthorized ? Unauthorized() : AuthorizerFailure());
        }
        if (outcome.kind != Kind::kSuccess) return respond(AuthorizerFailure());
        boost::system::error_code ec;
        json::value result = json::parse(outcome.payload, ec);
        if (ec || !result.is_object()) return respond(AuthorizerFailure());
        if (cacheable) auth_cache_.Put(cache_key, now + ttl * 1000, result.get_object());
        apply(result.get_object(), std::move(respond));
      });
}

}  // namespace tidepool::apigateway
