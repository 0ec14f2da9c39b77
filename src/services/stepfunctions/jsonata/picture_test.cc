// The XPath picture functions beyond what JSONata's own suite checks: bounds that keep a
// picture from producing unbounded output, and the corners of parsing dates with a picture.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "services/stepfunctions/jsonata/jsonata.h"

namespace tidepool::sfn::jsonata {
namespace {

namespace json = boost::json;

// The result of `text` as JSON text, or "error <code>", or "undefined".
std::string Eval(std::string_view text) {
  JsonataError err;
  auto expr = Expression::Compile(text, &err);
  if (!expr) return "error " + err.code;
  json::value input = json::object();
  Outcome out = expr->Evaluate(&input, {});
  if (!out.ok) return "error " + out.error.code;
  return out.value ? json::serialize(*out.value) : "undefined";
}

TEST(JsonataPictureTest, FormatNumberRoundsHalfEvenAndRenormalisesTheMantissa) {
  EXPECT_EQ(Eval(R"($formatNumber(2.5, "0"))"), R"("2")");
  EXPECT_EQ(Eval(R"($formatNumber(3.5, "0"))"), R"("4")");
  // 9.96 rounds to 10.0, which a one-digit mantissa cannot hold: the exponent moves instead.
  EXPECT_EQ(Eval(R"($formatNumber(9.96, "0.0e0"))"), R"("1.0e1")");
  EXPECT_EQ(Eval(R"j($formatNumber(-1.5, "0.0;(0.0)"))j"), R"j("(1.5)")j");
  EXPECT_EQ(Eval(R"($formatNumber(0, "#.##"))"), R"(".0")");
}

TEST(JsonataPictureTest, FormatIntegerBoundsRomanAndHandlesNegatives) {
  EXPECT_EQ(Eval(R"($formatInteger(3999, "I"))"), R"("MMMCMXCIX")");
  // A roman numeral past 100000 would be a run of "M"s; decimal digits stand in.
  EXPECT_EQ(Eval(R"($formatInteger(1e20, "I"))"), R"("100000000000000000000")");
  EXPECT_EQ(Eval(R"($formatInteger(-12, "w"))"), R"("-twelve")");
  EXPECT_EQ(Eval(R"($formatInteger(0, "w;o"))"), R"("zeroth")");
  EXPECT_EQ(Eval(R"($formatInteger(702, "A"))"), R"("ZZ")");
  EXPECT_EQ(Eval(R"($formatInteger(1, "#"))"), "error D3130");
}

TEST(JsonataPictureTest, ParseIntegerRejectsTextTheMatchDoesNotCover) {
  EXPECT_EQ(Eval(R"($parseInteger("12x", "0"))"), "undefined");
  EXPECT_EQ(Eval(R"($parseInteger("one banana", "w"))"), "undefined");
  EXPECT_EQ(Eval(R"($parseInteger("iiii", "i"))"), "4");
  // A picture that is a path matching nothing (found by the fuzzer: it was read as a string).
  EXPECT_EQ(Eval(R"($parseInteger("XIV", nothing))"), "undefined");
  EXPECT_EQ(Eval(R"($formatInteger(14, nothing))"), "undefined");
  EXPECT_EQ(Eval(R"($formatNumber(14, nothing))"), "undefined");
}

TEST(JsonataPictureTest, ToMillisWithAPicture) {
  // Adjacent numeric markers split by width; a literal must match exactly.
  EXPECT_EQ(Eval(R"($toMillis("19700102", "[Y0001][M01][D01]"))"), "86400000");
  EXPECT_EQ(Eval(R"($toMillis("1970/01/02", "[Y0001]-[M01]-[D01]"))"), "undefined");
  // Text left over after the picture is a mismatch.
  EXPECT_EQ(Eval(R"($toMillis("1970-01-02x", "[Y0001]-[M01]-[D01]"))"), "undefined");
  // A month that does not exist is not an instant.
  EXPECT_EQ(Eval(R"($toMillis("1970-13-02", "[Y0001]-[M01]-[D01]"))"), "undefined");
  EXPECT_EQ(
      Eval(
          R"($toMillis("01:00 +01:00", "[H01]:[m01] [Z]") ~> $fromMillis() ~> $substringAfter("T"))"),
      R"("00:00:00.000Z")");
  EXPECT_EQ(Eval(R"($toMillis("2018 5", "[Y] [m]"))"), "error D3136");
  EXPECT_EQ(Eval(R"($toMillis("99999999999", "[Y]"))"), "undefined");
}

TEST(JsonataPictureTest, FromMillisPictureErrorsAndTimezones) {
  EXPECT_EQ(Eval(R"($fromMillis(0, "[Q]"))"), "error D3132");
  EXPECT_EQ(Eval(R"($fromMillis(0, "[H01]", "+05"))"), "error D3134");
  EXPECT_EQ(Eval(R"($fromMillis(0, "[H01]:[m01] [z]", "-0930"))"), R"("14:30 GMT-09:30")");
  EXPECT_EQ(Eval(R"($fromMillis(-1, "[Y0001]-[M01]-[D01] [H01]:[m01]:[s01].[f001]"))"),
            R"("1969-12-31 23:59:59.999")");
  EXPECT_EQ(Eval(R"($fromMillis(0, "[Y,9999]") ~> $length())"), "9999");
}

}  // namespace
}  // namespace tidepool::sfn::jsonata
