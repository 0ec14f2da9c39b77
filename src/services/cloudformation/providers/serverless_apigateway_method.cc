// AWS::ApiGateway::Method (with its Integration and responses) and the smaller REST API types:
// ApiKey, UsagePlan, UsagePlanKey, Authorizer, RequestValidator, Model, GatewayResponse.
#include <boost/json/array.hpp>

#include <cctype>

#include "services/cloudformation/providers/serverless_apigateway.h"

namespace tidepool::cloudformation::serverless {
namespace json = boost::json;
namespace {

using Renames = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Copies the template members `names` ({Template, api}) present in `from` into `to`, strings as
// text, objects and lists as they are.
void CopyRenamed(const json::object& from, json::object& to, Renames names) {
  for (auto [cfn, api] : names) {
    if (const json::value* v = from.if_contains(cfn)) {
      to[api] = v->is_object() || v->is_array() ? *v : json::value(JsonText(*v));
    }
  }
}

// A map whose values are booleans (RequestParameters, ResponseParameters of methods), given as
// booleans or "true"/"false".
json::object BoolMap(const json::value* v) {
  json::object out;
  if (v == nullptr || !v->is_object()) return out;
  for (const auto& [k, b] : v->get_object()) {
    out[k] = b.is_bool() ? b.get_bool() : (b.is_string() && b.get_string() == "true");
  }
  return out;
}

// --- AWS::ApiGateway::Method ------------------------------------------------------------------

constexpr std::string_view kMethodType = "AWS::ApiGateway::Method";

constexpr std::string_view kIntegrationMembers[] = {"CacheKeyParameters",
                                                    "CacheNamespace",
                                                    "ConnectionId",
                                                    "ConnectionType",
                                                    "ContentHandling",
                                                    "Credentials",
                                                    "IntegrationHttpMethod",
                                                    "IntegrationResponses",
                                                    "PassthroughBehavior",
                                                    "RequestParameters",
                                                    "RequestTemplates",
                                                    "TimeoutInMillis",
                                                    "Type",
                                                    "Uri"};

Status PutIntegration(ServiceCaller& services, const json::object& target,
                      const json::object& integration) {
  json::object in = target;
  CopyRenamed(integration, in,
              {{"Type", "type"},
               {"IntegrationHttpMethod", "integrationHttpMethod"},
               {"Uri", "uri"},
               {"ConnectionType", "connectionType"},
               {"ConnectionId", "connectionId"},
               {"Credentials", "credentials"},
               {"RequestParameters", "requestParameters"},
               {"RequestTemplates", "requestTemplates"},
               {"PassthroughBehavior", "passthroughBehavior"},
               {"CacheNamespace", "cacheNamespace"},
               {"CacheKeyParameters", "cacheKeyParameters"},
               {"ContentHandling", "contentHandling"}});
  int64_t timeout = 0;
  if (IntMember(integration, "TimeoutInMillis", timeout)) in["timeoutInMillis"] = timeout;
  TP_RETURN_IF_ERROR(CallOrFail(services, "apigateway", "PutIntegration", std::move(in)).status());
  const json::value* responses = integration.if_contains("IntegrationResponses");
  if (responses == nullptr || !responses->is_array()) return Status::Ok();
  for (const json::value& response : responses->get_array()) {
    if (!response.is_object()) continue;
    json::object put = target;
    CopyRenamed(response.get_object(), put,
                {{"StatusCode", "statusCode"},
                 {"SelectionPattern", "selectionPattern"},
                 {"ResponseParameters", "responseParameters"},
                 {"ResponseTemplates", "responseTemplates"},
                 {"ContentHandling", "contentHandling"}});
    TP_RETURN_IF_ERROR(
        CallOrFail(services, "apigateway", "PutIntegrationResponse", std::move(put)).status());
  }
  return Status::Ok();
}

json::object MethodTarget(const json::object& props) {
  return {{"restApiId", Str(props, "RestApiId")},
          {"resourceId", Str(props, "ResourceId")},
          {"httpMethod", Str(props, "HttpMethod")}};
}

Status PutMethod(ServiceCaller& services, const json::object& props) {
  for (std::string_view key : {"RestApiId", "ResourceId", "HttpMethod"}) {
    if (Str(props, key).empty()) return Missing(kMethodType, key);
  }
  if (const json::value* integration = props.if_contains("Integration");
      integration && integration->is_object()) {
    TP_RETURN_IF_ERROR(CheckProperties("AWS::ApiGateway::Method Integration",
                                       integration->get_object(), kIntegrationMembers));
  }
  json::object in = MethodTarget(props);
  in["authorizationType"] =
      props.contains("AuthorizationType") ? Str(props, "AuthorizationType") : "NONE";
  CopyRenamed(props, in,
              {{"AuthorizerId", "authorizerId"},
               {"OperationName", "operationName"},
               {"RequestModels", "requestModels"},
               {"RequestValidatorId", "requestValidatorId"},
               {"AuthorizationScopes", "authorizationScopes"}});
  if (props.contains("ApiKeyRequired")) {
    in["apiKeyRequired"] = BoolMember(props, "ApiKeyRequired", false);
  }
  if (props.contains("RequestParameters")) {
    in["requestParameters"] = BoolMap(props.if_contains("RequestParameters"));
  }
  return CallOrFail(services, "apigateway", "PutMethod", std::move(in)).status();
}

// The method's responses and integration, once the method is put (PutMethod checked them).
Status PutMethodParts(ServiceCaller& services, const json::object& props) {
  json::object target = MethodTarget(props);
  if (const json::value* responses = props.if_contains("MethodResponses");
      responses && responses->is_array()) {
    for (const json::value& response : responses->get_array()) {
      if (!response.is_object()) continue;
      json::object put = target;
      CopyRenamed(response.get_object(), put,
                  {{"StatusCode", "statusCode"}, {"ResponseModels", "responseModels"}});
      if (response.get_object().contains("ResponseParameters")) {
        put["responseParameters"] =
            BoolMap(response.get_object().if_contains("ResponseParameters"));
      }
      TP_RETURN_IF_ERROR(
          CallOrFail(services, "apigateway", "PutMethodResponse", std::move(put)).status());
    }
  }
  if (const json::value* integration = props.if_contains("Integration");
      integration && integration->is_object()) {
    TP_RETURN_IF_ERROR(PutIntegration(services, target, integration->get_object()));
  }
  return Status::Ok();
}

Result<ResourceState> CreateMethod(ServiceCaller& services, const ResourceRequest& r) {
  TP_RETURN_IF_ERROR(PutMethod(services, r.properties));
  TP_RETURN_IF_ERROR(UndoOnFailure(PutMethodParts(services, r.properties), [&] {
    return CallIgnoringNotFound(services, "apigateway", "DeleteMethod", MethodTarget(r.properties));
  }));
  return ResourceState{GeneratedName(r, 64), {}};
}

// The method is put again from the template (its id stays), as a whole.
Result<ResourceState> UpdateMethod(ServiceCaller& services, const ResourceRequest& r) {
  TP_RETURN_IF_ERROR(CallIgnoringNotFound(services, "apigateway", "DeleteMethod",
                                          MethodTarget(r.previous_properties)));
  TP_RETURN_IF_ERROR(PutMethod(services, r.properties));
  TP_RETURN_IF_ERROR(PutMethodParts(services, r.properties));
  return ResourceState{r.physical_id, {}};
}

Status DeleteMethod(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(services, "apigateway", "DeleteMethod", MethodTarget(r.properties));
}

constexpr std::string_view kMethodProperties[] = {
    "ApiKeyRequired", "AuthorizationScopes", "AuthorizationType",  "AuthorizerId",
    "HttpMethod",     "Integration",         "MethodResponses",    "OperationName",
    "RequestModels",  "RequestParameters",   "RequestValidatorId", "ResourceId",
    "RestApiId"};
constexpr std::string_view kMethodReplaceOn[] = {"HttpMethod", "ResourceId", "RestApiId"};

// --- AWS::ApiGateway::ApiKey ------------------------------------------------------------------

Result<ResourceState> CreateApiKey(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  json::object in{{"name", props.contains("Name") ? Str(props, "Name") : GeneratedName(r, 128)}};
  CopyRenamed(props, in,
              {{"Description", "description"}, {"Value", "value"}, {"CustomerId", "customerId"}});
  in["enabled"] = BoolMember(props, "Enabled", false);
  if (props.contains("GenerateDistinctId")) {
    in["generateDistinctId"] = BoolMember(props, "GenerateDistinctId", false);
  }
  if (props.contains("Tags")) in["tags"] = TagMap(props.if_contains("Tags"));
  TP_ASSIGN_OR_RETURN(json::object key,
                      CallOrFail(services, "apigateway", "CreateApiKey", std::move(in)));
  std::string id = Str(key, "id");
  return ResourceState{id, {{"APIKeyId", id}}};
}

Result<ResourceState> UpdateApiKey(ServiceCaller& services, const ResourceRequest& r) {
  json::array patches =
      ChangedPatches(r.properties, r.previous_properties,
                     {{"Description", "/description"}, {"CustomerId", "/customerId"}});
  if (Changed(r.previous_properties, r.properties, "Enabled")) {
    patches.push_back(PatchOp("replace", "/enabled",
                              BoolMember(r.properties, "Enabled", false) ? "true" : "false"));
  }
  TP_RETURN_IF_ERROR(
      ApplyPatch(services, "UpdateApiKey", {{"apiKey", r.physical_id}}, std::move(patches))
          .status());
  TP_RETURN_IF_ERROR(SyncTags(services, kApiGatewayTags,
                              "arn:aws:apigateway:" + r.region + "::/apikeys/" + r.physical_id,
                              r.properties, r.previous_properties));
  return ResourceState{r.physical_id, r.attributes};
}

Status DeleteApiKey(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(services, "apigateway", "DeleteApiKey", {{"apiKey", r.physical_id}});
}

// StageKeys is refused: tidepool's API Gateway lets keys reach stages through usage plans only.
constexpr std::string_view kApiKeyProperties[] = {
    "CustomerId", "Description", "Enabled", "GenerateDistinctId", "Name", "Tags", "Value"};
constexpr std::string_view kApiKeyReplaceOn[] = {"GenerateDistinctId", "Name", "Value"};

// --- AWS::ApiGateway::UsagePlan ---------------------------------------------------------------

json::object ThrottleInput(const json::object& t) {
  json::object out;
  int64_t burst = 0;
  if (IntMember(t, "BurstLimit", burst)) out["burstLimit"] = burst;
  if (const json::value* rate = t.if_contains("RateLimit")) {
    out["rateLimit"] =
        rate->is_number() ? rate->to_number<double>() : std::atof(Str(t, "RateLimit").c_str());
  }
  return out;
}

Result<ResourceState> CreateUsagePlan(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  json::object in{{"name", props.contains("UsagePlanName") ? Str(props, "UsagePlanName")
                                                           : GeneratedName(r, 128)}};
  CopyRenamed(props, in, {{"Description", "description"}});
  if (const json::value* t = props.if_contains("Throttle"); t && t->is_object()) {
    in["throttle"] = ThrottleInput(t->get_object());
  }
  if (const json::value* q = props.if_contains("Quota"); q && q->is_object()) {
    json::object quota;
    int64_t n = 0;
    if (IntMember(q->get_object(), "Limit", n)) quota["limit"] = n;
    if (IntMember(q->get_object(), "Offset", n)) quota["offset"] = n;
    if (q->get_object().contains("Period")) quota["period"] = Str(q->get_object(), "Period");
    in["quota"] = std::move(quota);
  }
  if (const json::value* stages = props.if_contains("ApiStages"); stages && stages->is_array()) {
    json::array api_stages;
    for (const json::value& s : stages->get_array()) {
      if (!s.is_object()) continue;
      json::object stage{{"apiId", Str(s.get_object(), "ApiId")},
                         {"stage", Str(s.get_object(), "Stage")}};
      if (const json::value* t = s.get_object().if_contains("Throttle"); t && t->is_object()) {
        json::object per_method;
        for (const auto& [method, limits] : t->get_object()) {
          if (limits.is_object()) per_method[method] = ThrottleInput(limits.get_object());
        }
        stage["throttle"] = std::move(per_method);
      }
      api_stages.push_back(std::move(stage));
    }
    in["apiStages"] = std::move(api_stages);
  }
  if (props.contains("Tags")) in["tags"] = TagMap(props.if_contains("Tags"));
  TP_ASSIGN_OR_RETURN(json::object plan,
                      CallOrFail(services, "apigateway", "CreateUsagePlan", std::move(in)));
  std::string id = Str(plan, "id");
  return ResourceState{id, {{"Id", id}}};
}

Status DeleteUsagePlan(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(services, "apigateway", "DeleteUsagePlan",
                              {{"usagePlanId", r.physical_id}});
}

constexpr std::string_view kUsagePlanProperties[] = {"ApiStages", "Description", "Quota",
                                                     "Tags",      "Throttle",    "UsagePlanName"};

// --- AWS::ApiGateway::UsagePlanKey ------------------------------------------------------------

Result<ResourceState> CreateUsagePlanKey(ServiceCaller& services, const ResourceRequest& r) {
  json::object in{{"usagePlanId", Str(r.properties, "UsagePlanId")},
                  {"keyId", Str(r.properties, "KeyId")},
                  {"keyType", Str(r.properties, "KeyType")}};
  TP_ASSIGN_OR_RETURN(json::object key,
                      CallOrFail(services, "apigateway", "CreateUsagePlanKey", std::move(in)));
  std::string id = Str(key, "id");
  return ResourceState{id, {{"Id", id}}};
}

Status DeleteUsagePlanKey(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(
      services, "apigateway", "DeleteUsagePlanKey",
      {{"usagePlanId", Str(r.properties, "UsagePlanId")}, {"keyId", r.physical_id}});
}

constexpr std::string_view kUsagePlanKeyProperties[] = {"KeyId", "KeyType", "UsagePlanId"};

// --- AWS::ApiGateway::Authorizer, RequestValidator, Model, GatewayResponse --------------------

constexpr Renames kAuthorizerMembers = {
    {"AuthType", "authType"},
    {"AuthorizerCredentials", "authorizerCredentials"},
    {"AuthorizerUri", "authorizerUri"},
    {"IdentitySource", "identitySource"},
    {"IdentityValidationExpression", "identityValidationExpression"},
    {"Name", "name"},
    {"Type", "type"},
    {"ProviderARNs", "providerARNs"}};

Result<ResourceState> CreateAuthorizer(ServiceCaller& services, const ResourceRequest& r) {
  json::object in{{"restApiId", Str(r.properties, "RestApiId")}};
  CopyRenamed(r.properties, in, kAuthorizerMembers);
  int64_t ttl = 0;
  if (IntMember(r.properties, "AuthorizerResultTtlInSeconds", ttl)) {
    in["authorizerResultTtlInSeconds"] = ttl;
  }
  TP_ASSIGN_OR_RETURN(json::object created,
                      CallOrFail(services, "apigateway", "CreateAuthorizer", std::move(in)));
  std::string id = Str(created, "id");
  return ResourceState{id, {{"AuthorizerId", id}}};
}

Result<ResourceState> UpdateAuthorizer(ServiceCaller& services, const ResourceRequest& r) {
  json::array patches =
      ChangedPatches(r.properties, r.previous_properties,
                     {{"AuthType", "/authType"},
                      {"AuthorizerCredentials", "/authorizerCredentials"},
                      {"AuthorizerResultTtlInSeconds", "/authorizerResultTtlInSeconds"},
                      {"AuthorizerUri", "/authorizerUri"},
                      {"IdentitySource", "/identitySource"},
                      {"IdentityValidationExpression", "/identityValidationExpression"},
                      {"Name", "/name"},
                      {"Type", "/type"}});
  TP_RETURN_IF_ERROR(
      ApplyPatch(services, "UpdateAuthorizer",
                 {{"restApiId", Str(r.properties, "RestApiId")}, {"authorizerId", r.physical_id}},
                 std::move(patches))
          .status());
  return ResourceState{r.physical_id, r.attributes};
}

Status DeleteAuthorizer(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(
      services, "apigateway", "DeleteAuthorizer",
      {{"restApiId", Str(r.properties, "RestApiId")}, {"authorizerId", r.physical_id}});
}

constexpr std::string_view kAuthorizerProperties[] = {
    "AuthType",      "AuthorizerCredentials", "AuthorizerResultTtlInSeconds",
    "AuthorizerUri", "IdentitySource",        "IdentityValidationExpression",
    "Name",          "ProviderARNs",          "RestApiId",
    "Type"};
constexpr std::string_view kAuthorizerReplaceOn[] = {"ProviderARNs", "RestApiId"};

Result<ResourceState> CreateRequestValidator(ServiceCaller& services, const ResourceRequest& r) {
  json::object in{{"restApiId", Str(r.properties, "RestApiId")}};
  CopyRenamed(r.properties, in, {{"Name", "name"}});
  for (auto [from, to] : {std::pair{"ValidateRequestBody", "validateRequestBody"},
                          std::pair{"ValidateRequestParameters", "validateRequestParameters"}}) {
    if (r.properties.contains(from)) in[to] = BoolMember(r.properties, from, false);
  }
  TP_ASSIGN_OR_RETURN(json::object created,
                      CallOrFail(services, "apigateway", "CreateRequestValidator", std::move(in)));
  std::string id = Str(created, "id");
  return ResourceState{id, {{"RequestValidatorId", id}}};
}

Result<ResourceState> UpdateRequestValidator(ServiceCaller& services, const ResourceRequest& r) {
  json::array patches;
  for (auto [from, path] : {std::pair{"ValidateRequestBody", "/validateRequestBody"},
                            std::pair{"ValidateRequestParameters", "/validateRequestParameters"}}) {
    if (Changed(r.previous_properties, r.properties, from)) {
      patches.push_back(
          PatchOp("replace", path, BoolMember(r.properties, from, false) ? "true" : "false"));
    }
  }
  TP_RETURN_IF_ERROR(ApplyPatch(services, "UpdateRequestValidator",
                                {{"restApiId", Str(r.properties, "RestApiId")},
                                 {"requestValidatorId", r.physical_id}},
                                std::move(patches))
                         .status());
  return ResourceState{r.physical_id, r.attributes};
}

Status DeleteRequestValidator(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(
      services, "apigateway", "DeleteRequestValidator",
      {{"restApiId", Str(r.properties, "RestApiId")}, {"requestValidatorId", r.physical_id}});
}

constexpr std::string_view kValidatorProperties[] = {"Name", "RestApiId", "ValidateRequestBody",
                                                     "ValidateRequestParameters"};
constexpr std::string_view kValidatorReplaceOn[] = {"Name", "RestApiId"};

// Model names are alphanumeric: the generated name without its dashes.
std::string ModelName(const ResourceRequest& r) {
  if (r.properties.contains("Name")) return Str(r.properties, "Name");
  std::string name;
  for (char c : GeneratedName(r, 128)) {
    if (std::isalnum(static_cast<unsigned char>(c))) name += c;
  }
  return name;
}

Result<ResourceState> CreateModel(ServiceCaller& services, const ResourceRequest& r) {
  std::string name = ModelName(r);
  json::object in{{"restApiId", Str(r.properties, "RestApiId")}, {"name", name}};
  in["contentType"] =
      r.properties.contains("ContentType") ? Str(r.properties, "ContentType") : "application/json";
  CopyRenamed(r.properties, in, {{"Description", "description"}});
  if (const json::value* schema = r.properties.if_contains("Schema")) {
    in["schema"] = JsonText(*schema);
  }
  TP_RETURN_IF_ERROR(CallOrFail(services, "apigateway", "CreateModel", std::move(in)).status());
  return ResourceState{name, {}};
}

Result<ResourceState> UpdateModel(ServiceCaller& services, const ResourceRequest& r) {
  TP_RETURN_IF_ERROR(
      ApplyPatch(services, "UpdateModel",
                 {{"restApiId", Str(r.properties, "RestApiId")}, {"modelName", r.physical_id}},
                 ChangedPatches(r.properties, r.previous_properties,
                                {{"Schema", "/schema"}, {"Description", "/description"}}))
          .status());
  return ResourceState{r.physical_id, r.attributes};
}

Status DeleteModel(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(
      services, "apigateway", "DeleteModel",
      {{"restApiId", Str(r.properties, "RestApiId")}, {"modelName", r.physical_id}});
}

constexpr std::string_view kModelProperties[] = {"ContentType", "Description", "Name", "RestApiId",
                                                 "Schema"};
constexpr std::string_view kModelReplaceOn[] = {"ContentType", "Name", "RestApiId"};

Result<ResourceState> PutGatewayResponse(ServiceCaller& services, const ResourceRequest& r) {
  json::object in{{"restApiId", Str(r.properties, "RestApiId")},
                  {"responseType", Str(r.properties, "ResponseType")}};
  CopyRenamed(r.properties, in,
              {{"StatusCode", "statusCode"},
               {"ResponseParameters", "responseParameters"},
               {"ResponseTemplates", "responseTemplates"}});
  if (r.previous_properties.empty() == false) {
    // Put replaces the whole response; a member removed from the template goes with it.
    TP_RETURN_IF_ERROR(CallIgnoringNotFound(
        services, "apigateway", "DeleteGatewayResponse",
        {{"restApiId", in["restApiId"]}, {"responseType", in["responseType"]}}));
  }
  TP_RETURN_IF_ERROR(
      CallOrFail(services, "apigateway", "PutGatewayResponse", std::move(in)).status());
  return ResourceState{r.physical_id.empty() ? GeneratedName(r, 64) : r.physical_id, {}};
}

Status DeleteGatewayResponse(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(services, "apigateway", "DeleteGatewayResponse",
                              {{"restApiId", Str(r.properties, "RestApiId")},
                               {"responseType", Str(r.properties, "ResponseType")}});
}

constexpr std::string_view kGatewayResponseProperties[] = {
    "ResponseParameters", "ResponseTemplates", "ResponseType", "RestApiId", "StatusCode"};
constexpr std::string_view kGatewayResponseReplaceOn[] = {"ResponseType", "RestApiId"};

constexpr TypeSpec kMethodSpec{kMethodType,   kMethodProperties, kMethodReplaceOn,
                               &CreateMethod, &UpdateMethod,     &DeleteMethod};
constexpr TypeSpec kApiKeySpec{"AWS::ApiGateway::ApiKey",
                               kApiKeyProperties,
                               kApiKeyReplaceOn,
                               &CreateApiKey,
                               &UpdateApiKey,
                               &DeleteApiKey};
constexpr TypeSpec kUsagePlanSpec{"AWS::ApiGateway::UsagePlan",
                                  kUsagePlanProperties,
                                  {},
                                  &CreateUsagePlan,
                                  nullptr,
                                  &DeleteUsagePlan};
constexpr TypeSpec kUsagePlanKeySpec{"AWS::ApiGateway::UsagePlanKey",
                                     kUsagePlanKeyProperties,
                                     {},
                                     &CreateUsagePlanKey,
                                     nullptr,
                                     &DeleteUsagePlanKey};
constexpr TypeSpec kAuthorizerSpec{"AWS::ApiGateway::Authorizer",
                                   kAuthorizerProperties,
                                   kAuthorizerReplaceOn,
                                   &CreateAuthorizer,
                                   &UpdateAuthorizer,
                                   &DeleteAuthorizer};
constexpr TypeSpec kValidatorSpec{"AWS::ApiGateway::RequestValidator",
                                  kValidatorProperties,
                                  kValidatorReplaceOn,
                                  &CreateRequestValidator,
                                  &UpdateRequestValidator,
                                  &DeleteRequestValidator};
constexpr TypeSpec kModelSpec{"AWS::ApiGateway::Model",
                              kModelProperties,
                              kModelReplaceOn,
                              &CreateModel,
                              &UpdateModel,
                              &DeleteModel};
constexpr TypeSpec kGatewayResponseSpec{"AWS::ApiGateway::GatewayResponse",
                                        kGatewayResponseProperties,
                                        kGatewayResponseReplaceOn,
                                        &PutGatewayResponse,
                                        &PutGatewayResponse,
                                        &DeleteGatewayResponse};

}  // namespace

const SpecProvider kApiGatewayMethod{kMethodSpec};
const SpecProvider kApiGatewayApiKey{kApiKeySpec};
const SpecProvider kApiGatewayUsagePlan{kUsagePlanSpec};
const SpecProvider kApiGatewayUsagePlanKey{kUsagePlanKeySpec};
const SpecProvider kApiGatewayAuthorizer{kAuthorizerSpec};
const SpecProvider kApiGatewayRequestValidator{kValidatorSpec};
const SpecProvider kApiGatewayModel{kModelSpec};
const SpecProvider kApiGatewayGatewayResponse{kGatewayResponseSpec};

}  // namespace tidepool::cloudformation::serverless
