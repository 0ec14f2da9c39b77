#include "services/apigateway/http_api_import.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>

#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace {
namespace json = boost::json;

std::string NextId(size_t n) {
  static int next = 0;
  std::string id = std::to_string(++next);
  id.resize(n, '0');
  return id;
}

std::set<std::string> Keys(const json::object& routes) {
  std::set<std::string> out;
  for (const auto& kv : routes) out.insert(StringField(kv.value().as_object(), "RouteKey"));
  return out;
}

constexpr std::string_view kYaml = R"(openapi: 3.0.1
info:
  title: shop
servers:
- url: https://example.com/{base}
  variables:
    base:
      default: v1/shop
paths:
  /items:
    get:
      x-amazon-apigateway-integration:
        $ref: '#/components/x-amazon-apigateway-integrations/fn'
    post:
      x-amazon-apigateway-integration:
        $ref: '#/components/x-amazon-apigateway-integrations/fn'
  /$default:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: any
        uri: http://upstream/
components:
  x-amazon-apigateway-integrations:
    fn:
      type: aws_proxy
      uri: arn:aws:lambda:us-east-1:000000000000:function:fn
)";

TEST(HttpApiImport, BasepathModes) {
  auto ignore = ImportHttpApi(kYaml, "", &NextId);
  ASSERT_TRUE(ignore.ok()) << ignore.status().message();
  EXPECT_EQ(Keys(ignore->routes), (std::set<std::string>{"$default", "GET /items", "POST /items"}));
  auto prepend = ImportHttpApi(kYaml, "prepend", &NextId);
  ASSERT_TRUE(prepend.ok());
  EXPECT_TRUE(Keys(prepend->routes).contains("GET /v1/shop/items"));
  auto split = ImportHttpApi(kYaml, "split", &NextId);
  ASSERT_TRUE(split.ok());
  EXPECT_TRUE(Keys(split->routes).contains("GET /shop/items"));
  EXPECT_FALSE(ImportHttpApi(kYaml, "other", &NextId).ok());
}

TEST(HttpApiImport, OneIntegrationPerReferenceWithDefaults) {
  auto imported = ImportHttpApi(kYaml, "ignore", &NextId);
  ASSERT_TRUE(imported.ok());
  ASSERT_EQ(imported->integrations.size(), 2u);
  for (const auto& kv : imported->integrations) {
    const json::object& i = kv.value().as_object();
    const bool http = StringField(i, "IntegrationType") == "HTTP_PROXY";
    EXPECT_EQ(StringField(i, "PayloadFormatVersion"), http ? "1.0" : "2.0");
    EXPECT_EQ(StringField(i, "ConnectionType"), "INTERNET");
    if (http) EXPECT_EQ(StringField(i, "IntegrationMethod"), "ANY");
  }
}

TEST(HttpApiImport, ExportImportsBackToTheSameRoutes) {
  auto imported = ImportHttpApi(kYaml, "prepend", &NextId);
  ASSERT_TRUE(imported.ok());
  json::object doc = ExportHttpApi(imported->api, imported->routes, imported->integrations,
                                   imported->authorizers, "http://x", true);
  auto again = ImportHttpApi(json::serialize(doc), "ignore", &NextId);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(Keys(again->routes), Keys(imported->routes));
  // The export writes each route's integration inline, so each route gets its own back.
  EXPECT_EQ(again->integrations.size(), imported->routes.size());
}

TEST(HttpApiImport, RefusesWhatItDoesNotBuild) {
  EXPECT_FALSE(ImportHttpApi(R"({"swagger":"2.0","info":{"title":"t"}})", "", &NextId).ok());
  auto policy = ImportHttpApi(
      R"({"openapi":"3.0.1","info":{"title":"t"},"x-amazon-apigateway-policy":{}})", "", &NextId);
  ASSERT_FALSE(policy.ok());
  EXPECT_NE(policy.status().message().find("x-amazon-apigateway-policy"), std::string::npos);
  EXPECT_FALSE(ImportHttpApi(R"({"openapi":"3.0.1","info":{}})", "", &NextId).ok());
}

}  // namespace
}  // namespace tidepool::apigateway
