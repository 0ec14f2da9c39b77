#include "services/apigateway/http_integration.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>

#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using protocol::http::HttpResponse;

namespace {

constexpr std::string_view kHopByHop[] = {"host",    "connection",        "keep-alive",
                                          "upgrade", "transfer-encoding", "te",
                                          "trailer", "proxy-connection",  "content-length"};

bool IsHopByHop(std::string_view name) {
  for (std::string_view h : kHopByHop) {
    if (boost::beast::iequals(h, name)) return true;
  }
  return false;
}

// RFC 3986 unreserved characters stay; with `keep_slash`, '/' too.
std::string PercentEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// The integration's mappings of `kind` ("path", "querystring", "header") as (name, value).
std::vector<std::pair<std::string, std::string>> Mapped(const json::object& integration,
                                                        std::string_view kind,
                                                        const ProxyRequest& request) {
  std::vector<std::pair<std::string, std::string>> out;
  const json::object* params = FindObject(integration, "requestParameters");
  if (params == nullptr) return out;
  std::string prefix = "integration.request." + std::string(kind) + ".";
  for (const auto& kv : *params) {
    if (!kv.key().starts_with(prefix) || !kv.value().is_string()) continue;
    out.emplace_back(std::string(kv.key().substr(prefix.size())),
                     RequestParameterValue(kv.value().get_string(), request));
  }
  return out;
}

// `uri` with each {name} (or {name+}) replaced.
std::string SubstitutePath(std::string_view uri, const json::object& integration,
                           const ProxyRequest& request) {
  auto mapped = Mapped(integration, "path", request);
  std::string out;
  size_t at = 0;
  while (at < uri.size()) {
    size_t open = uri.find('{', at);
    size_t close = open == std::string_view::npos ? open : uri.find('}', open);
    if (close == std::string_view::npos) break;
    out += uri.substr(at, open - at);
    std::string_view name = uri.substr(open + 1, close - open - 1);
    bool greedy = name.ends_with('+');
    if (greedy) name.remove_suffix(1);
    std::string value;
    bool found = false;
    for (const auto& [k, v] : mapped) {
      if (k == name) value = v, found = true;
    }
    for (const auto& [k, v] : request.path_parameters) {
      if (!found && k == name) value = v, found = true;
    }
    out += PercentEncode(value, greedy || name == "proxy");
    at = close + 1;
  }
  out += uri.substr(at);
  return out;
}

}  // namespace

Result<HttpIntegrationRequest> BuildHttpIntegrationRequest(const json::object& integration,
                                                           std::string_view uri,
                                                           const ProxyRequest& request,
                                                           std::string_view content_type,
                                                           bool proxy, std::string body) {
  auto url = ParseHttpUrl(SubstitutePath(uri, integration, request));
  if (!url.ok()) return url.status();
  HttpIntegrationRequest out{std::move(*url), protocol::http::HttpRequest()};
  std::string query;
  if (proxy) {
    for (const auto& [k, v] : request.query) {
      query += (query.empty() ? "" : "&") + PercentEncode(k, false) + "=" + PercentEncode(v, false);
    }
  }
  for (const auto& [k, v] : Mapped(integration, "querystring", request)) {
    query += (query.empty() ? "" : "&") + PercentEncode(k, false) + "=" + PercentEncode(v, false);
  }
  if (!query.empty()) {
    out.url.target += (out.url.target.find('?') == std::string::npos ? "?" : "&") + query;
  }
  protocol::http::HttpRequest& r = out.request;
  std::string method = StringField(integration, "httpMethod");
  r.method_string(method.empty() || method == "ANY" ? request.http_method : method);
  if (proxy) {
    for (const auto& [name, value] : request.headers) {
      if (!IsHopByHop(name)) r.insert(name, value);
    }
  } else if (!content_type.empty()) {
    r.set(bhttp::field::content_type, content_type);
  }
  for (const auto& [name, value] : Mapped(integration, "header", request)) r.set(name, value);
  r.body() = proxy ? request.body : std::move(body);
  return out;
}

HttpResponse ProxiedHttpAnswer(HttpResponse&& answer) {
  HttpResponse out(static_cast<bhttp::status>(answer.result_int()), 11);
  for (const auto& field : answer) {
    if (!IsHopByHop(field.name_string())) out.insert(field.name_string(), field.value());
  }
  out.body() = std::move(answer.body());
  return out;
}

}  // namespace tidepool::apigateway
