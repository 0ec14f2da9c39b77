#include "services/apigateway/proxy_event_v2.h"

#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include "core/encoding.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using protocol::http::HttpResponse;

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

HttpResponse HttpApiMessage(unsigned status, std::string_view message) {
  HttpResponse r(static_cast<bhttp::status>(status), 11);
  r.set(bhttp::field::content_type, "application/json");
  r.body() = json::serialize(json::object{{"message", message}});
  return r;
}

json::object BuildEventV2(const ProxyRequest& r, std::string_view route_key,
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
  if (!r.authorizer.empty()) event["requestContext"].as_object()["authorizer"] = r.authorizer;
  return event;
}

HttpResponse ResponseV2(const std::string& payload) {
  boost::system::error_code ec;
  json::value v = json::parse(payload, ec);
  if (ec) return HttpApiMessage(500, "Internal Server Error");
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
  if (!parsed) return HttpApiMessage(500, "Internal Server Error");
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

}  // namespace tidepool::apigateway
