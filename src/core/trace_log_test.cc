#include "core/trace_log.h"

#include <gtest/gtest.h>

namespace tidepool {
namespace {

TEST(TraceLog, IdIsTheHeadersRoot) {
  EXPECT_EQ(TraceLog::IdOf("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;"
                           "Sampled=1"),
            "1-5759e988-bd862e3fe1be46a994272793");
  EXPECT_EQ(TraceLog::IdOf("Parent=1; Root=1-a-b"), "1-a-b");
  EXPECT_EQ(TraceLog::IdOf("1-a-b"), "1-a-b");
}

TEST(TraceLog, TimelineHasTheTracesStampsInOrder) {
  TraceLog log;
  log.Stamp("Root=1-x-1;Parent=a", "kinesis.put", "s");
  log.Stamp("Root=1-y-2", "sqs.send", "q");
  log.Stamp("Root=1-x-1;Parent=b;Sampled=0", "lambda.start", "f");
  log.Stamp("", "ignored", "");
  auto t = log.Timeline("1-x-1");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].hop, "kinesis.put");
  EXPECT_EQ(t[1].hop, "lambda.start");
  EXPECT_LE(t[0].micros, t[1].micros);
  EXPECT_EQ(log.Timeline("Root=1-y-2;Parent=c").size(), 1u);
  EXPECT_TRUE(log.Timeline("1-z").empty());
}

TEST(TraceLog, RememberedAssociationsAreBounded) {
  TraceLog log;
  log.Remember("k0", "Root=1-a");
  EXPECT_EQ(log.Recall("k0"), "Root=1-a");
  EXPECT_EQ(log.Recall("nope"), "");
  for (size_t i = 1; i <= TraceLog::kMaxRemembered; ++i) log.Remember("k" + std::to_string(i), "h");
  EXPECT_EQ(log.Recall("k0"), "");  // the oldest went
  EXPECT_EQ(log.Recall("k1"), "h");
}

}  // namespace
}  // namespace tidepool
