#include "protocol/codec/validate.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <boost/json/parse.hpp>

#include <string>
#include <thread>
#include <vector>

#include "protocol/model/models.h"
#include "protocol/model/table_rows.h"

namespace tidepool::protocol::validate {
namespace {

namespace json = boost::json;
using model::kNoLimit;
using model::kNoShape;
using model::rows::M;
using model::rows::S;
using ST = model::ShapeType;
using TF = model::TimestampFormat;

constexpr model::Shape Str(std::string_view name, int64_t min, int64_t max,
                           std::string_view pattern) {
  return S(name, ST::kString, min, max, pattern, 0, 0, kNoShape, kNoShape, 0, 0, TF::kDefault,
           false, "", "", "", false, false, "", 0, false, false, false, "", "", "");
}

// A hand-made model: Input{Text: Unicode, Look: Lookahead, Ascii: Ascii, Count: Count,
// Ratio: Ratio}.
constexpr model::Shape kShapes[] = {
    Str("Ascii", kNoLimit, kNoLimit, "\\p{ASCII}*"),
    S("Count", ST::kLong, -5, 5, "", 0, 0, kNoShape, kNoShape, 0, 0, TF::kDefault, false, "", "",
      "", false, false, "", 0, false, false, false, "", "", ""),
    S("Input", ST::kStructure, kNoLimit, kNoLimit, "", 0, 5, kNoShape, kNoShape, 0, 0, TF::kDefault,
      false, "", "", "", false, false, "", 0, false, false, false, "", "", ""),
    Str("Lookahead", kNoLimit, kNoLimit, "(?!x).*"),
    S("Ratio", ST::kDouble, 0, 1, "", 0, 0, kNoShape, kNoShape, 0, 0, TF::kDefault, false, "", "",
      "", false, false, "", 0, false, false, false, "", "", ""),
    Str("Unicode", 1, kNoLimit,
        "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*"),
};
constexpr model::Member kMembers[] = {
    M("Text", 5, false, model::Location::kBody, "", false, false, false, false, ""),
    M("Look", 3, false, model::Location::kBody, "", false, false, false, false, ""),
    M("Ascii", 0, false, model::Location::kBody, "", false, false, false, false, ""),
    M("Count", 1, true, model::Location::kBody, "", false, false, false, false, ""),
    M("Ratio", 4, false, model::Location::kBody, "", false, false, false, false, ""),
};
constexpr model::ServiceModel kModel{
    "Test", "test",  "test",   "2020-01-01", "", "", "", model::Protocol::kJson,
    {},     kShapes, kMembers, {},           {}, {}};
constexpr uint16_t kInput = 2;

std::optional<std::string> Check(std::string_view json_text) {
  return ValidateInput(kModel, kInput, json::parse(json_text).as_object());
}

TEST(ValidateTest, TranslatesJavaPatterns) {
  EXPECT_EQ(JavaPatternToRe2("[a-z]+"), "[a-z]+");
  EXPECT_EQ(JavaPatternToRe2("\\u0020"), "\\x{20}");
  EXPECT_EQ(JavaPatternToRe2("[\\uD800\\uDC00-\\uDBFF\\uDFFF]"), "[\\x{10000}-\\x{10FFFF}]");
  EXPECT_EQ(JavaPatternToRe2("\\p{ASCII}*"), "[[:ascii:]]*");
  EXPECT_EQ(JavaPatternToRe2("[\\p{Print}x]"), "[[:print:]x]");
  EXPECT_EQ(JavaPatternToRe2("\\P{Alpha}"), "[[:^alpha:]]");
  EXPECT_EQ(JavaPatternToRe2("[\\p{L}\\p{Z}]"), "[\\p{L}\\p{Z}]");  // RE2 knows these
  EXPECT_EQ(JavaPatternToRe2("a\\\\u0041"), "a\\\\u0041");          // escaped backslash
}

TEST(ValidateTest, Utf16Length) {
  EXPECT_EQ(Utf16Length(""), 0u);
  EXPECT_EQ(Utf16Length("abc"), 3u);
  EXPECT_EQ(Utf16Length("\xc3\xa9"), 1u);           // é
  EXPECT_EQ(Utf16Length("\xe2\x82\xac"), 1u);       // €
  EXPECT_EQ(Utf16Length("\xf0\x9f\x98\x80x"), 3u);  // 😀 is a surrogate pair
}

TEST(ValidateTest, UnicodePatternsFromTheModels) {
  EXPECT_EQ(Check(R"({"Count":0,"Text":"h\u00e9llo \ud83d\ude00\n"})"), std::nullopt);
  EXPECT_EQ(*Check(R"({"Count":0,"Text":"a\u0001"})"),
            "1 validation error detected: Value 'a\x01' at 'text' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: "
            "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*");
  EXPECT_EQ(Check(R"({"Count":0,"Ascii":"plain ascii"})"), std::nullopt);
  EXPECT_TRUE(Check(R"({"Count":0,"Ascii":"caf\u00e9"})").has_value());
}

TEST(ValidateTest, UnsupportedPatternIsSkipped) {
  EXPECT_EQ(Check(R"({"Count":0,"Look":"xyz"})"), std::nullopt);
}

TEST(ValidateTest, NumbersAndMessages) {
  EXPECT_EQ(*Check(R"({})"),
            "1 validation error detected: Value null at 'count' failed to satisfy constraint: "
            "Member must not be null");
  EXPECT_EQ(*Check(R"({"Count":-6,"Ratio":1.5,"Text":""})"),
            "3 validation errors detected: "
            "Value '' at 'text' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1; "
            "Value '-6' at 'count' failed to satisfy constraint: "
            "Member must have value greater than or equal to -5; "
            "Value '1.5' at 'ratio' failed to satisfy constraint: "
            "Member must have value less than or equal to 1");
  EXPECT_EQ(*Check(R"({"Count":6,"Ratio":20000000.0})"),
            "2 validation errors detected: "
            "Value '6' at 'count' failed to satisfy constraint: "
            "Member must have value less than or equal to 5; "
            "Value '2.0E7' at 'ratio' failed to satisfy constraint: "
            "Member must have value less than or equal to 1");
  EXPECT_EQ(Check(R"({"Count":5,"Ratio":1.0})"), std::nullopt);
}

TEST(ValidateTest, ConcurrentValidationSharesCompiledPatterns) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  json::object good =
      json::parse(R"({"StreamName":"s-1","PartitionKey":"k","Data":""})").as_object();
  json::object bad =
      json::parse(R"({"StreamName":"s 1","PartitionKey":"k","Data":""})").as_object();
  const model::ServiceModel& kinesis = model::KinesisModel();
  uint16_t input = kinesis.FindOperation("PutRecord")->input;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (ValidateInput(kinesis, input, good).has_value()) ++failures;
        if (!ValidateInput(kinesis, input, bad).has_value()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

// Every pattern of the generated models that RE2 accepts after translation; the ones it
// rejects (lookaround) are listed so a new botocore model cannot silently lose many checks.
TEST(ValidateTest, ModelPatternsCompile) {
  for (const model::ServiceModel* m :
       {&model::KinesisModel(), &model::SqsModel(), &model::SnsModel()}) {
    int rejected = 0;
    for (const model::Shape& s : m->shapes) {
      if (s.pattern.empty()) continue;
      RE2::Options options;
      options.set_log_errors(false);
      RE2 re(JavaPatternToRe2(s.pattern), options);
      if (!re.ok()) {
        ++rejected;
        std::printf("%s: RE2 rejects pattern of %s: %s\n", std::string(m->service_id).c_str(),
                    std::string(s.name).c_str(), std::string(s.pattern).c_str());
      }
    }
    EXPECT_EQ(rejected, 0) << m->service_id;
  }
}

}  // namespace
}  // namespace tidepool::protocol::validate
