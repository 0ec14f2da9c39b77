// The serverless family's table: every type, its provider, and the attributes Fn::GetAtt may
// name (as the CloudFormation resource reference lists them).
#include "services/cloudformation/providers/providers.h"
#include "services/cloudformation/providers/serverless_lambda.h"

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

const ProviderEntry kServerless[] = {
    {"AWS::Lambda::Alias", &kLambdaAlias, kAliasAttributes},
    {"AWS::Lambda::EventInvokeConfig", &kLambdaEventInvokeConfig, {}},
    {"AWS::Lambda::EventSourceMapping", &kLambdaEventSourceMapping, kMappingAttributes},
    {"AWS::Lambda::Function", &kLambdaFunction, kFunctionAttributes},
    {"AWS::Lambda::LayerVersion", &kLambdaLayerVersion, kLayerAttributes},
    {"AWS::Lambda::LayerVersionPermission", &kLambdaLayerVersionPermission, kIdAttributes},
    {"AWS::Lambda::Permission", &kLambdaPermission, kIdAttributes},
    {"AWS::Lambda::Url", &kLambdaUrl, kUrlAttributes},
    {"AWS::Lambda::Version", &kLambdaVersion, kVersionAttributes},
};

}  // namespace

std::span<const ProviderEntry> ServerlessProviders() { return kServerless; }

}  // namespace tidepool::cloudformation
