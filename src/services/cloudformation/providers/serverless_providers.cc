// The serverless family's table: every type, its provider, and the attributes Fn::GetAtt may
// name (as the CloudFormation resource reference lists them).
#include "services/cloudformation/providers/providers.h"
#include "services/cloudformation/providers/serverless_apigateway.h"
#include "services/cloudformation/providers/serverless_apigatewayv2.h"
#include "services/cloudformation/providers/serverless_lambda.h"
#include "services/cloudformation/providers/serverless_stepfunctions.h"

namespace tidepool::cloudformation {
namespace {

using namespace serverless;  // NOLINT: the providers this table lists

constexpr std::string_view kFunctionAttributes[] = {"Arn", "SnapStartResponse.ApplyOn",
                                                    "SnapStartResponse.OptimizationStatus"};
constexpr std::string_view kVersionAttributes[] = {"FunctionArn", "Version"};
constexpr std::string_view kAliasAttributes[] = {"AliasArn"};
constexpr std::string_view kIdAttributes[] = {"Id"};
constexpr std::string_view kMappingAttributes[] = {"EventSourceMappingArn", "Id"};
constexpr std::string_view kUrlAttributes[] = {"FunctionArn", "FunctionUrl"};
constexpr std::string_view kLayerAttributes[] = {"LayerVersionArn"};
constexpr std::string_view kStateMachineAttributes[] = {"Arn", "Name", "StateMachineRevisionId"};
constexpr std::string_view kActivityAttributes[] = {"Arn", "Name"};
constexpr std::string_view kArnAttributes[] = {"Arn"};
constexpr std::string_view kRestApiAttributes[] = {"RestApiId", "RootResourceId"};
constexpr std::string_view kResourceAttributes[] = {"ResourceId"};
constexpr std::string_view kDeploymentAttributes[] = {"DeploymentId"};
constexpr std::string_view kApiKeyAttributes[] = {"APIKeyId"};
constexpr std::string_view kAuthorizerAttributes[] = {"AuthorizerId"};
constexpr std::string_view kValidatorAttributes[] = {"RequestValidatorId"};
constexpr std::string_view kHttpApiAttributes[] = {"ApiEndpoint", "ApiId"};
constexpr std::string_view kIntegrationAttributes[] = {"IntegrationId"};
constexpr std::string_view kRouteAttributes[] = {"RouteId"};

const ProviderEntry kServerless[] = {
    {"AWS::ApiGateway::ApiKey", &kApiGatewayApiKey, kApiKeyAttributes},
    {"AWS::ApiGateway::Authorizer", &kApiGatewayAuthorizer, kAuthorizerAttributes},
    {"AWS::ApiGateway::Deployment", &kApiGatewayDeployment, kDeploymentAttributes},
    {"AWS::ApiGateway::GatewayResponse", &kApiGatewayGatewayResponse, {}},
    {"AWS::ApiGateway::Method", &kApiGatewayMethod, {}},
    {"AWS::ApiGateway::Model", &kApiGatewayModel, {}},
    {"AWS::ApiGateway::RequestValidator", &kApiGatewayRequestValidator, kValidatorAttributes},
    {"AWS::ApiGateway::Resource", &kApiGatewayResource, kResourceAttributes},
    {"AWS::ApiGateway::RestApi", &kApiGatewayRestApi, kRestApiAttributes},
    {"AWS::ApiGateway::Stage", &kApiGatewayStage, {}},
    {"AWS::ApiGateway::UsagePlan", &kApiGatewayUsagePlan, kIdAttributes},
    {"AWS::ApiGateway::UsagePlanKey", &kApiGatewayUsagePlanKey, kIdAttributes},
    {"AWS::ApiGatewayV2::Api", &kApiGatewayV2Api, kHttpApiAttributes},
    {"AWS::ApiGatewayV2::Authorizer", &kApiGatewayV2Authorizer, kAuthorizerAttributes},
    {"AWS::ApiGatewayV2::Deployment", &kApiGatewayV2Deployment, kDeploymentAttributes},
    {"AWS::ApiGatewayV2::Integration", &kApiGatewayV2Integration, kIntegrationAttributes},
    {"AWS::ApiGatewayV2::Route", &kApiGatewayV2Route, kRouteAttributes},
    {"AWS::ApiGatewayV2::Stage", &kApiGatewayV2Stage, {}},
    {"AWS::Lambda::Alias", &kLambdaAlias, kAliasAttributes},
    {"AWS::Lambda::EventInvokeConfig", &kLambdaEventInvokeConfig, {}},
    {"AWS::Lambda::EventSourceMapping", &kLambdaEventSourceMapping, kMappingAttributes},
    {"AWS::Lambda::Function", &kLambdaFunction, kFunctionAttributes},
    {"AWS::Lambda::LayerVersion", &kLambdaLayerVersion, kLayerAttributes},
    {"AWS::Lambda::LayerVersionPermission", &kLambdaLayerVersionPermission, kIdAttributes},
    {"AWS::Lambda::Permission", &kLambdaPermission, kIdAttributes},
    {"AWS::Lambda::Url", &kLambdaUrl, kUrlAttributes},
    {"AWS::Lambda::Version", &kLambdaVersion, kVersionAttributes},
    {"AWS::StepFunctions::Activity", &kStepFunctionsActivity, kActivityAttributes},
    {"AWS::StepFunctions::StateMachine", &kStepFunctionsStateMachine, kStateMachineAttributes},
    {"AWS::StepFunctions::StateMachineAlias", &kStepFunctionsStateMachineAlias, kArnAttributes},
    {"AWS::StepFunctions::StateMachineVersion", &kStepFunctionsStateMachineVersion, kArnAttributes},
};

}  // namespace

std::span<const ProviderEntry> ServerlessProviders() { return kServerless; }

}  // namespace tidepool::cloudformation
