#include "services/apigateway/proxy_event.h"

#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdio>

#include "core/encoding.h"

namespace tidepool::apigateway {
namespace json = boost::json;

namespace {

// Single-value and multi-value maps of `pairs` (names compared case-insensitively for headers,
// exactly for query strings); both null when there are none.
std::pair<json::value, json::value> SingleAndMulti(
    const std::vector<std::pair<std::string, std::string>>& pairs, bool ignore_case) {
  if (pairs.empty()) return {nullptr, nullptr};
  json::object single, multi;
  for (const auto& [name, value] : pairs) {
    std::string key = name;
    if (ignore_case) {
      for (const auto& kv : multi) {
        if (boost::beast::iequals(kv.key(), name)) key = std::string(kv.key());
      }
    }
    single[key] = value;
    json::value& list = multi[key];
    if (!list.is_array()) list = json::array();
    list.get_array().emplace_back(json::string(value));
  }
  return {std::move(single), std::move(multi)};
}

json::value MapOrNull(const std::vector<std::pair<std::string, std::string>>& pairs) {
  if (pairs.empty()) return nullptr;
  json::object o;
  for (const auto& [k, v] : pairs) o[k] = v;
  return o;
}

json::value TextOrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(json::string(s));
}

std::optional<std::string> ScalarText(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) return json::serialize(v);
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  return std::nullopt;
}

}  // namespace

std::string RequestTimeText(int64_t epoch_ms) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  using namespace std::chrono;
  sys_time<milliseconds> t{milliseconds(epoch_ms)};
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss hms{floor<seconds>(t - day)};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02u/%s/%04d:%02d:%02d:%02d +0000",
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string BuildProxyEvent(const ProxyRequest& r) {
  auto [headers, multi_headers] = SingleAndMulti(r.headers, true);
  auto [query, multi_query] = SingleAndMulti(r.query, false);
  std::string user_agent;
  for (const auto& [name, value] : r.headers) {
    if (boost::beast::iequals(name, "user-agent")) user_agent = value;
  }
  std::string domain_prefix = r.domain_name.substr(0, r.domain_name.find('.'));
  json::object identity{{"cognitoIdentityPoolId", nullptr},
                        {"accountId", nullptr},
                        {"cognitoIdentityId", nullptr},
                        {"caller", nullptr},
                        {"sourceIp", r.source_ip},
                        {"principalOrgId", nullptr},
                        {"accessKey", nullptr},
                        {"cognitoAuthenticationType", nullptr},
                        {"cognitoAuthenticationProvider", nullptr},
                        {"userArn", nullptr},
                        {"userAgent", TextOrNull(user_agent)},
                        {"user", nullptr},
                        {"apiKey", TextOrNull(r.api_key)},
                        {"apiKeyId", TextOrNull(r.api_key_id)},
                        {"clientCert", nullptr}};
  if (r.iam_caller) {
    identity["accessKey"] = r.iam_caller->access_key;
    identity["accountId"] = r.iam_caller->account_id;
    identity["caller"] = r.iam_caller->caller;
    identity["user"] = r.iam_caller->caller;
    identity["userArn"] = r.iam_caller->user_arn;
  }
  json::object context{{"resourceId", r.resource_id},
                       {"resourcePath", r.resource_path},
                       {"httpMethod", r.http_method},
                       {"extendedRequestId", r.request_id},
                       {"requestTime", RequestTimeText(r.request_time_ms)},
                       {"path", "/" + r.stage + (r.path == "/" ? "/" : r.path)},
                       {"accountId", r.account_id},
                       {"protocol", "HTTP/1.1"},
                       {"stage", r.stage},
                       {"domainPrefix", domain_prefix},
                       {"requestTimeEpoch", r.request_time_ms},
                       {"requestId", r.request_id},
                       {"identity", std::move(identity)},
                       {"domainName", r.domain_name},
                       {"apiId", r.api_id}};
  if (!r.authorizer.empty()) context["authorizer"] = r.authorizer;
  json::object event{
      {"resource", r.resource_path},
      {"path", r.path},
      {"httpMethod", r.http_method},
      {"headers", std::move(headers)},
      {"multiValueHeaders", std::move(multi_headers)},
      {"queryStringParameters", std::move(query)},
      {"multiValueQueryStringParameters", std::move(multi_query)},
      {"pathParameters", MapOrNull(r.path_parameters)},
      {"stageVariables", MapOrNull(r.stage_variables)},
      {"requestContext", std::move(context)},
      {"body", r.body.empty()
                   ? json::value(nullptr)
                   : json::value(json::string(r.binary ? Base64Encode(r.body) : r.body))},
      {"isBase64Encoded", r.binary && !r.body.empty()}};
  return json::serialize(event);
}

std::optional<ProxyResponse> ParseProxyResponse(std::string_view payload) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 64;
  json::value v = json::parse(payload, ec, json::storage_ptr(), options);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.get_object();
  ProxyResponse out;
  if (const json::value* s = o.if_contains("statusCode")) {
    if (s->is_int64() && s->get_int64() >= 100 && s->get_int64() <= 599) {
      out.status = static_cast<int>(s->get_int64());
    } else {
      return std::nullopt;
    }
  }
  if (const json::value* h = o.if_contains("headers"); h && !h->is_null()) {
    if (!h->is_object()) return std::nullopt;
    for (const auto& kv : h->get_object()) {
      auto text = ScalarText(kv.value());
      if (!text) return std::nullopt;
      out.headers.emplace_back(std::string(kv.key()), std::move(*text));
    }
  }
  if (const json::value* h = o.if_contains("multiValueHeaders"); h && !h->is_null()) {
    if (!h->is_object()) return std::nullopt;
    for (const auto& kv : h->get_object()) {
      if (!kv.value().is_array()) return std::nullopt;
      // multiValueHeaders win over headers of the same name.
      std::erase_if(out.headers,
                    [&](const auto& p) { return boost::beast::iequals(p.first, kv.key()); });
      for (const json::value& item : kv.value().get_array()) {
        auto text = ScalarText(item);
        if (!text) return std::nullopt;
        out.headers.emplace_back(std::string(kv.key()), std::move(*text));
      }
    }
  }
  bool base64 = false;
  if (const json::value* b = o.if_contains("isBase64Encoded"); b && !b->is_null()) {
    if (!b->is_bool()) return std::nullopt;
    base64 = b->get_bool();
  }
  if (const json::value* b = o.if_contains("body"); b && !b->is_null()) {
    if (!b->is_string()) return std::nullopt;
    if (base64) {
      auto decoded = Base64Decode(b->get_string());
      if (!decoded) return std::nullopt;
      out.body = std::move(*decoded);
    } else {
      out.body = std::string(b->get_string());
    }
  }
  return out;
}

std::string RequestParameterValue(std::string_view source, const ProxyRequest& r) {
  if (source.size() >= 2 && source.front() == '\'' && source.back() == '\'') {
    return std::string(source.substr(1, source.size() - 2));
  }
  auto find = [](const auto& pairs, std::string_view name, bool ignore_case) {
    for (const auto& [k, v] : pairs) {
      if (ignore_case ? boost::beast::iequals(k, name) : k == name) return v;
    }
    return std::string();
  };
  constexpr std::string_view kHeader = "method.request.header.";
  constexpr std::string_view kQuery = "method.request.querystring.";
  constexpr std::string_view kPath = "method.request.path.";
  constexpr std::string_view kStage = "stageVariables.";
  constexpr std::string_view kContext = "context.";
  if (source.starts_with(kHeader)) return find(r.headers, source.substr(kHeader.size()), true);
  if (source.starts_with(kQuery)) return find(r.query, source.substr(kQuery.size()), false);
  if (source.starts_with(kPath)) {
    return find(r.path_parameters, source.substr(kPath.size()), false);
  }
  if (source.starts_with(kStage)) {
    return find(r.stage_variables, source.substr(kStage.size()), false);
  }
  if (source.starts_with(kContext)) {
    std::string_view name = source.substr(kContext.size());
    if (name == "stage") return r.stage;
    if (name == "httpMethod") return r.http_method;
    if (name == "resourcePath") return r.resource_path;
    if (name == "requestId") return r.request_id;
    if (name == "identity.sourceIp") return r.source_ip;
  }
  return std::string();
}

}  // namespace tidepool::apigateway
