// Methods, integrations, method responses and integration responses: the objects nested in a
// resource (Resource.resourceMethods[VERB], Method.methodIntegration,
// Method.methodResponses[code], Integration.integrationResponses[code]).
#include <boost/json.hpp>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/http_exchange.h"
#include "services/apigateway/integration_uri.h"
#include "services/apigateway/mapping_template.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr std::string_view kMethods[] = {"GET",  "POST",    "PUT",   "DELETE",
                                         "HEAD", "OPTIONS", "PATCH", "ANY"};

// What a method-level request addresses inside a RestApiRecord: the method's object (created
// by PutMethod), its integration, and the response named by statusCode.
struct MethodPath {
  json::object* resource = nullptr;
  json::object* method = nullptr;
};

Result<MethodPath> FindMethod(json::object& doc, const protocol::Call& call, bool create) {
  const json::object& in = call.input();
  json::object* resource = FindObject(ObjectField(doc, "resources"), StringField(in, "resourceId"));
  if (resource == nullptr) return NotFound("Invalid Resource identifier specified");
  std::string verb = StringField(in, "httpMethod");
  if (create) {
    bool known = false;
    for (std::string_view m : kMethods) known = known || m == verb;
    if (!known)
      return BadRequest(
          "Invalid HttpMethod specified. Valid options are "
          "GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY");
    return MethodPath{resource, &ObjectField(ObjectField(*resource, "resourceMethods"), verb)};
  }
  json::object* methods = FindObject(*resource, "resourceMethods");
  json::object* method = methods ? FindObject(*methods, verb) : nullptr;
  if (method == nullptr) return NotFound("Invalid Method identifier specified");
  return MethodPath{resource, method};
}

Result<json::object*> FindIntegration(json::object& method) {
  json::object* integration = FindObject(method, "methodIntegration");
  if (integration == nullptr) return NotFound("Invalid Integration identifier specified");
  return integration;
}

Result<json::object*> FindResponse(json::object& owner, std::string_view map,
                                   const protocol::Call& call) {
  json::object* responses = FindObject(owner, map);
  json::object* r =
      responses ? FindObject(*responses, StringField(call.input(), "statusCode")) : nullptr;
  if (r == nullptr) return NotFound("Invalid Response status code specified");
  return r;
}

}  // namespace

// Refuses what the invoke path does not honour yet (docs/differences.md).
Status CheckMethodSupported(const json::object& method, const json::object& doc) {
  std::string type = StringField(method, "authorizationType");
  if (type == "COGNITO_USER_POOLS") {
    return BadRequest("tidepool does not support authorizationType " + type + " yet");
  }
  if (type == "CUSTOM") {
    const json::object* authorizers = FindObject(doc, "authorizers");
    if (authorizers == nullptr ||
        FindObject(*authorizers, StringField(method, "authorizerId")) == nullptr) {
      return BadRequest(
          "Invalid authorizer ID specified. Setting the authorization type to "
          "CUSTOM requires a valid authorizer.");
    }
  }
  if (type != "NONE" && type != "AWS_IAM" && type != "CUSTOM") {
    return BadRequest(
        "Invalid authorization type specified. Valid options are NONE, AWS_IAM, "
        "CUSTOM, COGNITO_USER_POOLS");
  }
  if (std::string id = StringField(method, "requestValidatorId"); !id.empty()) {
    const json::object* validators = FindObject(doc, "requestValidators");
    if (validators == nullptr || FindObject(*validators, id) == nullptr) {
      return BadRequest("Invalid Request Validator identifier specified");
    }
  }
  if (const json::object* models = FindObject(method, "requestModels")) {
    const json::object* known = FindObject(doc, "models");
    for (const auto& kv : *models) {
      std::string name = kv.value().is_string() ? std::string(kv.value().get_string()) : "";
      if (known == nullptr || FindObject(*known, name) == nullptr) {
        return BadRequest("Invalid model identifier specified: " + name);
      }
    }
  }
  return Status::Ok();
}

// Every template of `o`'s map `member` must parse.
Status CheckTemplates(const json::object& o, std::string_view member) {
  const json::object* templates = FindObject(o, member);
  if (templates == nullptr) return Status::Ok();
  for (const auto& kv : *templates) {
    if (!kv.value().is_string()) continue;
    if (Status s = CheckMappingTemplate(kv.value().get_string()); !s.ok()) {
      return BadRequest(s.message());
    }
  }
  return Status::Ok();
}

Status CheckIntegrationSupported(const json::object& integration, int max_timeout_ms) {
  std::string type = StringField(integration, "type");
  if (type == "AWS_PROXY") {
    if (StringField(integration, "httpMethod").empty()) {
      return BadRequest("Enumeration value for HttpMethod must be non-empty");
    }
    auto target = ParseIntegrationUri(StringField(integration, "uri"));
    if (!target.ok()) return target.status();
  } else if (type == "AWS") {
    if (StringField(integration, "httpMethod").empty()) {
      return BadRequest("Enumeration value for HttpMethod must be non-empty");
    }
    auto target = ParseIntegrationUri(StringField(integration, "uri"));
    if (!target.ok()) return target.status();
    static constexpr std::string_view kServices[] = {"lambda",   "sqs",     "sns",
                                                     "dynamodb", "kinesis", "states"};
    bool served = false;
    for (std::string_view s : kServices) served = served || s == target->service;
    if (!served) {
      return BadRequest("tidepool does not serve AWS integrations to " + target->service);
    }
  } else if (type == "HTTP" || type == "HTTP_PROXY") {
    if (StringField(integration, "httpMethod").empty()) {
      return BadRequest("Enumeration value for HttpMethod must be non-empty");
    }
    std::string uri = StringField(integration, "uri");
    if (const json::object* tls = FindObject(integration, "tlsConfig")) {
      if (const json::value* skip = tls->if_contains("insecureSkipVerification");
          skip != nullptr && skip->is_bool() && skip->get_bool()) {
        return BadRequest(
            "tidepool always verifies upstream certificates: "
            "tlsConfig.insecureSkipVerification is not supported");
      }
    }
    // Stage variables may stand anywhere; the URL is checked once they are substituted.
    if (uri.find("${stageVariables.") == std::string::npos && !ParseHttpUrl(uri).ok()) {
      return BadRequest("Invalid HTTP endpoint specified for URI");
    }
  } else if (type != "MOCK") {
    return BadRequest(
        "Invalid integration type specified. Valid options are HTTP, HTTP_PROXY, "
        "AWS, AWS_PROXY, MOCK");
  }
  if (const json::value* t = integration.if_contains("timeoutInMillis"); t && t->is_int64()) {
    if (t->get_int64() < 50 || t->get_int64() > max_timeout_ms) {
      return BadRequest("Timeout should be between 50 ms and " + std::to_string(max_timeout_ms) +
                        " ms");
    }
  }
  // A VPC link's integration is served as its uri, as an INTERNET one (vpc_link_ops.cc).
  if (StringField(integration, "connectionType") == "VPC_LINK") {
    if (type != "HTTP" && type != "HTTP_PROXY") {
      return BadRequest("VPC_LINK connections are for HTTP and HTTP_PROXY integrations");
    }
    if (StringField(integration, "connectionId").empty()) {
      return BadRequest("A VPC_LINK integration needs a connectionId");
    }
  }
  return CheckTemplates(integration, "requestTemplates");
}

void ApiGatewayService::PutMethod(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto path = FindMethod(doc, *call, /*create=*/true);
    if (!path.ok()) return path.status();
    if (!path->method->empty()) return Conflict("Method already exists for this resource");
    json::object& method = *path->method;
    const json::object& in = call->input();
    CopyMembers(in,
                {"httpMethod", "authorizationType", "authorizerId", "requestValidatorId",
                 "operationName", "requestParameters", "requestModels", "authorizationScopes"},
                method);
    method["apiKeyRequired"] = in.contains("apiKeyRequired") ? in.at("apiKeyRequired") : false;
    if (Status s = CheckMethodSupported(method, doc); !s.ok()) return s;
    return method;
  });
}

void ApiGatewayService::GetMethod(CallPtr call) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    auto path = FindMethod(doc, *call, false);
    if (!path.ok()) return path.status();
    return *path->method;
  });
}

void ApiGatewayService::UpdateMethod(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto path = FindMethod(doc, *call, false);
    if (!path.ok()) return path.status();
    if (Status s = Patch(*call, "Method", *path->method); !s.ok()) return s;
    if (Status s = CheckMethodSupported(*path->method, doc); !s.ok()) return s;
    return *path->method;
  });
}

void ApiGatewayService::DeleteMethod(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto path = FindMethod(doc, *call, false);
    if (!path.ok()) return path.status();
    json::object& methods = ObjectField(*path->resource, "resourceMethods");
    methods.erase(StringField(call->input(), "httpMethod"));
    if (methods.empty()) path->resource->erase("resourceMethods");
    return json::object();
  });
}

void ApiGatewayService::PutMethodResponse(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto path = FindMethod(doc, *call, false);
    if (!path.ok()) return path.status();
    const json::object& in = call->input();
    json::object response;
    CopyMembers(in, {"statusCode", "responseParameters", "responseModels"}, response);
    ObjectField(*path->method, "methodResponses")[StringField(in, "statusCode")] = response;
    return response;
  });
}

namespace {

// The method response or integration response a call names; `integration`: the latter.
Result<json::object*> FindMethodResponse(json::object& doc, const protocol::Call& call,
                                         bool integration) {
  auto path = FindMethod(doc, call, false);
  if (!path.ok()) return path.status();
  if (!integration) return FindResponse(*path->method, "methodResponses", call);
  auto found = FindIntegration(*path->method);
  if (!found.ok()) return found.status();
  return FindResponse(**found, "integrationResponses", call);
}

}  // namespace

void ApiGatewayService::GetMethodResponse(CallPtr call) { GetResponse(call, false); }
void ApiGatewayService::GetIntegrationResponse(CallPtr call) { GetResponse(call, true); }
void ApiGatewayService::UpdateMethodResponse(CallPtr call) { UpdateResponse(call, false); }
void ApiGatewayService::UpdateIntegrationResponse(CallPtr call) { UpdateResponse(call, true); }
void ApiGatewayService::DeleteMethodResponse(CallPtr call) { DeleteResponse(call, false); }
void ApiGatewayService::DeleteIntegrationResponse(CallPtr call) { DeleteResponse(call, true); }

void ApiGatewayService::GetResponse(CallPtr call, bool integration) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    auto response = FindMethodResponse(doc, *call, integration);
    if (!response.ok()) return response.status();
    return **response;
  });
}

void ApiGatewayService::UpdateResponse(CallPtr call, bool integration) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto response = FindMethodResponse(doc, *call, integration);
    if (!response.ok()) return response.status();
    if (Status s = Patch(*call, integration ? "IntegrationResponse" : "MethodResponse", **response);
        !s.ok()) {
      return s;
    }
    if (Status s = CheckTemplates(**response, "responseTemplates"); !s.ok()) return s;
    return **response;
  });
}

void ApiGatewayService::DeleteResponse(CallPtr call, bool integration) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto response = FindMethodResponse(doc, *call, integration);
    if (!response.ok()) return response.status();
    auto path = FindMethod(doc, *call, false);
    json::object* owner =
        integration ? FindObject(*path->method, "methodIntegration") : path->method;
    ObjectField(*owner, integration ? "integrationResponses" : "methodResponses")
        .erase(StringField(call->input(), "statusCode"));
    return json::object();
  });
}

void ApiGatewayService::PutIntegration(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto path = FindMethod(doc, *call, false);
    if (!path.ok()) return path.status();
    const json::object& in = call->input();
    json::object integration;
    CopyMembers(
        in,
        {"type", "uri", "connectionType", "connectionId", "credentials", "requestParameters",
         "requestTemplates", "contentHandling", "cacheKeyParameters", "tlsConfig"},
        integration);
    if (const json::value* v = in.if_contains("integrationHttpMethod")) {
      integration["httpMethod"] = *v;
    }
    integration["passthroughBehavior"] =
        in.contains("passthroughBehavior") ? in.at("passthroughBehavior") : "WHEN_NO_MATCH";
    integration["timeoutInMillis"] = in.contains("timeoutInMillis")
                                         ? in.at("timeoutInMillis")
                                         : json::value(options_.default_timeout_ms);
    integration["cacheNamespace"] = in.contains("cacheNamespace")
                                        ? in.at("cacheNamespace")
                                        : json::value(StringField(in, "resourceId"));
    if (!integration.contains("cacheKeyParameters")) {
      integration["cacheKeyParameters"] = json::array();
    }
    if (Status s = CheckIntegrationSupported(integration, options_.default_timeout_ms); !s.ok()) {
      return s;
    }
    (*path->method)["methodIntegration"] = integration;
    return integration;
  });
}

void ApiGatewayService::GetIntegration(CallPtr call) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    auto path = FindMethod(doc, *call, false);
    if (!path.ok()) return path.status();
    auto integration = FindIntegration(*path->method);
    if (!integration.ok()) return integration.status();
    return **integration;
  });
}

void ApiGatewayService::UpdateIntegration(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto path = FindMethod(doc, *call, false);
    if (!path.ok()) return path.status();
    auto integration = FindIntegration(*path->method);
    if (!integration.ok()) return integration.status();
    if (Status s = Patch(*call, "Integration", **integration); !s.ok()) return s;
    if (Status s = CheckIntegrationSupported(**integration, options_.default_timeout_ms); !s.ok()) {
      return s;
    }
    return **integration;
  });
}

void ApiGatewayService::DeleteIntegration(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto path = FindMethod(doc, *call, false);
    if (!path.ok()) return path.status();
    if (auto integration = FindIntegration(*path->method); !integration.ok()) {
      return integration.status();
    }
    path->method->erase("methodIntegration");
    return json::object();
  });
}

void ApiGatewayService::PutIntegrationResponse(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto path = FindMethod(doc, *call, false);
    if (!path.ok()) return path.status();
    auto integration = FindIntegration(*path->method);
    if (!integration.ok()) return integration.status();
    if (auto mr = FindResponse(*path->method, "methodResponses", *call); !mr.ok()) {
      return mr.status();
    }
    const json::object& in = call->input();
    json::object response;
    CopyMembers(in,
                {"statusCode", "selectionPattern", "responseParameters", "responseTemplates",
                 "contentHandling"},
                response);
    if (Status s = CheckTemplates(response, "responseTemplates"); !s.ok()) return s;
    ObjectField(**integration, "integrationResponses")[StringField(in, "statusCode")] = response;
    return response;
  });
}

}  // namespace tidepool::apigateway
