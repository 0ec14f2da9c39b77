#include "services/stepfunctions/asl/execution.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "services/stepfunctions/asl/asl_test_driver.h"

namespace tidepool::sfn::asl {
namespace {

namespace json = boost::json;
using testing::Driver;
using testing::Err;
using testing::Ok;

using Types = std::vector<std::string>;

TEST(ExecutionTest, PassChainHistoryAsAwsWritesIt) {
  Driver d(R"({"StartAt":"A","States":{
      "A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","Next":"B"},
      "B":{"Type":"Pass","Parameters":{"v.$":"$.r.x","c":"k","n.$":"$$.Execution.Name"},
           "OutputPath":"$","End":true}}})");
  EXPECT_EQ(d.Run(R"({"in":true})"), ExecutionStatus::kSucceeded);
  EXPECT_EQ(d.Output(), json::parse(R"({"v":1,"c":"k","n":"e"})"));
  EXPECT_EQ(d.Types(), (Types{"ExecutionStarted", "PassStateEntered", "PassStateExited",
                              "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}));
  const auto& ev = d.events();
  for (size_t i = 0; i < ev.size(); ++i) EXPECT_EQ(ev[i].at("id").as_int64(), int64_t(i + 1));
  EXPECT_EQ(ev[0].at("previousEventId").as_int64(), 0);
  EXPECT_EQ(ev[1].at("previousEventId").as_int64(), 0);
  EXPECT_EQ(ev[2].at("previousEventId").as_int64(), 2);
  EXPECT_EQ(ev[5].at("previousEventId").as_int64(), 5);
  EXPECT_EQ(ev[1].at("stateEnteredEventDetails").at("input").as_string(), R"({"in":true})");
  EXPECT_EQ(ev[2].at("stateExitedEventDetails").at("output").as_string(),
            R"({"in":true,"r":{"x":1}})");
}

TEST(ExecutionTest, HistoryLimitFailsTheExecutionAtEvent25000) {
  // A Pass state that loops to itself writes two events a turn until the quota: event
  // 25,000 is ExecutionFailed with States.Runtime (AWS's "Avoid reaching the history quota").
  Driver d(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A"}}})");
  EXPECT_EQ(d.Run("{}"), ExecutionStatus::kFailed);
  EXPECT_EQ(d.exec().failure().error, "States.Runtime");
  ASSERT_EQ(d.events().size(), 25000u);
  EXPECT_EQ(d.events().back().at("type").as_string(), "ExecutionFailed");
  EXPECT_EQ(d.events().back().at("id").as_int64(), 25000);
}

TEST(ExecutionTest, InputPathOutputPathAndNullResultPath) {
  Driver d(R"({"StartAt":"A","States":{
      "A":{"Type":"Pass","InputPath":"$.a","Result":"dropped","ResultPath":null,
           "OutputPath":"$.a.b","End":true}}})");
  EXPECT_EQ(d.Run(R"({"a":{"b":[1,2]}})"), ExecutionStatus::kSucceeded);
  EXPECT_EQ(d.Output(), json::parse("[1,2]"));
}

TEST(ExecutionTest, MissingInputPathIsARuntimeErrorNotCaughtByStatesAll) {
  Driver d(R"({"StartAt":"A","States":{
      "A":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","InputPath":"$.nope",
           "Catch":[{"ErrorEquals":["States.ALL"],"Next":"B"}],"End":true},
      "B":{"Type":"Succeed"}}})");
  EXPECT_EQ(d.Run("{}", [](const TaskDispatch&) { return Ok(1); }), ExecutionStatus::kFailed);
  EXPECT_EQ(d.exec().failure().error, "States.Runtime");
}

TEST(ExecutionTest, ChoiceOperators) {
  const char* def = R"({"StartAt":"C","States":{
      "C":{"Type":"Choice","Choices":[
        {"And":[{"Variable":"$.n","NumericGreaterThanEquals":10},
                {"Variable":"$.n","NumericLessThan":20}],"Next":"Teens"},
        {"Variable":"$.s","StringMatches":"log-*.txt","Next":"Log"},
        {"Not":{"Variable":"$.b","IsPresent":true},"Next":"NoB"},
        {"Variable":"$.t","TimestampGreaterThanPath":"$.t0","Next":"Later"},
        {"Or":[{"Variable":"$.b","BooleanEquals":true},{"Variable":"$.b","IsNull":true}],
         "Next":"TrueOrNull"}],
       "Default":"Other"},
      "Teens":{"Type":"Pass","Result":"teens","End":true},
      "Log":{"Type":"Pass","Result":"log","End":true},
      "NoB":{"Type":"Pass","Result":"nob","End":true},
      "Later":{"Type":"Pass","Result":"later","End":true},
      "TrueOrNull":{"Type":"Pass","Result":"ton","End":true},
      "Other":{"Type":"Pass","Result":"other","End":true}}})";
  auto run = [&](const char* input) {
    Driver d(def);
    d.Run(input);
    return d.Output();
  };
  EXPECT_EQ(run(R"({"n":15,"b":1})"), "teens");
  EXPECT_EQ(run(R"({"n":25,"s":"log-1.txt","b":1})"), "log");
  EXPECT_EQ(run(R"({"n":25,"s":"x"})"), "nob");
  EXPECT_EQ(run(R"({"n":1,"s":"x","b":1,"t":"2020-01-02T00:00:00Z","t0":"2020-01-01T00:00:00Z"})"),
            "later");
  EXPECT_EQ(
      run(R"({"n":1,"s":"x","b":null,"t":"2019-01-02T00:00:00Z","t0":"2020-01-01T00:00:00Z"})"),
      "ton");
  EXPECT_EQ(
      run(R"({"n":1,"s":"x","b":false,"t":"2019-01-02T00:00:00Z","t0":"2020-01-01T00:00:00Z"})"),
      "other");
}

TEST(ExecutionTest, ChoiceWithoutMatchFailsWithNoChoiceMatched) {
  Driver d(R"({"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
      {"Variable":"$.x","StringEquals":"a","Next":"S"}]},"S":{"Type":"Succeed"}}})");
  EXPECT_EQ(d.Run(R"({"x":"b"})"), ExecutionStatus::kFailed);
  EXPECT_EQ(d.exec().failure().error, "States.NoChoiceMatched");
}

TEST(ExecutionTest, WaitSecondsUsesTheTimeScale) {
  Driver d(R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}})", 0.5);
  int64_t start = d.now();
  EXPECT_EQ(d.Run("{}"), ExecutionStatus::kSucceeded);
  EXPECT_EQ(d.now() - start, 5'000'000);
  EXPECT_EQ(d.Types(), (Types{"ExecutionStarted", "WaitStateEntered", "WaitStateExited",
                              "ExecutionSucceeded"}));
}

TEST(ExecutionTest, WaitTimestampPathAndSecondsPath) {
  Driver d(R"({"StartAt":"W","States":{
      "W":{"Type":"Wait","TimestampPath":"$.until","Next":"V"},
      "V":{"Type":"Wait","SecondsPath":"$.s","End":true}}})");
  int64_t start = d.now();
  EXPECT_EQ(d.Run(R"({"until":"2023-11-14T22:13:40Z","s":3})"), ExecutionStatus::kSucceeded);
  // 1'700'000'000 s is 2023-11-14T22:13:20Z: 20 s, then 3 s.
  EXPECT_EQ(d.now() - start, 23'000'000);
}

// Seed 000's CheckCountry: Retry States.ALL (1 s, x2, 2 attempts) before Catch.
constexpr const char* kCheckCountry = R"({"StartAt":"CheckCountry","States":{
  "CheckCountry":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:check",
    "Next":"ValidOrderPutter",
    "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":1,"BackoffRate":2.0,"MaxAttempts":2}],
    "Catch":[{"ErrorEquals":["ErrInvalidCountryCode"],"ResultPath":"$.error","Next":"ErrorOrderPutter"},
             {"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Catcher"}]},
  "ValidOrderPutter":{"Type":"Pass","Result":"valid","ResultPath":"$.bucket","End":true},
  "ErrorOrderPutter":{"Type":"Pass","Result":"error","ResultPath":"$.bucket","End":true},
  "Catcher":{"Type":"Pass","Result":"orphan","ResultPath":"$.bucket","End":true}}})";

TEST(ExecutionTest, RetryBeforeCatchWithBackoff) {
  Driver d(kCheckCountry);
  std::vector<int64_t> times;
  int64_t start = d.now();
  EXPECT_EQ(d.Run(R"({"country_code":"FR"})",
                  [&](const TaskDispatch&) {
                    times.push_back(d.now() - start);
                    return Err("ErrInvalidCountryCode", "FR");
                  }),
            ExecutionStatus::kSucceeded);
  EXPECT_EQ(times, (std::vector<int64_t>{0, 1'000'000, 3'000'000}));
  EXPECT_EQ(d.Output().at("bucket"), "error");
  EXPECT_EQ(d.Output().at("error"),
            json::parse(R"({"Error":"ErrInvalidCountryCode","Cause":"FR"})"));
  EXPECT_EQ(d.Output().at("country_code"), "FR");
}

TEST(ExecutionTest, UnexpectedErrorGoesToTheCatchAll) {
  Driver d(kCheckCountry);
  EXPECT_EQ(d.Run(R"({"country_code":"PANIC"})",
                  [](const TaskDispatch&) { return Err("Lambda.Unknown", "boom"); }),
            ExecutionStatus::kSucceeded);
  EXPECT_EQ(d.Output().at("bucket"), "orphan");
  EXPECT_EQ(d.dispatched().size(), 3u);
}

TEST(ExecutionTest, CatcherThatCatchesIntoItselfEventuallySucceeds) {
  Driver d(R"({"StartAt":"Catcher","States":{"Catcher":{"Type":"Task",
      "Resource":"arn:aws:states:::aws-sdk:kinesis:putRecord","End":true,
      "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":2,"BackoffRate":2.0,"MaxAttempts":10}],
      "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Catcher"}]}}})");
  int calls = 0;
  int64_t start = d.now();
  EXPECT_EQ(d.Run(R"({"id":"1"})",
                  [&](const TaskDispatch&) {
                    return ++calls < 15 ? Err("Kinesis.ResourceNotFoundException")
                                        : Ok(json::parse(R"({"SequenceNumber":"1"})"));
                  }),
            ExecutionStatus::kSucceeded);
  EXPECT_EQ(calls, 15);
  // 2+4+...+1024 = 2046 s for the first 11 attempts, then 2+4+8 for the next round.
  EXPECT_EQ(d.now() - start, (2046 + 14) * 1'000'000LL);
  EXPECT_EQ(d.Output(), json::parse(R"({"SequenceNumber":"1"})"));
}

TEST(ExecutionTest, MaxDelayAndTaskFailedMatching) {
  Driver d(
      R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
      "Retry":[{"ErrorEquals":["States.Timeout"],"MaxAttempts":5},
               {"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":10,"BackoffRate":3,
                "MaxAttempts":3,"MaxDelaySeconds":20}],"End":true}}})");
  int64_t start = d.now();
  EXPECT_EQ(d.Run("{}", [](const TaskDispatch&) { return Err("SQS.QueueDoesNotExistException"); }),
            ExecutionStatus::kFailed);
  EXPECT_EQ(d.now() - start, (10 + 20 + 20) * 1'000'000LL);
  EXPECT_EQ(d.exec().failure().error, "SQS.QueueDoesNotExistException");
}

TEST(ExecutionTest, TaskEventsAndTimeout) {
  Driver d(R"({"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","TimeoutSeconds":5,
      "Parameters":{"MessageBody.$":"$$.Task.Token"},"End":true}}})");
  EXPECT_EQ(d.Run("{}", [](const TaskDispatch&) { return Ok(nullptr); }), ExecutionStatus::kFailed);
  EXPECT_EQ(d.exec().failure().error, "States.Timeout");
  EXPECT_EQ(d.Types(), (Types{"ExecutionStarted", "TaskStateEntered", "TaskScheduled",
                              "TaskStarted", "TaskTimedOut", "ExecutionFailed"}));
  ASSERT_EQ(d.waiting_tokens().size(), 1u);
  EXPECT_EQ(d.waiting_tokens()[0].input.at("MessageBody"),
            json::value(json::string(d.waiting_tokens()[0].task_token)));
  const auto& sched = d.events()[2].at("taskScheduledEventDetails").as_object();
  EXPECT_EQ(sched.at("resourceType"), "sqs");
  EXPECT_EQ(sched.at("resource"), "sendMessage.waitForTaskToken");
}

TEST(ExecutionTest, WaitForTaskTokenCompletesThroughOnTaskResult) {
  Driver d(R"({"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}})");
  EXPECT_EQ(d.Run("{}", [](const TaskDispatch&) { return Ok(nullptr); }),
            ExecutionStatus::kRunning);
  auto t = d.waiting_tokens().at(0);
  EXPECT_TRUE(d.exec().IsTaskPending(t.frame, t.epoch));
  d.Absorb(d.exec().OnTaskResult(t.frame, t.epoch, Ok(json::parse(R"({"ok":1})")), d.now()));
  EXPECT_EQ(d.exec().status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(d.Output(), json::parse(R"({"ok":1})"));
}

TEST(ExecutionTest, FailStateWithPaths) {
  Driver d(R"({"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e","CausePath":"$.c"}}})");
  EXPECT_EQ(d.Run(R"({"e":"MyError","c":"because"})"), ExecutionStatus::kFailed);
  EXPECT_EQ(d.exec().failure().error, "MyError");
  EXPECT_EQ(d.exec().failure().cause, "because");
  EXPECT_EQ(d.Types(), (Types{"ExecutionStarted", "FailStateEntered", "ExecutionFailed"}));
}

TEST(ExecutionTest, ParallelCollectsBranchOutputs) {
  Driver d(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
      "ResultSelector":{"first.$":"$[0]","second.$":"$[1].w"},
      "Branches":[
        {"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"End":true}}},
        {"StartAt":"B","States":{"B":{"Type":"Wait","Seconds":3,"Next":"C"},
                                 "C":{"Type":"Pass","Parameters":{"w.$":"$.in"},"End":true}}}]}}})");
  EXPECT_EQ(d.Run(R"({"in":"x"})"), ExecutionStatus::kSucceeded);
  EXPECT_EQ(d.Output(), json::parse(R"({"first":1,"second":"x"})"));
  auto types = d.Types();
  EXPECT_EQ(types[1], "ParallelStateEntered");
  EXPECT_EQ(types[2], "ParallelStateStarted");
  EXPECT_EQ(types[types.size() - 3], "ParallelStateSucceeded");
  EXPECT_EQ(types[types.size() - 2], "ParallelStateExited");
}

TEST(ExecutionTest, ParallelBranchFailureIsCaughtWithTheBranchError) {
  Driver d(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"Done",
      "Catch":[{"ErrorEquals":["Boom"],"Next":"Caught"}],
      "Branches":[
        {"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}},
        {"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"c"}}}]},
      "Done":{"Type":"Succeed"},"Caught":{"Type":"Pass","End":true}}})");
  EXPECT_EQ(d.Run("{}"), ExecutionStatus::kSucceeded);
  EXPECT_EQ(d.Output(), json::parse(R"({"Error":"Boom","Cause":"c"})"));
  EXPECT_LT(d.now() - 1'700'000'000'000'000, 100'000'000);  // the Wait branch was cancelled
}

TEST(ExecutionTest, MapWithItemSelectorAndMaxConcurrency) {
  Driver d(
      R"JSON({"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,
      "ItemSelector":{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value","k.$":"$.k"},
      "ItemProcessor":{"StartAt":"W","States":{
        "W":{"Type":"Wait","Seconds":1,"Next":"P"},
        "P":{"Type":"Pass","Parameters":{"s.$":"States.Format('{}-{}-{}', $.k, $.i, $.v)"},
             "OutputPath":"$.s","End":true}}},
      "ResultPath":"$.out","End":true}}})JSON");
  int64_t start = d.now();
  EXPECT_EQ(d.Run(R"({"k":"K","items":["a","b","c"]})"), ExecutionStatus::kSucceeded);
  EXPECT_EQ(d.Output().at("out"), json::parse(R"(["K-0-a","K-1-b","K-2-c"])"));
  EXPECT_EQ(d.now() - start, 2'000'000);  // two rounds of at most two iterations
  auto types = d.Types();
  EXPECT_EQ(std::count(types.begin(), types.end(), "MapIterationStarted"), 3);
  EXPECT_EQ(std::count(types.begin(), types.end(), "MapIterationSucceeded"), 3);
}

TEST(ExecutionTest, MapOfNothingAndMapIterationFailure) {
  Driver empty(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}})");
  EXPECT_EQ(empty.Run("[]"), ExecutionStatus::kSucceeded);
  EXPECT_EQ(empty.Output(), json::array());
  Driver d(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
      "ItemProcessor":{"StartAt":"C","States":{"C":{"Type":"Choice",
        "Choices":[{"Variable":"$","NumericEquals":2,"Next":"F"}],"Default":"P"},
        "F":{"Type":"Fail","Error":"Two"},"P":{"Type":"Pass","End":true}}}}}})");
  EXPECT_EQ(d.Run("[1,2,3]"), ExecutionStatus::kFailed);
  EXPECT_EQ(d.exec().failure().error, "Two");
  auto types = d.Types();
  EXPECT_NE(std::find(types.begin(), types.end(), "MapIterationFailed"), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), "MapStateFailed"), types.end());
}

TEST(ExecutionTest, MapItemSelectorFailureFailsTheExecution) {
  Driver d(R"({"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"End":true,
      "ItemSelector":{"i.$":"$$.Map.Nope"},
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}})");
  EXPECT_EQ(d.Run("[1,2,3]"), ExecutionStatus::kFailed);
  EXPECT_EQ(d.exec().failure().error, "States.Runtime");
}

TEST(ExecutionTest, ResultPathMatchFailureIsCatchable) {
  Driver d(
      R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
      "ResultPath":"$.a.b","Catch":[{"ErrorEquals":["States.ResultPathMatchFailure"],"Next":"S"}],
      "End":true},"S":{"Type":"Succeed"}}})");
  EXPECT_EQ(d.Run(R"({"a":"string"})", [](const TaskDispatch&) { return Ok(1); }),
            ExecutionStatus::kSucceeded);
  EXPECT_EQ(d.Output().at("Error"), "States.ResultPathMatchFailure");
}

TEST(ExecutionTest, ExecutionTimeout) {
  Driver d(
      R"({"TimeoutSeconds":5,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}})");
  EXPECT_EQ(d.Run("{}"), ExecutionStatus::kTimedOut);
  EXPECT_EQ(d.Types().back(), "ExecutionTimedOut");
}

TEST(ExecutionTest, StopAbortsWithErrorAndCause) {
  Driver d(R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}})");
  d.Run("{}", {}, 2);
  d.Absorb(d.exec().Stop("E", "C", d.now()));
  EXPECT_EQ(d.exec().status(), ExecutionStatus::kAborted);
  EXPECT_EQ(d.Types().back(), "ExecutionAborted");
}

TEST(ExecutionTest, RestoreResumesWaitWithItsDeadlineAndRunsNoStateTwice) {
  Driver d(R"({"StartAt":"A","States":{
      "A":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","Next":"W"},
      "W":{"Type":"Wait","Seconds":30,"Next":"B"},
      "B":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}})");
  int calls = 0;
  auto tasks = [&](const TaskDispatch& t) { return Ok(++calls); };
  int64_t start = d.now();
  d.Run("{}", tasks, 6);  // ... TaskStateExited(A), WaitStateEntered
  ASSERT_EQ(d.Types().back(), "WaitStateEntered");
  d.set_now(start + 10'000'000);
  d.Restart();
  ASSERT_EQ(d.timers().size(), 1u);
  EXPECT_EQ(d.timers().begin()->first, start + 30'000'000);
  d.Drain();
  EXPECT_EQ(d.exec().status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(d.now(), start + 30'000'000);
  // Event ids continue after the restore.
  const auto& ev = d.events();
  for (size_t i = 0; i < ev.size(); ++i) EXPECT_EQ(ev[i].at("id").as_int64(), int64_t(i + 1));
}

TEST(ExecutionTest, RestoreResumesRetryBackoffAndReinvokesInFlightTask) {
  Driver d(
      R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
      "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":100,"MaxAttempts":3}],"End":true}}})");
  int calls = 0;
  int64_t start = d.now();
  d.Run(
      "{}", [&](const TaskDispatch&) { return ++calls < 3 ? Err("X") : Ok("done"); }, 5);
  ASSERT_EQ(d.Types().back(), "TaskFailed");
  d.Restart();
  ASSERT_EQ(d.timers().size(), 1u);
  EXPECT_EQ(d.timers().begin()->first, start + 100'000'000);
  d.Drain();
  EXPECT_EQ(d.exec().status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(d.now(), start + 300'000'000);
}

TEST(ExecutionTest, OutputsOver256KiBFailWithDataLimitExceeded) {
  Driver d(
      R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
      "Catch":[{"ErrorEquals":["States.ALL"],"Next":"S"}],"End":true},"S":{"Type":"Succeed"}}})");
  std::string big(300'000, 'x');
  EXPECT_EQ(d.Run("{}", [&](const TaskDispatch&) { return Ok(json::string(big)); }),
            ExecutionStatus::kFailed);
  EXPECT_EQ(d.exec().failure().error, "States.DataLimitExceeded");
}

TEST(ExecutionTest, ActivityHeartbeatTimeoutAndHeartbeats) {
  const char* def = R"({"StartAt":"A","States":{"A":{"Type":"Task",
      "Resource":"arn:aws:states:us-east-1:1:activity:work","HeartbeatSeconds":10,
      "TimeoutSeconds":100,"End":true}}})";
  Driver silent(def);
  EXPECT_EQ(silent.Run("{}"), ExecutionStatus::kFailed);  // no worker ever heartbeats
  EXPECT_EQ(silent.exec().failure().error, "States.HeartbeatTimeout");
  EXPECT_FALSE(silent.waiting_tokens().at(0).task_token.empty());
  EXPECT_EQ(silent.Types(), (Types{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                                   "ActivityTimedOut", "ExecutionFailed"}));

  Driver beating(def);
  beating.Run("{}", {}, 3);
  ASSERT_EQ(beating.Types().back(), "ActivityScheduled");
  // A heartbeat every 8 s keeps the task alive until its 100 s timeout.
  for (int i = 0; i < 20 && beating.exec().running(); ++i) {
    beating.set_now(beating.now() + 8'000'000);
    Effects fx;
    beating.exec().OnHeartbeat(1, 1, beating.now(), &fx);
    while (!beating.timers().empty() && beating.timers().begin()->first <= beating.now()) {
      TimerRequest tr = beating.timers().begin()->second;
      beating.timers().erase(beating.timers().begin());
      beating.Absorb(beating.exec().OnTimer(tr.frame, tr.epoch, tr.kind, beating.now()));
    }
  }
  EXPECT_EQ(beating.exec().failure().error, "States.Timeout");
}

TEST(ExecutionTest, ResourceTypeAndName) {
  EXPECT_EQ(ResourceTypeAndName("arn:aws:states:::aws-sdk:sqs:sendMessage"),
            (std::pair<std::string, std::string>{"aws-sdk:sqs", "sendMessage"}));
  EXPECT_EQ(ResourceTypeAndName("arn:aws:states:::sns:publish"),
            (std::pair<std::string, std::string>{"sns", "publish"}));
  EXPECT_EQ(ResourceTypeAndName("arn:aws:lambda:us-east-1:1:function:f").first, "lambda");
}

}  // namespace
}  // namespace tidepool::sfn::asl
