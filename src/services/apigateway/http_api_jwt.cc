// JWT authorizers at invoke time (jwt.h): the bearer token of the identity source verified
// against the issuer's keys; failing, 401 {"message":"Unauthorized"} with a WWW-Authenticate
// header as API Gateway gives it; none of the route's AuthorizationScopes granted, 403
// {"message":"Forbidden"}. The claims (scalars as strings, string lists as "[a b]") and the
// token's scopes reach the integration as requestContext.authorizer.jwt.
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <memory>

#include "services/apigateway/http_api_service.h"
#include "services/apigateway/proxy_event_v2.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::http::HttpResponse;
using protocol::http::Responder;

namespace {

HttpResponse Rejected(unsigned status, std::string_view error, std::string_view description) {
  HttpResponse r = HttpApiMessage(status, status == 401 ? "Unauthorized" : "Forbidden");
  r.set("www-authenticate", "Bearer scope=\"\" error=\"" + std::string(error) +
                                "\" error_description=\"" + std::string(description) + "\"");
  return r;
}

// The claims as API Gateway passes them on: every value a string.
json::object ClaimStrings(const json::object& claims) {
  json::object out;
  for (const auto& kv : claims) {
    const json::value& v = kv.value();
    if (v.is_string()) {
      out[kv.key()] = v;
    } else if (v.is_array()) {
      std::string joined = "[";
      for (const json::value& item : v.get_array()) {
        if (joined.size() > 1) joined += " ";
        joined += item.is_string() ? std::string(item.get_string()) : json::serialize(item);
      }
      out[kv.key()] = joined + "]";
    } else {
      out[kv.key()] = json::serialize(v);
    }
  }
  return out;
}

}  // namespace

void HttpApiService::AuthorizeJwt(const json::object& authorizer, std::vector<std::string> scopes,
                                  ProxyRequest&& proxy, Responder respond, Authorized next) {
  std::string header;
  if (const json::value* s = authorizer.if_contains("IdentitySource");
      s && s->is_array() && !s->get_array().empty() && s->get_array()[0].is_string()) {
    std::string_view source = s->get_array()[0].get_string();
    if (source.starts_with("$request.header.")) header = source.substr(16);
  }
  std::string token;
  for (const auto& [name, value] : proxy.headers) {
    if (boost::beast::iequals(name, header)) token = value;
  }
  if (token.size() > 7 && boost::beast::iequals(token.substr(0, 7), "Bearer ")) {
    token = token.substr(7);
  }
  if (token.empty()) return respond(HttpApiMessage(401, "Unauthorized"));
  auto jwt = ParseJwt(token);
  if (!jwt.ok()) return respond(Rejected(401, "invalid_token", jwt.status().message()));
  const json::object* config = FindObject(authorizer, "JwtConfiguration");
  std::string issuer = config ? StringField(*config, "Issuer") : "";
  std::vector<std::string> audiences;
  if (const json::value* a = config ? config->if_contains("Audience") : nullptr;
      a && a->is_array()) {
    for (const json::value& item : a->get_array()) {
      if (item.is_string()) audiences.emplace_back(item.get_string());
    }
  }
  struct Pending {
    ParsedJwt jwt;
    std::string issuer;
    std::vector<std::string> audiences;
    std::vector<std::string> scopes;
    ProxyRequest proxy;
    Responder respond;
    Authorized next;
    bool refreshed = false;
  };
  auto pending = std::make_shared<Pending>(Pending{std::move(*jwt), issuer, std::move(audiences),
                                                   std::move(scopes), std::move(proxy),
                                                   std::move(respond), std::move(next)});
  // Checks the token with the keys; an unknown kid refetches them once.
  auto check = std::make_shared<std::function<void(Result<json::object>)>>();
  *check = [this, pending, check](Result<json::object> keys) {
    Pending& p = *pending;
    if (!keys.ok()) {
      *check = nullptr;  // breaks the cycle
      return p.respond(Rejected(401, "invalid_token", "unable to read the issuer's keys"));
    }
    Status verified = VerifyJwt(p.jwt, *keys, p.issuer, p.audiences, clock_.NowMillis() / 1000);
    if (verified.code() == StatusCode::kNotFound && !p.refreshed) {
      p.refreshed = true;
      return jwks_.Keys(p.issuer, clock_.NowMillis(), true, *check);
    }
    auto self = std::move(*check);  // breaks the cycle; `self` keeps this frame's captures
    if (!verified.ok()) return p.respond(Rejected(401, "invalid_token", verified.message()));
    std::vector<std::string> granted = JwtScopes(p.jwt.claims);
    if (!p.scopes.empty()) {
      bool any = false;
      for (const std::string& s : p.scopes) {
        any = any || std::find(granted.begin(), granted.end(), s) != granted.end();
      }
      if (!any) {
        return p.respond(
            Rejected(403, "insufficient_scope", "the token does not have the required scopes"));
      }
    }
    json::value scope_list = nullptr;
    if (!granted.empty()) {
      json::array list;
      for (const std::string& s : granted) list.emplace_back(json::string(s));
      scope_list = std::move(list);
    }
    p.proxy.authorizer = json::object{
        {"jwt", json::object{{"claims", ClaimStrings(p.jwt.claims)}, {"scopes", scope_list}}}};
    p.next(std::move(p.proxy), std::move(p.respond));
  };
  jwks_.Keys(issuer, clock_.NowMillis(), false, *check);
}

}  // namespace tidepool::apigateway
