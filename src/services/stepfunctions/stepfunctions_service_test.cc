// StepFunctionsService through the real model's codec: a MemoryStore, a CommitQueue, a
// FakeClock with fake timers, a fake TaskRunner and an io_context run by one thread.
#include "services/stepfunctions/stepfunctions_service.h"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <future>
#include <map>
#include <thread>

#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"
#include "storage/commit_queue.h"
#include "storage/memory_store.h"

namespace tidepool::sfn {
namespace {

namespace json = boost::json;

class FakeTimers final : public TimerService {
 public:
  void At(int64_t deadline, std::function<void()> fn) override {
    std::lock_guard lock(mu_);
    timers_.emplace(deadline, std::move(fn));
  }
  // Runs every timer due at `now`.
  void FireDue(int64_t now) {
    while (true) {
      std::function<void()> fn;
      {
        std::lock_guard lock(mu_);
        if (timers_.empty() || timers_.begin()->first > now) return;
        fn = std::move(timers_.begin()->second);
        timers_.erase(timers_.begin());
      }
      fn();
    }
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return timers_.size();
  }
  void Clear() {
    std::lock_guard lock(mu_);
    timers_.clear();
  }

 private:
  std::mutex mu_;
  std::multimap<int64_t, std::function<void()>> timers_;
};

class FakeTasks final : public TaskRunner {
 public:
  void Run(TaskRequest request, std::function<void(asl::TaskResult)> done) override {
    std::lock_guard lock(mu_);
    requests.push_back(request);
    if (request.resource.ends_with(":fail")) {
      done({false, nullptr, {"SQS.QueueDoesNotExistException", "gone"}});
    } else {
      done({true, json::object{{"echo", request.input}}, {}});
    }
  }
  std::mutex mu_;
  std::vector<TaskRequest> requests;
};

class Harness {
 public:
  Harness() : work_(io_.get_executor()) {
    thread_ = std::thread([this] { io_.run(); });
    Start();
  }
  ~Harness() {
    Stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  void Restart() {
    Stop();
    timers_.Clear();
    Start();
  }

  protocol::Outcome Invoke(std::string_view operation, std::string_view body) {
    const auto* op = protocol::model::StepFunctionsModel().FindOperation(operation);
    EXPECT_NE(op, nullptr) << operation;
    auto promise = std::make_shared<std::promise<protocol::Outcome>>();
    auto future = promise->get_future();
    protocol::RequestContext ctx{"123456789012", "us-east-1", "", "req-1", "localhost"};
    auto call = protocol::json_codec::MakeCall(
        *service_, *op, std::string(body), std::move(ctx),
        [promise](protocol::Outcome o) { promise->set_value(std::move(o)); });
    if (call) service_->Invoke(std::move(call));
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << operation << " did not complete";
      return protocol::AwsError{"Timeout", "", 500, false, {}};
    }
    return future.get();
  }
  json::object Ok(std::string_view operation, std::string_view body) {
    auto o = Invoke(operation, body);
    if (auto* e = std::get_if<protocol::AwsError>(&o)) {
      ADD_FAILURE() << operation << " -> " << e->code << ": " << e->message;
      return {};
    }
    return std::get<json::object>(std::move(o));
  }
  protocol::AwsError Err(std::string_view operation, std::string_view body) {
    auto o = Invoke(operation, body);
    if (auto* e = std::get_if<protocol::AwsError>(&o)) return *e;
    ADD_FAILURE() << operation << " succeeded";
    return {};
  }
  std::string CreateMachine(std::string_view name, std::string_view definition,
                            std::string_view type = "STANDARD") {
    auto out = Ok("CreateStateMachine",
                  json::serialize(json::object{{"name", name},
                                               {"definition", definition},
                                               {"roleArn", "arn:aws:iam::123456789012:role/r"},
                                               {"type", type}}));
    return std::string(out["stateMachineArn"].as_string());
  }
  std::string Start(std::string_view machine, std::string_view name, std::string_view input) {
    auto out =
        Ok("StartExecution", json::serialize(json::object{
                                 {"stateMachineArn", machine}, {"name", name}, {"input", input}}));
    return std::string(out["executionArn"].as_string());
  }
  json::object Describe(std::string_view arn) {
    return Ok("DescribeExecution", json::serialize(json::object{{"executionArn", arn}}));
  }
  // Waits (real time, briefly) until the execution leaves RUNNING or `want` is reached.
  std::string WaitStatus(std::string_view arn, std::string_view want = "") {
    for (int i = 0; i < 500; ++i) {
      auto d = Describe(arn);
      std::string status(d["status"].as_string());
      if ((want.empty() && status != "RUNNING") || status == want) return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return "RUNNING";
  }
  void Advance(double seconds) {
    commits_->Flush();
    clock_.AdvanceSeconds(seconds);
    timers_.FireDue(clock_.NowMicros());
  }
  std::vector<std::string> HistoryTypes(std::string_view arn) {
    commits_->Flush();
    auto h = Ok("GetExecutionHistory",
                json::serialize(json::object{{"executionArn", arn}, {"maxResults", 1000}}));
    std::vector<std::string> out;
    for (const auto& e : h["events"].as_array()) out.emplace_back(e.at("type").as_string());
    return out;
  }

  FakeTasks& tasks() { return tasks_; }
  FakeTimers& timers() { return timers_; }
  FakeClock& clock() { return clock_; }

 private:
  void Start() {
    commits_ = std::make_unique<storage::CommitQueue>(store_, storage::Durability::kMemory);
    service_ = std::make_unique<StepFunctionsService>(store_, *commits_, clock_, io_, timers_,
                                                      &tasks_, StepFunctionsOptions{});
    Status st = service_->Recover();
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  void Stop() {
    if (commits_) commits_->Flush();
    // Let posted work finish before the service goes away.
    std::promise<void> drained;
    boost::asio::post(io_, [&] { drained.set_value(); });
    drained.get_future().wait();
    service_.reset();
    if (commits_) commits_->Stop();
    commits_.reset();
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
  storage::MemoryStore store_;
  FakeClock clock_;
  FakeTimers timers_;
  FakeTasks tasks_;
  std::unique_ptr<storage::CommitQueue> commits_;
  std::unique_ptr<StepFunctionsService> service_;
};

constexpr const char* kPass = R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})";
constexpr const char* kWait =
    R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"Next":"T"},
        "T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}})";

TEST(StepFunctionsServiceTest, StateMachineLifecycle) {
  Harness h;
  std::string arn = h.CreateMachine("m1", kPass);
  EXPECT_EQ(arn, "arn:aws:states:us-east-1:123456789012:stateMachine:m1");
  // Same definition: idempotent; another definition: StateMachineAlreadyExists.
  EXPECT_EQ(h.CreateMachine("m1", kPass), arn);
  auto dup = h.Err(
      "CreateStateMachine",
      R"({"name":"m1","definition":"{\"StartAt\":\"B\",\"States\":{\"B\":{\"Type\":\"Succeed\"}}}","roleArn":"arn:aws:iam::1:role/r"})");
  EXPECT_EQ(dup.code, "StateMachineAlreadyExists");
  auto d = h.Ok("DescribeStateMachine", fmt::format(R"({{"stateMachineArn":"{}"}})", arn));
  EXPECT_EQ(d["name"], "m1");
  EXPECT_EQ(d["type"], "STANDARD");
  EXPECT_EQ(d["status"], "ACTIVE");
  auto bad = h.Err(
      "CreateStateMachine",
      R"({"name":"m2","definition":"{\"StartAt\":\"X\",\"States\":{}}","roleArn":"arn:aws:iam::1:role/r"})");
  EXPECT_EQ(bad.code, "InvalidDefinition");
  EXPECT_EQ(bad.message,
            "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'StartAt' "
            "target: X at /StartAt'");
  EXPECT_EQ(h.Err("CreateStateMachine",
                  R"({"name":"a b","definition":"{}","roleArn":"arn:aws:iam::1:role/r"})")
                .code,
            "InvalidName");
  h.CreateMachine("m0", kPass);
  auto page = h.Ok("ListStateMachines", R"({"maxResults":1})");
  ASSERT_EQ(page["stateMachines"].as_array().size(), 1u);
  EXPECT_EQ(page["stateMachines"].as_array()[0].at("name"), "m0");
  auto page2 =
      h.Ok("ListStateMachines", fmt::format(R"({{"maxResults":1,"nextToken":"{}"}})",
                                            std::string_view(page["nextToken"].as_string())));
  EXPECT_EQ(page2["stateMachines"].as_array()[0].at("name"), "m1");
  EXPECT_FALSE(page2.contains("nextToken"));
  h.Ok("UpdateStateMachine", fmt::format(R"({{"stateMachineArn":"{}","definition":{}}})", arn,
                                         json::serialize(json::string(kWait))));
  d = h.Ok("DescribeStateMachine", fmt::format(R"({{"stateMachineArn":"{}"}})", arn));
  EXPECT_EQ(d["definition"], kWait);
  h.Ok("TagResource",
       fmt::format(R"({{"resourceArn":"{}","tags":[{{"key":"k","value":"v"}}]}})", arn));
  auto tags = h.Ok("ListTagsForResource", fmt::format(R"({{"resourceArn":"{}"}})", arn));
  EXPECT_EQ(tags["tags"].as_array().size(), 1u);
  h.Ok("UntagResource", fmt::format(R"({{"resourceArn":"{}","tagKeys":["k"]}})", arn));
  tags = h.Ok("ListTagsForResource", fmt::format(R"({{"resourceArn":"{}"}})", arn));
  EXPECT_EQ(tags["tags"].as_array().size(), 0u);
  h.Ok("DeleteStateMachine", fmt::format(R"({{"stateMachineArn":"{}"}})", arn));
  EXPECT_EQ(h.Err("DescribeStateMachine", fmt::format(R"({{"stateMachineArn":"{}"}})", arn)).code,
            "StateMachineDoesNotExist");
  EXPECT_EQ(h.Err("DescribeStateMachine", R"({"stateMachineArn":"nope"})").code, "InvalidArn");
}

TEST(StepFunctionsServiceTest, ValidateStateMachineDefinition) {
  Harness h;
  auto ok = h.Ok("ValidateStateMachineDefinition",
                 fmt::format(R"({{"definition":{}}})", json::serialize(json::string(kPass))));
  EXPECT_EQ(ok["result"], "OK");
  auto fail = h.Ok("ValidateStateMachineDefinition", R"({"definition":"{\"States\":{}}"})");
  EXPECT_EQ(fail["result"], "FAIL");
  ASSERT_FALSE(fail["diagnostics"].as_array().empty());
  EXPECT_EQ(fail["diagnostics"].as_array()[0].at("code"), "SCHEMA_VALIDATION_FAILED");
}

TEST(StepFunctionsServiceTest, ExecutionIdempotencyAndHistory) {
  Harness h;
  std::string m = h.CreateMachine("m", kPass);
  std::string e = h.Start(m, "e1", R"({"a":1})");
  EXPECT_EQ(h.WaitStatus(e), "SUCCEEDED");
  auto d = h.Describe(e);
  EXPECT_EQ(d["output"], R"({"a":1})");
  // Finished: the same name is refused even with the same input.
  EXPECT_EQ(h.Err("StartExecution",
                  fmt::format(R"({{"stateMachineArn":"{}","name":"e1","input":"{{\"a\":1}}"}})", m))
                .code,
            "ExecutionAlreadyExists");
  EXPECT_EQ(h.HistoryTypes(e), (std::vector<std::string>{"ExecutionStarted", "PassStateEntered",
                                                         "PassStateExited", "ExecutionSucceeded"}));
  auto rev = h.Ok("GetExecutionHistory",
                  fmt::format(R"({{"executionArn":"{}","reverseOrder":true,"maxResults":2,
                                  "includeExecutionData":false}})",
                              e));
  ASSERT_EQ(rev["events"].as_array().size(), 2u);
  EXPECT_EQ(rev["events"].as_array()[0].at("type"), "ExecutionSucceeded");
  EXPECT_FALSE(rev["events"]
                   .as_array()[0]
                   .at("executionSucceededEventDetails")
                   .as_object()
                   .contains("output"));
  EXPECT_TRUE(rev.contains("nextToken"));
  EXPECT_EQ(
      h.Err("StartExecution", fmt::format(R"({{"stateMachineArn":"{}","input":"{{"}})", m)).code,
      "InvalidExecutionInput");
  EXPECT_EQ(h.Err("DescribeExecution",
                  R"({"executionArn":"arn:aws:states:us-east-1:123456789012:execution:m:zz"})")
                .code,
            "ExecutionDoesNotExist");
}

TEST(StepFunctionsServiceTest, RunningExecutionIsIdempotentAndStoppable) {
  Harness h;
  std::string m = h.CreateMachine("m", kWait);
  std::string e = h.Start(m, "e1", "{}");
  EXPECT_EQ(h.Start(m, "e1", "{}"), e);
  EXPECT_EQ(h.Err("StartExecution",
                  fmt::format(R"({{"stateMachineArn":"{}","name":"e1","input":"[]"}})", m))
                .code,
            "ExecutionAlreadyExists");
  auto list = h.Ok("ListExecutions",
                   fmt::format(R"({{"stateMachineArn":"{}","statusFilter":"RUNNING"}})", m));
  EXPECT_EQ(list["executions"].as_array().size(), 1u);
  h.Ok("StopExecution", fmt::format(R"({{"executionArn":"{}","error":"E","cause":"C"}})", e));
  auto d = h.Describe(e);
  EXPECT_EQ(d["status"], "ABORTED");
  EXPECT_EQ(d["error"], "E");
  list = h.Ok("ListExecutions",
              fmt::format(R"({{"stateMachineArn":"{}","statusFilter":"RUNNING"}})", m));
  EXPECT_EQ(list["executions"].as_array().size(), 0u);
}

TEST(StepFunctionsServiceTest, WaitAndTaskRunThroughTimersAndTheRunner) {
  Harness h;
  std::string m = h.CreateMachine("m", kWait);
  std::string e = h.Start(m, "e1", R"({"x":1})");
  h.Advance(59);
  EXPECT_EQ(h.Describe(e)["status"], "RUNNING");
  h.Advance(1);
  EXPECT_EQ(h.WaitStatus(e), "SUCCEEDED");
  EXPECT_EQ(h.Describe(e)["output"], R"({"echo":{"x":1}})");
  ASSERT_EQ(h.tasks().requests.size(), 1u);
  EXPECT_EQ(h.tasks().requests[0].resource, "arn:aws:states:::sqs:sendMessage");
}

TEST(StepFunctionsServiceTest, RestartResumesAWaitWithItsRemainingTime) {
  Harness h;
  std::string m = h.CreateMachine("m", kWait);
  std::string e = h.Start(m, "e1", "{}");
  h.Advance(20);
  h.Restart();
  ASSERT_EQ(h.timers().size(), 1u);
  EXPECT_EQ(h.Describe(e)["status"], "RUNNING");
  h.Advance(39);
  EXPECT_EQ(h.Describe(e)["status"], "RUNNING");
  h.Advance(1);
  EXPECT_EQ(h.WaitStatus(e), "SUCCEEDED");
  EXPECT_EQ(h.tasks().requests.size(), 1u);
  auto types = h.HistoryTypes(e);
  EXPECT_EQ(std::count(types.begin(), types.end(), "WaitStateEntered"), 1);
}

TEST(StepFunctionsServiceTest, StartSyncExecutionForExpress) {
  Harness h;
  std::string std_m = h.CreateMachine("std", kPass);
  EXPECT_EQ(h.Err("StartSyncExecution", fmt::format(R"({{"stateMachineArn":"{}"}})", std_m)).code,
            "StateMachineTypeNotSupported");
  std::string m = h.CreateMachine("ex", R"({"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:states:::sqs:fail","End":true}}})",
                                  "EXPRESS");
  auto out =
      h.Ok("StartSyncExecution", fmt::format(R"({{"stateMachineArn":"{}","input":"{{}}"}})", m));
  EXPECT_EQ(out["status"], "FAILED");
  EXPECT_EQ(out["error"], "SQS.QueueDoesNotExistException");
  EXPECT_TRUE(out["executionArn"].as_string().starts_with(
      "arn:aws:states:us-east-1:123456789012:express:ex:"));
  std::string pm = h.CreateMachine("exp", kPass, "EXPRESS");
  out = h.Ok("StartSyncExecution", fmt::format(R"({{"stateMachineArn":"{}","input":"[1]"}})", pm));
  EXPECT_EQ(out["status"], "SUCCEEDED");
  EXPECT_EQ(out["output"], "[1]");
}

TEST(StepFunctionsServiceTest, ActivitiesAndTaskTokens) {
  Harness h;
  auto a = h.Ok("CreateActivity", R"({"name":"work"})");
  std::string activity(a["activityArn"].as_string());
  EXPECT_EQ(activity, "arn:aws:states:us-east-1:123456789012:activity:work");
  std::string m =
      h.CreateMachine("m", fmt::format(R"({{"StartAt":"A","States":{{"A":{{"Type":"Task",
      "Resource":"{}","HeartbeatSeconds":10,"End":true}}}}}})",
                                       activity));
  std::string e = h.Start(m, "e1", R"({"job":7})");
  auto task =
      h.Ok("GetActivityTask", fmt::format(R"({{"activityArn":"{}","workerName":"w1"}})", activity));
  ASSERT_TRUE(task.contains("taskToken"));
  EXPECT_EQ(task["input"], R"({"job":7})");
  std::string token(task["taskToken"].as_string());
  h.Ok("SendTaskHeartbeat", fmt::format(R"({{"taskToken":"{}"}})", token));
  EXPECT_EQ(h.Err("SendTaskSuccess", R"({"taskToken":"garbage","output":"{}"})").code,
            "InvalidToken");
  h.Ok("SendTaskSuccess",
       fmt::format(R"({{"taskToken":"{}","output":"{{\"done\":true}}"}})", token));
  EXPECT_EQ(h.WaitStatus(e), "SUCCEEDED");
  EXPECT_EQ(h.Describe(e)["output"], R"({"done":true})");
  EXPECT_EQ(
      h.Err("SendTaskSuccess", fmt::format(R"({{"taskToken":"{}","output":"{{}}"}})", token)).code,
      "TaskTimedOut");
  auto types = h.HistoryTypes(e);
  EXPECT_EQ(types,
            (std::vector<std::string>{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                                      "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
                                      "ExecutionSucceeded"}));
  // A second execution whose worker fails the task.
  std::string e2 = h.Start(m, "e2", "{}");
  task = h.Ok("GetActivityTask", fmt::format(R"({{"activityArn":"{}"}})", activity));
  h.Ok("SendTaskFailure", fmt::format(R"({{"taskToken":"{}","error":"Worker.Err","cause":"c"}})",
                                      std::string_view(task["taskToken"].as_string())));
  EXPECT_EQ(h.WaitStatus(e2), "FAILED");
  EXPECT_EQ(h.Describe(e2)["error"], "Worker.Err");
}

TEST(StepFunctionsServiceTest, WaitForTaskTokenThroughTheRunner) {
  Harness h;
  std::string m = h.CreateMachine("m", R"({"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
      "Parameters":{"MessageBody.$":"$$.Task.Token"},"End":true}}})");
  std::string e = h.Start(m, "e1", "{}");
  for (int i = 0; i < 500 && h.tasks().requests.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(h.tasks().requests.size(), 1u);
  const auto& req = h.tasks().requests[0];
  EXPECT_EQ(req.resource, "arn:aws:states:::sqs:sendMessage");
  EXPECT_EQ(h.Describe(e)["status"], "RUNNING");
  std::string token(req.input.at("MessageBody").as_string());
  h.Ok("SendTaskSuccess", fmt::format(R"({{"taskToken":"{}","output":"42"}})", token));
  EXPECT_EQ(h.WaitStatus(e), "SUCCEEDED");
  EXPECT_EQ(h.Describe(e)["output"], "42");
}

}  // namespace
}  // namespace tidepool::sfn
