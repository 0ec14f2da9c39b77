#include "services/apigateway/integrations.h"

#include <re2/re2.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using protocol::http::HttpRequest;
using protocol::http::HttpResponse;

namespace {

// The template of `templates` for `content_type`; with `any`, then the one for
// application/json, then the first; nullptr when none.
const json::value* SelectTemplate(const json::object* templates, std::string_view content_type,
                                  bool any, std::string* chosen) {
  if (templates == nullptr || templates->empty()) return nullptr;
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  for (std::string_view want : {media, any ? std::string_view("application/json") : media}) {
    for (const auto& kv : *templates) {
      if (!want.empty() && boost::beast::iequals(kv.key(), want)) {
        *chosen = std::string(kv.key());
        return &kv.value();
      }
    }
  }
  if (!any) return nullptr;
  *chosen = std::string(templates->begin()->key());
  return &templates->begin()->value();
}

const json::object* SelectIntegrationResponse(const json::object& integration,
                                              const std::string& selector) {
  const json::object* responses = FindObject(integration, "integrationResponses");
  if (responses == nullptr) return nullptr;
  const json::object* fallback = nullptr;
  for (const auto& kv : *responses) {
    const json::object* r = kv.value().if_object();
    if (r == nullptr) continue;
    std::string pattern = StringField(*r, "selectionPattern");
    if (pattern.empty()) {
      fallback = r;
      continue;
    }
    RE2 re(pattern, RE2::Quiet);
    if (!selector.empty() && re.ok() && RE2::FullMatch(selector, re)) return r;
  }
  return fallback;
}

std::string HttpDate(int64_t now_ms) {
  std::time_t t = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

HttpResponse InternalError(GatewayResponseType type, unsigned status) {
  return GatewayError(type, status, "Internal server error", "InternalServerErrorException");
}

void ReplyWithin(boost::asio::io_context& io, int64_t timeout_ms, protocol::http::Responder respond,
                 HttpResponse on_timeout,
                 const std::function<void(std::function<void(HttpResponse&&)>)>& start) {
  struct Pending {
    Pending(boost::asio::io_context& io, protocol::http::Responder r, HttpResponse t)
        : timer(io), respond(std::move(r)), on_timeout(std::move(t)) {}
    boost::asio::steady_timer timer;
    protocol::http::Responder respond;
    HttpResponse on_timeout;
    std::atomic<bool> answered{false};
    bool Claim() { return !answered.exchange(true); }
  };
  auto pending = std::make_shared<Pending>(io, std::move(respond), std::move(on_timeout));
  pending->timer.expires_after(std::chrono::milliseconds(timeout_ms));
  pending->timer.async_wait([pending](const boost::system::error_code& ec) {
    if (ec || !pending->Claim()) return;
    pending->respond(std::move(pending->on_timeout));
  });
  start([pending](HttpResponse&& response) {
    if (!pending->Claim()) return;
    pending->timer.cancel();
    pending->respond(std::move(response));
  });
}

MappingInput MappingInputOf(const ProxyRequest& r) {
  MappingInput in;
  in.body = r.binary ? std::string() : r.body;
  in.path_parameters = r.path_parameters;
  in.query = r.query;
  in.headers = r.headers;
  for (const auto& [k, v] : r.stage_variables) in.stage_variables[k] = v;
  std::string user_agent;
  for (const auto& [name, value] : r.headers) {
    if (boost::beast::iequals(name, "user-agent")) user_agent = value;
  }
  in.context = json::object{{"accountId", r.account_id},
                            {"apiId", r.api_id},
                            {"domainName", r.domain_name},
                            {"domainPrefix", r.domain_name.substr(0, r.domain_name.find('.'))},
                            {"extendedRequestId", r.request_id},
                            {"httpMethod", r.http_method},
                            {"identity", json::object{{"sourceIp", r.source_ip},
                                                      {"userAgent", user_agent},
                                                      {"apiKey", r.api_key},
                                                      {"apiKeyId", r.api_key_id}}},
                            {"path", "/" + r.stage + (r.path == "/" ? "/" : r.path)},
                            {"protocol", "HTTP/1.1"},
                            {"requestId", r.request_id},
                            {"requestTime", RequestTimeText(r.request_time_ms)},
                            {"requestTimeEpoch", r.request_time_ms},
                            {"resourceId", r.resource_id},
                            {"resourcePath", r.resource_path},
                            {"stage", r.stage}};
  if (!r.authorizer.empty()) in.context["authorizer"] = r.authorizer;
  return in;
}

std::variant<std::string, HttpResponse> IntegrationRequestBody(const json::object& integration,
                                                               std::string_view content_type,
                                                               const MappingInput& input) {
  const json::object* templates = FindObject(integration, "requestTemplates");
  std::string chosen;
  // A request without a Content-Type is taken as application/json.
  const json::value* t = SelectTemplate(
      templates, content_type.empty() ? std::string_view("application/json") : content_type, false,
      &chosen);
  if (t == nullptr) {
    std::string behaviour = StringField(integration, "passthroughBehavior");
    bool has_templates = templates != nullptr && !templates->empty();
    if (behaviour == "NEVER" || (behaviour == "WHEN_NO_TEMPLATES" && has_templates)) {
      return GatewayError(GatewayResponseType::kUnsupportedMediaType, 415, "Unsupported Media Type",
                          "UnsupportedMediaTypeException");
    }
    return input.body;
  }
  if (!t->is_string()) return std::string();
  auto rendered = RenderMappingTemplate(t->get_string(), input);
  if (!rendered.ok()) return InternalError(GatewayResponseType::kApiConfigurationError);
  return std::move(*rendered);
}

HttpResponse MethodResponseFor(const json::object& integration, const std::string& selector,
                               std::string body,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               MappingInput input) {
  const json::object* response = SelectIntegrationResponse(integration, selector);
  if (response == nullptr) return InternalError(GatewayResponseType::kApiConfigurationError);
  int status = std::atoi(StringField(*response, "statusCode").c_str());
  if (status < 100 || status > 599)
    return InternalError(GatewayResponseType::kApiConfigurationError);
  HttpResponse out(static_cast<bhttp::status>(status), 11);
  std::string chosen = "application/json";
  const json::value* t =
      SelectTemplate(FindObject(*response, "responseTemplates"), "", true, &chosen);
  out.set(bhttp::field::content_type, chosen);
  if (t != nullptr && t->is_string()) {
    input.body = std::move(body);
    auto rendered = RenderMappingTemplate(t->get_string(), input);
    if (!rendered.ok()) return InternalError(GatewayResponseType::kApiConfigurationError);
    out.body() = std::move(*rendered);
  } else {
    out.body() = std::move(body);
  }
  if (const json::object* params = FindObject(*response, "responseParameters")) {
    constexpr std::string_view kHeader = "method.response.header.";
    constexpr std::string_view kFrom = "integration.response.header.";
    for (const auto& kv : *params) {
      std::string_view name = kv.key();
      if (!name.starts_with(kHeader) || !kv.value().is_string()) continue;
      std::string_view value = kv.value().get_string();
      if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
        out.set(name.substr(kHeader.size()), value.substr(1, value.size() - 2));
      } else if (value.starts_with(kFrom)) {
        for (const auto& [h, v] : headers) {
          if (boost::beast::iequals(h, value.substr(kFrom.size()))) {
            out.set(name.substr(kHeader.size()), v);
          }
        }
      }
    }
  }
  return out;
}

HttpRequest AwsServiceRequest(const IntegrationUri& uri, const json::object& integration,
                              std::string body, const std::string& account, int64_t now_ms) {
  // JSON-protocol services by their target prefix; others speak the query protocol.
  static const std::pair<std::string_view, std::string_view> kJsonTargets[] = {
      {"dynamodb", "DynamoDB_20120810"},
      {"kinesis", "Kinesis_20131202"},
      {"states", "AWSStepFunctions"},
      {"sqs", ""},
      {"sns", ""},
  };
  std::string method = StringField(integration, "httpMethod");
  HttpRequest request;
  request.version(11);
  request.method_string(method.empty() ? "POST" : method);
  std::string signing = uri.service == "states" ? "states" : uri.service;
  if (uri.action) {
    std::string_view prefix;
    for (auto [service, target] : kJsonTargets) {
      if (service == uri.service) prefix = target;
    }
    if (!prefix.empty()) {
      request.target("/");
      request.set("X-Amz-Target", std::string(prefix) + "." + uri.target);
      request.set(bhttp::field::content_type, uri.service == "dynamodb"
                                                  ? "application/x-amz-json-1.0"
                                                  : "application/x-amz-json-1.1");
    } else {
      request.target("/?Action=" + uri.target);
      request.set(bhttp::field::content_type, "application/x-www-form-urlencoded");
    }
  } else {
    request.target("/" + uri.target);
    request.set(bhttp::field::content_type, "application/json");
  }
  if (const json::object* params = FindObject(integration, "requestParameters")) {
    constexpr std::string_view kHeader = "integration.request.header.";
    for (const auto& kv : *params) {
      std::string_view name = kv.key();
      if (!name.starts_with(kHeader) || !kv.value().is_string()) continue;
      std::string_view value = kv.value().get_string();
      if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
        request.set(name.substr(kHeader.size()), value.substr(1, value.size() - 2));
      }
    }
  }
  std::string date = HttpDate(now_ms);
  request.set("X-Amz-Date", date);
  request.set(bhttp::field::host, "localhost");
  request.set(
      bhttp::field::authorization,
      "AWS4-HMAC-SHA256 Credential=" + account + "/" + date.substr(0, 8) + "/" + uri.region + "/" +
          signing +
          "/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + std::string(64, '0'));
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

bool IsBinaryMediaType(const json::value* types, std::string_view content_type) {
  if (types == nullptr || !types->is_array() || content_type.empty()) return false;
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  for (const json::value& t : types->get_array()) {
    if (!t.is_string()) continue;
    std::string_view type = t.get_string();
    if (type == "*/*" || boost::beast::iequals(type, media)) return true;
    if (type.ends_with("/*") &&
        boost::beast::iequals(type.substr(0, type.size() - 1), media.substr(0, type.size() - 1))) {
      return true;
    }
  }
  return false;
}

}  // namespace tidepool::apigateway
