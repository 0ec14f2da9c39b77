// AWS::Lambda::Permission, EventSourceMapping, Url, EventInvokeConfig, LayerVersion and
// LayerVersionPermission: what reaches a function or hangs off it.
#include <boost/json/array.hpp>

#include <algorithm>
#include <cstdlib>

#include "services/cloudformation/providers/serverless_lambda.h"

namespace tidepool::cloudformation::serverless {
namespace json = boost::json;
namespace {

// A function name or ARN, split into the unqualified part and its qualifier (version or alias):
// "arn:aws:lambda:r:a:function:f:live" -> {"arn:aws:lambda:r:a:function:f", "live"}; names and
// unqualified ARNs have no qualifier.
std::pair<std::string, std::string> SplitQualifier(const std::string& function) {
  bool arn = function.starts_with("arn:");
  size_t colons = std::count(function.begin(), function.end(), ':');
  if ((arn && colons == 7) || (!arn && colons == 1)) {
    size_t cut = function.rfind(':');
    return {function.substr(0, cut), function.substr(cut + 1)};
  }
  return {function, ""};
}

// --- AWS::Lambda::Permission ------------------------------------------------------------------

constexpr std::string_view kPermissionType = "AWS::Lambda::Permission";

Result<ResourceState> CreatePermission(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  for (std::string_view key : {"FunctionName", "Action", "Principal"}) {
    if (Str(props, key).empty()) return Missing(kPermissionType, key);
  }
  std::string sid = GeneratedName(r, 100);
  json::object in{{"StatementId", sid}};
  CopyMembers(props, in,
              {"FunctionName", "Action", "Principal", "SourceArn", "SourceAccount",
               "EventSourceToken", "PrincipalOrgID", "FunctionUrlAuthType"});
  if (props.contains("InvokedViaFunctionUrl")) {
    in["InvokedViaFunctionUrl"] = BoolMember(props, "InvokedViaFunctionUrl", false);
  }
  TP_RETURN_IF_ERROR(CallOrFail(services, "lambda", "AddPermission", in).status());
  return ResourceState{sid, {{"Id", sid}}};
}

Status DeletePermission(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(
      services, "lambda", "RemovePermission",
      {{"FunctionName", Str(r.properties, "FunctionName")}, {"StatementId", r.physical_id}});
}

constexpr std::string_view kPermissionProperties[] = {"Action",
                                                      "EventSourceToken",
                                                      "FunctionName",
                                                      "FunctionUrlAuthType",
                                                      "InvokedViaFunctionUrl",
                                                      "Principal",
                                                      "PrincipalOrgID",
                                                      "SourceAccount",
                                                      "SourceArn"};

// --- AWS::Lambda::EventSourceMapping ----------------------------------------------------------

// The template's members. All but KmsKeyArn (the API's KMSKeyArn) and Tags (a map in the API)
// have the API's names and shapes; the service refuses those it has not built (self-managed
// Kafka, DocumentDB, ...) with its own message.
constexpr std::string_view kMappingProperties[] = {
    "AmazonManagedKafkaEventSourceConfig",
    "BatchSize",
    "BisectBatchOnFunctionError",
    "DestinationConfig",
    "DocumentDBEventSourceConfig",
    "Enabled",
    "EventSourceArn",
    "FilterCriteria",
    "FunctionName",
    "FunctionResponseTypes",
    "KmsKeyArn",
    "MaximumBatchingWindowInSeconds",
    "MaximumRecordAgeInSeconds",
    "MaximumRetryAttempts",
    "MetricsConfig",
    "ParallelizationFactor",
    "ProvisionedPollerConfig",
    "Queues",
    "ScalingConfig",
    "SelfManagedEventSource",
    "SelfManagedKafkaEventSourceConfig",
    "SourceAccessConfigurations",
    "StartingPosition",
    "StartingPositionTimestamp",
    "Tags",
    "Topics",
    "TumblingWindowInSeconds",
};

// What replaces the mapping: the members UpdateEventSourceMapping does not take, and Tags (our
// Lambda tags functions only, so a mapping's tags are set when it is created).
constexpr std::string_view kMappingReplaceOn[] = {"AmazonManagedKafkaEventSourceConfig",
                                                  "EventSourceArn",
                                                  "Queues",
                                                  "SelfManagedEventSource",
                                                  "SelfManagedKafkaEventSourceConfig",
                                                  "StartingPosition",
                                                  "StartingPositionTimestamp",
                                                  "Tags",
                                                  "Topics"};

constexpr std::string_view kIntegerMembers[] = {"BatchSize",
                                                "MaximumBatchingWindowInSeconds",
                                                "MaximumRecordAgeInSeconds",
                                                "MaximumRetryAttempts",
                                                "ParallelizationFactor",
                                                "TumblingWindowInSeconds"};

json::object MappingInput(const json::object& props, bool create) {
  json::object in;
  for (std::string_view key : kMappingProperties) {
    if (key == "KmsKeyArn" || key == "Tags") continue;
    if (!create && std::find(std::begin(kMappingReplaceOn), std::end(kMappingReplaceOn), key) !=
                       std::end(kMappingReplaceOn)) {
      continue;
    }
    const json::value* v = props.if_contains(key);
    if (v == nullptr) continue;
    int64_t n = 0;
    if (std::find(std::begin(kIntegerMembers), std::end(kIntegerMembers), key) !=
            std::end(kIntegerMembers) &&
        IntMember(props, key, n)) {
      in[key] = n;
    } else if (key == "StartingPositionTimestamp" && v->is_string()) {
      in[key] = std::atof(v->get_string().c_str());  // seconds since the epoch
    } else if (key == "Enabled" || key == "BisectBatchOnFunctionError") {
      in[key] = BoolMember(props, key, false);
    } else {
      in[key] = *v;
    }
  }
  if (props.contains("KmsKeyArn")) in["KMSKeyArn"] = props.at("KmsKeyArn");
  NestedIntMember(in, "ScalingConfig", "MaximumConcurrency");
  return in;
}

// Waits until the mapping leaves Creating/Enabling/Updating/Disabling, as AWS's handler does.
Status WaitForMapping(ServiceCaller& services, const std::string& uuid) {
  return WaitUntil(
      [&]() -> Result<bool> {
        TP_ASSIGN_OR_RETURN(json::object m, CallOrFail(services, "lambda", "GetEventSourceMapping",
                                                       {{"UUID", uuid}}));
        std::string state = Str(m, "State");
        return state != "Creating" && state != "Enabling" && state != "Updating" &&
               state != "Disabling";
      },
      "EventSourceMapping " + uuid);
}

ResourceState MappingState(const json::object& m) {
  std::string uuid = Str(m, "UUID");
  return {uuid, {{"Id", uuid}, {"EventSourceMappingArn", Str(m, "EventSourceMappingArn")}}};
}

Result<ResourceState> CreateMapping(ServiceCaller& services, const ResourceRequest& r) {
  json::object in = MappingInput(r.properties, /*create=*/true);
  if (r.properties.contains("Tags")) in["Tags"] = TagMap(r.properties.if_contains("Tags"));
  TP_ASSIGN_OR_RETURN(json::object m,
                      CallOrFail(services, "lambda", "CreateEventSourceMapping", std::move(in)));
  TP_RETURN_IF_ERROR(WaitForMapping(services, Str(m, "UUID")));
  return MappingState(m);
}

Result<ResourceState> UpdateMapping(ServiceCaller& services, const ResourceRequest& r) {
  json::object in = MappingInput(r.properties, /*create=*/false);
  in["UUID"] = r.physical_id;
  if (!in.contains("Enabled")) in["Enabled"] = true;
  TP_ASSIGN_OR_RETURN(json::object m,
                      CallOrFail(services, "lambda", "UpdateEventSourceMapping", std::move(in)));
  TP_RETURN_IF_ERROR(WaitForMapping(services, r.physical_id));
  return MappingState(m);
}

Status DeleteMapping(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(services, "lambda", "DeleteEventSourceMapping",
                              {{"UUID", r.physical_id}});
}

// --- AWS::Lambda::Url -------------------------------------------------------------------------

json::object UrlInput(const json::object& props) {
  auto [function, qualifier] = SplitQualifier(Str(props, "TargetFunctionArn"));
  if (!Str(props, "Qualifier").empty()) qualifier = Str(props, "Qualifier");
  json::object in{{"FunctionName", function}};
  if (!qualifier.empty()) in["Qualifier"] = qualifier;
  CopyMembers(props, in, {"AuthType", "Cors", "InvokeMode"});
  return in;
}

Result<ResourceState> CreateUrl(ServiceCaller& services, const ResourceRequest& r) {
  if (Str(r.properties, "TargetFunctionArn").empty()) {
    return Missing("AWS::Lambda::Url", "TargetFunctionArn");
  }
  TP_ASSIGN_OR_RETURN(json::object url, CallOrFail(services, "lambda", "CreateFunctionUrlConfig",
                                                   UrlInput(r.properties)));
  std::string arn = Str(url, "FunctionArn");
  return ResourceState{arn, {{"FunctionArn", arn}, {"FunctionUrl", Str(url, "FunctionUrl")}}};
}

Result<ResourceState> UpdateUrl(ServiceCaller& services, const ResourceRequest& r) {
  json::object in = UrlInput(r.properties);
  if (!in.contains("Cors")) in["Cors"] = json::object();
  if (!in.contains("InvokeMode")) in["InvokeMode"] = "BUFFERED";
  TP_ASSIGN_OR_RETURN(json::object url,
                      CallOrFail(services, "lambda", "UpdateFunctionUrlConfig", std::move(in)));
  return ResourceState{r.physical_id,
                       {{"FunctionArn", r.physical_id}, {"FunctionUrl", Str(url, "FunctionUrl")}}};
}

Status DeleteUrl(ServiceCaller& services, const ResourceRequest& r) {
  json::object in = UrlInput(r.properties);
  return CallIgnoringNotFound(
      services, "lambda", "DeleteFunctionUrlConfig",
      in.contains("Qualifier")
          ? json::object{{"FunctionName", in["FunctionName"]}, {"Qualifier", in["Qualifier"]}}
          : json::object{{"FunctionName", in["FunctionName"]}});
}

constexpr std::string_view kUrlProperties[] = {"AuthType", "Cors", "InvokeMode", "Qualifier",
                                               "TargetFunctionArn"};
constexpr std::string_view kUrlReplaceOn[] = {"Qualifier", "TargetFunctionArn"};

// --- AWS::Lambda::EventInvokeConfig -----------------------------------------------------------

json::object InvokeConfigInput(const json::object& props) {
  json::object in;
  CopyMembers(props, in, {"FunctionName", "Qualifier", "DestinationConfig"});
  for (std::string_view key : {"MaximumEventAgeInSeconds", "MaximumRetryAttempts"}) {
    int64_t n = 0;
    if (IntMember(props, key, n)) in[key] = n;
  }
  return in;
}

Result<ResourceState> PutInvokeConfig(ServiceCaller& services, const ResourceRequest& r) {
  for (std::string_view key : {"FunctionName", "Qualifier"}) {
    if (Str(r.properties, key).empty()) return Missing("AWS::Lambda::EventInvokeConfig", key);
  }
  TP_RETURN_IF_ERROR(CallOrFail(services, "lambda", "PutFunctionEventInvokeConfig",
                                InvokeConfigInput(r.properties))
                         .status());
  return ResourceState{Str(r.properties, "FunctionName") + "|" + Str(r.properties, "Qualifier"),
                       {}};
}

Status DeleteInvokeConfig(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(services, "lambda", "DeleteFunctionEventInvokeConfig",
                              {{"FunctionName", Str(r.properties, "FunctionName")},
                               {"Qualifier", Str(r.properties, "Qualifier")}});
}

constexpr std::string_view kInvokeConfigProperties[] = {"DestinationConfig", "FunctionName",
                                                        "MaximumEventAgeInSeconds",
                                                        "MaximumRetryAttempts", "Qualifier"};
constexpr std::string_view kInvokeConfigReplaceOn[] = {"FunctionName", "Qualifier"};

// --- AWS::Lambda::LayerVersion ----------------------------------------------------------------

Result<ResourceState> CreateLayerVersion(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  const json::value* content = props.if_contains("Content");
  if (content == nullptr || !content->is_object()) {
    return Missing("AWS::Lambda::LayerVersion", "Content");
  }
  std::string name = Str(props, "LayerName");
  if (name.empty()) name = GeneratedName(r, 64);
  json::object in{{"LayerName", name}};
  json::object code;
  CopyMembers(content->get_object(), code, {"S3Bucket", "S3Key", "S3ObjectVersion"});
  in["Content"] = std::move(code);
  CopyMembers(props, in,
              {"CompatibleRuntimes", "CompatibleArchitectures", "Description", "LicenseInfo"});
  TP_ASSIGN_OR_RETURN(json::object layer,
                      CallOrFail(services, "lambda", "PublishLayerVersion", in));
  std::string arn = Str(layer, "LayerVersionArn");
  return ResourceState{arn, {{"LayerVersionArn", arn}}};
}

Status DeleteLayerVersion(ServiceCaller& services, const ResourceRequest& r) {
  // arn:aws:lambda:region:account:layer:name:version
  int64_t version = std::atoll(ArnField(r.physical_id, 7).c_str());
  return CallIgnoringNotFound(
      services, "lambda", "DeleteLayerVersion",
      {{"LayerName", ArnField(r.physical_id, 6)}, {"VersionNumber", version}});
}

constexpr std::string_view kLayerProperties[] = {"CompatibleArchitectures",
                                                 "CompatibleRuntimes",
                                                 "Content",
                                                 "Description",
                                                 "LayerName",
                                                 "LicenseInfo"};

// --- AWS::Lambda::LayerVersionPermission ------------------------------------------------------

Result<ResourceState> CreateLayerPermission(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  for (std::string_view key : {"Action", "LayerVersionArn", "Principal"}) {
    if (Str(props, key).empty()) return Missing("AWS::Lambda::LayerVersionPermission", key);
  }
  std::string arn = Str(props, "LayerVersionArn");
  std::string sid = GeneratedName(r, 100);
  json::object in{{"LayerName", ArnField(arn, 6)},
                  {"VersionNumber", std::atoll(ArnField(arn, 7).c_str())},
                  {"StatementId", sid}};
  CopyMembers(props, in, {"Action", "Principal", "OrganizationId"});
  TP_RETURN_IF_ERROR(CallOrFail(services, "lambda", "AddLayerVersionPermission", in).status());
  return ResourceState{arn + "#" + sid, {{"Id", arn + "#" + sid}}};
}

Status DeleteLayerPermission(ServiceCaller& services, const ResourceRequest& r) {
  const std::string& id = r.physical_id;  // <layer version ARN>#<statement id>
  std::string arn = id.substr(0, id.find('#'));
  std::string sid = id.find('#') == std::string::npos ? "" : id.substr(id.find('#') + 1);
  return CallIgnoringNotFound(services, "lambda", "RemoveLayerVersionPermission",
                              {{"LayerName", ArnField(arn, 6)},
                               {"VersionNumber", std::atoll(ArnField(arn, 7).c_str())},
                               {"StatementId", sid}});
}

constexpr std::string_view kLayerPermissionProperties[] = {"Action", "LayerVersionArn",
                                                           "OrganizationId", "Principal"};

constexpr TypeSpec kPermissionSpec{kPermissionType, kPermissionProperties, {}, &CreatePermission,
                                   nullptr,         &DeletePermission};
constexpr TypeSpec kMappingSpec{"AWS::Lambda::EventSourceMapping",
                                kMappingProperties,
                                kMappingReplaceOn,
                                &CreateMapping,
                                &UpdateMapping,
                                &DeleteMapping};
constexpr TypeSpec kUrlSpec{"AWS::Lambda::Url", kUrlProperties, kUrlReplaceOn,
                            &CreateUrl,         &UpdateUrl,     &DeleteUrl};
constexpr TypeSpec kInvokeConfigSpec{"AWS::Lambda::EventInvokeConfig",
                                     kInvokeConfigProperties,
                                     kInvokeConfigReplaceOn,
                                     &PutInvokeConfig,
                                     &PutInvokeConfig,
                                     &DeleteInvokeConfig};
constexpr TypeSpec kLayerSpec{"AWS::Lambda::LayerVersion", kLayerProperties, {},
                              &CreateLayerVersion,         nullptr,          &DeleteLayerVersion};
constexpr TypeSpec kLayerPermissionSpec{"AWS::Lambda::LayerVersionPermission",
                                        kLayerPermissionProperties,
                                        {},
                                        &CreateLayerPermission,
                                        nullptr,
                                        &DeleteLayerPermission};

}  // namespace

const SpecProvider kLambdaPermission{kPermissionSpec};
const SpecProvider kLambdaEventSourceMapping{kMappingSpec};
const SpecProvider kLambdaUrl{kUrlSpec};
const SpecProvider kLambdaEventInvokeConfig{kInvokeConfigSpec};
const SpecProvider kLambdaLayerVersion{kLayerSpec};
const SpecProvider kLambdaLayerVersionPermission{kLayerPermissionSpec};

}  // namespace tidepool::cloudformation::serverless
