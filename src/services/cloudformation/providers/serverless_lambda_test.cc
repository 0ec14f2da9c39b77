#include "services/cloudformation/providers/serverless_lambda.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "functions/zip_archive.h"
#include "services/cloudformation/providers/fake_caller.h"
#include "services/cloudformation/providers/serverless_testing.h"
#include "services/cloudformation/providers/serverless_zip.h"

namespace tidepool::cloudformation::serverless {
namespace {
namespace json = boost::json;

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The files of `zip`, as the project's own zip reader extracts them.
std::map<std::string, std::string> Unzip(const std::string& zip) {
  auto dir = std::filesystem::temp_directory_path() /
             ("cfn_zip_" + std::to_string(::getpid()) + "_" + std::to_string(zip.size()));
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(functions::ExtractZip(zip, dir.string()).ok());
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) {
      files[std::filesystem::relative(e.path(), dir).string()] = ReadFile(e.path());
    }
  }
  std::filesystem::remove_all(dir);
  return files;
}

TEST(StoredZip, IsReadBackByTheLambdaZipReader) {
  std::string zip = WriteStoredZip({{"index.py", "def handler(e, c):\n  return 1\n"},
                                    {"lib/util.py", std::string(70000, 'x')},
                                    {"empty.txt", ""}});
  EXPECT_TRUE(functions::LooksLikeZip(zip));
  auto files = Unzip(zip);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files["index.py"], "def handler(e, c):\n  return 1\n");
  EXPECT_EQ(files["lib/util.py"], std::string(70000, 'x'));
  EXPECT_EQ(files["empty.txt"], "");
  // Deterministic: the same source gives the same package (and CodeSha256).
  EXPECT_EQ(zip, WriteStoredZip({{"index.py", "def handler(e, c):\n  return 1\n"},
                                 {"lib/util.py", std::string(70000, 'x')},
                                 {"empty.txt", ""}}));
}

TEST(LambdaFunction, CreatesFromInlineCodeAndWaitsUntilActive) {
  FakeCaller caller;
  caller.Answer("lambda", "CreateFunction",
                json::object{{"FunctionArn", "arn:aws:lambda:us-east-1:000000000000:function:f"},
                             {"State", "Pending"}});
  caller.Answer("lambda", "GetFunctionConfiguration", json::object{{"State", "Pending"}});
  caller.Answer("lambda", "GetFunctionConfiguration", json::object{{"State", "Active"}});
  auto r = Request("AWS::Lambda::Function", R"({
    "Runtime": "python3.12", "Handler": "index.handler", "Role": "arn:aws:iam::0:role/r",
    "Code": {"ZipFile": "def handler(e, c):\n  return 42\n"}, "Timeout": "30",
    "Environment": {"Variables": {"A": "1"}}, "KmsKeyArn": "arn:kms",
    "Tags": [{"Key": "team", "Value": "blue"}], "ReservedConcurrentExecutions": 5,
    "Architectures": ["arm64"], "EphemeralStorage": {"Size": "1024"}})");
  auto state = kLambdaFunction.Create(caller, r);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->physical_id.rfind("st-Fn-", 0), 0u);
  EXPECT_EQ(state->physical_id.size(), 6u + 13u);
  EXPECT_EQ(state->attributes.at("Arn"), "arn:aws:lambda:us-east-1:000000000000:function:f");

  ASSERT_EQ(caller.Calls("CreateFunction").size(), 1u);
  const json::object& in = caller.Calls("CreateFunction")[0]->input;
  EXPECT_EQ(in.at("FunctionName").as_string(), state->physical_id);
  EXPECT_EQ(in.at("Timeout"), 30);
  EXPECT_EQ(in.at("KMSKeyArn"), "arn:kms");
  EXPECT_FALSE(in.contains("KmsKeyArn"));
  EXPECT_EQ(in.at("Tags"), (json::object{{"team", "blue"}}));
  EXPECT_EQ(in.at("Architectures"), (json::array{"arm64"}));
  EXPECT_EQ(in.at("EphemeralStorage"), (json::object{{"Size", 1024}}));
  EXPECT_EQ(in.at("Environment").at("Variables").at("A"), "1");
  auto files = Unzip(std::string(in.at("Code").at("ZipFile").as_string()));
  EXPECT_EQ(
      files,
      (std::map<std::string, std::string>{{"index.py", "def handler(e, c):\n  return 42\n"}}));

  EXPECT_EQ(caller.Calls("GetFunctionConfiguration").size(), 2u);  // Pending, Active
  ASSERT_EQ(caller.Calls("PutFunctionConcurrency").size(), 1u);
  EXPECT_EQ(caller.Calls("PutFunctionConcurrency")[0]->input.at("ReservedConcurrentExecutions"), 5);
}

TEST(LambdaFunction, NodeInlineCodeGoesToIndexJsAndS3CodeIsPassedOn) {
  FakeCaller caller;
  auto r = Request("AWS::Lambda::Function",
                   R"({"FunctionName": "f", "Runtime": "nodejs20.x", "Handler": "index.handler",
                       "Role": "r", "Code": {"ZipFile": "exports.handler = async () => 1;"}})");
  ASSERT_TRUE(kLambdaFunction.Create(caller, r).ok());
  auto files = Unzip(
      std::string(caller.Calls("CreateFunction")[0]->input.at("Code").at("ZipFile").as_string()));
  EXPECT_EQ(files.count("index.js"), 1u);

  r.properties["Code"] =
      json::object{{"S3Bucket", "b"}, {"S3Key", "k.zip"}, {"S3ObjectVersion", "3"}};
  ASSERT_TRUE(kLambdaFunction.Create(caller, r).ok());
  EXPECT_EQ(caller.Calls("CreateFunction")[1]->input.at("Code"),
            (json::object{{"S3Bucket", "b"}, {"S3Key", "k.zip"}, {"S3ObjectVersion", "3"}}));
  EXPECT_EQ(caller.Calls("CreateFunction")[1]->input.at("FunctionName"), "f");
}

TEST(LambdaFunction, RefusesWhatItDoesNotHonour) {
  FakeCaller caller;
  auto refused = [&](std::string_view props) {
    auto s = kLambdaFunction.Create(caller, Request("AWS::Lambda::Function", props));
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << props;
    return s.status().message();
  };
  EXPECT_EQ(refused(R"({"Code": {"ImageUri": "x"}, "PackageType": "Zip"})"),
            "Property Code.ImageUri of AWS::Lambda::Function is not supported by tidepool: "
            "tidepool runs .zip functions only");
  EXPECT_EQ(
      refused(R"({"Code": {"ZipFile": "x"}, "SnapStart": {"ApplyOn": "PublishedVersions"}})"),
      "Property SnapStart of AWS::Lambda::Function is not supported by tidepool: only ApplyOn "
      "None is honoured");
  refused(R"({"Code": {"ZipFile": "x"}, "RuntimeManagementConfig": {"UpdateRuntimeOn": "Manual",
              "RuntimeVersionArn": "arn"}})");
  refused(R"({"Code": {"ZipFile": "x"}, "FileSystemConfigs": []})");
  EXPECT_NE(refused(R"({"Code": {"ZipFile": "x"}, "Runtime": "java21"})").find("ZipFile"),
            std::string::npos);
  refused(R"({"Code": {"ZipFile": "x"}, "Runtime": "python3.12", "PackageType": "Image"})");
  refused(R"({"Code": {"ZipFile": "x"}, "Runtime": "python3.12",
              "VpcConfig": {"SubnetIds": ["s"], "SecurityGroupIds": []}})");
  EXPECT_TRUE(caller.Calls("CreateFunction").empty());

  // The defaults are what tidepool does.
  ASSERT_TRUE(kLambdaFunction
                  .Create(caller, Request("AWS::Lambda::Function",
                                          R"({"Code": {"ZipFile": "x"}, "Runtime": "python3.12",
                                              "SnapStart": {"ApplyOn": "None"},
                                              "RuntimeManagementConfig":
                                                {"UpdateRuntimeOn": "Auto"}})"))
                  .ok());
  EXPECT_FALSE(caller.Calls("CreateFunction")[0]->input.contains("SnapStart"));
}

TEST(LambdaFunction, ReplacesOnNameAndUpdatesTheRestInPlace) {
  json::object before{{"FunctionName", "a"}, {"Timeout", 3}};
  json::object after{{"FunctionName", "b"}, {"Timeout", 3}};
  EXPECT_TRUE(kLambdaFunction.RequiresReplacement(before, after));
  after["FunctionName"] = "a";
  after["Timeout"] = 9;
  EXPECT_FALSE(kLambdaFunction.RequiresReplacement(before, after));

  FakeCaller caller;
  caller.Answer("lambda", "UpdateFunctionConfiguration",
                json::object{{"FunctionArn", "arn:aws:lambda:us-east-1:0:function:f"}});
  auto r = Request("AWS::Lambda::Function",
                   R"({"Runtime": "python3.12", "Handler": "index.h", "Role": "r",
                       "Code": {"ZipFile": "v2"}, "Tags": [{"Key": "b", "Value": "2"}]})");
  r.previous_properties = json::parse(
                              R"({"Runtime": "python3.12", "Handler": "index.h", "Role": "r",
                       "Code": {"ZipFile": "v1"}, "Timeout": 9, "ReservedConcurrentExecutions": 1,
                       "Tags": [{"Key": "a", "Value": "1"}]})")
                              .as_object();
  r.physical_id = "f";
  auto state = kLambdaFunction.Update(caller, r);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->physical_id, "f");
  ASSERT_EQ(caller.Calls("UpdateFunctionCode").size(), 1u);
  EXPECT_EQ(caller.Calls("UpdateFunctionCode")[0]->input.at("FunctionName"), "f");
  const json::object& config = caller.Calls("UpdateFunctionConfiguration")[0]->input;
  EXPECT_EQ(config.at("Timeout"), 3);  // removed from the template: back to the default
  EXPECT_EQ(caller.Calls("DeleteFunctionConcurrency").size(), 1u);
  ASSERT_EQ(caller.Calls("UntagResource").size(), 1u);
  EXPECT_EQ(caller.Calls("UntagResource")[0]->input.at("TagKeys"), (json::array{"a"}));
  EXPECT_EQ(caller.Calls("TagResource")[0]->input.at("Tags"), (json::object{{"b", "2"}}));
}

TEST(LambdaFunction, AFunctionThatFailsToStabilizeIsDeletedAndTheFailureReported) {
  FakeCaller caller;
  caller.Answer("lambda", "GetFunctionConfiguration",
                json::object{{"State", "Failed"}, {"StateReason", "no runtime"}});
  auto r = Request("AWS::Lambda::Function", R"({"FunctionName": "f", "Runtime": "python3.12",
    "Handler": "index.handler", "Role": "r", "Code": {"ZipFile": "x"}})");
  auto state = kLambdaFunction.Create(caller, r);
  EXPECT_EQ(state.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(state.status().message(), "Function f failed to stabilize: no runtime");
  ASSERT_EQ(caller.Calls("DeleteFunction").size(), 1u);  // not left behind, unknown to the stack
  EXPECT_EQ(caller.Calls("DeleteFunction")[0]->input.at("FunctionName"), "f");
}

TEST(LambdaFunction, DeleteToleratesAFunctionAlreadyGone) {
  FakeCaller caller;
  caller.Answer("lambda", "DeleteFunction",
                ServiceError{"ResourceNotFoundException", "Function not found", 404});
  caller.Answer("lambda", "DeleteFunction", ServiceError{"ServiceException", "boom", 500});
  auto r = Request("AWS::Lambda::Function", "{}");
  r.physical_id = "f";
  EXPECT_TRUE(kLambdaFunction.Delete(caller, r).ok());
  EXPECT_EQ(kLambdaFunction.Delete(caller, r).code(), StatusCode::kInternal);
  EXPECT_EQ(caller.Calls("DeleteFunction")[0]->input.at("FunctionName"), "f");
}

TEST(LambdaVersionAndAlias, PublishAndRouteAsTheTypesDocument) {
  FakeCaller caller;
  caller.Answer(
      "lambda", "PublishVersion",
      json::object{{"Version", "3"}, {"FunctionArn", "arn:aws:lambda:us-east-1:0:function:f:3"}});
  caller.Answer("lambda", "GetFunctionConfiguration", json::object{{"State", "Pending"}});
  caller.Answer("lambda", "GetFunctionConfiguration", json::object{{"State", "Active"}});
  caller.Answer("lambda", "GetProvisionedConcurrencyConfig",
                json::object{{"Status", "IN_PROGRESS"}});
  caller.Answer("lambda", "GetProvisionedConcurrencyConfig", json::object{{"Status", "READY"}});
  auto version = kLambdaVersion.Create(caller, Request("AWS::Lambda::Version",
                                                       R"({"FunctionName": "f", "Description": "d",
                          "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 2}})"));
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(version->physical_id, "arn:aws:lambda:us-east-1:0:function:f:3");
  EXPECT_EQ(version->attributes.at("Version"), "3");
  EXPECT_EQ(version->attributes.at("FunctionArn"), "arn:aws:lambda:us-east-1:0:function:f:3");
  EXPECT_EQ(caller.Calls("PublishVersion")[0]->input.at("Description"), "d");
  EXPECT_EQ(caller.Calls("PutProvisionedConcurrencyConfig")[0]->input.at("Qualifier"), "3");
  // Waited for the version to be Active and its provisioned concurrency READY.
  EXPECT_EQ(caller.Calls("GetFunctionConfiguration").size(), 2u);
  EXPECT_EQ(caller.Calls("GetFunctionConfiguration")[0]->input.at("Qualifier"), "3");
  EXPECT_EQ(caller.Calls("GetProvisionedConcurrencyConfig").size(), 2u);
  EXPECT_TRUE(kLambdaVersion.RequiresReplacement({{"Description", "a"}}, {{"Description", "b"}}));

  ResourceRequest del;
  del.physical_id = version->physical_id;
  ASSERT_TRUE(kLambdaVersion.Delete(caller, del).ok());
  EXPECT_EQ(caller.Calls("DeleteFunction")[0]->input,
            (json::object{{"FunctionName", "arn:aws:lambda:us-east-1:0:function:f"},
                          {"Qualifier", "3"}}));

  caller.Answer("lambda", "CreateAlias",
                json::object{{"AliasArn", "arn:aws:lambda:us-east-1:0:function:f:live"}});
  auto alias = kLambdaAlias.Create(
      caller, Request("AWS::Lambda::Alias", R"({"FunctionName": "f", "Name": "live",
        "FunctionVersion": "3", "RoutingConfig": {"AdditionalVersionWeights":
        [{"FunctionVersion": "2", "FunctionWeight": 0.25}]}})"));
  ASSERT_TRUE(alias.ok()) << alias.status().ToString();
  EXPECT_EQ(alias->physical_id, "arn:aws:lambda:us-east-1:0:function:f:live");
  EXPECT_EQ(alias->attributes.at("AliasArn").as_string(), alias->physical_id);
  EXPECT_EQ(caller.Calls("CreateAlias")[0]->input.at("RoutingConfig"),
            json::parse(R"({"AdditionalVersionWeights": {"2": 0.25}})"));
  EXPECT_TRUE(kLambdaAlias.RequiresReplacement({{"Name", "a"}}, {{"Name", "b"}}));
  EXPECT_FALSE(
      kLambdaAlias.RequiresReplacement({{"FunctionVersion", "1"}}, {{"FunctionVersion", "2"}}));

  ResourceRequest del_alias;
  del_alias.physical_id = alias->physical_id;
  ASSERT_TRUE(kLambdaAlias.Delete(caller, del_alias).ok());
  EXPECT_EQ(caller.Calls("DeleteAlias")[0]->input.at("Name"), "live");
}

TEST(LambdaPermission, AddsAStatementNamedLikeCloudFormationAndReplacesOnAnyChange) {
  FakeCaller caller;
  auto r = Request("AWS::Lambda::Permission",
                   R"({"FunctionName": "arn:aws:lambda:us-east-1:0:function:f:live",
                       "Action": "lambda:InvokeFunction", "Principal": "*",
                       "InvokedViaFunctionUrl": true})");
  auto state = kLambdaPermission.Create(caller, r);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  const json::object& in = caller.Calls("AddPermission")[0]->input;
  EXPECT_EQ(in.at("StatementId").as_string(), state->physical_id);
  EXPECT_EQ(state->physical_id.rfind("st-Fn-", 0), 0u);
  EXPECT_EQ(in.at("InvokedViaFunctionUrl"), true);
  EXPECT_EQ(in.at("FunctionName"), "arn:aws:lambda:us-east-1:0:function:f:live");
  EXPECT_TRUE(kLambdaPermission.RequiresReplacement({{"Principal", "a"}}, {{"Principal", "b"}}));

  r.physical_id = state->physical_id;
  caller.Answer("lambda", "RemovePermission", ServiceError{"ResourceNotFoundException", "", 404});
  EXPECT_TRUE(kLambdaPermission.Delete(caller, r).ok());
  EXPECT_EQ(caller.Calls("RemovePermission")[0]->input.at("StatementId").as_string(),
            state->physical_id);

  auto missing = kLambdaPermission.Create(caller, Request("AWS::Lambda::Permission", "{}"));
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
}

TEST(LambdaEventSourceMapping, RefIsTheUuidAndCreateWaitsForTheMapping) {
  FakeCaller caller;
  caller.Answer(
      "lambda", "CreateEventSourceMapping",
      json::object{{"UUID", "u-1"}, {"State", "Creating"}, {"EventSourceMappingArn", "arn:esm"}});
  caller.Answer("lambda", "GetEventSourceMapping", json::object{{"State", "Creating"}});
  caller.Answer("lambda", "GetEventSourceMapping", json::object{{"State", "Enabled"}});
  auto r = Request("AWS::Lambda::EventSourceMapping",
                   R"({"FunctionName": "f", "EventSourceArn": "arn:aws:sqs:us-east-1:0:q",
                       "BatchSize": "5", "Enabled": "false", "KmsKeyArn": "k",
                       "ScalingConfig": {"MaximumConcurrency": "4"},
                       "FilterCriteria": {"Filters": [{"Pattern": "{}"}]},
                       "Tags": [{"Key": "a", "Value": "b"}]})");
  auto state = kLambdaEventSourceMapping.Create(caller, r);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->physical_id, "u-1");
  EXPECT_EQ(state->attributes.at("Id"), "u-1");
  EXPECT_EQ(state->attributes.at("EventSourceMappingArn"), "arn:esm");
  const json::object& in = caller.Calls("CreateEventSourceMapping")[0]->input;
  EXPECT_EQ(in.at("BatchSize"), 5);
  EXPECT_EQ(in.at("Enabled"), false);
  EXPECT_EQ(in.at("KMSKeyArn"), "k");
  EXPECT_EQ(in.at("ScalingConfig"), (json::object{{"MaximumConcurrency", 4}}));
  EXPECT_EQ(in.at("Tags"), (json::object{{"a", "b"}}));
  EXPECT_EQ(caller.Calls("GetEventSourceMapping").size(), 2u);

  EXPECT_TRUE(kLambdaEventSourceMapping.RequiresReplacement({{"EventSourceArn", "a"}},
                                                            {{"EventSourceArn", "b"}}));
  EXPECT_FALSE(
      kLambdaEventSourceMapping.RequiresReplacement({{"BatchSize", 1}}, {{"BatchSize", 2}}));
  // Our Lambda tags functions only: new tags make a new mapping.
  EXPECT_TRUE(kLambdaEventSourceMapping.RequiresReplacement(
      {{"Tags", json::array{}}}, {{"Tags", json::array{json::object{{"Key", "a"}}}}}));
  r.physical_id = "u-1";
  ASSERT_TRUE(kLambdaEventSourceMapping.Update(caller, r).ok());
  const json::object& update = caller.Calls("UpdateEventSourceMapping")[0]->input;
  EXPECT_EQ(update.at("UUID"), "u-1");
  EXPECT_FALSE(update.contains("EventSourceArn"));
  EXPECT_FALSE(update.contains("Tags"));

  // Templates give the timestamp as seconds, a number or its text; the service takes a number.
  ASSERT_TRUE(kLambdaEventSourceMapping
                  .Create(caller, Request("AWS::Lambda::EventSourceMapping",
                                          R"({"FunctionName": "f", "EventSourceArn": "arn:k",
                                              "StartingPosition": "AT_TIMESTAMP",
                                              "StartingPositionTimestamp": "1700000000.5"})"))
                  .ok());
  EXPECT_EQ(caller.Calls("CreateEventSourceMapping")[1]->input.at("StartingPositionTimestamp"),
            1700000000.5);
}

TEST(LambdaUrlAndInvokeConfig, SplitTheQualifierOffTheTarget) {
  FakeCaller caller;
  caller.Answer("lambda", "CreateFunctionUrlConfig",
                json::object{{"FunctionArn", "arn:aws:lambda:us-east-1:0:function:f:live"},
                             {"FunctionUrl", "http://u/"}});
  auto url = kLambdaUrl.Create(caller, Request("AWS::Lambda::Url", R"({"TargetFunctionArn":
        "arn:aws:lambda:us-east-1:0:function:f:live", "AuthType": "NONE"})"));
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(caller.Calls("CreateFunctionUrlConfig")[0]->input,
            (json::object{{"FunctionName", "arn:aws:lambda:us-east-1:0:function:f"},
                          {"Qualifier", "live"},
                          {"AuthType", "NONE"}}));
  EXPECT_EQ(url->attributes.at("FunctionUrl"), "http://u/");

  auto config = kLambdaEventInvokeConfig.Create(
      caller, Request("AWS::Lambda::EventInvokeConfig",
                      R"({"FunctionName": "f", "Qualifier": "live", "DestinationConfig": {},
                          "MaximumRetryAttempts": "1"})"));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(caller.Calls("PutFunctionEventInvokeConfig")[0]->input.at("MaximumRetryAttempts"), 1);
  EXPECT_TRUE(
      kLambdaEventInvokeConfig.RequiresReplacement({{"Qualifier", "a"}}, {{"Qualifier", "b"}}));
}

TEST(LambdaLayers, PublishAndGrantByTheVersionArn) {
  FakeCaller caller;
  caller.Answer("lambda", "PublishLayerVersion",
                json::object{{"LayerVersionArn", "arn:aws:lambda:us-east-1:0:layer:l:4"}});
  auto layer = kLambdaLayerVersion.Create(
      caller, Request("AWS::Lambda::LayerVersion",
                      R"({"Content": {"S3Bucket": "b", "S3Key": "k"}, "LayerName": "l"})"));
  ASSERT_TRUE(layer.ok());
  EXPECT_EQ(layer->physical_id, "arn:aws:lambda:us-east-1:0:layer:l:4");
  auto grant = kLambdaLayerVersionPermission.Create(
      caller, Request("AWS::Lambda::LayerVersionPermission",
                      R"({"LayerVersionArn": "arn:aws:lambda:us-east-1:0:layer:l:4",
                          "Action": "lambda:GetLayerVersion", "Principal": "*"})"));
  ASSERT_TRUE(grant.ok());
  json::object in =
      caller.Calls("AddLayerVersionPermission")[0]->input;  // a copy: more calls follow
  EXPECT_EQ(in.at("LayerName"), "l");
  EXPECT_EQ(in.at("VersionNumber"), 4);
  ResourceRequest del;
  del.physical_id = grant->physical_id;
  ASSERT_TRUE(kLambdaLayerVersionPermission.Delete(caller, del).ok());
  EXPECT_EQ(caller.Calls("RemoveLayerVersionPermission")[0]->input.at("StatementId"),
            in.at("StatementId"));
  del.physical_id = layer->physical_id;
  ASSERT_TRUE(kLambdaLayerVersion.Delete(caller, del).ok());
  EXPECT_EQ(caller.Calls("DeleteLayerVersion")[0]->input,
            (json::object{{"LayerName", "l"}, {"VersionNumber", 4}}));
}

}  // namespace
}  // namespace tidepool::cloudformation::serverless
