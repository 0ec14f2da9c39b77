#include "services/s3/acl.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace tidepool::s3 {
namespace {

boost::json::object In(std::string_view text) { return boost::json::parse(text).as_object(); }

TEST(AclTest, CannedAclsExpandToTheirGrants) {
  auto none = RequestedGrants(In("{}"), "owner");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto public_read = RequestedGrants(In(R"({"ACL":"public-read-write"})"), "owner");
  ASSERT_TRUE(public_read.ok());
  ASSERT_EQ((*public_read)->size(), 3u);
  EXPECT_EQ((**public_read)[0].at("Grantee").at("ID"), "owner");
  EXPECT_EQ((**public_read)[2].at("Permission"), "WRITE");
  EXPECT_FALSE(RequestedGrants(In(R"({"ACL":"everyone"})"), "owner").ok());
}

TEST(AclTest, GrantHeadersParseAsS3Writes) {
  auto grants = RequestedGrants(
      In(R"({"GrantRead":"id=\"a\", uri=\"http://g\"","GrantWriteACP":"emailAddress=\"x@y\""})"),
      "owner");
  ASSERT_TRUE(grants.ok());
  ASSERT_EQ((*grants)->size(), 3u);
  EXPECT_EQ((**grants)[0].at("Grantee").at("Type"), "CanonicalUser");
  EXPECT_EQ((**grants)[1].at("Grantee").at("URI"), "http://g");
  EXPECT_EQ((**grants)[2].at("Permission"), "WRITE_ACP");
  EXPECT_FALSE(RequestedGrants(In(R"({"GrantRead":"who=\"a\""})"), "o").ok());
  EXPECT_FALSE(RequestedGrants(In(R"({"GrantRead":"id=\"a"})"), "o").ok());
  EXPECT_FALSE(RequestedGrants(In(R"({"GrantRead":"id"})"), "o").ok());
  EXPECT_FALSE(RequestedGrants(In(R"({"GrantRead":"id=\"a\"","ACL":"private"})"), "o").ok());
}

}  // namespace
}  // namespace tidepool::s3
