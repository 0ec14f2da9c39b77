#include "protocol/codec/json_scan.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace tidepool::protocol
