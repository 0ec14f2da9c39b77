#include "services/s3/cors.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace tidepool::s3 {
namespace {

boost::json::object Config(std::string_view text) { return boost::json::parse(text).as_object(); }

std::string Header(const protocol::CorsGrant& grant, std::string_view name) {
  for (const auto& [k, v] : grant.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(CorsTest, WildcardsMatchOnce) {
  EXPECT_TRUE(WildcardMatches("*", "anything", false));
  EXPECT_TRUE(WildcardMatches("https://*.example.com", "https://a.b.example.com", false));
  EXPECT_FALSE(WildcardMatches("https://*.example.com", "https://example.com", false));
  EXPECT_TRUE(WildcardMatches("X-Amz-*", "x-amz-date", true));
  EXPECT_FALSE(WildcardMatches("X-Amz-*", "x-amz-date", false));
}

TEST(CorsTest, ValidationRefusesWhatS3Refuses) {
  EXPECT_TRUE(ValidateCorsConfiguration(
                  Config(R"({"CORSRules":[{"AllowedOrigins":["*"],"AllowedMethods":["GET"]}]})"))
                  .ok());
  EXPECT_FALSE(ValidateCorsConfiguration(Config(R"({"CORSRules":[]})")).ok());
  EXPECT_FALSE(ValidateCorsConfiguration(
                   Config(R"({"CORSRules":[{"AllowedOrigins":["*"],"AllowedMethods":["PATCH"]}]})"))
                   .ok());
  EXPECT_FALSE(ValidateCorsConfiguration(
                   Config(R"({"CORSRules":[{"AllowedOrigins":["*.*"],"AllowedMethods":["GET"]}]})"))
                   .ok());
}

TEST(CorsTest, FirstMatchingRuleWins) {
  auto config = Config(R"({"CORSRules":[
      {"AllowedOrigins":["https://a.test"],"AllowedMethods":["PUT"],"AllowedHeaders":["x-*"],
       "MaxAgeSeconds":60},
      {"AllowedOrigins":["*"],"AllowedMethods":["GET","PUT"]}]})");
  protocol::CorsQuery q{"b", "https://a.test", "PUT", {"x-one"}, true};
  auto grant = MatchCorsRules(config, q);
  EXPECT_EQ(Header(grant, "Access-Control-Allow-Origin"), "https://a.test");
  EXPECT_EQ(Header(grant, "Access-Control-Max-Age"), "60");
  EXPECT_EQ(Header(grant, "Access-Control-Allow-Headers"), "x-one");
  q.headers = {"y-two"};  // the first rule refuses the header; the second allows no headers
  EXPECT_TRUE(MatchCorsRules(config, q).headers.empty());
  q.headers.clear();
  grant = MatchCorsRules(config, q);
  EXPECT_EQ(Header(grant, "Access-Control-Allow-Origin"), "https://a.test");
  q.origin = "https://b.test";
  grant = MatchCorsRules(config, q);
  EXPECT_EQ(Header(grant, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(Header(grant, "Access-Control-Allow-Methods"), "GET, PUT");
  q.method = "DELETE";
  EXPECT_TRUE(MatchCorsRules(config, q).headers.empty());
}

}  // namespace
}  // namespace tidepool::s3
