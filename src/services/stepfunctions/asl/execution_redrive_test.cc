// Redrive of Parallel, inline Map and Distributed Map states: only what did not succeed runs
// again, from the state it stopped in; the rest keeps its output (AWS: "RedriveExecution ...
// reschedules and redrives only the iterations and branches that failed or aborted").
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>

#include "services/stepfunctions/asl/asl_test_driver.h"

namespace tidepool::sfn::asl {
namespace {

using testing::Driver;
using testing::Err;
using testing::Ok;
namespace json = boost::json;

int64_t Count(const std::vector<std::string>& types, std::string_view type) {
  return std::count(types.begin(), types.end(), type);
}

// Redrives the driver's stopped execution and runs it to its end.
ExecutionStatus RedriveAndDrain(Driver& d) {
  EXPECT_EQ(d.exec().NotRedrivableReason(), "");
  d.Absorb(d.exec().Redrive(d.now()));
  d.Drain();
  return d.exec().status();
}

// The names of the states entered since event `from`.
std::vector<std::string> EnteredSince(Driver& d, size_t from) {
  std::vector<std::string> names;
  for (size_t i = from; i < d.events().size(); ++i) {
    const json::object& e = d.events()[i];
    if (const auto* v = e.if_contains("stateEnteredEventDetails")) {
      names.emplace_back(v->at("name").as_string());
    }
  }
  return names;
}

TEST(ExecutionRedriveTest, ParallelRerunsOnlyTheFailedAndAbortedBranches) {
  Driver d(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"After",
      "Branches":[
        {"StartAt":"A","States":{"A":{"Type":"Pass","Result":"a","End":true}}},
        {"StartAt":"B0","States":{"B0":{"Type":"Pass","Next":"B"},
           "B":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}},
        {"StartAt":"C0","States":{"C0":{"Type":"Wait","Seconds":10,"Next":"C"},
           "C":{"Type":"Task","Resource":"arn:aws:states:::sns:publish","End":true}}}]},
      "After":{"Type":"Pass","End":true}}})");
  bool broken = true;
  int64_t calls = 0;
  auto tasks = [&](const TaskDispatch& t) {
    ++calls;
    if (t.state_name == "B" && broken) return Err("Boom", "first attempt");
    return Ok(json::value(t.state_name));
  };
  ASSERT_EQ(d.Run("{}", tasks), ExecutionStatus::kFailed);
  EXPECT_EQ(calls, 1);  // B failed while C0 waited: C was aborted before its Task
  broken = false;
  const size_t before = d.events().size();
  ASSERT_EQ(RedriveAndDrain(d), ExecutionStatus::kSucceeded);
  EXPECT_EQ(d.Output(), json::parse(R"(["a","B","C"])"));
  // A and B0 are not run again; B reruns from its Task, the aborted branch from its Wait.
  auto entered = EnteredSince(d, before);
  std::sort(entered.begin(), entered.end());
  EXPECT_EQ(entered, (std::vector<std::string>{"After", "B", "C", "C0"}));
  auto types = d.Types();
  EXPECT_EQ(types[before], "ExecutionRedriven");
  EXPECT_EQ(Count(types, "ParallelStateEntered"), 1);
  EXPECT_EQ(Count(types, "ParallelStateStarted"), 1);
  EXPECT_EQ(Count(types, "ParallelStateSucceeded"), 1);
  EXPECT_EQ(types.back(), "ExecutionSucceeded");
}

TEST(ExecutionRedriveTest, InlineMapRerunsOnlyUnsuccessfulIterationsAndStartsTheRest) {
  Driver d(R"({"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,"End":true,
      "ItemSelector":{"v.$":"$$.Map.Item.Value"},
      "ItemProcessor":{"StartAt":"T","States":{
        "T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}}}})");
  std::vector<int64_t> seen;
  bool broken = true;
  auto tasks = [&](const TaskDispatch& t) {
    const int64_t v = t.input.at("v").as_int64();
    seen.push_back(v);
    if (v == 20 && broken) return Err("Boom");
    return Ok(json::value(v + 1));
  };
  // Items 10 and 20 run first; 20 fails; 30 and 40 never start.
  ASSERT_EQ(d.Run("[10,20,30,40]", tasks), ExecutionStatus::kFailed);
  EXPECT_EQ(seen, (std::vector<int64_t>{10, 20}));
  d.Restart();  // drops the aborted iteration's task the driver still holds
  broken = false;
  seen.clear();
  const size_t before = d.events().size();
  ASSERT_EQ(RedriveAndDrain(d), ExecutionStatus::kSucceeded);
  EXPECT_EQ(seen, (std::vector<int64_t>{20, 30, 40}));
  EXPECT_EQ(d.Output(), json::parse("[11,21,31,41]"));
  const std::vector<std::string> all = d.Types();
  const std::vector<std::string> types(all.begin() + static_cast<int64_t>(before), all.end());
  EXPECT_EQ(Count(types, "MapIterationStarted"), 3);
  EXPECT_EQ(Count(types, "MapStateEntered"), 0);
  EXPECT_EQ(Count(types, "MapStateSucceeded"), 1);
}

TEST(ExecutionRedriveTest, NestedParallelInMapSurvivesARestartBeforeTheRedrive) {
  Driver d(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
        "Branches":[
          {"StartAt":"X","States":{"X":{"Type":"Task","Resource":"arn:aws:states:::sns:publish",
                                        "End":true}}},
          {"StartAt":"Y","States":{"Y":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
                                        "End":true}}}]}}}}}})");
  int64_t x_calls = 0, y_calls = 0;
  bool broken = true;
  auto tasks = [&](const TaskDispatch& t) {
    if (t.state_name == "X") {
      ++x_calls;
      return Ok(json::value("x"));
    }
    ++y_calls;
    if (broken && t.input.as_int64() == 2) return Err("Boom");
    return Ok(json::value("y"));
  };
  ASSERT_EQ(d.Run("[1,2]", tasks), ExecutionStatus::kFailed);
  const int64_t x_before = x_calls;
  d.Restart();  // the redrive point is in the snapshot
  EXPECT_EQ(d.exec().status(), ExecutionStatus::kFailed);
  broken = false;
  const int64_t y_before = y_calls;
  ASSERT_EQ(RedriveAndDrain(d), ExecutionStatus::kSucceeded);
  // Only item 2's Y branch runs again.
  EXPECT_EQ(x_calls, x_before);
  EXPECT_EQ(y_calls, y_before + 1);
  EXPECT_EQ(d.Output(), json::parse(R"([["x","y"],["x","y"]])"));
}

TEST(ExecutionRedriveTest, DataLimitExceededRerunsTheParallelWhole) {
  Driver d(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
      "Branches":[
        {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::sns:publish",
                                      "End":true}}},
        {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
                                      "End":true}}}]}}})");
  int64_t a_calls = 0;
  bool big = true;
  auto tasks = [&](const TaskDispatch& t) {
    if (t.state_name == "A") {
      ++a_calls;
      return Ok(json::value("a"));
    }
    return Ok(json::value(std::string(big ? 300000 : 1, 'b')));
  };
  ASSERT_EQ(d.Run("{}", tasks), ExecutionStatus::kFailed);
  EXPECT_EQ(d.exec().failure().error, "States.DataLimitExceeded");
  big = false;
  ASSERT_EQ(RedriveAndDrain(d), ExecutionStatus::kSucceeded);
  EXPECT_EQ(a_calls, 2);
  EXPECT_EQ(Count(d.Types(), "ParallelStateEntered"), 2);
}

TEST(ExecutionRedriveTest, DistributedMapRedrivesItsMapRun) {
  auto def = testing::MustParse(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
                       "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}})");
  Driver info("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}");
  Execution e(def, info.Info(), {});
  Effects fx = e.Start(json::parse("[1,2]"), 1);
  ASSERT_EQ(fx.map_runs.size(), 1u);
  const MapRunDispatch first = fx.map_runs[0];
  EXPECT_EQ(first.redrive_count, 0);
  e.OnMapRunResult(first.frame, first.epoch,
                   {false, nullptr, {"States.ExceedToleratedFailureThreshold", "too many"}}, 2);
  ASSERT_EQ(e.status(), ExecutionStatus::kFailed);
  fx = e.Redrive(3);
  ASSERT_EQ(fx.map_runs.size(), 1u);
  EXPECT_EQ(fx.map_runs[0].map_run_arn, first.map_run_arn);
  EXPECT_EQ(fx.map_runs[0].redrive_count, 1);
  ASSERT_EQ(fx.events.size(), 2u);
  EXPECT_EQ(fx.events[1].at("type").as_string(), "MapRunRedriven");
  EXPECT_EQ(fx.events[1].at("mapRunRedrivenEventDetails"),
            json::parse(R"({"mapRunArn":")" + first.map_run_arn + R"(","redriveCount":1})"));
  // After a restart the run is asked for the same redrive (the owner skips it if done).
  auto restored = Execution::Restore(def, info.Info(), {}, e.Snapshot());
  ASSERT_TRUE(restored.ok());
  Effects resumed = (*restored)->Resume(4);
  ASSERT_EQ(resumed.map_runs.size(), 1u);
  EXPECT_EQ(resumed.map_runs[0].redrive_count, 1);
  const MapRunDispatch second = resumed.map_runs[0];
  (*restored)->OnMapRunResult(second.frame, second.epoch, Ok(json::parse("[1,2]")), 5);
  EXPECT_EQ((*restored)->status(), ExecutionStatus::kSucceeded);
}

TEST(ExecutionRedriveTest, RuntimeErrorStartsANewMapRun) {
  auto def = testing::MustParse(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
                       "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}})");
  Driver info("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}");
  Execution e(def, info.Info(), {});
  Effects fx = e.Start(json::parse("[1]"), 1);
  ASSERT_EQ(fx.map_runs.size(), 1u);
  e.OnMapRunResult(fx.map_runs[0].frame, fx.map_runs[0].epoch,
                   {false, nullptr, {"States.Runtime", "bad path"}}, 2);
  ASSERT_EQ(e.status(), ExecutionStatus::kFailed);
  Effects again = e.Redrive(3);
  ASSERT_EQ(again.map_runs.size(), 1u);
  EXPECT_NE(again.map_runs[0].map_run_arn, fx.map_runs[0].map_run_arn);
  EXPECT_EQ(again.map_runs[0].redrive_count, 0);
}

}  // namespace
}  // namespace tidepool::sfn::asl
