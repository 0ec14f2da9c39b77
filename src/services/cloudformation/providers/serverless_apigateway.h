// Providers of the AWS::ApiGateway types (REST APIs and what hangs off them), calling this
// process's API Gateway service, and what they share.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "services/cloudformation/providers/serverless_common.h"

namespace tidepool::cloudformation::serverless {

extern const SpecProvider kApiGatewayRestApi;
extern const SpecProvider kApiGatewayResource;
extern const SpecProvider kApiGatewayMethod;
extern const SpecProvider kApiGatewayDeployment;
extern const SpecProvider kApiGatewayStage;
extern const SpecProvider kApiGatewayApiKey;
extern const SpecProvider kApiGatewayUsagePlan;
extern const SpecProvider kApiGatewayUsagePlanKey;
extern const SpecProvider kApiGatewayAuthorizer;
extern const SpecProvider kApiGatewayRequestValidator;
extern const SpecProvider kApiGatewayModel;
extern const SpecProvider kApiGatewayGatewayResponse;

inline constexpr TagOperations kApiGatewayTags{"apigateway", "resourceArn", "tags", "tagKeys"};

// One patch operation of API Gateway's Update* calls; without a value for "remove".
boost::json::object PatchOp(std::string_view op, std::string_view path,
                            std::optional<std::string> value = std::nullopt);
// Calls `operation` with `target` (its ids) and `patches`; nothing when there are none.
Result<boost::json::object> ApplyPatch(ServiceCaller& services, std::string_view operation,
                                       boost::json::object target, boost::json::array patches);
// "replace" patches of the template members `paths` names ({member, patch path}) that changed
// from `before` (a removed member is patched to "").
boost::json::array ChangedPatches(
    const boost::json::object& props, const boost::json::object& before,
    std::initializer_list<std::pair<std::string_view, std::string_view>> paths);
// The OpenAPI document of the template's Body (an object or text) or BodyS3Location (read from
// our S3; its ETag member, named `etag_member`, must match); empty when neither is given.
Result<std::string> OpenApiBody(ServiceCaller& services, const boost::json::object& props,
                                std::string_view etag_member);
// A template value as the text API Gateway takes: strings as they are, anything else as JSON.
std::string JsonText(const boost::json::value& v);

}  // namespace tidepool::cloudformation::serverless
