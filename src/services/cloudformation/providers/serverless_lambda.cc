// AWS::Lambda::Function, Version and Alias.
#include "services/cloudformation/providers/serverless_lambda.h"

#include <boost/json/array.hpp>

#include "services/cloudformation/providers/serverless_zip.h"

namespace tidepool::cloudformation::serverless {
namespace json = boost::json;
namespace {

constexpr std::string_view kFunctionType = "AWS::Lambda::Function";
constexpr size_t kFunctionNameLimit = 64;

// The members copied as they are from the template into CreateFunction /
// UpdateFunctionConfiguration (same names and shapes in both).
constexpr std::initializer_list<std::string_view> kConfigMembers = {
    "Role",          "Handler",          "Description",
    "Timeout",       "MemorySize",       "Runtime",
    "Layers",        "Environment",      "DeadLetterConfig",
    "TracingConfig", "EphemeralStorage", "LoggingConfig",
};

// The Code input the service takes for the template's Code property.
Result<json::object> CodeInput(const json::object& props) {
  const json::value* code_value = props.if_contains("Code");
  if (code_value == nullptr || !code_value->is_object()) return Missing(kFunctionType, "Code");
  const json::object& code = code_value->get_object();
  for (std::string_view refused : {"ImageUri", "SourceKMSKeyArn"}) {
    if (code.contains(refused)) {
      return Unsupported(kFunctionType, "Code." + std::string(refused),
                         refused == "ImageUri" ? ": tidepool runs .zip functions only" : "");
    }
  }
  json::object input;
  if (code.contains("ZipFile")) {
    std::string runtime = Str(props, "Runtime");
    std::string file = InlineCodeFile(runtime);
    if (file.empty()) {
      return Status::InvalidArgument(
          "ZipFile can only be used when Runtime is set to one of the nodejs or python "
          "runtimes, not '" +
          runtime + "'");
    }
    input["ZipFile"] = WriteStoredZip({{file, Str(code, "ZipFile")}});
    return input;
  }
  if (!code.contains("S3Bucket") || !code.contains("S3Key")) {
    return Status::InvalidArgument(
        "Code of AWS::Lambda::Function needs ZipFile, or S3Bucket and S3Key");
  }
  CopyMembers(code, input, {"S3Bucket", "S3Key", "S3ObjectVersion"});
  return input;
}

Status CheckFunctionProperties(const json::object& props) {
  if (!Str(props, "PackageType").empty() && Str(props, "PackageType") != "Zip") {
    return Unsupported(kFunctionType, "PackageType " + Str(props, "PackageType"),
                       ": tidepool runs .zip functions only");
  }
  // The defaults are what tidepool does; anything else is refused.
  if (const json::value* snap = props.if_contains("SnapStart")) {
    if (!snap->is_object() || Str(snap->get_object(), "ApplyOn") != "None") {
      return Unsupported(kFunctionType, "SnapStart", ": only ApplyOn None is honoured");
    }
  }
  if (const json::value* runtime = props.if_contains("RuntimeManagementConfig")) {
    if (!runtime->is_object() || Str(runtime->get_object(), "UpdateRuntimeOn") != "Auto") {
      return Unsupported(kFunctionType, "RuntimeManagementConfig",
                         ": only UpdateRuntimeOn Auto is honoured");
    }
  }
  if (const json::value* vpc = props.if_contains("VpcConfig");
      vpc && vpc->is_object() && !vpc->get_object().empty()) {
    auto ids = [&](std::string_view key) {
      const json::value* v = vpc->get_object().if_contains(key);
      return v && v->is_array() && !v->get_array().empty();
    };
    if (ids("SubnetIds") || ids("SecurityGroupIds")) {
      return Unsupported(kFunctionType, "VpcConfig", ": functions run on the host's network");
    }
  }
  return Status::Ok();
}

json::object ConfigInput(const json::object& props, std::string_view name) {
  json::object in{{"FunctionName", name}};
  CopyMembers(props, in, kConfigMembers);
  if (props.contains("KmsKeyArn")) in["KMSKeyArn"] = props.at("KmsKeyArn");
  for (std::string_view key : {"Timeout", "MemorySize"}) {
    int64_t n = 0;
    if (IntMember(props, key, n)) in[key] = n;
  }
  NestedIntMember(in, "EphemeralStorage", "Size");
  return in;
}

// Waits for the function's State (Create) or LastUpdateStatus (Update) to settle, as AWS's
// handler does before it reports the resource complete.
Status WaitForFunction(ServiceCaller& services, const std::string& name, bool update) {
  std::string last_reason;
  Status waited = WaitUntil(
      [&]() -> Result<bool> {
        TP_ASSIGN_OR_RETURN(
            json::object config,
            CallOrFail(services, "lambda", "GetFunctionConfiguration", {{"FunctionName", name}}));
        std::string state = Str(config, update ? "LastUpdateStatus" : "State");
        if (state == "Failed") {
          last_reason = Str(config, update ? "LastUpdateStatusReason" : "StateReason");
          return Status::FailedPrecondition("Function " + name +
                                            " failed to stabilize: " + last_reason);
        }
        return state.empty() || state == "Active" || state == "Successful";
      },
      "Function " + name);
  return waited;
}

// Reserved concurrency, recursion loop detection: separate calls, as AWS's handler makes them.
Status ApplyFunctionExtras(ServiceCaller& services, const std::string& name,
                           const json::object& props, const json::object& before) {
  int64_t reserved = 0;
  if (IntMember(props, "ReservedConcurrentExecutions", reserved)) {
    TP_RETURN_IF_ERROR(
        CallOrFail(services, "lambda", "PutFunctionConcurrency",
                   {{"FunctionName", name}, {"ReservedConcurrentExecutions", reserved}})
            .status());
  } else if (before.contains("ReservedConcurrentExecutions")) {
    TP_RETURN_IF_ERROR(CallIgnoringNotFound(services, "lambda", "DeleteFunctionConcurrency",
                                            {{"FunctionName", name}}));
  }
  if (props.contains("RecursiveLoop") || before.contains("RecursiveLoop")) {
    std::string loop = Str(props, "RecursiveLoop");
    TP_RETURN_IF_ERROR(
        CallOrFail(services, "lambda", "PutFunctionRecursionConfig",
                   {{"FunctionName", name}, {"RecursiveLoop", loop.empty() ? "Terminate" : loop}})
            .status());
  }
  return Status::Ok();
}

ResourceState FunctionState(const std::string& name, const json::object& config) {
  return {name,
          {{"Arn", Str(config, "FunctionArn")},
           {"SnapStartResponse.ApplyOn", "None"},
           {"SnapStartResponse.OptimizationStatus", "Off"}}};
}

Result<ResourceState> CreateFunction(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  TP_RETURN_IF_ERROR(CheckFunctionProperties(props));
  std::string name = Str(props, "FunctionName");
  if (name.empty()) name = GeneratedName(r, kFunctionNameLimit);
  TP_ASSIGN_OR_RETURN(json::object code, CodeInput(props));
  json::object in = ConfigInput(props, name);
  in["Code"] = std::move(code);
  CopyMembers(props, in, {"Architectures"});
  if (props.contains("Tags")) in["Tags"] = TagMap(props.if_contains("Tags"));
  TP_ASSIGN_OR_RETURN(json::object created, CallOrFail(services, "lambda", "CreateFunction", in));
  Status settled = WaitForFunction(services, name, /*update=*/false);
  if (settled.ok()) settled = ApplyFunctionExtras(services, name, props, {});
  TP_RETURN_IF_ERROR(UndoOnFailure(settled, [&] {
    return CallIgnoringNotFound(services, "lambda", "DeleteFunction", {{"FunctionName", name}});
  }));
  return FunctionState(name, created);
}

Result<ResourceState> UpdateFunction(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  const json::object& before = r.previous_properties;
  TP_RETURN_IF_ERROR(CheckFunctionProperties(props));
  const std::string& name = r.physical_id;
  if (Changed(before, props, "Code") || Changed(before, props, "Architectures") ||
      (props.contains("Code") && Changed(before, props, "Runtime"))) {
    TP_ASSIGN_OR_RETURN(json::object code, CodeInput(props));
    code["FunctionName"] = name;
    CopyMembers(props, code, {"Architectures"});
    TP_RETURN_IF_ERROR(CallOrFail(services, "lambda", "UpdateFunctionCode", code).status());
    TP_RETURN_IF_ERROR(WaitForFunction(services, name, /*update=*/true));
  }
  json::object in = ConfigInput(props, name);
  // A member removed from the template goes back to Lambda's default.
  if (!in.contains("Description")) in["Description"] = "";
  if (!in.contains("Timeout")) in["Timeout"] = 3;
  if (!in.contains("MemorySize")) in["MemorySize"] = 128;
  if (!in.contains("Environment")) in["Environment"] = json::object{{"Variables", json::object()}};
  if (!in.contains("Layers")) in["Layers"] = json::array();
  if (!in.contains("TracingConfig")) in["TracingConfig"] = json::object{{"Mode", "PassThrough"}};
  if (!in.contains("EphemeralStorage")) in["EphemeralStorage"] = json::object{{"Size", 512}};
  if (!in.contains("LoggingConfig") && before.contains("LoggingConfig")) {
    in["LoggingConfig"] =
        json::object{{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + std::string(name)}};
  }
  if (!in.contains("KMSKeyArn") && before.contains("KmsKeyArn")) in["KMSKeyArn"] = "";
  TP_ASSIGN_OR_RETURN(json::object config,
                      CallOrFail(services, "lambda", "UpdateFunctionConfiguration", in));
  TP_RETURN_IF_ERROR(WaitForFunction(services, name, /*update=*/true));
  TP_RETURN_IF_ERROR(ApplyFunctionExtras(services, name, props, before));
  TP_RETURN_IF_ERROR(SyncTags(services, kLambdaTags, Str(config, "FunctionArn"), props, before));
  return FunctionState(name, config);
}

Status DeleteFunction(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(services, "lambda", "DeleteFunction",
                              {{"FunctionName", r.physical_id}});
}

constexpr std::string_view kFunctionProperties[] = {"Architectures",
                                                    "Code",
                                                    "DeadLetterConfig",
                                                    "Description",
                                                    "Environment",
                                                    "EphemeralStorage",
                                                    "FunctionName",
                                                    "Handler",
                                                    "KmsKeyArn",
                                                    "Layers",
                                                    "LoggingConfig",
                                                    "MemorySize",
                                                    "PackageType",
                                                    "RecursiveLoop",
                                                    "ReservedConcurrentExecutions",
                                                    "RuntimeManagementConfig",
                                                    "SnapStart",
                                                    "Role",
                                                    "Runtime",
                                                    "Tags",
                                                    "Timeout",
                                                    "TracingConfig",
                                                    "VpcConfig"};
constexpr std::string_view kFunctionReplaceOn[] = {"FunctionName", "PackageType"};

// --- AWS::Lambda::Version ---------------------------------------------------------------------

constexpr std::string_view kVersionType = "AWS::Lambda::Version";

Status ApplyProvisionedConcurrency(ServiceCaller& services, const std::string& function,
                                   const std::string& qualifier, const json::object& props,
                                   const json::object& before) {
  const json::value* config = props.if_contains("ProvisionedConcurrencyConfig");
  int64_t n = 0;
  if (config && config->is_object() &&
      IntMember(config->get_object(), "ProvisionedConcurrentExecutions", n)) {
    TP_RETURN_IF_ERROR(CallOrFail(services, "lambda", "PutProvisionedConcurrencyConfig",
                                  {{"FunctionName", function},
                                   {"Qualifier", qualifier},
                                   {"ProvisionedConcurrentExecutions", n}})
                           .status());
    // AWS's handler returns once the environments are READY.
    return WaitUntil(
        [&]() -> Result<bool> {
          TP_ASSIGN_OR_RETURN(json::object c,
                              CallOrFail(services, "lambda", "GetProvisionedConcurrencyConfig",
                                         {{"FunctionName", function}, {"Qualifier", qualifier}}));
          if (Str(c, "Status") == "FAILED") {
            return Status::FailedPrecondition("Provisioned concurrency of " + function + ":" +
                                              qualifier + " failed: " + Str(c, "StatusReason"));
          }
          return Str(c, "Status") != "IN_PROGRESS";
        },
        "Provisioned concurrency of " + function + ":" + qualifier);
  }
  if (before.contains("ProvisionedConcurrencyConfig")) {
    return CallIgnoringNotFound(services, "lambda", "DeleteProvisionedConcurrencyConfig",
                                {{"FunctionName", function}, {"Qualifier", qualifier}});
  }
  return Status::Ok();
}

Result<ResourceState> CreateVersion(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  std::string function = Str(props, "FunctionName");
  if (function.empty()) return Missing(kVersionType, "FunctionName");
  json::object in{{"FunctionName", function}};
  CopyMembers(props, in, {"CodeSha256", "Description"});
  TP_ASSIGN_OR_RETURN(json::object published, CallOrFail(services, "lambda", "PublishVersion", in));
  std::string version = Str(published, "Version");
  std::string arn = Str(published, "FunctionArn");
  // The version is usable once Active, as AWS's handler waits for.
  Status settled = WaitUntil(
      [&]() -> Result<bool> {
        TP_ASSIGN_OR_RETURN(json::object config,
                            CallOrFail(services, "lambda", "GetFunctionConfiguration",
                                       {{"FunctionName", function}, {"Qualifier", version}}));
        std::string state = Str(config, "State");
        if (state == "Failed") {
          return Status::FailedPrecondition("Version " + arn +
                                            " failed to stabilize: " + Str(config, "StateReason"));
        }
        return state.empty() || state == "Active";
      },
      "Version " + arn);
  if (settled.ok()) settled = ApplyProvisionedConcurrency(services, function, version, props, {});
  TP_RETURN_IF_ERROR(UndoOnFailure(settled, [&] {
    return CallIgnoringNotFound(services, "lambda", "DeleteFunction",
                                {{"FunctionName", function}, {"Qualifier", version}});
  }));
  // Ref and FunctionArn are both the version's ARN (the type's primary identifier).
  return ResourceState{arn, {{"Version", version}, {"FunctionArn", arn}}};
}

Result<ResourceState> UpdateVersion(ServiceCaller& services, const ResourceRequest& r) {
  std::string version = Str(r.attributes, "Version");
  TP_RETURN_IF_ERROR(ApplyProvisionedConcurrency(services, Str(r.properties, "FunctionName"),
                                                 version, r.properties, r.previous_properties));
  return ResourceState{r.physical_id, r.attributes};
}

Status DeleteVersion(ServiceCaller& services, const ResourceRequest& r) {
  // The physical id is the version's ARN: arn:aws:lambda:region:account:function:name:version.
  const std::string& arn = r.physical_id;
  return CallIgnoringNotFound(services, "lambda", "DeleteFunction",
                              {{"FunctionName", arn.substr(0, arn.rfind(':'))},
                               {"Qualifier", arn.substr(arn.rfind(':') + 1)}});
}

constexpr std::string_view kVersionProperties[] = {"CodeSha256", "Description", "FunctionName",
                                                   "ProvisionedConcurrencyConfig"};
constexpr std::string_view kVersionReplaceOn[] = {"CodeSha256", "Description", "FunctionName"};

// --- AWS::Lambda::Alias -----------------------------------------------------------------------

constexpr std::string_view kAliasType = "AWS::Lambda::Alias";

// The template's RoutingConfig {AdditionalVersionWeights: [{FunctionVersion, FunctionWeight}]}
// as the API's {AdditionalVersionWeights: {version: weight}}.
json::object RoutingInput(const json::object& props) {
  json::object weights;
  const json::value* routing = props.if_contains("RoutingConfig");
  if (routing && routing->is_object()) {
    const json::value* list = routing->get_object().if_contains("AdditionalVersionWeights");
    if (list && list->is_array()) {
      for (const json::value& w : list->get_array()) {
        if (!w.is_object()) continue;
        const json::value* weight = w.get_object().if_contains("FunctionWeight");
        double value = 0;
        if (weight && weight->is_number()) value = weight->to_number<double>();
        if (weight && weight->is_string()) value = std::atof(weight->get_string().c_str());
        weights[Str(w.get_object(), "FunctionVersion")] = value;
      }
    }
  }
  return json::object{{"AdditionalVersionWeights", std::move(weights)}};
}

Result<ResourceState> CreateAlias(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  std::string function = Str(props, "FunctionName");
  std::string name = Str(props, "Name");
  if (function.empty()) return Missing(kAliasType, "FunctionName");
  if (name.empty()) return Missing(kAliasType, "Name");
  json::object in{{"FunctionName", function}, {"Name", name}};
  CopyMembers(props, in, {"FunctionVersion", "Description"});
  if (props.contains("RoutingConfig")) in["RoutingConfig"] = RoutingInput(props);
  TP_ASSIGN_OR_RETURN(json::object alias, CallOrFail(services, "lambda", "CreateAlias", in));
  TP_RETURN_IF_ERROR(
      UndoOnFailure(ApplyProvisionedConcurrency(services, function, name, props, {}), [&] {
        return CallIgnoringNotFound(services, "lambda", "DeleteAlias",
                                    {{"FunctionName", function}, {"Name", name}});
      }));
  std::string arn = Str(alias, "AliasArn");
  return ResourceState{arn, {{"AliasArn", arn}}};
}

Result<ResourceState> UpdateAlias(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  std::string function = Str(props, "FunctionName");
  std::string name = Str(props, "Name");
  json::object in{
      {"FunctionName", function}, {"Name", name}, {"RoutingConfig", RoutingInput(props)}};
  CopyMembers(props, in, {"FunctionVersion"});
  in["Description"] = Str(props, "Description");
  TP_RETURN_IF_ERROR(CallOrFail(services, "lambda", "UpdateAlias", in).status());
  TP_RETURN_IF_ERROR(
      ApplyProvisionedConcurrency(services, function, name, props, r.previous_properties));
  return ResourceState{r.physical_id, r.attributes};
}

Status DeleteAlias(ServiceCaller& services, const ResourceRequest& r) {
  const std::string& arn = r.physical_id;  // arn:aws:lambda:region:account:function:name:alias
  return CallIgnoringNotFound(
      services, "lambda", "DeleteAlias",
      {{"FunctionName", arn.substr(0, arn.rfind(':'))}, {"Name", arn.substr(arn.rfind(':') + 1)}});
}

constexpr std::string_view kAliasProperties[] = {
    "Description",  "FunctionName", "FunctionVersion", "Name", "ProvisionedConcurrencyConfig",
    "RoutingConfig"};
constexpr std::string_view kAliasReplaceOn[] = {"FunctionName", "Name"};

constexpr TypeSpec kFunctionSpec{kFunctionType,   kFunctionProperties, kFunctionReplaceOn,
                                 &CreateFunction, &UpdateFunction,     &DeleteFunction};
constexpr TypeSpec kVersionSpec{kVersionType,   kVersionProperties, kVersionReplaceOn,
                                &CreateVersion, &UpdateVersion,     &DeleteVersion};
constexpr TypeSpec kAliasSpec{kAliasType,   kAliasProperties, kAliasReplaceOn,
                              &CreateAlias, &UpdateAlias,     &DeleteAlias};

}  // namespace

std::string InlineCodeFile(std::string_view runtime) {
  if (runtime.starts_with("python")) return "index.py";
  if (runtime.starts_with("nodejs")) return "index.js";
  return "";
}

std::string ArnField(std::string_view arn, size_t index) {
  size_t start = 0;
  for (size_t i = 0; i < index; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return "";
    start = colon + 1;
  }
  size_t end = arn.find(':', start);
  return std::string(arn.substr(start, end == std::string_view::npos ? end : end - start));
}

const SpecProvider kLambdaFunction{kFunctionSpec};
const SpecProvider kLambdaVersion{kVersionSpec};
const SpecProvider kLambdaAlias{kAliasSpec};

}  // namespace tidepool::cloudformation::serverless
