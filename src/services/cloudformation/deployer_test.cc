#include "services/cloudformation/deployer.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <map>
#include <utility>

#include "services/cloudformation/providers/fake_caller.h"
#include "services/cloudformation/stack.h"
#include "services/cloudformation/template.h"

namespace tidepool::cloudformation {
namespace {
namespace json = boost::json;

// The directory as the deployer sees it: every save kept, exports from the saved stacks.
class FakeLedger final : public StackLedger {
 public:
  Status Save(const Stack& s) override {
    saved[s.id] = s;
    ++saves;
    return Status::Ok();
  }
  std::optional<std::pair<std::string, std::string>> FindExport(const std::string&,
                                                                const std::string&,
                                                                const std::string& name) override {
    auto it = exports.find(name);
    if (it == exports.end()) return std::nullopt;
    return std::pair{std::string("arn:exporter"), it->second};
  }
  std::vector<std::string> Importers(const std::string&, const std::string&,
                                     const std::string& name, const std::string&) override {
    return name == "in-use" ? std::vector<std::string>{"other"} : std::vector<std::string>{};
  }
  bool TakeCancel(const std::string&) override { return std::exchange(cancel, false); }
  bool cancel = false;
  std::map<std::string, Stack> saved;
  std::map<std::string, std::string> exports;
  int saves = 0;
};

class DeployerTest : public ::testing::Test {
 protected:
  Deployer MakeDeployer() {
    return Deployer(
        ledger_,
        [this](const std::string&, const std::string&) {
          return std::make_unique<Forwarder>(caller_);
        },
        clock_);
  }
  Stack NewStack(const json::object& document, std::string status = "CREATE_IN_PROGRESS") {
    Stack s;
    s.id = "arn:aws:cloudformation:us-east-1:000000000000:stack/s/1";
    s.name = "s";
    s.account = "000000000000";
    s.region = "us-east-1";
    s.status = std::move(status);
    s.current.processed = document;
    return s;
  }
  const Stack& Saved() { return ledger_.saved.begin()->second; }
  // The saved stack, about to be updated to Q's `properties` (the rest of its template kept).
  Stack UpdatingQueueTo(json::object properties) {
    Stack s = Saved();
    s.previous = s.current;
    s.has_previous = true;
    s.current.processed.as_object()["Resources"].as_object()["Q"].as_object()["Properties"] =
        std::move(properties);
    s.status = "UPDATE_IN_PROGRESS";
    return s;
  }
  std::vector<std::pair<std::string, std::string>> Events() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& e : Saved().events) out.emplace_back(e.logical_id, e.status);
    return out;
  }
  // The deployer owns its callers; tests keep one FakeCaller for every operation.
  struct Forwarder final : ServiceCaller {
    explicit Forwarder(FakeCaller& c) : caller(c) {}
    std::variant<json::object, ServiceError> Call(std::string_view service,
                                                  std::string_view operation,
                                                  json::object input) override {
      return caller.Call(service, operation, std::move(input));
    }
    FakeCaller& caller;
  };

  FakeLedger ledger_;
  FakeCaller caller_;
  FakeClock clock_;
};

const json::object kQueueAndHandle = json::parse(R"({
  "Resources": {
    "Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q"}},
    "H": {"Type": "AWS::CloudFormation::WaitConditionHandle", "DependsOn": "Q"}
  },
  "Outputs": {"Url": {"Value": {"Ref": "Q"}, "Export": {"Name": "url"}}}
})")
                                         .as_object();

void AnswerQueue(FakeCaller& caller) {
  caller.Answer("sqs", "CreateQueue", json::object{{"QueueUrl", "http://h/000000000000/q"}});
  caller.Answer("sqs", "GetQueueAttributes",
                json::object{{"Attributes", {{"QueueArn", "arn:aws:sqs:us-east-1:0:q"}}}});
}

TEST_F(DeployerTest, CreatesInDependencyOrderAndComputesOutputs) {
  AnswerQueue(caller_);
  MakeDeployer().Run(NewStack(kQueueAndHandle));
  EXPECT_EQ(Saved().status, "CREATE_COMPLETE");
  using E = std::pair<std::string, std::string>;
  EXPECT_EQ(Events(), (std::vector<E>{{"Q", "CREATE_IN_PROGRESS"},
                                      {"Q", "CREATE_COMPLETE"},
                                      {"H", "CREATE_IN_PROGRESS"},
                                      {"H", "CREATE_COMPLETE"},
                                      {"s", "CREATE_COMPLETE"}}));
  ASSERT_EQ(Saved().outputs.size(), 1u);
  EXPECT_EQ(Saved().outputs[0].at("OutputValue"), "http://h/000000000000/q");
  EXPECT_EQ(Saved().outputs[0].at("ExportName"), "url");
  EXPECT_EQ(Saved().FindResource("Q")->attributes.at("Arn"), "arn:aws:sqs:us-east-1:0:q");
}

TEST_F(DeployerTest, AFailedCreateRollsBackWithTheHandlersMessage) {
  caller_.Answer("sqs", "CreateQueue", ServiceError{"QueueAlreadyExists", "it exists", 400});
  MakeDeployer().Run(NewStack(kQueueAndHandle));
  const Stack& s = Saved();
  EXPECT_EQ(s.status, "ROLLBACK_COMPLETE");
  const StackResource* q = s.FindResource("Q");
  EXPECT_EQ(q->status, "DELETE_COMPLETE");
  bool found = false;
  for (const auto& e : s.events) {
    if (e.status != "CREATE_FAILED") continue;
    found = true;
    EXPECT_EQ(e.reason.rfind("Resource handler returned message: \"it exists\" (RequestToken: ", 0),
              0u)
        << e.reason;
    EXPECT_TRUE(e.reason.ends_with(", HandlerErrorCode: AlreadyExists)")) << e.reason;
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(caller_.Calls("DeleteQueue").empty());  // nothing was created
}

TEST_F(DeployerTest, DisableRollbackKeepsWhatWasCreated) {
  AnswerQueue(caller_);
  json::object doc = kQueueAndHandle;
  doc["Resources"].as_object()["H"].as_object()["Properties"] = json::object{{"Bogus", 1}};
  Stack s = NewStack(doc);
  s.on_failure = "DO_NOTHING";
  MakeDeployer().Run(s);
  EXPECT_EQ(Saved().status, "CREATE_FAILED");
  EXPECT_EQ(Saved().FindResource("Q")->status, "CREATE_COMPLETE");
  EXPECT_TRUE(caller_.Calls("DeleteQueue").empty());
}

TEST_F(DeployerTest, DeleteHonoursRetainAndRefusesAnExportInUse) {
  AnswerQueue(caller_);
  json::object doc = kQueueAndHandle;
  doc["Resources"].as_object()["Q"].as_object()["DeletionPolicy"] = "Retain";
  Deployer deployer = MakeDeployer();
  deployer.Run(NewStack(doc));
  Stack s = Saved();
  s.status = "DELETE_IN_PROGRESS";
  deployer.Run(s);
  EXPECT_EQ(Saved().status, "DELETE_COMPLETE");
  EXPECT_EQ(Saved().FindResource("Q")->status, "DELETE_SKIPPED");
  EXPECT_TRUE(caller_.Calls("DeleteQueue").empty());

  s.outputs[0].as_object()["ExportName"] = "in-use";
  s.status = "DELETE_IN_PROGRESS";
  deployer.Run(s);
  EXPECT_EQ(Saved().status, "DELETE_FAILED");
  EXPECT_EQ(Saved().reason, "Export in-use cannot be deleted as it is in use by other");
}

TEST_F(DeployerTest, ADeleteThatFailsNamesTheResources) {
  AnswerQueue(caller_);
  Deployer deployer = MakeDeployer();
  deployer.Run(NewStack(kQueueAndHandle));
  caller_.Answer("sqs", "DeleteQueue", ServiceError{"InternalError", "disk on fire", 500});
  Stack s = Saved();
  s.status = "DELETE_IN_PROGRESS";
  deployer.Run(s);
  EXPECT_EQ(Saved().status, "DELETE_FAILED");
  EXPECT_EQ(Saved().reason, "The following resource(s) failed to delete: [Q]. ");
  EXPECT_EQ(Saved().FindResource("H")->status, "DELETE_COMPLETE");
  EXPECT_EQ(HandlerErrorCode(Status::Internal("")), "GeneralServiceException");
  EXPECT_TRUE(
      Saved().FindResource("Q")->reason.ends_with("HandlerErrorCode: "
                                                  "GeneralServiceException)"));
}

TEST_F(DeployerTest, AnUpdateReplacesAndCleansUpOrRollsBack) {
  AnswerQueue(caller_);
  Deployer deployer = MakeDeployer();
  deployer.Run(NewStack(kQueueAndHandle));
  Stack s = Saved();
  s.previous = s.current;
  s.has_previous = true;
  json::object renamed = kQueueAndHandle;
  renamed["Resources"].as_object()["Q"].as_object()["Properties"] =
      json::object{{"QueueName", "q2"}};
  s.current.processed = renamed;
  s.status = "UPDATE_IN_PROGRESS";
  caller_.Answer("sqs", "CreateQueue", json::object{{"QueueUrl", "http://h/000000000000/q2"}});
  deployer.Run(s);
  EXPECT_EQ(Saved().status, "UPDATE_COMPLETE");
  EXPECT_EQ(Saved().FindResource("Q")->physical_id, "http://h/000000000000/q2");
  ASSERT_EQ(caller_.Calls("DeleteQueue").size(), 1u);
  EXPECT_EQ(caller_.Calls("DeleteQueue")[0]->input.at("QueueUrl"), "http://h/000000000000/q");

  // UpdateReplacePolicy Retain keeps the replaced queue.
  s = Saved();
  s.previous = s.current;
  s.has_previous = true;
  json::object kept = renamed;
  kept["Resources"].as_object()["Q"].as_object()["UpdateReplacePolicy"] = "Retain";
  kept["Resources"].as_object()["Q"].as_object()["Properties"] = json::object{{"QueueName", "q2b"}};
  s.current.processed = kept;
  s.status = "UPDATE_IN_PROGRESS";
  caller_.Answer("sqs", "CreateQueue", json::object{{"QueueUrl", "http://h/000000000000/q2b"}});
  deployer.Run(s);
  EXPECT_EQ(Saved().status, "UPDATE_COMPLETE");
  EXPECT_EQ(caller_.Calls("DeleteQueue").size(), 1u);  // q2 retained
  renamed["Resources"].as_object()["Q"].as_object()["Properties"] =
      json::object{{"QueueName", "q2b"}};

  // A failing replacement: the old queue stays, the stack rolls back.
  s = Saved();
  s.previous = s.current;
  s.has_previous = true;
  renamed["Resources"].as_object()["Q"].as_object()["Properties"] =
      json::object{{"QueueName", "q3"}};
  s.current.processed = renamed;
  s.status = "UPDATE_IN_PROGRESS";
  caller_.Answer("sqs", "CreateQueue", ServiceError{"InvalidParameterValue", "no", 400});
  deployer.Run(s);
  EXPECT_EQ(Saved().status, "UPDATE_ROLLBACK_COMPLETE");
  EXPECT_EQ(Saved().FindResource("Q")->physical_id, "http://h/000000000000/q2b");
  EXPECT_EQ(caller_.Calls("DeleteQueue").size(), 1u);
}

TEST_F(DeployerTest, ResumeRollsBackACreateARestartInterrupted) {
  AnswerQueue(caller_);
  Stack s = NewStack(kQueueAndHandle);
  StackResource q;
  q.logical_id = "Q";
  q.type = "AWS::SQS::Queue";
  q.physical_id = "http://h/000000000000/q";
  q.status = "CREATE_COMPLETE";
  q.properties = json::object{{"QueueName", "q"}};
  s.resources.push_back(q);
  StackResource h;
  h.logical_id = "H";
  h.type = "AWS::CloudFormation::WaitConditionHandle";
  h.status = "CREATE_IN_PROGRESS";
  s.resources.push_back(h);
  MakeDeployer().Resume(s);
  EXPECT_EQ(Saved().status, "ROLLBACK_COMPLETE");
  EXPECT_EQ(Saved().FindResource("H")->status, "DELETE_COMPLETE");
  ASSERT_EQ(caller_.Calls("DeleteQueue").size(), 1u);
}

TEST_F(DeployerTest, ResumeAssumesAnInterruptedInPlaceUpdateWasApplied) {
  AnswerQueue(caller_);
  Deployer deployer = MakeDeployer();
  json::object delayed = kQueueAndHandle;
  delayed["Resources"].as_object()["Q"].as_object()["Properties"] =
      json::object{{"QueueName", "q"}, {"DelaySeconds", 1}};
  deployer.Run(NewStack(delayed));
  // Killed while Q's update to DelaySeconds 2 was in progress.
  Stack s = UpdatingQueueTo({{"QueueName", "q"}, {"DelaySeconds", 2}});
  StackResource& q = *s.FindResource("Q");
  q.status = "UPDATE_IN_PROGRESS";
  q.pending = json::object{{"QueueName", "q"}, {"DelaySeconds", 2}};
  auto back = DecodeStack(EncodeStack(s));  // as recovery reads it
  ASSERT_TRUE(back.ok());
  deployer.Resume(*back);
  EXPECT_EQ(Saved().status, "UPDATE_ROLLBACK_COMPLETE");
  auto sets = caller_.Calls("SetQueueAttributes");
  ASSERT_EQ(sets.size(), 1u);  // the rollback sets DelaySeconds 1 again
  EXPECT_EQ(sets[0]->input.at("Attributes").at("DelaySeconds"), "1");
  EXPECT_EQ(Saved().FindResource("Q")->status, "UPDATE_COMPLETE");
  EXPECT_TRUE(Saved().FindResource("Q")->pending.empty());
}

TEST_F(DeployerTest, ACancelledUpdateRollsBack) {
  AnswerQueue(caller_);
  Deployer deployer = MakeDeployer();
  deployer.Run(NewStack(kQueueAndHandle));
  Stack s = UpdatingQueueTo({{"QueueName", "q"}, {"DelaySeconds", 2}});
  ledger_.cancel = true;
  deployer.Run(s);
  EXPECT_EQ(Saved().status, "UPDATE_ROLLBACK_COMPLETE");
  EXPECT_TRUE(caller_.Calls("SetQueueAttributes").empty());
  bool reason = false;
  for (const auto& e : Saved().events) {
    reason = reason || (e.status == "UPDATE_ROLLBACK_IN_PROGRESS" &&
                        e.reason == "Resource update cancelled. ");
  }
  EXPECT_TRUE(reason);
}

TEST(StackCodec, RoundTrips) {
  Stack s;
  s.id = "arn:x";
  s.name = "n";
  s.status = "UPDATE_IN_PROGRESS";
  s.current.body = "{}";
  s.current.processed = json::object{{"Resources", json::object()}};
  s.current.parameters.text["P"] = "v";
  s.current.parameters.no_echo.insert("P");
  s.has_previous = true;
  s.previous.body = "old";
  s.termination_protection = true;
  s.imports.insert("e");
  StackResource r;
  r.logical_id = "Q";
  r.properties = json::object{{"a", 1}};
  s.resources.push_back(r);
  s.superseded.push_back(r);
  s.events.push_back({"id", "Q", "p", "t", "CREATE_COMPLETE", "why", "{}", "tok", 1.5});
  ChangeSet cs;
  cs.name = "c";
  cs.changes = json::array{json::object{{"Type", "Resource"}}};
  s.change_sets.push_back(cs);
  auto back = DecodeStack(EncodeStack(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(EncodeStack(*back), EncodeStack(s));
  EXPECT_EQ(RenderParameters(back->current.parameters)[0].at("ParameterValue"), "****");
  EXPECT_FALSE(DecodeStack("not json").ok());
}

}  // namespace
}  // namespace tidepool::cloudformation
