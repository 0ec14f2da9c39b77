#include "services/apigateway/custom_domains.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace tidepool::apigateway {
namespace {

namespace json = boost::json;

json::object Mapping(std::string key, std::string api, std::string stage) {
  return json::object{{"id", "m"}, {"key", key}, {"apiId", api}, {"stage", stage}};
}

TEST(CustomDomainsTest, TheLongestBasePathWinsAndTheEmptyOneTakesTheRest) {
  json::array mappings{Mapping("", "root", "prod"), Mapping("v1", "one", "dev"),
                       Mapping("v1/admin", "admin", "live")};
  auto t = CustomDomains::ResolveMapping(mappings, "/v1/admin/users");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->api_id, "admin");
  EXPECT_EQ(t->stage, "live");
  EXPECT_EQ(t->path, "/users");

  t = CustomDomains::ResolveMapping(mappings, "/v1/items/7");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->api_id, "one");
  EXPECT_EQ(t->path, "/items/7");

  t = CustomDomains::ResolveMapping(mappings, "/v1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->api_id, "one");
  EXPECT_EQ(t->path, "/");

  // A segment that only starts like a base path is not under it.
  t = CustomDomains::ResolveMapping(mappings, "/v10/x");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->api_id, "root");
  EXPECT_EQ(t->path, "/v10/x");
}

TEST(CustomDomainsTest, WithoutAnEmptyBasePathAnUnmappedPathHasNoTarget) {
  json::array mappings{Mapping("v1", "one", "dev")};
  EXPECT_FALSE(CustomDomains::ResolveMapping(mappings, "/v2/x"));
  EXPECT_FALSE(CustomDomains::ResolveMapping(mappings, "/"));
  EXPECT_FALSE(CustomDomains::ResolveMapping(json::array(), "/v1"));
}

TEST(CustomDomainsTest, AMappingWithoutAStageTakesItFromThePath) {
  json::array mappings{Mapping("api", "one", "")};
  auto t = CustomDomains::ResolveMapping(mappings, "/api/prod/pets/");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->stage, "prod");
  EXPECT_EQ(t->path, "/pets/");
  EXPECT_FALSE(CustomDomains::ResolveMapping(mappings, "/api"));
}

TEST(CustomDomainsTest, NamesAreCaseInsensitiveWithoutTheRootDot) {
  EXPECT_EQ(CustomDomains::Normalize("API.Example.COM."), "api.example.com");
}

}  // namespace
}  // namespace tidepool::apigateway
