#include "services/s3/cors.h"

#include <boost/json.hpp>

#include <cctype>

#include "services/s3/s3_errors.h"

namespace tidepool::s3 {
namespace json = boost::json;

namespace {

constexpr size_t kMaxRules = 100;
constexpr std::string_view kMethods[] = {"GET", "PUT", "HEAD", "POST", "DELETE"};

std::vector<std::string_view> Strings(const json::object& rule, std::string_view member) {
  std::vector<std::string_view> out;
  const json::value* list = rule.if_contains(member);
  if (list == nullptr || !list->is_array()) return out;
  for (const json::value& v : list->get_array()) {
    if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

bool EqualFold(char a, char b) {
  return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

bool SameText(std::string_view a, std::string_view b, bool fold_case) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (fold_case ? !EqualFold(a[i], b[i]) : a[i] != b[i]) return false;
  }
  return true;
}

std::string Join(const std::vector<std::string_view>& items) {
  std::string out;
  for (std::string_view item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

}  // namespace

bool WildcardMatches(std::string_view pattern, std::string_view text, bool fold_case) {
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return SameText(pattern, text, fold_case);
  std::string_view head = pattern.substr(0, star), tail = pattern.substr(star + 1);
  return text.size() >= head.size() + tail.size() &&
         SameText(head, text.substr(0, head.size()), fold_case) &&
         SameText(tail, text.substr(text.size() - tail.size()), fold_case);
}

Status ValidateCorsConfiguration(const json::object& config) {
  const json::value* rules = config.if_contains("CORSRules");
  if (rules == nullptr || !rules->is_array() || rules->get_array().empty() ||
      rules->get_array().size() > kMaxRules) {
    return MalformedXml();
  }
  for (const json::value& item : rules->get_array()) {
    if (!item.is_object()) return MalformedXml();
    const json::object& rule = item.get_object();
    const auto origins = Strings(rule, "AllowedOrigins");
    const auto methods = Strings(rule, "AllowedMethods");
    if (origins.empty() || methods.empty()) return MalformedXml();
    for (std::string_view method : methods) {
      bool known = false;
      for (std::string_view m : kMethods) known = known || m == method;
      if (!known) {
        return S3Status(S3Error::kInvalidRequest,
                        "Found unsupported HTTP method in CORS config. Unsupported method is " +
                            std::string(method));
      }
    }
    for (std::string_view origin : origins) {
      if (origin.find('*') != origin.rfind('*')) {
        return S3Status(S3Error::kInvalidRequest, "AllowedOrigin \"" + std::string(origin) +
                                                      "\" can not have more than one wildcard.");
      }
    }
    for (std::string_view header : Strings(rule, "AllowedHeaders")) {
      if (header.find('*') != header.rfind('*')) {
        return S3Status(S3Error::kInvalidRequest, "AllowedHeader \"" + std::string(header) +
                                                      "\" can not have more than one wildcard.");
      }
    }
  }
  return Status::Ok();
}

protocol::CorsGrant MatchCorsRules(const json::object& config, const protocol::CorsQuery& query) {
  protocol::CorsGrant grant;
  const json::value* rules = config.if_contains("CORSRules");
  if (rules == nullptr || !rules->is_array() || query.origin.empty()) return grant;
  for (const json::value& item : rules->get_array()) {
    if (!item.is_object()) continue;
    const json::object& rule = item.get_object();
    const auto origins = Strings(rule, "AllowedOrigins");
    const auto methods = Strings(rule, "AllowedMethods");
    const auto allowed_headers = Strings(rule, "AllowedHeaders");
    bool origin_ok = false, wildcard_origin = false;
    for (std::string_view o : origins) {
      if (WildcardMatches(o, query.origin, false)) {
        origin_ok = true;
        wildcard_origin = o == "*";
        break;
      }
    }
    bool method_ok = false;
    for (std::string_view m : methods) method_ok = method_ok || m == query.method;
    bool headers_ok = true;
    for (const std::string& h : query.headers) {
      bool allowed = false;
      for (std::string_view a : allowed_headers) allowed = allowed || WildcardMatches(a, h, true);
      headers_ok = headers_ok && allowed;
    }
    if (!origin_ok || !method_ok || !headers_ok) continue;
    auto add = [&](std::string name, std::string value) {
      grant.headers.emplace_back(std::move(name), std::move(value));
    };
    add("Access-Control-Allow-Origin", wildcard_origin ? "*" : query.origin);
    if (!wildcard_origin) add("Access-Control-Allow-Credentials", "true");
    add("Access-Control-Allow-Methods", Join(methods));
    if (query.preflight && !query.headers.empty()) {
      std::vector<std::string_view> asked(query.headers.begin(), query.headers.end());
      add("Access-Control-Allow-Headers", Join(asked));
    }
    if (const auto expose = Strings(rule, "ExposeHeaders"); !expose.empty()) {
      add("Access-Control-Expose-Headers", Join(expose));
    }
    if (const json::value* age = rule.if_contains("MaxAgeSeconds"); age && age->is_int64()) {
      add("Access-Control-Max-Age", std::to_string(age->get_int64()));
    }
    add("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
    return grant;
  }
  return grant;
}

}  // namespace tidepool::s3
