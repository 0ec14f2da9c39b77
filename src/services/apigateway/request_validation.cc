#include "services/apigateway/request_validation.h"

#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include "services/apigateway/gateway_responses.h"
#include "services/apigateway/json_schema.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::http::HttpResponse;

namespace {

bool Enabled(const json::object& validator, std::string_view flag) {
  const json::value* v = validator.if_contains(flag);
  return v != nullptr && v->is_bool() && v->get_bool();
}

bool Has(const std::vector<std::pair<std::string, std::string>>& list, std::string_view name,
         bool fold) {
  for (const auto& kv : list) {
    if (fold ? boost::beast::iequals(kv.first, name) : kv.first == name) return true;
  }
  return false;
}

// The names of the required parameters `request` lacks, in the method's order.
std::vector<std::string> MissingParameters(const json::object& method,
                                           const ProxyRequest& request) {
  std::vector<std::string> missing;
  const json::object* params = FindObject(method, "requestParameters");
  if (params == nullptr) return missing;
  constexpr std::string_view kQuery = "method.request.querystring.";
  constexpr std::string_view kHeader = "method.request.header.";
  constexpr std::string_view kPath = "method.request.path.";
  for (const auto& kv : *params) {
    if (!kv.value().is_bool() || !kv.value().get_bool()) continue;
    std::string_view key = kv.key();
    if (key.starts_with(kQuery)) {
      key.remove_prefix(kQuery.size());
      if (!Has(request.query, key, false)) missing.emplace_back(key);
    } else if (key.starts_with(kHeader)) {
      key.remove_prefix(kHeader.size());
      if (!Has(request.headers, key, true)) missing.emplace_back(key);
    } else if (key.starts_with(kPath)) {
      key.remove_prefix(kPath.size());
      if (!Has(request.path_parameters, key, false)) missing.emplace_back(key);
    }
  }
  return missing;
}

// The model requestModels names for `content_type` ("" when none).
std::string ModelFor(const json::object& method, std::string_view content_type) {
  const json::object* models = FindObject(method, "requestModels");
  if (models == nullptr) return std::string();
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (media.empty()) media = "application/json";
  for (const auto& kv : *models) {
    if (boost::beast::iequals(kv.key(), media)) return StringField(*models, kv.key());
  }
  return StringField(*models, "$default");
}

}  // namespace

std::optional<HttpResponse> ValidateRequest(const json::object& method,
                                            const Deployment& deployment,
                                            const ProxyRequest& request,
                                            std::string_view content_type) {
  const json::object* validator =
      FindObject(deployment.validators, StringField(method, "requestValidatorId"));
  if (validator == nullptr) return std::nullopt;
  if (Enabled(*validator, "validateRequestParameters")) {
    std::vector<std::string> missing = MissingParameters(method, request);
    if (!missing.empty()) {
      std::string list;
      for (const std::string& name : missing) list += (list.empty() ? "" : ", ") + name;
      return GatewayError(GatewayResponseType::kBadRequestParameters, 400,
                          "Missing required request parameters: [" + list + "]",
                          "BadRequestException");
    }
  }
  if (!Enabled(*validator, "validateRequestBody")) return std::nullopt;
  std::string model = ModelFor(method, content_type);
  const json::value* schema = deployment.models.if_contains(model);
  if (model.empty() || schema == nullptr || !schema->is_object()) return std::nullopt;
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 64;
  json::value body = json::parse(request.body, ec, {}, options);
  if (ec || !ValidateJsonSchema(*schema, body, deployment.models).ok()) {
    return GatewayError(GatewayResponseType::kBadRequestBody, 400, "Invalid request body",
                        "BadRequestException");
  }
  return std::nullopt;
}

}  // namespace tidepool::apigateway
