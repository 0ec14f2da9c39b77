#include "services/cloudformation/providers/serverless_apigatewayv2.h"

#include <gtest/gtest.h>

#include "services/cloudformation/providers/fake_caller.h"
#include "services/cloudformation/providers/serverless_testing.h"

namespace tidepool::cloudformation::serverless {
namespace {
namespace json = boost::json;

TEST(ApiGatewayV2Api, ImportsSamsBodyAndQuickCreates) {
  FakeCaller caller;
  caller.Answer("apigatewayv2", "ImportApi",
                json::object{{"ApiId", "h1"}, {"ApiEndpoint", "http://h1.example"}});
  auto state = kApiGatewayV2Api.Create(
      caller, Request("AWS::ApiGatewayV2::Api", R"({"Body": {"openapi": "3.0.1",
        "info": {"title": "st"}, "paths": {}}, "FailOnWarnings": "true",
        "Tags": {"httpapi:createdBy": "SAM"}})"));
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->physical_id, "h1");
  EXPECT_EQ(state->attributes.at("ApiEndpoint"), "http://h1.example");
  const json::object& in = caller.Calls("ImportApi")[0]->input;
  EXPECT_EQ(json::parse(in.at("Body").as_string()).at("openapi"), "3.0.1");
  EXPECT_EQ(in.at("FailOnWarnings"), true);
  EXPECT_TRUE(caller.Calls("UpdateApi").empty());  // no settings beside the body
  EXPECT_EQ(caller.Calls("TagResource")[0]->input,
            (json::object{{"ResourceArn", "arn:aws:apigateway:us-east-1::/apis/h1"},
                          {"Tags", json::object{{"httpapi:createdBy", "SAM"}}}}));

  caller.Answer("apigatewayv2", "CreateApi", json::object{{"ApiId", "h2"}});
  ASSERT_TRUE(kApiGatewayV2Api
                  .Create(caller, Request("AWS::ApiGatewayV2::Api",
                                          R"({"Name": "q", "ProtocolType": "HTTP",
                                              "Target": "arn:f", "RouteKey": "GET /x",
                                              "DisableExecuteApiEndpoint": "false"})"))
                  .ok());
  EXPECT_EQ(caller.Calls("CreateApi")[0]->input, (json::object{{"ProtocolType", "HTTP"},
                                                               {"DisableExecuteApiEndpoint", false},
                                                               {"Name", "q"},
                                                               {"RouteKey", "GET /x"},
                                                               {"Target", "arn:f"}}));
  EXPECT_TRUE(kApiGatewayV2Api.RequiresReplacement({{"ProtocolType", "HTTP"}},
                                                   {{"ProtocolType", "WEBSOCKET"}}));
  EXPECT_FALSE(kApiGatewayV2Api.RequiresReplacement({{"Name", "a"}}, {{"Name", "b"}}));
}

TEST(ApiGatewayV2Api, ReimportsAChangedBody) {
  FakeCaller caller;
  caller.Answer("apigatewayv2", "GetApi", json::object{{"ApiEndpoint", "http://h1.example"}});
  auto r =
      Request("AWS::ApiGatewayV2::Api", R"({"Body": {"openapi": "3.0.1", "paths": {"/a": {}}}})");
  r.previous_properties = json::parse(R"({"Body": {"openapi": "3.0.1"}})").as_object();
  r.physical_id = "h1";
  auto state = kApiGatewayV2Api.Update(caller, r);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(caller.Calls("ReimportApi")[0]->input.at("ApiId"), "h1");
  EXPECT_EQ(state->attributes.at("ApiEndpoint"), "http://h1.example");

  // A quick-created API's update sends what changed only (the service refuses Target updates).
  auto quick = Request("AWS::ApiGatewayV2::Api",
                       R"({"Name": "b", "ProtocolType": "HTTP", "Target": "arn:f"})");
  quick.previous_properties =
      json::parse(R"({"Name": "a", "ProtocolType": "HTTP", "Target": "arn:f"})").as_object();
  quick.physical_id = "h2";
  ASSERT_TRUE(kApiGatewayV2Api.Update(caller, quick).ok());
  EXPECT_EQ(caller.Calls("UpdateApi")[0]->input, (json::object{{"ApiId", "h2"}, {"Name", "b"}}));
}

TEST(ApiGatewayV2Children, IntegrationRouteStageAndDeployment) {
  FakeCaller caller;
  caller.Answer("apigatewayv2", "CreateIntegration", json::object{{"IntegrationId", "i1"}});
  auto integration = kApiGatewayV2Integration.Create(
      caller, Request("AWS::ApiGatewayV2::Integration", R"({"ApiId": "h1",
        "IntegrationType": "AWS_PROXY", "IntegrationUri": "arn:f", "PayloadFormatVersion": "2.0",
        "TimeoutInMillis": "3000", "ResponseParameters": {"200": {"ResponseParameters":
          [{"Destination": "overwrite:statuscode", "Source": "204"}]}}})"));
  ASSERT_TRUE(integration.ok()) << integration.status().ToString();
  EXPECT_EQ(integration->physical_id, "i1");
  EXPECT_EQ(integration->attributes.at("IntegrationId"), "i1");
  const json::object& in = caller.Calls("CreateIntegration")[0]->input;
  EXPECT_EQ(in.at("TimeoutInMillis"), 3000);
  EXPECT_EQ(in.at("ResponseParameters"),
            json::parse(R"({"200": {"overwrite:statuscode": "204"}})"));

  caller.Answer("apigatewayv2", "CreateRoute", json::object{{"RouteId", "r1"}});
  auto route = kApiGatewayV2Route.Create(
      caller, Request("AWS::ApiGatewayV2::Route",
                      R"({"ApiId": "h1", "RouteKey": "GET /x", "Target": "integrations/i1"})"));
  ASSERT_TRUE(route.ok());
  auto r = Request("AWS::ApiGatewayV2::Route",
                   R"({"ApiId": "h1", "RouteKey": "GET /y", "Target": "integrations/i1"})");
  r.physical_id = "r1";
  ASSERT_TRUE(kApiGatewayV2Route.Update(caller, r).ok());
  EXPECT_EQ(caller.Calls("UpdateRoute")[0]->input.at("RouteId"), "r1");
  EXPECT_EQ(caller.Calls("UpdateRoute")[0]->input.at("RouteKey"), "GET /y");
  EXPECT_TRUE(kApiGatewayV2Route.RequiresReplacement({{"ApiId", "a"}}, {{"ApiId", "b"}}));
  caller.Answer("apigatewayv2", "DeleteRoute", ServiceError{"NotFoundException", "", 404});
  EXPECT_TRUE(kApiGatewayV2Route.Delete(caller, r).ok());
  EXPECT_EQ(caller.Calls("DeleteRoute")[0]->input,
            (json::object{{"ApiId", "h1"}, {"RouteId", "r1"}}));

  auto stage = kApiGatewayV2Stage.Create(
      caller, Request("AWS::ApiGatewayV2::Stage", R"({"ApiId": "h1", "StageName": "$default",
        "AutoDeploy": true, "Tags": {"httpapi:createdBy": "SAM"}})"));
  ASSERT_TRUE(stage.ok());
  EXPECT_EQ(stage->physical_id, "$default");
  EXPECT_EQ(caller.Calls("CreateStage")[0]->input,
            (json::object{{"ApiId", "h1"},
                          {"AutoDeploy", true},
                          {"StageName", "$default"},
                          {"Tags", json::object{{"httpapi:createdBy", "SAM"}}}}));
  auto refused = kApiGatewayV2Stage.Create(
      caller, Request("AWS::ApiGatewayV2::Stage",
                      R"({"ApiId": "h1", "StageName": "s", "AccessPolicyId": "p"})"));
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);

  caller.Answer("apigatewayv2", "CreateDeployment", json::object{{"DeploymentId", "d1"}});
  auto deployment = kApiGatewayV2Deployment.Create(
      caller, Request("AWS::ApiGatewayV2::Deployment", R"({"ApiId": "h1", "StageName": "s"})"));
  ASSERT_TRUE(deployment.ok());
  EXPECT_EQ(deployment->attributes.at("DeploymentId"), "d1");
}

}  // namespace
}  // namespace tidepool::cloudformation::serverless
