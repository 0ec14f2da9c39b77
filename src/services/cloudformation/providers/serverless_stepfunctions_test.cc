#include "services/cloudformation/providers/serverless_stepfunctions.h"

#include <gtest/gtest.h>

#include "services/cloudformation/providers/fake_caller.h"
#include "services/cloudformation/providers/serverless_testing.h"

namespace tidepool::cloudformation::serverless {
namespace {
namespace json = boost::json;

constexpr char kArn[] = "arn:aws:states:us-east-1:0:stateMachine:m";

TEST(SubstituteDefinition, ReplacesKnownNamesOnly) {
  json::object subs{{"Fn", "arn:fn"}, {"N", 3}, {"B", true}};
  EXPECT_EQ(SubstituteDefinition(R"({"R": "${Fn}", "N": ${N}, "B": ${B}, "X": "${Other}"})", subs),
            R"({"R": "arn:fn", "N": 3, "B": true, "X": "${Other}"})");
  EXPECT_EQ(SubstituteDefinition("tail ${unclosed", subs), "tail ${unclosed");
}

TEST(StepFunctionsStateMachine, CreatesFromADefinitionObjectWithSubstitutions) {
  FakeCaller caller;
  caller.Answer("states", "CreateStateMachine", json::object{{"stateMachineArn", kArn}});
  caller.Answer("states", "DescribeStateMachine",
                json::object{{"name", "st-Fn-X"}, {"revisionId", "rev-1"}});
  auto r = Request("AWS::StepFunctions::StateMachine", R"({
    "Definition": {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn}",
                   "End": true}}},
    "DefinitionSubstitutions": {"Fn": "arn:aws:lambda:us-east-1:0:function:f"},
    "RoleArn": "arn:aws:iam::0:role/r", "StateMachineType": "EXPRESS",
    "LoggingConfiguration": {"Level": "ALL", "IncludeExecutionData": "true",
      "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": "arn:lg"}}]},
    "TracingConfiguration": {"Enabled": true},
    "Tags": [{"Key": "a", "Value": "b"}]})");
  auto state = kStepFunctionsStateMachine.Create(caller, r);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->physical_id, kArn);
  EXPECT_EQ(state->attributes.at("Arn"), kArn);
  EXPECT_EQ(state->attributes.at("Name"), "st-Fn-X");
  EXPECT_EQ(state->attributes.at("StateMachineRevisionId"), "rev-1");

  const json::object& in = caller.Calls("CreateStateMachine")[0]->input;
  EXPECT_EQ(std::string(in.at("name").as_string()).substr(0, 6), "st-Fn-");
  EXPECT_EQ(in.at("type"), "EXPRESS");
  EXPECT_EQ(in.at("roleArn"), "arn:aws:iam::0:role/r");
  EXPECT_EQ(json::parse(in.at("definition").as_string()).at("States").at("A").at("Resource"),
            "arn:aws:lambda:us-east-1:0:function:f");
  EXPECT_EQ(in.at("loggingConfiguration"), json::parse(R"({"level": "ALL",
    "includeExecutionData": true,
    "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": "arn:lg"}}]})"));
  EXPECT_EQ(in.at("tracingConfiguration"), (json::object{{"enabled", true}}));
  EXPECT_EQ(in.at("tags"), json::parse(R"([{"key": "a", "value": "b"}])"));
}

TEST(StepFunctionsStateMachine, ReadsTheDefinitionFromS3AndRefusesTwoSources) {
  FakeCaller caller;
  caller.Answer("s3", "GetObject", json::object{{"Body", R"({"StartAt": "P"})"}});
  caller.Answer("states", "CreateStateMachine", json::object{{"stateMachineArn", kArn}});
  auto r = Request("AWS::StepFunctions::StateMachine", R"({"StateMachineName": "m",
    "DefinitionS3Location": {"Bucket": "b", "Key": "sm.json", "Version": "v1"},
    "RoleArn": "r"})");
  ASSERT_TRUE(kStepFunctionsStateMachine.Create(caller, r).ok());
  EXPECT_EQ(caller.Calls("GetObject")[0]->input,
            (json::object{{"Bucket", "b"}, {"Key", "sm.json"}, {"VersionId", "v1"}}));
  EXPECT_EQ(caller.Calls("CreateStateMachine")[0]->input.at("definition"), R"({"StartAt": "P"})");
  EXPECT_EQ(caller.Calls("CreateStateMachine")[0]->input.at("name"), "m");

  r.properties["DefinitionString"] = "{}";
  EXPECT_EQ(kStepFunctionsStateMachine.Create(caller, r).status().code(),
            StatusCode::kInvalidArgument);
  auto encrypted = Request("AWS::StepFunctions::StateMachine",
                           R"({"DefinitionString": "{}", "EncryptionConfiguration":
                               {"Type": "CUSTOMER_MANAGED_KMS_KEY", "KmsKeyId": "k"}})");
  EXPECT_EQ(kStepFunctionsStateMachine.Create(caller, encrypted).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(caller.Calls("CreateStateMachine").size(), 1u);
}

TEST(StepFunctionsStateMachine, UpdatesInPlaceUnlessNameOrTypeChange) {
  EXPECT_TRUE(kStepFunctionsStateMachine.RequiresReplacement({{"StateMachineType", "STANDARD"}},
                                                             {{"StateMachineType", "EXPRESS"}}));
  EXPECT_FALSE(kStepFunctionsStateMachine.RequiresReplacement({{"DefinitionString", "a"}},
                                                              {{"DefinitionString", "b"}}));
  FakeCaller caller;
  auto r = Request("AWS::StepFunctions::StateMachine", R"({"DefinitionString": "{\"x\": 1}"})");
  r.previous_properties = json::parse(R"({"DefinitionString": "{}",
    "Tags": [{"Key": "gone", "Value": "1"}]})")
                              .as_object();
  r.physical_id = std::string(kArn);
  auto state = kStepFunctionsStateMachine.Update(caller, r);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  const json::object& in = caller.Calls("UpdateStateMachine")[0]->input;
  EXPECT_EQ(in.at("stateMachineArn"), kArn);
  EXPECT_EQ(in.at("definition"), R"({"x": 1})");
  EXPECT_EQ(in.at("tracingConfiguration"), (json::object{{"enabled", false}}));
  EXPECT_EQ(caller.Calls("UntagResource")[0]->input.at("tagKeys"), (json::array{"gone"}));

  caller.Answer("states", "DeleteStateMachine",
                ServiceError{"StateMachineDoesNotExist", "gone", 400});
  EXPECT_TRUE(kStepFunctionsStateMachine.Delete(caller, r).ok());
  caller.Answer("states", "DeleteStateMachine", ServiceError{"ValidationException", "bad", 400});
  EXPECT_EQ(kStepFunctionsStateMachine.Delete(caller, r).code(), StatusCode::kInvalidArgument);
}

TEST(StepFunctionsActivityVersionAlias, CallTheirOperations) {
  FakeCaller caller;
  caller.Answer("states", "CreateActivity",
                json::object{{"activityArn", "arn:aws:states:us-east-1:0:activity:a"}});
  auto activity = kStepFunctionsActivity.Create(
      caller, Request("AWS::StepFunctions::Activity", R"({"Name": "a"})"));
  ASSERT_TRUE(activity.ok());
  EXPECT_EQ(activity->attributes.at("Name"), "a");
  EXPECT_TRUE(kStepFunctionsActivity.RequiresReplacement({{"Name", "a"}}, {{"Name", "b"}}));

  caller.Answer("states", "PublishStateMachineVersion",
                json::object{{"stateMachineVersionArn", std::string(kArn) + ":1"}});
  auto version = kStepFunctionsStateMachineVersion.Create(
      caller, Request("AWS::StepFunctions::StateMachineVersion",
                      R"({"StateMachineArn": "arn:aws:states:us-east-1:0:stateMachine:m",
                          "StateMachineRevisionId": "rev-1", "Description": "d"})"));
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(
      caller.Calls("PublishStateMachineVersion")[0]->input,
      (json::object{{"stateMachineArn", kArn}, {"revisionId", "rev-1"}, {"description", "d"}}));

  caller.Answer("states", "CreateStateMachineAlias",
                json::object{{"stateMachineAliasArn", std::string(kArn) + ":live"}});
  auto alias = kStepFunctionsStateMachineAlias.Create(
      caller, Request("AWS::StepFunctions::StateMachineAlias",
                      R"({"Name": "live", "RoutingConfiguration": [{"StateMachineVersionArn":
                          "arn:aws:states:us-east-1:0:stateMachine:m:1", "Weight": 100}]})"));
  ASSERT_TRUE(alias.ok()) << alias.status().ToString();
  EXPECT_EQ(caller.Calls("CreateStateMachineAlias")[0]->input.at("routingConfiguration"),
            json::parse(R"([{"stateMachineVersionArn":
                "arn:aws:states:us-east-1:0:stateMachine:m:1", "weight": 100}])"));
  // SAM's AutoPublishAlias: all the traffic to the version, at once.
  ASSERT_TRUE(kStepFunctionsStateMachineAlias
                  .Create(caller, Request("AWS::StepFunctions::StateMachineAlias",
                                          R"({"Name": "live", "DeploymentPreference": {
                                              "Type": "ALL_AT_ONCE", "StateMachineVersionArn":
                                              "arn:aws:states:us-east-1:0:stateMachine:m:2"}})"))
                  .ok());
  EXPECT_EQ(caller.Calls("CreateStateMachineAlias")[1]->input.at("routingConfiguration"),
            json::parse(R"([{"stateMachineVersionArn":
                "arn:aws:states:us-east-1:0:stateMachine:m:2", "weight": 100}])"));
  auto refused = kStepFunctionsStateMachineAlias.Create(
      caller, Request("AWS::StepFunctions::StateMachineAlias",
                      R"({"Name": "x", "DeploymentPreference": {"Type": "LINEAR",
                          "Percentage": 10, "Interval": 1, "StateMachineVersionArn": "v"}})"));
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("DeploymentPreference of Type LINEAR"),
            std::string::npos);
  EXPECT_EQ(caller.Calls("CreateStateMachineAlias").size(), 2u);
}

}  // namespace
}  // namespace tidepool::cloudformation::serverless
