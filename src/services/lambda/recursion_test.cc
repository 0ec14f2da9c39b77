#include "services/lambda/recursion.h"

#include <gtest/gtest.h>

namespace tidepool::lambda {
namespace {

constexpr std::string_view kArn = "arn:aws:lambda:us-east-1:000000000000:function:loop";
constexpr std::string_view kOther = "arn:aws:lambda:us-east-1:000000000000:function:other";

TEST(LineageTest, IdIgnoresTheQualifier) {
  EXPECT_EQ(LineageId(kArn), LineageId(std::string(kArn) + ":7"));
  EXPECT_EQ(LineageId(kArn), LineageId(std::string(kArn) + ":$LATEST"));
  EXPECT_NE(LineageId(kArn), LineageId(kOther));
  EXPECT_EQ(LineageId(kArn).size(), 8u);
}

TEST(LineageTest, AnEmptyTraceStartsATraceAtOne) {
  LineageStep step = ContinueLineage("", kArn);
  EXPECT_EQ(step.count, 1);
  EXPECT_EQ(step.header.rfind("Root=1-", 0), 0u) << step.header;
  EXPECT_NE(step.header.find(";Lineage=" + LineageId(kArn) + ":1"), std::string::npos);
}

TEST(LineageTest, EachHopRaisesTheFunctionsCountAndKeepsTheRest) {
  const std::string trace =
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;"
      "Sampled=1;Lineage=abcdef01:3|" +
      LineageId(kArn) + ":5";
  LineageStep step = ContinueLineage(trace, kArn);
  EXPECT_EQ(step.count, 6);
  EXPECT_EQ(step.header,
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;"
            "Lineage=abcdef01:3|" +
                LineageId(kArn) + ":6");
  LineageStep other = ContinueLineage(step.header, kOther);
  EXPECT_EQ(other.count, 1);
  EXPECT_NE(other.header.find(LineageId(kArn) + ":6|" + LineageId(kOther) + ":1"),
            std::string::npos);
}

TEST(LineageTest, SixteenHopsThenTheSeventeenthCountsPastTheLimit) {
  std::string trace = "Root=1-5759e988-bd862e3fe1be46a994272793";
  for (int i = 1; i <= kMaxChainInvocations; ++i) {
    LineageStep step = ContinueLineage(trace, kArn);
    EXPECT_EQ(step.count, i);
    trace = step.header;
  }
  EXPECT_GT(ContinueLineage(trace, kArn).count, kMaxChainInvocations);
}

TEST(LineageTest, ReadsBotocoresPercentEncodedHeader) {
  const std::string trace =
      "Root=1-5759e988-bd862e3fe1be46a994272793;Lineage=abcdef01:3%7C" + LineageId(kArn) + ":9";
  EXPECT_EQ(ContinueLineage(trace, kArn).count, 10);
}

TEST(LineageTest, BrokenEntriesAndControlCharactersAreDropped) {
  LineageStep step = ContinueLineage(
      "Root=1-5759e988-bd862e3fe1be46a994272793;Lineage=:4|x:y|z:-1|w:99999999999%0D%0AX: 1", kArn);
  EXPECT_EQ(step.count, 1);
  EXPECT_EQ(step.header.find('\r'), std::string::npos);
  EXPECT_EQ(step.header.find('\n'), std::string::npos);
}

TEST(LineageTest, AHeaderWithoutRootGetsOne) {
  LineageStep step = ContinueLineage("Sampled=0", kArn);
  EXPECT_EQ(step.header.rfind("Root=1-", 0), 0u);
  EXPECT_NE(step.header.find(";Sampled=0;Lineage="), std::string::npos);
}

}  // namespace
}  // namespace tidepool::lambda
