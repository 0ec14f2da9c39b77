// What AWS's SAM translator generates for common SAM resources and events must deploy: every
// resource of the serverless services it emits has a provider, and no provider refuses a
// property the translator sets.
#include <gtest/gtest.h>

#include "services/cloudformation/providers/fake_caller.h"
#include "services/cloudformation/providers/providers.h"
#include "services/cloudformation/providers/serverless_testing.h"
#include "services/cloudformation/sam_transform.h"
#include "services/cloudformation/template.h"

namespace tidepool::cloudformation::serverless {
namespace {
namespace json = boost::json;

constexpr std::string_view kSamTemplate = R"(
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Timeout: 10, Tracing: Active, Environment: {Variables: {A: "1"}}}
Resources:
  Q: {Type: AWS::SQS::Queue}
  S: {Type: AWS::Kinesis::Stream, Properties: {ShardCount: 1}}
  T: {Type: AWS::SNS::Topic}
  B: {Type: AWS::S3::Bucket}
  D:
    Type: AWS::DynamoDB::Table
    Properties: {StreamSpecification: {StreamViewType: NEW_IMAGE}}
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: "s3://b/k.zip", CompatibleRuntimes: [python3.12]}
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth: {ApiKeyRequired: true, UsagePlan: {CreateUsagePlan: PER_API}}
      MethodSettings: [{ResourcePath: "/*", HttpMethod: "*", MetricsEnabled: true}]
      TracingEnabled: true
      Variables: {v: "1"}
  MyHttp:
    Type: AWS::Serverless::HttpApi
    Properties: {StageName: live, CorsConfiguration: {AllowOrigins: ["*"]}}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(e, c):\n  return 1\n"
      AutoPublishAlias: live
      Layers: [!Ref Layer]
      ReservedConcurrentExecutions: 3
      MemorySize: 256
      Architectures: [arm64]
      DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt Q.Arn}
      FunctionUrlConfig: {AuthType: NONE, Cors: {AllowOrigins: ["*"]}}
      ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 1}
      EventInvokeConfig:
        MaximumRetryAttempts: 1
        DestinationConfig: {OnFailure: {Type: SQS, Destination: !GetAtt Q.Arn}}
      Events:
        Sqs:
          Type: SQS
          Properties:
            Queue: !GetAtt Q.Arn
            BatchSize: 5
            FilterCriteria: {Filters: [{Pattern: "{}"}]}
            FunctionResponseTypes: [ReportBatchItemFailures]
        Kin:
          Type: Kinesis
          Properties: {Stream: !GetAtt S.Arn, StartingPosition: LATEST,
                       BisectBatchOnFunctionError: true, MaximumRetryAttempts: 2}
        Ddb:
          Type: DynamoDB
          Properties: {Stream: !GetAtt D.StreamArn, StartingPosition: TRIM_HORIZON}
        Sns: {Type: SNS, Properties: {Topic: !Ref T}}
        S3: {Type: S3, Properties: {Bucket: !Ref B, Events: "s3:ObjectCreated:*"}}
        Api: {Type: Api, Properties: {Path: /hi, Method: get, RestApiId: !Ref MyApi}}
        Implicit: {Type: Api, Properties: {Path: /implicit, Method: post}}
        Http: {Type: HttpApi, Properties: {Path: /h, Method: get, ApiId: !Ref MyHttp}}
        ImplicitHttp: {Type: HttpApi, Properties: {Path: /ih, Method: get}}
  SM:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: A
        States: {A: {Type: Task, Resource: "${F}", End: true}}
      DefinitionSubstitutions: {F: !GetAtt Fn.Arn}
      Policies: [{LambdaInvokePolicy: {FunctionName: !Ref Fn}}]
      Tracing: {Enabled: true}
      AutoPublishAlias: live
)";

// Replaces every intrinsic function ({"Ref": ...}, {"Fn::...": ...}) with an ARN-shaped text,
// as the engine would have resolved it.
json::value Resolved(const json::value& v) {
  if (v.is_object()) {
    const json::object& o = v.get_object();
    if (o.size() == 1 && (o.begin()->key() == "Ref" || o.begin()->key().starts_with("Fn::"))) {
      return json::value("arn:aws:lambda:us-east-1:000000000000:function:resolved:1");
    }
    json::object out;
    for (const auto& [k, member] : o) out[k] = Resolved(member);
    return out;
  }
  if (v.is_array()) {
    json::array out;
    for (const json::value& item : v.get_array()) out.push_back(Resolved(item));
    return out;
  }
  return v;
}

bool Serverless(std::string_view type) {
  return type.starts_with("AWS::Lambda::") || type.starts_with("AWS::StepFunctions::") ||
         type.starts_with("AWS::ApiGateway::") || type.starts_with("AWS::ApiGatewayV2::");
}

TEST(SamGenerated, EveryServerlessResourceHasAProviderThatTakesItsProperties) {
  auto doc = ParseTemplateBody(kSamTemplate);
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  SamContext context;
  context.stack_name = "st";
  auto out = RunSamTransform(*doc, context);
  ASSERT_TRUE(out.ok()) << out.status().message();

  std::set<std::string> types;
  for (const auto& [logical_id, resource] : out->at("Resources").as_object()) {
    std::string type(resource.at("Type").as_string());
    if (!Serverless(type)) continue;
    types.insert(type);
    const ProviderEntry* entry = FindProvider(type);
    ASSERT_NE(entry, nullptr) << type;
    ResourceRequest r = Request(type, "{}");
    r.logical_id = std::string(logical_id);
    if (const json::value* props = resource.as_object().if_contains("Properties")) {
      r.properties = Resolved(*props).as_object();
    }
    FakeCaller caller;
    auto created = entry->provider->Create(caller, r);
    if (logical_id == "MyApiApiKey") {
      // Auth.UsagePlan's key names its stages in StageKeys, which tidepool refuses (its keys
      // reach stages through usage plans only; docs/differences.md).
      EXPECT_NE(created.status().message().find("StageKeys"), std::string::npos);
      continue;
    }
    EXPECT_TRUE(created.ok()) << logical_id << " (" << type << "): " << created.status().message();
  }
  // The translator generated what the template asks for (so the loop above saw it).
  for (std::string_view type :
       {"AWS::Lambda::Function", "AWS::Lambda::Version", "AWS::Lambda::Alias",
        "AWS::Lambda::Permission", "AWS::Lambda::EventSourceMapping", "AWS::Lambda::Url",
        "AWS::Lambda::EventInvokeConfig", "AWS::Lambda::LayerVersion",
        "AWS::StepFunctions::StateMachine", "AWS::StepFunctions::StateMachineVersion",
        "AWS::StepFunctions::StateMachineAlias", "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage", "AWS::ApiGateway::ApiKey",
        "AWS::ApiGateway::UsagePlan", "AWS::ApiGateway::UsagePlanKey", "AWS::ApiGatewayV2::Api",
        "AWS::ApiGatewayV2::Stage"}) {
    EXPECT_EQ(types.count(std::string(type)), 1u) << type;
  }
}

}  // namespace
}  // namespace tidepool::cloudformation::serverless
