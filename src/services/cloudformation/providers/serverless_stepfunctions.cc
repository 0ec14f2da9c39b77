// AWS::StepFunctions::StateMachine, Activity, StateMachineVersion and StateMachineAlias,
// calling this process's Step Functions service ("states").
#include "services/cloudformation/providers/serverless_stepfunctions.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace tidepool::cloudformation::serverless {
namespace json = boost::json;
namespace {

constexpr std::string_view kStateMachineType = "AWS::StepFunctions::StateMachine";

constexpr TagOperations kSfnTags{"states", "resourceArn", "tags", "tagKeys", /*as_list=*/true};

json::array SfnTags(const json::object& props) { return TagList(props.if_contains("Tags")); }

Status CheckEncryption(std::string_view type, const json::object& props) {
  const json::value* e = props.if_contains("EncryptionConfiguration");
  if (e && e->is_object() && Str(e->get_object(), "Type") != "AWS_OWNED_KEY") {
    return Unsupported(type, "EncryptionConfiguration",
                       ": only Type AWS_OWNED_KEY (the default) is honoured");
  }
  return Status::Ok();
}

// The template's LoggingConfiguration as the API's loggingConfiguration.
json::object LoggingInput(const json::object& logging) {
  json::object out;
  if (logging.contains("Level")) out["level"] = Str(logging, "Level");
  if (logging.contains("IncludeExecutionData")) {
    out["includeExecutionData"] = BoolMember(logging, "IncludeExecutionData", false);
  }
  json::array destinations;
  if (const json::value* list = logging.if_contains("Destinations"); list && list->is_array()) {
    for (const json::value& d : list->get_array()) {
      const json::value* group =
          d.is_object() ? d.get_object().if_contains("CloudWatchLogsLogGroup") : nullptr;
      if (group == nullptr || !group->is_object()) continue;
      destinations.push_back(
          json::object{{"cloudWatchLogsLogGroup",
                        json::object{{"logGroupArn", Str(group->get_object(), "LogGroupArn")}}}});
    }
  }
  if (logging.contains("Destinations")) out["destinations"] = std::move(destinations);
  return out;
}

// The definition's text: DefinitionString, Definition (an object) or the object at
// DefinitionS3Location, with DefinitionSubstitutions applied.
Result<std::string> DefinitionText(ServiceCaller& services, const json::object& props) {
  std::string text;
  int given = 0;
  if (const json::value* d = props.if_contains("Definition")) {
    text = d->is_string() ? std::string(d->get_string()) : json::serialize(*d);
    ++given;
  }
  if (props.contains("DefinitionString")) {
    text = Str(props, "DefinitionString");
    ++given;
  }
  if (const json::value* s3 = props.if_contains("DefinitionS3Location"); s3 && s3->is_object()) {
    const json::object& location = s3->get_object();
    json::object in{{"Bucket", Str(location, "Bucket")}, {"Key", Str(location, "Key")}};
    if (location.contains("Version")) in["VersionId"] = Str(location, "Version");
    TP_ASSIGN_OR_RETURN(json::object object,
                        CallOrFail(services, "s3", "GetObject", std::move(in)));
    text = Str(object, "Body");
    ++given;
  }
  if (given != 1) {
    return Status::InvalidArgument(
        "AWS::StepFunctions::StateMachine needs exactly one of Definition, DefinitionString "
        "and DefinitionS3Location");
  }
  if (const json::value* subs = props.if_contains("DefinitionSubstitutions");
      subs && subs->is_object()) {
    text = SubstituteDefinition(text, subs->get_object());
  }
  return text;
}

Result<ResourceState> StateMachineState(ServiceCaller& services, const std::string& arn) {
  TP_ASSIGN_OR_RETURN(json::object described, CallOrFail(services, "states", "DescribeStateMachine",
                                                         {{"stateMachineArn", arn}}));
  std::string revision = Str(described, "revisionId");
  return ResourceState{arn,
                       {{"Arn", arn},
                        {"Name", Str(described, "name")},
                        {"StateMachineRevisionId", revision.empty() ? arn : revision}}};
}

// The members CreateStateMachine and UpdateStateMachine share.
Result<json::object> StateMachineInput(ServiceCaller& services, const json::object& props,
                                       bool update) {
  TP_RETURN_IF_ERROR(CheckEncryption(kStateMachineType, props));
  TP_ASSIGN_OR_RETURN(std::string definition, DefinitionText(services, props));
  json::object in{{"definition", definition}};
  if (props.contains("RoleArn")) in["roleArn"] = Str(props, "RoleArn");
  const json::value* logging = props.if_contains("LoggingConfiguration");
  if (logging && logging->is_object()) {
    in["loggingConfiguration"] = LoggingInput(logging->get_object());
  } else if (update) {
    in["loggingConfiguration"] = json::object{{"level", "OFF"}};
  }
  const json::value* tracing = props.if_contains("TracingConfiguration");
  if (tracing && tracing->is_object()) {
    in["tracingConfiguration"] =
        json::object{{"enabled", BoolMember(tracing->get_object(), "Enabled", false)}};
  } else if (update) {
    in["tracingConfiguration"] = json::object{{"enabled", false}};
  }
  return in;
}

Result<ResourceState> CreateStateMachine(ServiceCaller& services, const ResourceRequest& r) {
  const json::object& props = r.properties;
  TP_ASSIGN_OR_RETURN(json::object in, StateMachineInput(services, props, /*update=*/false));
  std::string name = Str(props, "StateMachineName");
  in["name"] = name.empty() ? GeneratedName(r, 80) : name;
  if (props.contains("StateMachineType")) in["type"] = Str(props, "StateMachineType");
  if (props.contains("Tags")) in["tags"] = SfnTags(props);
  TP_ASSIGN_OR_RETURN(json::object created,
                      CallOrFail(services, "states", "CreateStateMachine", std::move(in)));
  return StateMachineState(services, Str(created, "stateMachineArn"));
}

Result<ResourceState> UpdateStateMachine(ServiceCaller& services, const ResourceRequest& r) {
  TP_ASSIGN_OR_RETURN(json::object in, StateMachineInput(services, r.properties, /*update=*/true));
  in["stateMachineArn"] = r.physical_id;
  TP_RETURN_IF_ERROR(CallOrFail(services, "states", "UpdateStateMachine", std::move(in)).status());
  TP_RETURN_IF_ERROR(
      SyncTags(services, kSfnTags, r.physical_id, r.properties, r.previous_properties));
  return StateMachineState(services, r.physical_id);
}

Status DeleteStateMachine(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(services, "states", "DeleteStateMachine",
                              {{"stateMachineArn", r.physical_id}});
}

constexpr std::string_view kStateMachineProperties[] = {"Definition",
                                                        "DefinitionS3Location",
                                                        "DefinitionString",
                                                        "DefinitionSubstitutions",
                                                        "EncryptionConfiguration",
                                                        "LoggingConfiguration",
                                                        "RoleArn",
                                                        "StateMachineName",
                                                        "StateMachineType",
                                                        "Tags",
                                                        "TracingConfiguration"};
constexpr std::string_view kStateMachineReplaceOn[] = {"StateMachineName", "StateMachineType"};

// --- AWS::StepFunctions::Activity -------------------------------------------------------------

Result<ResourceState> CreateActivity(ServiceCaller& services, const ResourceRequest& r) {
  TP_RETURN_IF_ERROR(CheckEncryption("AWS::StepFunctions::Activity", r.properties));
  std::string name = Str(r.properties, "Name");
  if (name.empty()) return Missing("AWS::StepFunctions::Activity", "Name");
  json::object in{{"name", name}};
  if (r.properties.contains("Tags")) in["tags"] = SfnTags(r.properties);
  TP_ASSIGN_OR_RETURN(json::object created,
                      CallOrFail(services, "states", "CreateActivity", std::move(in)));
  std::string arn = Str(created, "activityArn");
  return ResourceState{arn, {{"Arn", arn}, {"Name", name}}};
}

Result<ResourceState> UpdateActivity(ServiceCaller& services, const ResourceRequest& r) {
  TP_RETURN_IF_ERROR(CheckEncryption("AWS::StepFunctions::Activity", r.properties));
  TP_RETURN_IF_ERROR(
      SyncTags(services, kSfnTags, r.physical_id, r.properties, r.previous_properties));
  return ResourceState{r.physical_id, r.attributes};
}

Status DeleteActivity(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(services, "states", "DeleteActivity",
                              {{"activityArn", r.physical_id}});
}

constexpr std::string_view kActivityProperties[] = {"EncryptionConfiguration", "Name", "Tags"};
constexpr std::string_view kActivityReplaceOn[] = {"EncryptionConfiguration", "Name"};

// --- AWS::StepFunctions::StateMachineVersion --------------------------------------------------

Result<ResourceState> CreateVersion(ServiceCaller& services, const ResourceRequest& r) {
  std::string machine = Str(r.properties, "StateMachineArn");
  if (machine.empty()) return Missing("AWS::StepFunctions::StateMachineVersion", "StateMachineArn");
  json::object in{{"stateMachineArn", machine}};
  if (r.properties.contains("StateMachineRevisionId")) {
    in["revisionId"] = Str(r.properties, "StateMachineRevisionId");
  }
  if (r.properties.contains("Description")) in["description"] = Str(r.properties, "Description");
  TP_ASSIGN_OR_RETURN(json::object published,
                      CallOrFail(services, "states", "PublishStateMachineVersion", std::move(in)));
  std::string arn = Str(published, "stateMachineVersionArn");
  return ResourceState{arn, {{"Arn", arn}}};
}

Status DeleteVersion(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(services, "states", "DeleteStateMachineVersion",
                              {{"stateMachineVersionArn", r.physical_id}});
}

constexpr std::string_view kVersionProperties[] = {"Description", "StateMachineArn",
                                                   "StateMachineRevisionId"};

// --- AWS::StepFunctions::StateMachineAlias ----------------------------------------------------

constexpr std::string_view kAliasType = "AWS::StepFunctions::StateMachineAlias";

// The alias's routing: RoutingConfiguration as the API's routingConfiguration, or a
// DeploymentPreference of Type ALL_AT_ONCE (what SAM's AutoPublishAlias generates) as all of
// the traffic to its version. The gradual types (LINEAR, CANARY) are refused.
Result<json::array> RoutingInput(const json::object& props) {
  json::array out;
  const json::value* preference = props.if_contains("DeploymentPreference");
  const json::value* routes = props.if_contains("RoutingConfiguration");
  if (preference != nullptr) {
    if (routes != nullptr) {
      return Status::InvalidArgument("RoutingConfiguration and DeploymentPreference of " +
                                     std::string(kAliasType) + " are mutually exclusive");
    }
    const json::object empty;
    const json::object& p = preference->is_object() ? preference->get_object() : empty;
    if (Str(p, "Type") != "ALL_AT_ONCE") {
      return Unsupported(kAliasType, "DeploymentPreference of Type " + Str(p, "Type"),
                         ": only ALL_AT_ONCE is honoured (no gradual deployments)");
    }
    out.push_back(json::object{{"stateMachineVersionArn", Str(p, "StateMachineVersionArn")},
                               {"weight", 100}});
    return out;
  }
  if (routes == nullptr || !routes->is_array()) {
    return Missing(kAliasType, "RoutingConfiguration or DeploymentPreference");
  }
  for (const json::value& route : routes->get_array()) {
    if (!route.is_object()) continue;
    int64_t weight = 0;
    IntMember(route.get_object(), "Weight", weight);
    out.push_back(
        json::object{{"stateMachineVersionArn", Str(route.get_object(), "StateMachineVersionArn")},
                     {"weight", weight}});
  }
  return out;
}

Result<ResourceState> CreateAlias(ServiceCaller& services, const ResourceRequest& r) {
  std::string name = Str(r.properties, "Name");
  if (name.empty()) name = GeneratedName(r, 80);
  TP_ASSIGN_OR_RETURN(json::array routing, RoutingInput(r.properties));
  json::object in{{"name", name}, {"routingConfiguration", std::move(routing)}};
  if (r.properties.contains("Description")) in["description"] = Str(r.properties, "Description");
  TP_ASSIGN_OR_RETURN(json::object created,
                      CallOrFail(services, "states", "CreateStateMachineAlias", std::move(in)));
  std::string arn = Str(created, "stateMachineAliasArn");
  return ResourceState{arn, {{"Arn", arn}}};
}

Result<ResourceState> UpdateAlias(ServiceCaller& services, const ResourceRequest& r) {
  TP_ASSIGN_OR_RETURN(json::array routing, RoutingInput(r.properties));
  json::object in{{"stateMachineAliasArn", r.physical_id},
                  {"routingConfiguration", std::move(routing)},
                  {"description", Str(r.properties, "Description")}};
  TP_RETURN_IF_ERROR(
      CallOrFail(services, "states", "UpdateStateMachineAlias", std::move(in)).status());
  return ResourceState{r.physical_id, r.attributes};
}

Status DeleteAlias(ServiceCaller& services, const ResourceRequest& r) {
  return CallIgnoringNotFound(services, "states", "DeleteStateMachineAlias",
                              {{"stateMachineAliasArn", r.physical_id}});
}

constexpr std::string_view kAliasProperties[] = {"DeploymentPreference", "Description", "Name",
                                                 "RoutingConfiguration"};
constexpr std::string_view kAliasReplaceOn[] = {"Name"};

constexpr TypeSpec kStateMachineSpec{kStateMachineType,      kStateMachineProperties,
                                     kStateMachineReplaceOn, &CreateStateMachine,
                                     &UpdateStateMachine,    &DeleteStateMachine};
constexpr TypeSpec kActivitySpec{"AWS::StepFunctions::Activity",
                                 kActivityProperties,
                                 kActivityReplaceOn,
                                 &CreateActivity,
                                 &UpdateActivity,
                                 &DeleteActivity};
constexpr TypeSpec kVersionSpec{"AWS::StepFunctions::StateMachineVersion",
                                kVersionProperties,
                                {},
                                &CreateVersion,
                                nullptr,
                                &DeleteVersion};
constexpr TypeSpec kAliasSpec{kAliasType,   kAliasProperties, kAliasReplaceOn,
                              &CreateAlias, &UpdateAlias,     &DeleteAlias};

}  // namespace

std::string SubstituteDefinition(std::string_view definition, const json::object& substitutions) {
  std::string out;
  size_t i = 0;
  while (i < definition.size()) {
    size_t open = definition.find("${", i);
    if (open == std::string_view::npos) break;
    size_t close = definition.find('}', open + 2);
    if (close == std::string_view::npos) break;
    std::string_view name = definition.substr(open + 2, close - open - 2);
    const json::value* value = substitutions.if_contains(name);
    out.append(definition.substr(i, open - i));
    if (value == nullptr) {
      out.append(definition.substr(open, close + 1 - open));
    } else if (value->is_string()) {
      out.append(value->get_string());
    } else {
      out.append(json::serialize(*value));
    }
    i = close + 1;
  }
  out.append(definition.substr(std::min(i, definition.size())));
  return out;
}

const SpecProvider kStepFunctionsStateMachine{kStateMachineSpec};
const SpecProvider kStepFunctionsActivity{kActivitySpec};
const SpecProvider kStepFunctionsStateMachineVersion{kVersionSpec};
const SpecProvider kStepFunctionsStateMachineAlias{kAliasSpec};

}  // namespace tidepool::cloudformation::serverless
