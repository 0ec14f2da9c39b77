#include "services/lambda/durable/execution.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace tidepool::lambda::durable {
namespace {
namespace json = boost::json;

constexpr int64_t kNow = 1'700'000'000'000;

DurableExecution NewExecution() {
  json::object meta{{"DurableExecutionArn",
                     "arn:aws:lambda:us-east-1:000000000000:function:f:"
                     "$LATEST/durable-execution/n/i"},
                    {"DurableExecutionName", "n"},
                    {"ExecutionTimeout", 60}};
  return DurableExecution::Start(std::move(meta), "{\"a\":1}", kNow, 1.0);
}

json::array Updates(std::string_view text) { return json::parse(text).as_array(); }

std::string StatusOf(const json::array& ops, std::string_view id) {
  for (const auto& op : ops) {
    if (op.at("Id").as_string() == id) return std::string(op.at("Status").as_string());
  }
  return "";
}

TEST(DurableExecutionTest, StartsWithTheExecutionOperation) {
  DurableExecution e = NewExecution();
  std::string marker;
  json::array ops = e.OperationsPage(0, 10, &marker);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].at("Type").as_string(), "EXECUTION");
  EXPECT_EQ(ops[0].at("ExecutionDetails").at("InputPayload").as_string(), "{\"a\":1}");
  EXPECT_EQ(e.events()[0].at("EventType").as_string(), "ExecutionStarted");
  EXPECT_EQ(e.NextDue(), kNow + 60'000);
}

TEST(DurableExecutionTest, StepRetryBecomesReadyWhenDue) {
  DurableExecution e = NewExecution();
  ASSERT_TRUE(e.Apply(Updates(R"([{"Id":"s","Type":"STEP","Action":"START"}])"), kNow, 1.0).ok());
  ASSERT_TRUE(e.Apply(Updates(R"([{"Id":"s","Type":"STEP","Action":"RETRY",
                                   "StepOptions":{"NextAttemptDelaySeconds":5}}])"),
                      kNow, 1.0)
                  .ok());
  EXPECT_EQ(StatusOf(e.OperationsAfter(0), "s"), "PENDING");
  EXPECT_EQ(e.NextDue(), kNow + 5000);
  EXPECT_FALSE(e.FireDue(kNow + 4999));
  EXPECT_TRUE(e.FireDue(kNow + 5000));
  EXPECT_EQ(StatusOf(e.OperationsAfter(0), "s"), "READY");
  EXPECT_TRUE(e.wake());
  ASSERT_TRUE(e.Apply(Updates(R"([{"Id":"s","Type":"STEP","Action":"START"},
                                   {"Id":"s","Type":"STEP","Action":"SUCCEED","Payload":"7"}])"),
                      kNow + 5000, 1.0)
                  .ok());
  EXPECT_EQ(StatusOf(e.OperationsAfter(0), "s"), "SUCCEEDED");
}

TEST(DurableExecutionTest, WaitSucceedsAtItsScaledEnd) {
  DurableExecution e = NewExecution();
  const int64_t rev = e.rev();
  ASSERT_TRUE(e.Apply(Updates(R"([{"Id":"w","Type":"WAIT","Action":"START",
                                   "WaitOptions":{"WaitSeconds":10}}])"),
                      kNow, 0.01)
                  .ok());
  EXPECT_EQ(e.OperationsAfter(rev).size(), 1u);
  EXPECT_EQ(e.NextDue(), kNow + 100);
  EXPECT_TRUE(e.FireDue(kNow + 100));
  EXPECT_EQ(StatusOf(e.OperationsAfter(rev), "w"), "SUCCEEDED");
}

TEST(DurableExecutionTest, CallbacksCompleteOnceAndTimeOut) {
  DurableExecution e = NewExecution();
  ASSERT_TRUE(e.Apply(Updates(R"([{"Id":"c","Type":"CALLBACK","Action":"START",
                                   "CallbackOptions":{"TimeoutSeconds":3}},
                                  {"Id":"d","Type":"CALLBACK","Action":"START"}])"),
                      kNow, 1.0)
                  .ok());
  EXPECT_TRUE(e.CompleteCallback("d", true, "\"ok\"", {}, kNow).ok());
  EXPECT_FALSE(e.CompleteCallback("d", true, "\"again\"", {}, kNow).ok());
  EXPECT_TRUE(e.FireDue(kNow + 3000));
  EXPECT_EQ(StatusOf(e.OperationsAfter(0), "c"), "TIMED_OUT");
  EXPECT_FALSE(e.CompleteCallback("c", true, "1", {}, kNow + 3001).ok());
}

TEST(DurableExecutionTest, RefusesWhatItDoesNotRun) {
  DurableExecution e = NewExecution();
  EXPECT_FALSE(
      e.Apply(Updates(R"([{"Id":"x","Type":"CHAINED_INVOKE","Action":"START"}])"), kNow, 1.0)
          .ok());  // without ChainedInvokeOptions.FunctionName
  EXPECT_FALSE(
      e.Apply(Updates(R"([{"Id":"y","Type":"STEP","Action":"SUCCEED"}])"), kNow, 1.0).ok());
}

TEST(DurableExecutionTest, ChainedInvokesWaitForTheirOutcome) {
  DurableExecution e = NewExecution();
  ASSERT_TRUE(e.Apply(Updates(R"([{"Id":"i","Type":"CHAINED_INVOKE","Action":"START",
                                   "Payload":"{\"n\":1}",
                                   "ChainedInvokeOptions":{"FunctionName":"other"}}])"),
                      kNow, 1.0)
                  .ok());
  auto started = e.StartedChainedInvokes();
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].function, "other");
  EXPECT_EQ(started[0].payload, "{\"n\":1}");
  EXPECT_TRUE(e.CompleteChainedInvoke("i", true, "2", {}, kNow).ok());
  EXPECT_FALSE(e.CompleteChainedInvoke("i", true, "3", {}, kNow).ok());
  EXPECT_TRUE(e.StartedChainedInvokes().empty());
  EXPECT_EQ(StatusOf(e.OperationsAfter(0), "i"), "SUCCEEDED");
  EXPECT_TRUE(e.wake());
}

TEST(DurableExecutionTest, RoundTripsThroughItsStoredForm) {
  DurableExecution e = NewExecution();
  ASSERT_TRUE(e.Apply(Updates(R"([{"Id":"w","Type":"WAIT","Action":"START",
                                   "WaitOptions":{"WaitSeconds":1}}])"),
                      kNow, 1.0)
                  .ok());
  auto back = DurableExecution::Decode(e.Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->Encode(), e.Encode());
  EXPECT_EQ(back->NextDue(), kNow + 1000);
}

TEST(DurableExecutionTest, RefusesOrSurvivesBrokenRecords) {
  EXPECT_FALSE(DurableExecution::Decode("[]").ok());
  EXPECT_FALSE(DurableExecution::Decode(R"({"meta":{},"ops":[],"events":[]})").ok());
  EXPECT_FALSE(
      DurableExecution::Decode(R"({"meta":{},"ops":[{"Id":"w","Type":"WAIT"}],"events":[]})").ok());
  auto odd = DurableExecution::Decode(
      R"({"meta":{"Status":"RUNNING","Deadline":5},"events":[1,"x"],
          "ops":[{"Id":"e","Type":"EXECUTION"},
                 {"Id":"w","Type":"WAIT","Status":"STARTED","_due":3},
                 {"Id":"c","Type":"CALLBACK","Status":"STARTED","_timeout_at":1,
                  "CallbackDetails":7}]})");
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE(odd->FireDue(10));
  EXPECT_EQ(odd->status(), "TIMED_OUT");
}

TEST(DurableExecutionTest, TokensAndCallbackIdsRoundTrip) {
  auto t = DecodeCheckpointToken(EncodeCheckpointToken(3, 42));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->first, 3);
  EXPECT_EQ(t->second, 42);
  auto c = DecodeCallbackId(EncodeCallbackId("arn:x/durable-execution/n/i", "op"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->second, "op");
  EXPECT_FALSE(DecodeCheckpointToken("!!"));
}

}  // namespace
}  // namespace tidepool::lambda::durable
