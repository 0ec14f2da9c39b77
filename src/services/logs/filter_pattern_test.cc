#include "services/logs/filter_pattern.h"

#include <gtest/gtest.h>

#include <string>

namespace tidepool::logs {
namespace {

bool Match(const std::string& pattern, const std::string& message) {
  auto p = FilterPattern::Parse(pattern);
  EXPECT_TRUE(p.ok()) << pattern << ": " << p.status().ToString();
  return p.ok() && p->Matches(message);
}

TEST(FilterPattern, EmptyMatchesEverything) {
  auto p = FilterPattern::Parse("");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->MatchesEverything());
  EXPECT_TRUE(Match("  ", "anything"));
  EXPECT_TRUE(Match("\"\"", "anything"));
}

TEST(FilterPattern, TermsAreAndedSubstringsAndCaseSensitive) {
  EXPECT_TRUE(Match("ERROR", "[ERROR] disk full"));
  EXPECT_FALSE(Match("ERROR", "[error] disk full"));
  EXPECT_TRUE(Match("ERROR disk", "[ERROR] disk full"));
  EXPECT_FALSE(Match("ERROR memory", "[ERROR] disk full"));
}

TEST(FilterPattern, QuotedPhrases) {
  EXPECT_TRUE(Match("\"disk full\"", "[ERROR] disk full"));
  EXPECT_FALSE(Match("\"full disk\"", "[ERROR] disk full"));
  EXPECT_TRUE(Match("\"say \\\"hi\\\"\"", "they say \"hi\" here"));
}

TEST(FilterPattern, OptionalTermsAndExclusions) {
  EXPECT_TRUE(Match("?ERROR ?WARN", "WARN low memory"));
  EXPECT_TRUE(Match("?ERROR ?WARN", "ERROR crash"));
  EXPECT_FALSE(Match("?ERROR ?WARN", "INFO fine"));
  EXPECT_TRUE(Match("ERROR -timeout", "ERROR disk"));
  EXPECT_FALSE(Match("ERROR -timeout", "ERROR timeout reached"));
  EXPECT_FALSE(Match("-\"no such\"", "no such file"));
  EXPECT_TRUE(Match("-\"no such\"", "all good"));
}

TEST(FilterPattern, RegexTerms) {
  EXPECT_TRUE(Match("%user-[0-9]+%", "login user-42"));
  EXPECT_FALSE(Match("%user-[0-9]+%", "login user-x"));
  EXPECT_FALSE(FilterPattern::Parse("%(unclosed%").ok());
}

TEST(FilterPattern, JsonEqualityAndWildcards) {
  const std::string m = R"({"level":"ERROR","code":503,"user":{"id":"u-7","tags":["a","b"]}})";
  EXPECT_TRUE(Match("{ $.level = \"ERROR\" }", m));
  EXPECT_TRUE(Match("{ $.level = ERROR }", m));
  EXPECT_FALSE(Match("{ $.level = \"INFO\" }", m));
  EXPECT_TRUE(Match("{ $.level != \"INFO\" }", m));
  EXPECT_TRUE(Match("{ $.level = \"ERR*\" }", m));
  EXPECT_TRUE(Match("{ $.user.id = \"u-*\" }", m));
  EXPECT_TRUE(Match("{ $.user.tags[1] = \"b\" }", m));
  EXPECT_FALSE(Match("{ $.user.tags[2] = \"b\" }", m));
  EXPECT_FALSE(Match("{ $.missing = \"x\" }", m));
  EXPECT_FALSE(Match("{ $.level = \"ERROR\" }", "not json ERROR"));
  EXPECT_FALSE(Match("{ $.level = \"ERROR\" }", "{broken"));
}

TEST(FilterPattern, JsonNumbers) {
  const std::string m = R"({"code":503,"latency":12.5,"count":"7"})";
  EXPECT_TRUE(Match("{ $.code = 503 }", m));
  EXPECT_TRUE(Match("{ $.code >= 500 }", m));
  EXPECT_TRUE(Match("{ $.code > 499 && $.code < 600 }", m));
  EXPECT_FALSE(Match("{ $.code < 500 }", m));
  EXPECT_TRUE(Match("{ $.latency <= 12.5 }", m));
  EXPECT_TRUE(Match("{ $.code != 200 }", m));
  EXPECT_TRUE(Match("{ $.count = 7 }", m));  // a numeric string compares as a number
  EXPECT_FALSE(FilterPattern::Parse("{ $.code > \"x\" }").ok());
}

TEST(FilterPattern, JsonLogic) {
  const std::string m = R"({"level":"WARN","code":404})";
  EXPECT_TRUE(Match("{ $.level = \"ERROR\" || $.code = 404 }", m));
  EXPECT_FALSE(Match("{ $.level = \"ERROR\" && $.code = 404 }", m));
  EXPECT_TRUE(Match("{ ($.level = \"ERROR\" || $.level = \"WARN\") && $.code >= 400 }", m));
  EXPECT_FALSE(Match("{ ($.level = \"ERROR\" || $.level = \"INFO\") && $.code >= 400 }", m));
}

TEST(FilterPattern, JsonNullExistsAndBooleans) {
  const std::string m = R"({"a":null,"ok":true,"bad":false})";
  EXPECT_TRUE(Match("{ $.a IS NULL }", m));
  EXPECT_FALSE(Match("{ $.ok IS NULL }", m));
  EXPECT_TRUE(Match("{ $.b NOT EXISTS }", m));
  EXPECT_FALSE(Match("{ $.a NOT EXISTS }", m));
  EXPECT_TRUE(Match("{ $.a EXISTS }", m));
  EXPECT_TRUE(Match("{ $.ok IS TRUE }", m));
  EXPECT_TRUE(Match("{ $.bad IS FALSE }", m));
  EXPECT_FALSE(Match("{ $.ok IS FALSE }", m));
}

TEST(FilterPattern, SpaceDelimited) {
  const std::string line =
      "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 404 2326";
  EXPECT_TRUE(Match("[ip, user, username, timestamp, request, status_code, bytes]", line));
  EXPECT_FALSE(Match("[ip, user, username, timestamp, request, status_code]", line));
  EXPECT_TRUE(Match("[ip, user, username, timestamp, request, status_code = 404, bytes]", line));
  EXPECT_TRUE(Match("[ip, user, username, timestamp, request, status_code = 4*, bytes]", line));
  EXPECT_FALSE(Match("[ip, user, username, timestamp, request, status_code = 5*, bytes]", line));
  EXPECT_TRUE(Match("[..., status_code >= 400 && status_code < 500, bytes > 1000]", line));
  EXPECT_TRUE(Match("[ip = 127.0.0.1, ...]", line));
  EXPECT_TRUE(Match("[ip, user, username = frank, ...]", line));
  EXPECT_TRUE(Match("[ip, ..., request = \"GET *\", status_code, bytes]", line));
  EXPECT_TRUE(Match("[..., status_code = 500 || status_code = 404, bytes]", line));
}

TEST(FilterPattern, RefusesMalformedPatterns) {
  for (const char* bad :
       {"{ $.a = }", "{ $.a = 1", "{ a = 1 }", "{ $.a IS MAYBE }", "[a, b", "[a, = 1]",
        "\"unterminated", "{ ($.a = 1 }", "{ $.a[x] = 1 }", "{ $.a = 1 } tail"}) {
    EXPECT_FALSE(FilterPattern::Parse(bad).ok()) << bad;
  }
  EXPECT_FALSE(FilterPattern::Parse(std::string(1025, 'a')).ok());
  std::string deep(100, '(');
  EXPECT_FALSE(FilterPattern::Parse("{ " + deep + "$.a = 1 }").ok());
}

}  // namespace
}  // namespace tidepool::logs
