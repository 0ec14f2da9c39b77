#include "services/apigateway/http_api_cors.h"

#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <vector>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using protocol::http::HttpRequest;
using protocol::http::HttpResponse;

namespace {

// The strings of Cors member `member` (a list).
std::vector<std::string> CorsItems(const json::object& cors, std::string_view member) {
  std::vector<std::string> out;
  if (const json::value* v = cors.if_contains(member); v && v->is_array()) {
    for (const json::value& item : v->get_array()) {
      if (item.is_string()) out.emplace_back(item.get_string());
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

bool Contains(const std::vector<std::string>& items, std::string_view value, bool any_case) {
  for (const std::string& item : items) {
    if (item == "*" || item == value || (any_case && boost::beast::iequals(item, value))) {
      return true;
    }
  }
  return false;
}

bool OriginAllowed(const json::object& cors, std::string_view origin) {
  return !origin.empty() && Contains(CorsItems(cors, "AllowOrigins"), origin, false);
}

bool Credentials(const json::object& cors) {
  const json::value* c = cors.if_contains("AllowCredentials");
  return c && c->is_bool() && c->get_bool();
}

}  // namespace

Status CheckCorsConfiguration(const json::object& cors) {
  for (std::string_view member :
       {"AllowOrigins", "AllowMethods", "AllowHeaders", "ExposeHeaders"}) {
    if (const json::value* v = cors.if_contains(member); v && !v->is_array()) {
      return BadRequest("Invalid CorsConfiguration: " + std::string(member) + " must be a list");
    }
  }
  std::vector<std::string> origins = CorsItems(cors, "AllowOrigins");
  if (Credentials(cors) && std::find(origins.begin(), origins.end(), "*") != origins.end()) {
    return BadRequest(
        "Invalid CorsConfiguration: allowCredentials cannot be true when allowOrigins "
        "contains *");
  }
  if (const json::value* age = cors.if_contains("MaxAge")) {
    if (!age->is_int64() || age->get_int64() < -1 || age->get_int64() > 86400) {
      return BadRequest("Invalid CorsConfiguration: maxAge must be between -1 and 86400");
    }
  }
  return Status::Ok();
}

bool IsPreflight(const HttpRequest& request) {
  return request.method() == bhttp::verb::options && !request[bhttp::field::origin].empty() &&
         !request["access-control-request-method"].empty();
}

HttpResponse HttpApiPreflight(const json::object& cors, const HttpRequest& request) {
  HttpResponse r(bhttp::status::no_content, 11);
  std::string_view origin = request[bhttp::field::origin];
  std::string_view method = request["access-control-request-method"];
  if (!OriginAllowed(cors, origin) || !Contains(CorsItems(cors, "AllowMethods"), method, true)) {
    return r;
  }
  std::vector<std::string> allowed_headers = CorsItems(cors, "AllowHeaders");
  std::string_view asked = request["access-control-request-headers"];
  while (!asked.empty()) {
    size_t comma = asked.find(',');
    std::string_view header = asked.substr(0, comma);
    while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
    while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
    if (!header.empty() && !Contains(allowed_headers, header, true)) return r;
    if (comma == std::string_view::npos) break;
    asked.remove_prefix(comma + 1);
  }
  AddCorsHeaders(cors, origin, r);
  r.erase("Access-Control-Expose-Headers");  // a preflight answer exposes nothing
  r.set("Access-Control-Allow-Methods", Join(CorsItems(cors, "AllowMethods"), ","));
  if (!allowed_headers.empty()) r.set("Access-Control-Allow-Headers", Join(allowed_headers, ","));
  if (const json::value* age = cors.if_contains("MaxAge"); age && age->is_int64()) {
    r.set("Access-Control-Max-Age", std::to_string(age->get_int64()));
  }
  return r;
}

HttpResponse FunctionUrlPreflight(const json::object& cors, std::string_view origin) {
  HttpResponse r(bhttp::status::ok, 11);
  AddCorsHeaders(cors, origin, r);
  if (std::string methods = Join(CorsItems(cors, "AllowMethods"), ", "); !methods.empty()) {
    r.set("Access-Control-Allow-Methods", methods);
  }
  if (std::string headers = Join(CorsItems(cors, "AllowHeaders"), ", "); !headers.empty()) {
    r.set("Access-Control-Allow-Headers", headers);
  }
  if (const json::value* age = cors.if_contains("MaxAge"); age && age->is_int64()) {
    r.set("Access-Control-Max-Age", std::to_string(age->get_int64()));
  }
  return r;
}

void AddCorsHeaders(const json::object& cors, std::string_view origin, HttpResponse& r) {
  if (cors.empty()) return;
  for (std::string_view name : {"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
                                "Access-Control-Expose-Headers", "Access-Control-Allow-Methods",
                                "Access-Control-Allow-Headers", "Access-Control-Max-Age"}) {
    r.erase(name);
  }
  if (!OriginAllowed(cors, origin)) return;
  std::vector<std::string> origins = CorsItems(cors, "AllowOrigins");
  bool any = std::find(origins.begin(), origins.end(), "*") != origins.end();
  r.set("Access-Control-Allow-Origin", any ? std::string("*") : std::string(origin));
  if (Credentials(cors)) r.set("Access-Control-Allow-Credentials", "true");
  if (std::string expose = Join(CorsItems(cors, "ExposeHeaders"), ", "); !expose.empty()) {
    r.set("Access-Control-Expose-Headers", expose);
  }
}

}  // namespace tidepool::apigateway
