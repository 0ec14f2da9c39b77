// The `uri` of an AWS or AWS_PROXY integration:
//   arn:aws:apigateway:<region>:<service>:path/<path>      e.g. lambda:path/2015-03-31/
//                                                           functions/<function arn>/invocations
//   arn:aws:apigateway:<region>:<service>:action/<Action>   e.g. sqs:action/SendMessage
// For a Lambda integration, `function_arn` is the ARN between "functions/" and
// "/invocations" (an ARN, possibly qualified, or a stage-variable reference such as
// "arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}").
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace tidepool::apigateway {

struct IntegrationUri {
  std::string region;
  std::string service;       // "lambda", "sqs", ...
  bool action = false;       // action/<Action> (else path/<path>)
  std::string target;        // the path (without "path/") or the action name
  std::string function_arn;  // lambda path integrations only
};

// BadRequestException ("AWS ARN for integration must contain path or action", ...) when `uri`
// is not of the forms above; a Lambda path that names no function is refused too.
Result<IntegrationUri> ParseIntegrationUri(std::string_view uri);

}  // namespace tidepool::apigateway
