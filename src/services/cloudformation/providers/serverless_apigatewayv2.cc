// AWS::ApiGatewayV2::Api, Integration, Route, Stage, Authorizer and Deployment: HTTP APIs as
// templates (and SAM's HttpApi events: Api with Body + a $default Stage) define them. The
// service's members have the template's names, so most properties pass through as they are.
#include "services/cloudformation/providers/serverless_apigatewayv2.h"

#include <boost/json/array.hpp>

#include <algorithm>

#include "services/cloudformation/providers/serverless_apigateway.h"

namespace tidepool::cloudformation::serverless {
namespace json = boost::json;
namespace {

constexpr TagOperations kV2Tags{"apigatewayv2", "ResourceArn", "Tags", "TagKeys"};

constexpr std::string_view kIntegerMembers[] = {"AuthorizerResultTtlInSeconds", "TimeoutInMillis"};
constexpr std::string_view kBooleanMembers[] = {"ApiKeyRequired",
                                                "AutoDeploy",
                                                "DisableExecuteApiEndpoint",
                                                "DisableSchemaValidation",
                                                "EnableSimpleResponses",
                                                "FailOnWarnings"};

bool In(std::span<const std::string_view> list, std::string_view key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

// Copies the members `keys` of the template into `in`, integers and booleans given as text made
// numbers and booleans. Tags are left out (the Create calls take them as a map of text, the
// Update calls not at all).
void CopyTyped(const json::object& props, json::object& in,
               std::span<const std::string_view> keys) {
  for (std::string_view key : keys) {
    const json::value* v = props.if_contains(key);
    if (v == nullptr || key == "Tags") continue;
    int64_t n = 0;
    if (In(kIntegerMembers, key) && IntMember(props, key, n)) {
      in[key] = n;
    } else if (In(kBooleanMembers, key)) {
      in[key] = BoolMember(props, key, false);
    } else {
      in[key] = *v;
    }
  }
}

std::string ApiArn(const ResourceRequest& r, const std::string& api) {
  return "arn:aws:apigateway:" + r.region + "::/apis/" + api;
}

// --- AWS::ApiGatewayV2::Api -------------------------------------------------------------------

constexpr std::string_view kFailOnWarnings[] = {"FailOnWarnings"};

// CreateApi/UpdateApi members (quick create's Target, RouteKey and CredentialsArn included).
constexpr std::string_view kApiMembers[] = {"ApiKeySelectionExpression",
                                            "CorsConfiguration",
                                            "CredentialsArn",
                                            "Description",
                                            "DisableExecuteApiEndpoint",
                                            "DisableSchemaValidation",
                                            "IpAddressType",
                                            "Name",
                                            "RouteKey",
                                            "RouteSelectionExpression",
                                            "Target",
                                            "Version"};

ResourceState ApiState(const json::object& api) {
  std::string id = Str(api, "ApiId");
  return {id, {{"ApiId", id}, {"ApiEndpoint", Str(api, "ApiEndpoint")}}};
}

// UpdateApi with the template's members beside the body: all of them after an import (which
// takes the document's), else those that changed from `before` (quick create's Target and
// RouteKey only when they changed: the service refuses to update them).
Result<json::object> UpdateApiSettings(ServiceCaller& services, const std::string& id,
                                       const json::object& props, const json::object* before,
                                       json::object api) {
  json::object in{{"ApiId", id}};
  for (std::string_view key : kApiMembers) {
    if (before == nullptr || Changed(*before, props, key)) {
      CopyTyped(props, in, std::span<const std::string_view>(&key, 1));
    }
  }
  if (in.size() == 1) return api;
  return CallOrFail(services, "apigatewayv2", "UpdateApi", std::move(in));
}

Result<ResourceState> CreateApi(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  TP_ASSIGN_OR_RETURN(std::string body, OpenApiBody(services, props, "Etag"));
  json::object api;
  if (!body.empty()) {
    json::object in{{"Body", std::move(body)}};
    if (props.contains("BasePath")) in["Basepath"] = Str(props, "BasePath");
    CopyTyped(props, in, kFailOnWarnings);
    TP_ASSIGN_OR_RETURN(api, CallOrFail(services, "apigatewayv2", "ImportApi", std::move(in)));
    const std::string id = Str(api, "ApiId");
    auto settled = UpdateApiSettings(services, id, props, nullptr, api);
    Status tagged =
        settled.ok() ? SyncTags(services, kV2Tags, ApiArn(r, id), props, {}) : settled.status();
    TP_RETURN_IF_ERROR(UndoOnFailure(tagged, [&] {
      return CallIgnoringNotFound(services, "apigatewayv2", "DeleteApi", {{"ApiId", id}});
    }));
    api = std::move(*settled);
  } else {
    for (std::string_view key : {"Name", "ProtocolType"}) {
      if (Str(props, key).empty()) return Missing("AWS::ApiGatewayV2::Api", key);
    }
    json::object in{{"ProtocolType", Str(props, "ProtocolType")}};
    CopyTyped(props, in, kApiMembers);
    if (props.contains("Tags")) in["Tags"] = TagMap(props.if_contains("Tags"));
    TP_ASSIGN_OR_RETURN(api, CallOrFail(services, "apigatewayv2", "CreateApi", std::move(in)));
  }
  return ApiState(api);
}

Result<ResourceState> UpdateApi(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  json::object api;
  bool reimported = false;
  if (Changed(r.previous_properties, props, "Body") ||
      Changed(r.previous_properties, props, "BodyS3Location")) {
    TP_ASSIGN_OR_RETURN(std::string body, OpenApiBody(services, props, "Etag"));
    if (!body.empty()) {
      json::object in{{"ApiId", r.physical_id}, {"Body", std::move(body)}};
      if (props.contains("BasePath")) in["Basepath"] = Str(props, "BasePath");
      CopyTyped(props, in, kFailOnWarnings);
      TP_ASSIGN_OR_RETURN(api, CallOrFail(services, "apigatewayv2", "ReimportApi", std::move(in)));
      reimported = true;
    }
  }
  TP_ASSIGN_OR_RETURN(api, UpdateApiSettings(services, r.physical_id, props,
                                             reimported ? nullptr : &r.previous_properties, api));
  TP_RETURN_IF_ERROR(
      SyncTags(services, kV2Tags, ApiArn(r, r.physical_id), props, r.previous_properties));
  if (Str(api, "ApiEndpoint").empty()) {
    TP_ASSIGN_OR_RETURN(api,
                        CallOrFail(services, "apigatewayv2", "GetApi", {{"ApiId", r.physical_id}}));
  }
  return ResourceState{r.physical_id,
                       {{"ApiId", r.physical_id}, {"ApiEndpoint", Str(api, "ApiEndpoint")}}};
}

Status DeleteApi(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(services, "apigatewayv2", "DeleteApi", {{"ApiId", r.physical_id}});
}

constexpr std::string_view kApiProperties[] = {"ApiKeySelectionExpression",
                                               "BasePath",
                                               "Body",
                                               "BodyS3Location",
                                               "CorsConfiguration",
                                               "CredentialsArn",
                                               "Description",
                                               "DisableExecuteApiEndpoint",
                                               "DisableSchemaValidation",
                                               "FailOnWarnings",
                                               "IpAddressType",
                                               "Name",
                                               "ProtocolType",
                                               "RouteKey",
                                               "RouteSelectionExpression",
                                               "Tags",
                                               "Target",
                                               "Version"};
constexpr std::string_view kApiReplaceOn[] = {"ProtocolType"};

// --- Integration, Route, Authorizer, Deployment: create with the template's members, update
// with the same members and the id, delete by id. ----------------------------------------------

struct ChildType {
  std::string_view type;
  std::string_view noun;  // "Integration": CreateIntegration, IntegrationId, ...
  std::span<const std::string_view> members;  // passed as they are (ApiId included)
};

// The template's ResponseParameters {status: {ResponseParameters: [{Destination, Source}]}} as
// the API's {status: {destination: source}}.
json::object ResponseParametersInput(const json::value& v) {
  json::object out;
  if (!v.is_object()) return out;
  for (const auto& [status, entry] : v.get_object()) {
    json::object mapping;
    const json::value* list =
        entry.is_object() ? entry.get_object().if_contains("ResponseParameters") : nullptr;
    if (list && list->is_array()) {
      for (const json::value& p : list->get_array()) {
        if (p.is_object())
          mapping[Str(p.get_object(), "Destination")] = Str(p.get_object(), "Source");
      }
    }
    out[status] = std::move(mapping);
  }
  return out;
}

json::object ChildInput(const ChildType& t, const json::object& props) {
  json::object in;
  CopyTyped(props, in, t.members);
  if (const json::value* v = props.if_contains("ResponseParameters");
      v && t.noun == "Integration") {
    in["ResponseParameters"] = ResponseParametersInput(*v);
  }
  return in;
}

Result<ResourceState> CreateChild(const ChildType& t, ServiceCaller& services,
                                  const ResourceRequest& r) {
  if (Str(r.properties, "ApiId").empty()) return Missing(t.type, "ApiId");
  TP_ASSIGN_OR_RETURN(json::object created,
                      CallOrFail(services, "apigatewayv2", "Create" + std::string(t.noun),
                                 ChildInput(t, r.properties)));
  std::string id_member = std::string(t.noun) + "Id";
  std::string id = Str(created, id_member);
  return ResourceState{id, {{id_member, id}}};
}

Result<ResourceState> UpdateChild(const ChildType& t, ServiceCaller& services,
                                  const ResourceRequest& r) {
  json::object in = ChildInput(t, r.properties);
  in[std::string(t.noun) + "Id"] = r.physical_id;
  TP_RETURN_IF_ERROR(
      CallOrFail(services, "apigatewayv2", "Update" + std::string(t.noun), std::move(in)).status());
  return ResourceState{r.physical_id, r.attributes};
}

Status DeleteChild(const ChildType& t, ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(
      services, "apigatewayv2", "Delete" + std::string(t.noun),
      {{"ApiId", Str(r.properties, "ApiId")}, {std::string(t.noun) + "Id", r.physical_id}});
}

constexpr std::string_view kIntegrationProperties[] = {"ApiId",
                                                       "ConnectionId",
                                                       "ConnectionType",
                                                       "ContentHandlingStrategy",
                                                       "CredentialsArn",
                                                       "Description",
                                                       "IntegrationMethod",
                                                       "IntegrationSubtype",
                                                       "IntegrationType",
                                                       "IntegrationUri",
                                                       "PassthroughBehavior",
                                                       "PayloadFormatVersion",
                                                       "RequestParameters",
                                                       "RequestTemplates",
                                                       "ResponseParameters",
                                                       "TemplateSelectionExpression",
                                                       "TimeoutInMillis",
                                                       "TlsConfig"};
constexpr std::string_view kRouteMembers[] = {"ApiId",
                                              "ApiKeyRequired",
                                              "AuthorizationScopes",
                                              "AuthorizationType",
                                              "AuthorizerId",
                                              "ModelSelectionExpression",
                                              "OperationName",
                                              "RequestModels",
                                              "RequestParameters",
                                              "RouteKey",
                                              "RouteResponseSelectionExpression",
                                              "Target"};
constexpr std::string_view kAuthorizerMembers[] = {"ApiId",
                                                   "AuthorizerCredentialsArn",
                                                   "AuthorizerPayloadFormatVersion",
                                                   "AuthorizerResultTtlInSeconds",
                                                   "AuthorizerType",
                                                   "AuthorizerUri",
                                                   "EnableSimpleResponses",
                                                   "IdentitySource",
                                                   "IdentityValidationExpression",
                                                   "JwtConfiguration",
                                                   "Name"};
constexpr std::string_view kDeploymentMembers[] = {"ApiId", "Description", "StageName"};
constexpr std::string_view kApiIdOnly[] = {"ApiId"};

constexpr ChildType kIntegration{"AWS::ApiGatewayV2::Integration", "Integration",
                                 kIntegrationProperties};
constexpr ChildType kRoute{"AWS::ApiGatewayV2::Route", "Route", kRouteMembers};
constexpr ChildType kAuthorizer{"AWS::ApiGatewayV2::Authorizer", "Authorizer", kAuthorizerMembers};
constexpr ChildType kDeployment{"AWS::ApiGatewayV2::Deployment", "Deployment", kDeploymentMembers};

template <const ChildType& T>
Result<ResourceState> CreateOf(ServiceCaller& s, const ResourceRequest& r) {
  return CreateChild(T, s, r);
}
template <const ChildType& T>
Result<ResourceState> UpdateOf(ServiceCaller& s, const ResourceRequest& r) {
  return UpdateChild(T, s, r);
}
template <const ChildType& T>
Status DeleteOf(ServiceCaller& s, const ResourceRequest& r) {
  return DeleteChild(T, s, r);
}

// --- AWS::ApiGatewayV2::Stage -----------------------------------------------------------------

constexpr std::string_view kStageProperties[] = {"AccessLogSettings",
                                                 "ApiId",
                                                 "AutoDeploy",
                                                 "ClientCertificateId",
                                                 "DefaultRouteSettings",
                                                 "DeploymentId",
                                                 "Description",
                                                 "RouteSettings",
                                                 "StageName",
                                                 "StageVariables",
                                                 "Tags"};

Result<ResourceState> CreateStage(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  if (Str(props, "StageName").empty()) return Missing("AWS::ApiGatewayV2::Stage", "StageName");
  json::object in;
  CopyTyped(props, in, kStageProperties);
  if (props.contains("Tags")) in["Tags"] = TagMap(props.if_contains("Tags"));
  TP_RETURN_IF_ERROR(CallOrFail(services, "apigatewayv2", "CreateStage", std::move(in)).status());
  return ResourceState{Str(props, "StageName"), {}};
}

Result<ResourceState> UpdateStage(ServiceCaller& services, const ResourceRequest& r) {
  json::object in;
  CopyTyped(r.properties, in, kStageProperties);
  in["StageName"] = r.physical_id;
  TP_RETURN_IF_ERROR(CallOrFail(services, "apigatewayv2", "UpdateStage", std::move(in)).status());
  TP_RETURN_IF_ERROR(SyncTags(services, kV2Tags,
                              ApiArn(r, Str(r.properties, "ApiId")) + "/stages/" + r.physical_id,
                              r.properties, r.previous_properties));
  return ResourceState{r.physical_id, {}};
}

Status DeleteStage(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(
      services, "apigatewayv2", "DeleteStage",
      {{"ApiId", Str(r.properties, "ApiId")}, {"StageName", r.physical_id}});
}

constexpr std::string_view kStageReplaceOn[] = {"ApiId", "StageName"};

constexpr TypeSpec kApiSpec{
    "AWS::ApiGatewayV2::Api", kApiProperties, kApiReplaceOn, &CreateApi, &UpdateApi, &DeleteApi};
constexpr TypeSpec kIntegrationSpec{
    kIntegration.type,       kIntegrationProperties,  kApiIdOnly,
    &CreateOf<kIntegration>, &UpdateOf<kIntegration>, &DeleteOf<kIntegration>};
constexpr TypeSpec kRouteSpec{kRoute.type,       kRouteMembers,     kApiIdOnly,
                              &CreateOf<kRoute>, &UpdateOf<kRoute>, &DeleteOf<kRoute>};
constexpr TypeSpec kAuthorizerSpec{
    kAuthorizer.type,       kAuthorizerMembers,     kApiIdOnly,
    &CreateOf<kAuthorizer>, &UpdateOf<kAuthorizer>, &DeleteOf<kAuthorizer>};
constexpr TypeSpec kDeploymentSpec{
    kDeployment.type, kDeploymentMembers,    {}, &CreateOf<kDeployment>,
    nullptr,          &DeleteOf<kDeployment>};
constexpr TypeSpec kStageSpec{"AWS::ApiGatewayV2::Stage",
                              kStageProperties,
                              kStageReplaceOn,
                              &CreateStage,
                              &UpdateStage,
                              &DeleteStage};

}  // namespace

const SpecProvider kApiGatewayV2Api{kApiSpec};
const SpecProvider kApiGatewayV2Integration{kIntegrationSpec};
const SpecProvider kApiGatewayV2Route{kRouteSpec};
const SpecProvider kApiGatewayV2Authorizer{kAuthorizerSpec};
const SpecProvider kApiGatewayV2Deployment{kDeploymentSpec};
const SpecProvider kApiGatewayV2Stage{kStageSpec};

}  // namespace tidepool::cloudformation::serverless
