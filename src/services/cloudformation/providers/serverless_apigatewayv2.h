// Providers of the AWS::ApiGatewayV2 types (HTTP APIs and what hangs off them), calling this
// process's API Gateway service through its HTTP API operations ("apigatewayv2").
#pragma once

#include "services/cloudformation/providers/serverless_common.h"

namespace tidepool::cloudformation::serverless {

extern const SpecProvider kApiGatewayV2Api;
extern const SpecProvider kApiGatewayV2Integration;
extern const SpecProvider kApiGatewayV2Route;
extern const SpecProvider kApiGatewayV2Authorizer;
extern const SpecProvider kApiGatewayV2Deployment;
extern const SpecProvider kApiGatewayV2Stage;

}  // namespace tidepool::cloudformation::serverless
