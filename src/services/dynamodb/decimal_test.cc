#include "services/dynamodb/decimal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace tidepool::dynamodb {
namespace {

std::string Canon(std::string_view text) {
  auto d = Decimal::Parse(text);
  return d.ok() ? d->ToString() : "error: " + d.status().message();
}

TEST(DecimalTest, ParsesAndCanonicalizes) {
  EXPECT_EQ(Canon("1.50"), "1.5");
  EXPECT_EQ(Canon("-0"), "0");
  EXPECT_EQ(Canon("0001"), "1");
  EXPECT_EQ(Canon("1e3"), "1000");
  EXPECT_EQ(Canon("1.5E-3"), "0.0015");
  EXPECT_EQ(Canon(".5"), "0.5");
  EXPECT_EQ(Canon("+7"), "7");
  EXPECT_EQ(Canon("12345678901234567890123456789012345678"),
            "12345678901234567890123456789012345678");
  EXPECT_EQ(Canon("abc"), "error: The parameter cannot be converted to a numeric value: abc");
  EXPECT_EQ(Canon(""), "error: The parameter cannot be converted to a numeric value");
  EXPECT_EQ(Canon("123456789012345678901234567890123456789"),
            "error: Attempting to store more than 38 significant digits in a Number");
  EXPECT_EQ(Canon("1e126"),
            "error: Number overflow. Attempting to store a number with magnitude larger than "
            "supported range");
  EXPECT_EQ(Canon("1e-131"),
            "error: Number underflow. Attempting to store a number with magnitude smaller than "
            "supported range");
  EXPECT_EQ(Canon("9.9999999999999999999999999999999999999E+125").size(), 126u);
}

TEST(DecimalTest, ExactArithmetic) {
  auto add = [](std::string_view a, std::string_view b) {
    auto r = Decimal::Add(*Decimal::Parse(a), *Decimal::Parse(b));
    return r.ok() ? r->ToString() : "error";
  };
  EXPECT_EQ(add("0.1", "0.2"), "0.3");
  EXPECT_EQ(add("99999999999999999999999999999999999999", "1"),
            "100000000000000000000000000000000000000");
  EXPECT_EQ(add("99999999999999999999999999999999999999", "0.1"), "error");
  EXPECT_EQ(add("12345678901234567890123456789012345", "1.5"),
            "12345678901234567890123456789012346.5");
  EXPECT_EQ(add("-5", "3"), "-2");
  EXPECT_EQ(add("5", "-5"), "0");
  EXPECT_EQ(add("-1.25", "-0.75"), "-2");
  auto sub = Decimal::Subtract(*Decimal::Parse("1"), *Decimal::Parse("0.001"));
  EXPECT_EQ(sub->ToString(), "0.999");
}

TEST(DecimalTest, KeyOrderIsNumericOrder) {
  std::vector<std::string> values = {"-1e100", "-1000", "-12",    "-1.25",   "-1.2", "-1",
                                     "-0.5",   "0",     "1e-130", "0.5",     "1",    "1.2",
                                     "1.25",   "12",    "1000",   "9.99e125"};
  std::vector<std::string> keys;
  for (const auto& v : values) {
    std::string k;
    Decimal::Parse(v)->AppendKey(&k);
    keys.push_back(k);
    std::string_view in = k;
    Decimal back;
    ASSERT_TRUE(Decimal::ReadKey(&in, &back));
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(Decimal::Compare(back, *Decimal::Parse(v)), 0) << v;
  }
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    EXPECT_LT(Decimal::Compare(*Decimal::Parse(values[i]), *Decimal::Parse(values[i + 1])), 0)
        << values[i];
  }
}

}  // namespace
}  // namespace tidepool::dynamodb
