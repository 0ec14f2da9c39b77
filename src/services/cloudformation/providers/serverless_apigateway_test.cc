#include "services/cloudformation/providers/serverless_apigateway.h"

#include <gtest/gtest.h>

#include "services/cloudformation/providers/fake_caller.h"
#include "services/cloudformation/providers/serverless_testing.h"

namespace tidepool::cloudformation::serverless {
namespace {
namespace json = boost::json;

json::object Resources() {
  return json::object{{"items", json::array{json::object{{"id", "child"}, {"path", "/hi"}},
                                            json::object{{"id", "root1"}, {"path", "/"}}}}};
}

TEST(ApiGatewayRestApi, ImportsABodyAndGivesTheRootResource) {
  FakeCaller caller;
  caller.Answer("apigateway", "ImportRestApi", json::object{{"id", "api1"}});
  caller.Answer("apigateway", "GetResources", Resources());
  caller.Answer("apigateway", "GetRestApi",
                json::object{{"endpointConfiguration", json::object{{"types", {"EDGE"}}}},
                             {"binaryMediaTypes", {"image/png"}}});
  auto r = Request("AWS::ApiGateway::RestApi", R"({"Name": "named", "BinaryMediaTypes": ["a/b"],
    "Body": {"swagger": "2.0", "info": {"title": "t"}, "paths": {}},
    "Parameters": {"endpointConfigurationTypes": "REGIONAL"}, "FailOnWarnings": true,
    "Tags": [{"Key": "a", "Value": "b"}]})");
  auto state = kApiGatewayRestApi.Create(caller, r);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->physical_id, "api1");
  EXPECT_EQ(state->attributes.at("RootResourceId"), "root1");
  EXPECT_EQ(state->attributes.at("RestApiId"), "api1");
  const json::object& in = caller.Calls("ImportRestApi")[0]->input;
  EXPECT_EQ(json::parse(in.at("body").as_string()).at("swagger"), "2.0");
  EXPECT_EQ(in.at("failOnWarnings"), true);
  // The template's Name, binary media types and endpoint types win over the document's.
  EXPECT_EQ(caller.Calls("UpdateRestApi")[0]->input.at("patchOperations"),
            json::parse(R"([{"op": "replace", "path": "/name", "value": "named"}])"));
  EXPECT_EQ(caller.Calls("UpdateRestApi")[1]->input.at("patchOperations"), json::parse(R"([
    {"op": "remove", "path": "/binaryMediaTypes/image~1png"},
    {"op": "add", "path": "/binaryMediaTypes/a~1b"},
    {"op": "remove", "path": "/endpointConfiguration/types/EDGE"},
    {"op": "add", "path": "/endpointConfiguration/types/REGIONAL"}])"));
  EXPECT_EQ(caller.Calls("TagResource")[0]->input.at("resourceArn"),
            "arn:aws:apigateway:us-east-1::/restapis/api1");

  r.previous_properties = r.properties;
  r.properties["Body"] = json::parse(R"({"swagger": "2.0", "paths": {"/x": {}}})");
  r.physical_id = "api1";
  ASSERT_TRUE(kApiGatewayRestApi.Update(caller, r).ok());
  const json::object& put = caller.Calls("PutRestApi")[0]->input;
  EXPECT_EQ(put.at("restApiId"), "api1");
  EXPECT_EQ(put.at("mode"), "overwrite");
  // The template's name and lists again, after the new body.
  ASSERT_EQ(caller.Calls("UpdateRestApi").size(), 4u);
  EXPECT_EQ(caller.Calls("UpdateRestApi")[2]->input.at("patchOperations"),
            json::parse(R"([{"op": "replace", "path": "/name", "value": "named"}])"));
  EXPECT_FALSE(kApiGatewayRestApi.RequiresReplacement(r.previous_properties, r.properties));
}

TEST(ApiGatewayRestApi, CreatesFromSettingsWithoutABody) {
  FakeCaller caller;
  caller.Answer("apigateway", "CreateRestApi", json::object{{"id", "api2"}});
  auto state = kApiGatewayRestApi.Create(
      caller, Request("AWS::ApiGateway::RestApi", R"({"Name": "n", "BinaryMediaTypes": ["*/*"],
        "EndpointConfiguration": {"Types": ["REGIONAL"]}, "Policy": {"Version": "2012-10-17"},
        "MinimumCompressionSize": "100"})"));
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  const json::object& in = caller.Calls("CreateRestApi")[0]->input;
  EXPECT_EQ(in.at("name"), "n");
  EXPECT_EQ(in.at("endpointConfiguration"), (json::object{{"types", json::array{"REGIONAL"}}}));
  EXPECT_EQ(in.at("policy"), R"({"Version":"2012-10-17"})");
  EXPECT_EQ(in.at("minimumCompressionSize"), 100);
  for (std::string_view refused :
       {R"({"CloneFrom": "x"})", R"({"Name": "n", "Parameters": {"ignore": "documentation"}})",
        R"({"Name": "n", "EndpointConfiguration": {"Types": ["PRIVATE"],
            "VpcEndpointIds": ["v"]}})"}) {
    EXPECT_EQ(kApiGatewayRestApi.Create(caller, Request("AWS::ApiGateway::RestApi", refused))
                  .status()
                  .code(),
              StatusCode::kInvalidArgument)
        << refused;
  }
  EXPECT_EQ(caller.Calls("CreateRestApi").size(), 1u);
}

TEST(ApiGatewayMethod, PutsTheMethodItsResponsesAndItsIntegration) {
  FakeCaller caller;
  auto r = Request("AWS::ApiGateway::Method", R"({"RestApiId": "api1", "ResourceId": "res1",
    "HttpMethod": "GET", "RequestParameters": {"method.request.querystring.q": "true"},
    "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST",
      "Uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:f/invocations",
      "IntegrationResponses": [{"StatusCode": "200"}], "TimeoutInMillis": 5000},
    "MethodResponses": [{"StatusCode": "200",
      "ResponseParameters": {"method.response.header.X": false}}]})");
  auto state = kApiGatewayMethod.Create(caller, r);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  const json::object& method = caller.Calls("PutMethod")[0]->input;
  EXPECT_EQ(method.at("authorizationType"), "NONE");
  EXPECT_EQ(method.at("requestParameters"), (json::object{{"method.request.querystring.q", true}}));
  const json::object& integration = caller.Calls("PutIntegration")[0]->input;
  EXPECT_EQ(integration.at("httpMethod"), "GET");
  EXPECT_EQ(integration.at("type"), "AWS_PROXY");
  EXPECT_EQ(integration.at("integrationHttpMethod"), "POST");
  EXPECT_EQ(integration.at("timeoutInMillis"), 5000);
  EXPECT_EQ(caller.Calls("PutIntegrationResponse")[0]->input.at("statusCode"), "200");
  EXPECT_EQ(caller.Calls("PutMethodResponse")[0]->input.at("responseParameters"),
            (json::object{{"method.response.header.X", false}}));

  EXPECT_TRUE(
      kApiGatewayMethod.RequiresReplacement({{"HttpMethod", "GET"}}, {{"HttpMethod", "POST"}}));
  r.previous_properties = r.properties;
  r.physical_id = state->physical_id;
  ASSERT_TRUE(kApiGatewayMethod.Update(caller, r).ok());
  EXPECT_EQ(caller.Calls("DeleteMethod").size(), 1u);
  EXPECT_EQ(caller.Calls("PutMethod").size(), 2u);

  // An integration that fails takes the method it was put on with it.
  caller.Answer("apigateway", "PutIntegration",
                ServiceError{"BadRequestException", "bad uri", 400});
  auto failed = kApiGatewayMethod.Create(caller, r);
  EXPECT_EQ(failed.status().message(), "bad uri");
  EXPECT_EQ(caller.Calls("DeleteMethod").size(), 2u);

  r.properties["Integration"].as_object()["IntegrationTarget"] = "x";
  auto refused = kApiGatewayMethod.Create(caller, r);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("IntegrationTarget"), std::string::npos);
  EXPECT_EQ(caller.Calls("PutMethod").size(), 3u);  // refused before anything was put
}

TEST(ApiGatewayDeploymentAndStage, DeployAndConfigureTheStage) {
  FakeCaller caller;
  caller.Answer("apigateway", "CreateDeployment", json::object{{"id", "dep1"}});
  auto deployment = kApiGatewayDeployment.Create(
      caller, Request("AWS::ApiGateway::Deployment",
                      R"({"RestApiId": "api1", "StageName": "Stage", "Description": "d"})"));
  ASSERT_TRUE(deployment.ok());
  EXPECT_EQ(deployment->physical_id, "dep1");
  EXPECT_EQ(caller.Calls("CreateDeployment")[0]->input,
            (json::object{{"restApiId", "api1"}, {"stageName", "Stage"}, {"description", "d"}}));

  auto r = Request("AWS::ApiGateway::Stage", R"({"RestApiId": "api1", "StageName": "Prod",
    "DeploymentId": "dep1", "Variables": {"v": 1}, "TracingEnabled": "true",
    "AccessLogSetting": {"DestinationArn": "arn:lg", "Format": "$context.requestId"},
    "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": true}]})");
  auto stage = kApiGatewayStage.Create(caller, r);
  ASSERT_TRUE(stage.ok()) << stage.status().ToString();
  EXPECT_EQ(stage->physical_id, "Prod");
  const json::object& in = caller.Calls("CreateStage")[0]->input;
  EXPECT_EQ(in.at("variables"), (json::object{{"v", "1"}}));
  EXPECT_EQ(in.at("tracingEnabled"), true);
  EXPECT_EQ(caller.Calls("UpdateStage")[0]->input.at("patchOperations"), json::parse(R"([
    {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": "arn:lg"},
    {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"},
    {"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"}])"));

  r.previous_properties = r.properties;
  r.properties["DeploymentId"] = "dep2";
  r.properties.erase("Variables");
  r.physical_id = "Prod";
  EXPECT_FALSE(kApiGatewayStage.RequiresReplacement(r.previous_properties, r.properties));
  ASSERT_TRUE(kApiGatewayStage.Update(caller, r).ok());
  EXPECT_EQ(caller.Calls("UpdateStage")[1]->input.at("patchOperations"), json::parse(R"([
    {"op": "replace", "path": "/deploymentId", "value": "dep2"},
    {"op": "remove", "path": "/variables/v"}])"));

  caller.Answer("apigateway", "DeleteStage", ServiceError{"NotFoundException", "gone", 404});
  EXPECT_TRUE(kApiGatewayStage.Delete(caller, r).ok());
  caller.Answer("apigateway", "GetStage", json::object{{"deploymentId", "dep1"}});
  ResourceRequest del =
      Request("AWS::ApiGateway::Deployment", R"({"RestApiId": "api1", "StageName": "Stage"})");
  del.physical_id = "dep1";
  ASSERT_TRUE(kApiGatewayDeployment.Delete(caller, del).ok());
  EXPECT_EQ(caller.Calls("DeleteStage")[1]->input.at("stageName"), "Stage");
  EXPECT_EQ(caller.Calls("DeleteDeployment")[0]->input.at("deploymentId"), "dep1");
}

TEST(ApiGatewayKeysPlansAndModels, CallTheirOperations) {
  FakeCaller caller;
  caller.Answer("apigateway", "CreateApiKey", json::object{{"id", "key1"}});
  auto key = kApiGatewayApiKey.Create(
      caller, Request("AWS::ApiGateway::ApiKey", R"({"Enabled": true, "Value": "v"})"));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->attributes.at("APIKeyId"), "key1");
  EXPECT_EQ(caller.Calls("CreateApiKey")[0]->input.at("value"), "v");
  EXPECT_EQ(caller.Calls("CreateApiKey")[0]->input.at("enabled"), true);
  // Keys reach stages through usage plans only in tidepool's API Gateway.
  auto staged = kApiGatewayApiKey.Create(
      caller, Request("AWS::ApiGateway::ApiKey",
                      R"({"StageKeys": [{"RestApiId": "api1", "StageName": "Prod"}]})"));
  EXPECT_EQ(staged.status().message(),
            "Property StageKeys of AWS::ApiGateway::ApiKey is not supported by tidepool");

  caller.Answer("apigateway", "CreateUsagePlan", json::object{{"id", "plan1"}});
  auto plan = kApiGatewayUsagePlan.Create(
      caller, Request("AWS::ApiGateway::UsagePlan", R"({"UsagePlanName": "p",
        "Quota": {"Limit": 100, "Period": "DAY"}, "Throttle": {"BurstLimit": 5, "RateLimit": 2.5},
        "ApiStages": [{"ApiId": "api1", "Stage": "Prod"}]})"));
  ASSERT_TRUE(plan.ok());
  const json::object& in = caller.Calls("CreateUsagePlan")[0]->input;
  EXPECT_EQ(in.at("quota"), (json::object{{"limit", 100}, {"period", "DAY"}}));
  EXPECT_EQ(in.at("throttle"), (json::object{{"burstLimit", 5}, {"rateLimit", 2.5}}));
  EXPECT_EQ(in.at("apiStages"), json::parse(R"([{"apiId": "api1", "stage": "Prod"}])"));

  auto model = kApiGatewayModel.Create(
      caller,
      Request("AWS::ApiGateway::Model", R"({"RestApiId": "api1", "Schema": {"type": "object"}})"));
  ASSERT_TRUE(model.ok());
  for (char c : model->physical_id) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)));
  EXPECT_EQ(caller.Calls("CreateModel")[0]->input.at("schema"), R"({"type":"object"})");
  EXPECT_EQ(caller.Calls("CreateModel")[0]->input.at("contentType"), "application/json");
}

}  // namespace
}  // namespace tidepool::cloudformation::serverless
