#include "protocol/cors_request.h"

#include <cctype>

#include "core/encoding.h"
#include "protocol/codec/rest_xml_codec.h"

namespace tidepool::protocol {
namespace bhttp = boost::beast::http;

CorsQuery CorsQueryOf(const http::HttpRequest& request, std::string bucket, bool preflight) {
  CorsQuery query;
  query.bucket = std::move(bucket);
  query.origin = std::string(request[bhttp::field::origin]);
  query.preflight = preflight;
  if (!preflight) {
    query.method = std::string(request.method_string());
    return query;
  }
  query.method = std::string(request[bhttp::field::access_control_request_method]);
  std::string_view list = request[bhttp::field::access_control_request_headers];
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) {
      item.remove_prefix(1);
    }
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) {
      item.remove_suffix(1);
    }
    if (!item.empty()) {
      std::string name(item);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      query.headers.push_back(std::move(name));
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return query;
}

void AddCorsHeaders(http::HttpResponse& response, const CorsGrant& grant) {
  for (const auto& [name, value] : grant.headers) response.set(name, value);
}

http::HttpResponse PreflightResponse(const Service& service, const http::HttpRequest& request,
                                     std::string bucket, const std::string& request_id) {
  CorsQuery query = CorsQueryOf(request, std::move(bucket), true);
  std::variant<CorsGrant, AwsError> outcome;
  if (query.origin.empty()) {
    outcome = AwsError{
        "BadRequest", "Insufficient information. Origin request header needed.", 400, true, {}};
  } else if (query.method.empty()) {
    outcome = AwsError{"BadRequest", "Invalid Access-Control-Request-Method: null", 400, true, {}};
  } else {
    outcome = service.MatchCors(query);
  }
  if (auto* error = std::get_if<AwsError>(&outcome)) {
    return rest_xml_codec::EncodeError(*error, request_id, false);
  }
  http::HttpResponse response(bhttp::status::ok, 11);
  AddCorsHeaders(response, std::get<CorsGrant>(outcome));
  response.set("x-amz-request-id", request_id);
  response.set("x-amz-id-2", Base64Encode(request_id));
  response.prepare_payload();
  return response;
}

}  // namespace tidepool::protocol
