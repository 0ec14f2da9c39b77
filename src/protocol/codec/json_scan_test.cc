#include "protocol/codec/json_scan.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace tidepool::protocol {
namespace {

TEST(JsonScanTest, WalksPlainObjectWithAnyWhitespace) {
  JsonScan scan(" \n{\t\"a\" :\r\"xy z\" , \"b\":[ ]}  ");
  std::string_view s;
  ASSERT_TRUE(scan.Consume('{'));
  ASSERT_TRUE(scan.String(&s));
  EXPECT_EQ(s, "a");
  ASSERT_TRUE(scan.Consume(':'));
  ASSERT_TRUE(scan.String(&s));
  EXPECT_EQ(s, "xy z");
  ASSERT_TRUE(scan.Consume(','));
  ASSERT_TRUE(scan.String(&s));
  EXPECT_EQ(s, "b");
  ASSERT_TRUE(scan.Consume(':'));
  ASSERT_TRUE(scan.Consume('['));
  EXPECT_FALSE(scan.Consume('}'));
  ASSERT_TRUE(scan.Consume(']'));
  ASSERT_TRUE(scan.Consume('}'));
  EXPECT_TRUE(scan.AtEnd());
}

TEST(JsonScanTest, StringRefusesEscapesControlAndNonAsciiBytes) {
  for (std::string text : {R"("a\"b")", R"("a\\b")", R"("\u0041")", "\"a\x01\"", "\"a\tb\"",
                           "\"caf\xc3\xa9\"", "\"\x7f\"", R"("unterminated)", "17", "null", "{"}) {
    JsonScan scan(text);
    std::string_view s;
    EXPECT_FALSE(scan.String(&s)) << text;
  }
  // The same bytes past the 8-byte SWAR stride are caught too.
  for (std::string tail : {std::string("\\\\"), std::string("\x1f"), std::string("\xc3\xa9")}) {
    std::string text = "\"0123456789abcdef" + tail + "\"";
    JsonScan scan(text);
    std::string_view s;
    EXPECT_FALSE(scan.String(&s)) << text;
  }
  JsonScan ok(R"("printable ASCII ~!@#$%^&*()_+{}|:<>?")");
  std::string_view s;
  ASSERT_TRUE(ok.String(&s));
  EXPECT_EQ(s, "printable ASCII ~!@#$%^&*()_+{}|:<>?");
}

TEST(JsonScanTest, UncheckedStringStopsAtTheFirstQuote) {
  JsonScan scan(R"("ab\"cd")");
  std::string_view s;
  ASSERT_TRUE(scan.UncheckedString(&s));
  EXPECT_EQ(s, "ab\\");  // the caller's alphabet check then refuses the backslash
}

TEST(JsonScanTest, SmallIntReadsWhatTheCodecKeepsExactly) {
  for (auto [text, value] : {std::pair<const char*, int64_t>{"0", 0},
                             {" 7", 7},
                             {"-12", -12},
                             {"999999999", 999999999},
                             {"-999999999", -999999999}}) {
    JsonScan scan(text);
    int64_t n = 0;
    ASSERT_TRUE(scan.SmallInt(&n)) << text;
    EXPECT_EQ(n, value);
    EXPECT_TRUE(scan.AtEnd());
  }
  for (const char* text : {"", "-", "-0", "01", "1234567890", "1.5", "1e3", "1E3", "\"1\"", "+1"}) {
    JsonScan scan(text);
    int64_t n = 0;
    EXPECT_FALSE(scan.SmallInt(&n)) << text;
  }
}

TEST(JsonScanTest, ObjectAndStringArrayWalks) {
  JsonScan scan(R"({"a":["x","y"],"b":[],"c":{}})");
  std::vector<std::string> seen;
  ASSERT_TRUE(scan.Object([&](std::string_view name) {
    seen.emplace_back(name);
    if (name == "c") return scan.Object([](std::string_view) { return false; });
    return scan.StringArray([&](std::string_view s) {
      seen.emplace_back(s);
      return true;
    });
  }));
  EXPECT_TRUE(scan.AtEnd());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "x", "y", "b", "c"}));
  JsonScan trailing(R"({"a":1,})");
  EXPECT_FALSE(trailing.Object([&](std::string_view) {
    int64_t n;
    return trailing.SmallInt(&n);
  }));
  JsonScan refused(R"({"a":"x"})");
  EXPECT_FALSE(refused.Object([](std::string_view) { return false; }));
}

}  // namespace
}  // namespace tidepool::protocol
