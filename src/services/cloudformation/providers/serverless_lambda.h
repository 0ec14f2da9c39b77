// Providers of the AWS::Lambda types (functions, versions, aliases, permissions, event source
// mappings, layers, URLs, async invoke configs), calling this process's Lambda service.
#pragma once

#include <string>
#include <string_view>

#include "services/cloudformation/providers/serverless_common.h"

namespace tidepool::cloudformation::serverless {

extern const SpecProvider kLambdaFunction;
extern const SpecProvider kLambdaVersion;
extern const SpecProvider kLambdaAlias;
extern const SpecProvider kLambdaPermission;
extern const SpecProvider kLambdaEventSourceMapping;
extern const SpecProvider kLambdaUrl;
extern const SpecProvider kLambdaEventInvokeConfig;
extern const SpecProvider kLambdaLayerVersion;
extern const SpecProvider kLambdaLayerVersionPermission;

inline constexpr TagOperations kLambdaTags{"lambda", "Resource", "Tags", "TagKeys"};

// The file CloudFormation puts inline code (Code.ZipFile) in for `runtime`: "index.py" for
// python*, "index.js" for nodejs*; empty for the runtimes inline code is not allowed with.
std::string InlineCodeFile(std::string_view runtime);

// An ARN's colon-separated field `index` (0 = "arn"); empty when it has fewer fields.
std::string ArnField(std::string_view arn, size_t index);

}  // namespace tidepool::cloudformation::serverless
