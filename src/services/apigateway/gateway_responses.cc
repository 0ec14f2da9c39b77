#include "services/apigateway/gateway_responses.h"

#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include <array>

#include "services/apigateway/integrations.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using protocol::http::HttpResponse;

namespace {

struct TypeInfo {
  std::string_view name;
  unsigned status;  // 0: none (DEFAULT_4XX and DEFAULT_5XX answer the error's own status)
};

// By GatewayResponseType, which is in name order.
constexpr std::array<TypeInfo, kGatewayResponseTypes> kTypes{{
    {"ACCESS_DENIED", 403},
    {"API_CONFIGURATION_ERROR", 500},
    {"AUTHORIZER_CONFIGURATION_ERROR", 500},
    {"AUTHORIZER_FAILURE", 500},
    {"BAD_REQUEST_BODY", 400},
    {"BAD_REQUEST_PARAMETERS", 400},
    {"DEFAULT_4XX", 0},
    {"DEFAULT_5XX", 0},
    {"EXPIRED_TOKEN", 403},
    {"INTEGRATION_FAILURE", 504},
    {"INTEGRATION_TIMEOUT", 504},
    {"INVALID_API_KEY", 403},
    {"INVALID_SIGNATURE", 403},
    {"MISSING_AUTHENTICATION_TOKEN", 403},
    {"QUOTA_EXCEEDED", 429},
    {"REQUEST_TOO_LARGE", 413},
    {"RESOURCE_NOT_FOUND", 404},
    {"THROTTLED", 429},
    {"UNAUTHORIZED", 401},
    {"UNSUPPORTED_MEDIA_TYPE", 415},
    {"WAF_FILTERED", 403},
}};

constexpr std::string_view kDefaultTemplate = "{\"message\":$context.error.messageString}";

}  // namespace

std::string_view GatewayResponseTypeName(GatewayResponseType type) {
  return kTypes[static_cast<size_t>(type)].name;
}

std::optional<GatewayResponseType> ParseGatewayResponseType(std::string_view name) {
  for (size_t i = 0; i < kTypes.size(); ++i) {
    if (kTypes[i].name == name) return static_cast<GatewayResponseType>(i);
  }
  return std::nullopt;
}

HttpResponse GatewayError(GatewayResponseType type, unsigned status, std::string_view message,
                          std::string_view error_type) {
  HttpResponse response(static_cast<bhttp::status>(status), 11);
  response.set(bhttp::field::content_type, "application/json");
  response.set("x-amzn-ErrorType", error_type);
  response.set(kResponseTypeHeader, GatewayResponseTypeName(type));
  response.body() = json::serialize(json::object{{"message", message}});
  return response;
}

json::object DefaultGatewayResponse(GatewayResponseType type) {
  const TypeInfo& info = kTypes[static_cast<size_t>(type)];
  json::object out{{"responseType", info.name},
                   {"responseParameters", json::object()},
                   {"responseTemplates", json::object{{"application/json", kDefaultTemplate}}},
                   {"defaultResponse", true}};
  if (info.status != 0) out["statusCode"] = std::to_string(info.status);
  return out;
}

void ApplyGatewayResponse(HttpResponse& response, const json::object& customized,
                          const ProxyRequest& request) {
  auto mark = response.find(kResponseTypeHeader);
  if (mark == response.end()) return;
  std::string type(mark->value());
  response.erase(mark);
  if (customized.empty()) return;
  const json::object* custom = FindObject(customized, type);
  if (custom == nullptr) {
    custom = FindObject(customized, response.result_int() >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX");
  }
  if (custom == nullptr) return;
  MappingInput input = MappingInputOf(request);
  std::string message;
  boost::system::error_code ec;
  json::value body = json::parse(response.body(), ec);
  if (!ec && body.is_object()) {
    const json::object& o = body.get_object();
    message = StringField(o, o.contains("message") ? "message" : "Message");
  }
  input.context["error"] = json::object{{"message", message},
                                        {"messageString", json::serialize(json::value(message))},
                                        {"responseType", type},
                                        {"validationErrorString", ""}};
  if (std::string code = StringField(*custom, "statusCode"); !code.empty()) {
    int status = std::atoi(code.c_str());
    if (status >= 100 && status <= 599) response.result(static_cast<unsigned>(status));
  }
  if (const json::object* templates = FindObject(*custom, "responseTemplates");
      templates != nullptr && !templates->empty()) {
    const json::value* chosen = templates->if_contains("application/json");
    std::string content_type = "application/json";
    if (chosen == nullptr) {
      chosen = &templates->begin()->value();
      content_type = std::string(templates->begin()->key());
    }
    if (chosen->is_string()) {
      auto rendered = RenderMappingTemplate(chosen->get_string(), input);
      if (rendered.ok()) {
        response.body() = std::move(*rendered);
        response.set(bhttp::field::content_type, content_type);
      }
    }
  }
  if (const json::object* params = FindObject(*custom, "responseParameters")) {
    constexpr std::string_view kHeader = "gatewayresponse.header.";
    for (const auto& kv : *params) {
      if (!kv.key().starts_with(kHeader) || !kv.value().is_string()) continue;
      response.set(kv.key().substr(kHeader.size()),
                   RequestParameterValue(kv.value().get_string(), request));
    }
  }
}

}  // namespace tidepool::apigateway
