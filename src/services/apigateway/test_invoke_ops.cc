// TestInvokeMethod: a method of a REST API as it is now (its current resources, models and
// validators, not a deployment) called with the request the input describes. As AWS's test
// invoke, authorization, API keys and throttles are skipped; request validation and the
// integration run as for a deployed stage. The reply is the method's answer (status, body,
// headers, multiValueHeaders), its latency and a short execution log.
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include "protocol/http/query_string.h"
#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/gateway_responses.h"
#include "services/apigateway/integrations.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::http::HttpResponse;

namespace {

// The string members of the object member `member` of `in`, in order.
std::vector<std::pair<std::string, std::string>> StringPairs(const json::object& in,
                                                             std::string_view member) {
  std::vector<std::pair<std::string, std::string>> out;
  if (const json::object* o = FindObject(in, member)) {
    for (const auto& kv : *o) {
      if (kv.value().is_string()) {
        out.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
      }
    }
  }
  return out;
}

}  // namespace

void ApiGatewayService::TestInvokeMethod(CallPtr call) {
  auto api = FindApi(*call);
  if (!api.ok()) return Fail(call, api.status());
  const json::object& in = call->input();
  json::object record;
  json::value binary_types;
  {
    std::lock_guard lock((*api)->mu);
    json::object& doc = (*api)->doc;
    record = json::object{{"deployment", json::object{{"id", "test-invoke-deployment"}}},
                          {"resources", ObjectField(doc, "resources")},
                          {"authorizers", ObjectField(doc, "authorizers")},
                          {"models", ObjectField(doc, "models")},
                          {"requestValidators", ObjectField(doc, "requestValidators")},
                          {"gatewayResponses", ObjectField(doc, "gatewayResponses")}};
    if (const json::value* b = ObjectField(doc, "api").if_contains("binaryMediaTypes")) {
      binary_types = *b;
    }
  }
  auto routed = std::make_shared<RoutedRequest>();
  routed->api = *api;
  routed->deployment = BuildDeployment("test-invoke-deployment", record);
  const Deployment& deployment = *routed->deployment;
  std::string resource_id = StringField(in, "resourceId");
  const json::object* resource = FindObject(deployment.resources, resource_id);
  if (resource == nullptr) return Fail(call, NotFound("Invalid Resource identifier specified"));
  const json::object* methods = FindObject(*resource, "resourceMethods");
  routed->method = methods ? FindObject(*methods, StringField(in, "httpMethod")) : nullptr;
  if (routed->method == nullptr) return Fail(call, NotFound("Invalid Method identifier specified"));

  ProxyRequest& proxy = routed->proxy;
  proxy.http_method = StringField(*routed->method, "httpMethod");
  proxy.resource_id = resource_id;
  proxy.resource_path = StringField(*resource, "path");
  std::string target = StringField(in, "pathWithQueryString");
  auto [path, query] = protocol::http::SplitTarget(target.empty() ? proxy.resource_path : target);
  proxy.path = std::string(path.empty() ? "/" : path);
  proxy.query = protocol::http::ParseQueryString(query, true);
  if (auto match = deployment.routes.Find(proxy.path); match && match->resource_id == resource_id) {
    proxy.path_parameters = std::move(match->path_parameters);
  }
  proxy.stage = "test-invoke-stage";
  proxy.api_id = (*api)->id;
  proxy.account_id = (*api)->account;
  proxy.domain_name = "testPrefix.testDomainName";
  proxy.request_id = call->context().request_id;
  proxy.source_ip = "test-invoke-source-ip";
  const int64_t started = clock_.NowMillis();
  proxy.request_time_ms = started;
  proxy.headers = StringPairs(in, "headers");
  if (const json::object* multi = FindObject(in, "multiValueHeaders")) {
    for (const auto& kv : *multi) {
      if (!kv.value().is_array()) continue;
      for (const json::value& v : kv.value().get_array()) {
        if (v.is_string()) proxy.headers.emplace_back(kv.key(), v.get_string());
      }
    }
  }
  proxy.stage_variables = StringPairs(in, "stageVariables");
  json::object variables;
  for (const auto& [k, v] : proxy.stage_variables) variables[k] = v;
  routed->stage = json::object{{"stageName", proxy.stage}, {"variables", std::move(variables)}};
  CopyMembers(in, {"clientCertificateId"}, routed->stage);
  for (const auto& [name, value] : proxy.headers) {
    if (boost::beast::iequals(name, "content-type")) routed->content_type = value;
  }
  proxy.binary = IsBinaryMediaType(&binary_types, routed->content_type);
  proxy.body = StringField(in, "body");
  const std::string request_id = proxy.request_id;
  auto reply = [this, call, routed, started, request_id](HttpResponse&& response) {
    if (routed->deployment->gateway_responses.empty()) {
      response.erase(kResponseTypeHeader);
    } else {
      ApplyGatewayResponse(response, routed->deployment->gateway_responses, routed->proxy);
    }
    json::object headers, multi;
    for (const auto& field : response) {
      std::string name(field.name_string());
      headers[name] = std::string(field.value());
      json::value& list = multi[name];
      if (!list.is_array()) list = json::array();
      list.as_array().push_back(json::string(field.value()));
    }
    const int status = static_cast<int>(response.result_int());
    std::string log = "Execution log for request " + request_id +
                      "\nMethod completed with status: " + std::to_string(status) + "\n";
    call->Reply(json::object{{"status", status},
                             {"body", std::move(response.body())},
                             {"headers", std::move(headers)},
                             {"multiValueHeaders", std::move(multi)},
                             {"log", std::move(log)},
                             {"latency", clock_.NowMillis() - started}});
  };
  Integrate(routed, protocol::http::Responder::FromFunction(std::move(reply)));
}

}  // namespace tidepool::apigateway
