#include "services/apigateway/http_exchange.h"

#include <gtest/gtest.h>

namespace tidepool::apigateway {
namespace {

TEST(ParseHttpUrl, HttpAndHttpsWithDefaultPorts) {
  auto plain = ParseHttpUrl("http://example.com/a?b=1");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->port, "80");
  EXPECT_EQ(plain->target, "/a?b=1");
  auto tls = ParseHttpUrl("HTTPS://[::1]:8443?x");
  ASSERT_TRUE(tls.ok());
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->host, "::1");
  EXPECT_EQ(tls->port, "8443");
  EXPECT_EQ(tls->target, "/?x");
  EXPECT_EQ(ParseHttpUrl("https://h")->port, "443");
  for (const char* bad : {"ftp://h/", "https://", "http://h:x/", "https:/h", "h"}) {
    EXPECT_FALSE(ParseHttpUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace tidepool::apigateway
