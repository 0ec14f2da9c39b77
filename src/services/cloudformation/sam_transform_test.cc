#include "services/cloudformation/sam_transform.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>

#include "services/cloudformation/template.h"

namespace tidepool::cloudformation {
namespace {

namespace json = boost::json;

// The machine's python3 has AWS's SAM translator (the project's machines and CI do); a machine
// without it is told so by a failure here, not a skip.
json::value Sam(std::string_view yaml) {
  auto doc = ParseTemplateBody(yaml);
  EXPECT_TRUE(doc.ok()) << doc.status().message();
  return doc.ok() ? *doc : json::value();
}

TEST(SamTransformTest, ExpandsFunctionsEventsAndTables) {
  SamContext context;
  context.region = "eu-west-1";
  context.stack_name = "demo";
  context.parameters["Stage"] = "dev";
  auto out = RunSamTransform(Sam(R"(
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String}
Globals:
  Function: {Timeout: 10}
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: s3://bucket/key.zip
      Environment: {Variables: {STAGE: !Ref Stage}}
      Events:
        FromQueue: {Type: SQS, Properties: {Queue: !GetAtt Q.Arn, BatchSize: 5}}
  Q: {Type: AWS::SQS::Queue}
  Table:
    Type: AWS::Serverless::SimpleTable
    Properties: {PrimaryKey: {Name: id, Type: String}}
)"),
                             context);
  ASSERT_TRUE(out.ok()) << out.status().message();
  const json::object& resources = out->at("Resources").as_object();
  EXPECT_EQ(resources.at("Worker").at("Type"), "AWS::Lambda::Function");
  EXPECT_EQ(resources.at("Worker").at("Properties").at("Timeout"), 10);
  EXPECT_EQ(resources.at("WorkerRole").at("Type"), "AWS::IAM::Role");
  EXPECT_EQ(resources.at("WorkerFromQueue").at("Type"), "AWS::Lambda::EventSourceMapping");
  EXPECT_EQ(resources.at("WorkerFromQueue").at("Properties").at("BatchSize"), 5);
  EXPECT_EQ(resources.at("Table").at("Type"), "AWS::DynamoDB::Table");
  EXPECT_FALSE(out->as_object().contains("Transform"));
}

TEST(SamTransformTest, AnInvalidDocumentGetsAwsText) {
  auto out = RunSamTransform(Sam(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      InlineCode: "def h(e, c): pass"
      Handler: index.h
      Events:
        E: {Type: SQS, Properties: {BatchSize: 5}}
)"),
                             SamContext{});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application "
            "Specification document. Number of errors found: 1. Resource with id [FnE] is "
            "invalid. Missing required property 'Queue'.");
}

TEST(SamTransformTest, ATranslatorThatCannotRunIsUnavailable) {
  SamTransformOptions options;
  options.python = "/bin/false";
  auto out = RunSamTransform(Sam("Transform: AWS::Serverless-2016-10-31\nResources: {}\n"),
                             SamContext{}, options);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(out.status().message().find("exit code 1"), std::string::npos);
}

}  // namespace
}  // namespace tidepool::cloudformation
