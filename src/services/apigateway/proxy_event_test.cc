#include "services/apigateway/proxy_event.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace tidepool::apigateway {
namespace {
namespace json = boost::json;

TEST(ProxyEventTest, BuildsPayloadFormat10) {
  ProxyRequest r;
  r.http_method = "POST";
  r.path = "/pets/7";
  r.resource_path = "/pets/{id}";
  r.resource_id = "abc123";
  r.stage = "dev";
  r.api_id = "api1";
  r.account_id = "000000000000";
  r.domain_name = "api1.execute-api.localhost:4566";
  r.request_id = "rid";
  r.source_ip = "127.0.0.1";
  r.request_time_ms = 1583349317135;
  r.headers = {{"Accept", "a"}, {"X-Multi", "1"}, {"x-multi", "2"}};
  r.query = {{"q", "1"}, {"q", "2"}, {"z", ""}};
  r.path_parameters = {{"id", "7"}};
  r.body = "hello";
  json::object e = json::parse(BuildProxyEvent(r)).as_object();
  EXPECT_EQ(e.at("resource"), "/pets/{id}");
  EXPECT_EQ(e.at("path"), "/pets/7");
  EXPECT_EQ(e.at("httpMethod"), "POST");
  EXPECT_EQ(e.at("headers").at("X-Multi"), "2");
  EXPECT_EQ(json::serialize(e.at("multiValueHeaders").at("X-Multi")), R"(["1","2"])");
  EXPECT_EQ(e.at("queryStringParameters").at("q"), "2");
  EXPECT_EQ(json::serialize(e.at("multiValueQueryStringParameters").at("q")), R"(["1","2"])");
  EXPECT_EQ(e.at("pathParameters").at("id"), "7");
  EXPECT_TRUE(e.at("stageVariables").is_null());
  EXPECT_EQ(e.at("body"), "hello");
  EXPECT_EQ(e.at("isBase64Encoded"), false);
  const json::object& ctx = e.at("requestContext").as_object();
  EXPECT_EQ(ctx.at("requestId"), "rid");
  EXPECT_EQ(ctx.at("path"), "/dev/pets/7");
  EXPECT_EQ(ctx.at("stage"), "dev");
  EXPECT_EQ(ctx.at("resourcePath"), "/pets/{id}");
  EXPECT_EQ(ctx.at("requestTimeEpoch"), 1583349317135);
  EXPECT_EQ(ctx.at("requestTime"), "04/Mar/2020:19:15:17 +0000");
  EXPECT_EQ(ctx.at("identity").at("sourceIp"), "127.0.0.1");
  EXPECT_TRUE(ctx.at("identity").at("apiKey").is_null());
}

TEST(ProxyEventTest, BinaryBodiesAreBase64) {
  ProxyRequest r;
  r.body = std::string("\x00\xff", 2);
  r.binary = true;
  json::object e = json::parse(BuildProxyEvent(r)).as_object();
  EXPECT_EQ(e.at("body"), "AP8=");
  EXPECT_EQ(e.at("isBase64Encoded"), true);
  EXPECT_TRUE(e.at("queryStringParameters").is_null());
}

TEST(ProxyEventTest, ParsesResponses) {
  auto r = ParseProxyResponse(
      R"({"statusCode":201,"headers":{"a":"1","n":2},"multiValueHeaders":{"m":["x","y"]},"body":"b"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "b");
  EXPECT_EQ(r->headers.size(), 4u);
  auto b = ParseProxyResponse(R"({"statusCode":200,"body":"aGk=","isBase64Encoded":true})");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->body, "hi");
  EXPECT_TRUE(ParseProxyResponse(R"({})"));
}

TEST(ProxyEventTest, MalformedResponses) {
  EXPECT_FALSE(ParseProxyResponse("not json"));
  EXPECT_FALSE(ParseProxyResponse(R"("text")"));
  EXPECT_FALSE(ParseProxyResponse(R"({"statusCode":"200"})"));
  EXPECT_FALSE(ParseProxyResponse(R"({"body":{"a":1}})"));
  EXPECT_FALSE(ParseProxyResponse(R"({"headers":{"a":{}}})"));
  EXPECT_FALSE(ParseProxyResponse(R"({"isBase64Encoded":true,"body":"!!"})"));
}

}  // namespace
}  // namespace tidepool::apigateway
