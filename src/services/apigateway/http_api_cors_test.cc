#include "services/apigateway/http_api_cors.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tidepool::apigateway {
namespace {
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using protocol::http::HttpRequest;
using protocol::http::HttpResponse;

json::object Cors() {
  return json::object{{"AllowOrigins", json::array{"https://a.example"}},
                      {"AllowMethods", json::array{"GET", "POST"}},
                      {"AllowHeaders", json::array{"content-type"}},
                      {"ExposeHeaders", json::array{"x-id"}},
                      {"MaxAge", 60},
                      {"AllowCredentials", true}};
}

HttpRequest Preflight(std::string_view origin, std::string_view method,
                      std::string_view headers = "") {
  HttpRequest r(bhttp::verb::options, "/x", 11);
  r.set(bhttp::field::origin, origin);
  r.set("Access-Control-Request-Method", method);
  if (!headers.empty()) r.set("Access-Control-Request-Headers", headers);
  return r;
}

TEST(HttpApiCorsTest, AnswersAnAllowedPreflight) {
  HttpRequest request = Preflight("https://a.example", "post", "Content-Type");
  ASSERT_TRUE(IsPreflight(request));
  HttpResponse r = HttpApiPreflight(Cors(), request);
  EXPECT_EQ(r.result_int(), 204);
  EXPECT_EQ(r["Access-Control-Allow-Origin"], "https://a.example");
  EXPECT_EQ(r["Access-Control-Allow-Methods"], "GET,POST");
  EXPECT_EQ(r["Access-Control-Allow-Headers"], "content-type");
  EXPECT_EQ(r["Access-Control-Max-Age"], "60");
  EXPECT_EQ(r["Access-Control-Allow-Credentials"], "true");
}

TEST(HttpApiCorsTest, RefusedPreflightHasNoCorsHeaders) {
  for (const HttpRequest& request :
       {Preflight("https://b.example", "GET"), Preflight("https://a.example", "DELETE"),
        Preflight("https://a.example", "GET", "content-type, x-other")}) {
    HttpResponse r = HttpApiPreflight(Cors(), request);
    EXPECT_EQ(r.result_int(), 204);
    EXPECT_EQ(r.count("Access-Control-Allow-Origin"), 0u);
  }
}

TEST(HttpApiCorsTest, AddsHeadersForAnAllowedOriginOnly) {
  HttpResponse r(bhttp::status::ok, 11);
  r.set("Access-Control-Allow-Origin", "*");  // the integration's: ignored
  AddCorsHeaders(Cors(), "https://a.example", r);
  EXPECT_EQ(r["Access-Control-Allow-Origin"], "https://a.example");
  EXPECT_EQ(r["Access-Control-Expose-Headers"], "x-id");
  HttpResponse other(bhttp::status::ok, 11);
  AddCorsHeaders(Cors(), "https://b.example", other);
  EXPECT_EQ(other.count("Access-Control-Allow-Origin"), 0u);
}

TEST(HttpApiCorsTest, ChecksTheConfiguration) {
  EXPECT_TRUE(CheckCorsConfiguration(Cors()).ok());
  json::object star = Cors();
  star["AllowOrigins"] = json::array{"*"};
  EXPECT_FALSE(CheckCorsConfiguration(star).ok());
  json::object age = Cors();
  age["MaxAge"] = 86401;
  EXPECT_FALSE(CheckCorsConfiguration(age).ok());
}

}  // namespace
}  // namespace tidepool::apigateway
