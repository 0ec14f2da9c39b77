// VPC links of both APIs, stored (OwnedRecords) and reported with AWS's status lifecycle:
// Create answers PENDING and the link is AVAILABLE from then on (a Get right after sees it
// ready: there is no VPC to wait for); Delete removes it at once.
//
//   VpcLinkRecord (keyspace 'l')     {"account","region","link": VpcLink (the apigateway shape)}
//   HttpVpcLinkRecord (keyspace 'v') {"account","region","link": VpcLink (the apigatewayv2
//                                     shape)}
//
// A REST integration with connectionType VPC_LINK is served as its `uri` (method_ops.cc), as an
// INTERNET one is; an HTTP API integration's ConnectionType is stored and its IntegrationUri
// must be an http(s) URL (http_api_ops.cc).
#include <re2/re2.h>
#include <boost/json.hpp>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/http_api_service.h"
#include "services/apigateway/patch.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr std::string_view kNoRestLink = "Invalid VPC link identifier specified";
constexpr std::string_view kNoHttpLink =
    "The VPC link resource specified in the request was not found.";
constexpr std::string_view kTaken = "A VPC link with this id already exists";

// The one target of a REST VPC link: a Network Load Balancer of the caller's region.
Status CheckTargets(const json::object& link, std::string_view region) {
  static const re2::RE2 kNlb(R"(arn:aws[a-z-]*:elasticloadbalancing:([a-z0-9-]+):\d{12}:)"
                             R"(loadbalancer/net/[\w-]+/[\w]+)");
  const json::value* targets = link.if_contains("targetArns");
  if (targets == nullptr || !targets->is_array() || targets->get_array().size() != 1 ||
      !targets->get_array()[0].is_string()) {
    return BadRequest("A VPC link needs exactly one target: a Network Load Balancer ARN");
  }
  std::string arn(targets->get_array()[0].get_string());
  std::string arn_region;
  if (!re2::RE2::FullMatch(arn, kNlb, &arn_region) || arn_region != region) {
    return BadRequest("Invalid target ARN (a Network Load Balancer of " + std::string(region) +
                      " is expected): " + arn);
  }
  return Status::Ok();
}

// The link of a record, with the lifecycle's first status when `created`.
json::object Reported(const json::object& link, bool created, bool http) {
  json::object out = link;
  if (created) {
    out[http ? "VpcLinkStatus" : "status"] = "PENDING";
    out[http ? "VpcLinkStatusMessage" : "statusMessage"] = "VPC link is provisioning ENIs";
  }
  return out;
}

}  // namespace

void ApiGatewayService::CreateVpcLink(CallPtr call) {
  const json::object& in = call->input();
  json::object link;
  CopyMembers(in, {"name", "description", "targetArns", "tags"}, link);
  if (StringField(link, "name").empty()) return Fail(call, BadRequest("A VPC link needs a name"));
  if (Status s = CheckTargets(link, call->context().region); !s.ok()) return Fail(call, s);
  link["id"] = NewId(6);
  link["status"] = "AVAILABLE";
  link["statusMessage"] = "Your vpc link is ready for use";
  vpc_links_.Change(call, StringField(link, "id"), true, kNoRestLink, kTaken,
                    [&](json::object& record) -> Result<json::object> {
                      record["link"] = link;
                      return Reported(link, true, false);
                    });
}

void ApiGatewayService::GetVpcLink(CallPtr call) {
  vpc_links_.Read(
      call, StringField(call->input(), "vpcLinkId"), kNoRestLink,
      [](json::object& record) -> Result<json::object> { return ObjectField(record, "link"); });
}

void ApiGatewayService::GetVpcLinks(CallPtr call) {
  std::vector<json::value> items;
  for (json::object& record : vpc_links_.List(*call)) items.push_back(ObjectField(record, "link"));
  json::object out;
  if (Status s = PageInto(call->input(), std::move(items), out); !s.ok()) return Fail(call, s);
  call->Reply(std::move(out));
}

void ApiGatewayService::UpdateVpcLink(CallPtr call) {
  vpc_links_.Change(call, StringField(call->input(), "vpcLinkId"), false, kNoRestLink, kTaken,
                    [&](json::object& record) -> Result<json::object> {
                      json::object& link = ObjectField(record, "link");
                      const auto& model = Model();
                      if (Status s = ApplyPatch(model, model.FindShape("VpcLink"),
                                                PatchOperationsOf(call->input()), link,
                                                {"id", "status", "statusMessage", "targetArns"});
                          !s.ok()) {
                        return s;
                      }
                      if (StringField(link, "name").empty()) {
                        return BadRequest("A VPC link needs a name");
                      }
                      return link;
                    });
}

void ApiGatewayService::DeleteVpcLink(CallPtr call) {
  vpc_links_.Change(call, StringField(call->input(), "vpcLinkId"), false, kNoRestLink, kTaken,
                    [](json::object& record) -> Result<json::object> {
                      record.clear();
                      return json::object();
                    });
}

void HttpApiService::CreateVpcLink(CallPtr call) {
  const json::object& in = call->input();
  json::object link;
  CopyMembers(in, {"Name", "SecurityGroupIds", "SubnetIds", "Tags"}, link);
  const json::value* subnets = link.if_contains("SubnetIds");
  if (subnets == nullptr || !subnets->is_array() || subnets->get_array().empty()) {
    return call->Fail(ToAwsError(BadRequest("A VPC link needs at least one subnet")));
  }
  if (StringField(link, "Name").empty()) {
    return call->Fail(ToAwsError(BadRequest("A VPC link needs a name")));
  }
  if (!link.contains("SecurityGroupIds")) link["SecurityGroupIds"] = json::array();
  link["VpcLinkId"] = NewGatewayId(6);
  link["CreatedDate"] = static_cast<double>(clock_.NowMillis() / 1000);
  link["VpcLinkStatus"] = "AVAILABLE";
  link["VpcLinkStatusMessage"] = "VPC link is ready to route traffic";
  link["VpcLinkVersion"] = "V2";
  vpc_links_.Change(call, StringField(link, "VpcLinkId"), true, kNoHttpLink, kTaken,
                    [&](json::object& record) -> Result<json::object> {
                      record["link"] = link;
                      return Reported(link, true, true);
                    });
}

void HttpApiService::GetVpcLink(CallPtr call) {
  vpc_links_.Read(
      call, StringField(call->input(), "VpcLinkId"), kNoHttpLink,
      [](json::object& record) -> Result<json::object> { return ObjectField(record, "link"); });
}

void HttpApiService::GetVpcLinks(CallPtr call) {
  json::array items;
  for (json::object& record : vpc_links_.List(*call)) items.push_back(ObjectField(record, "link"));
  call->Reply(json::object{{"Items", std::move(items)}});
}

void HttpApiService::UpdateVpcLink(CallPtr call) {
  vpc_links_.Change(call, StringField(call->input(), "VpcLinkId"), false, kNoHttpLink, kTaken,
                    [&](json::object& record) -> Result<json::object> {
                      json::object& link = ObjectField(record, "link");
                      if (call->input().contains("Name")) {
                        std::string name = StringField(call->input(), "Name");
                        if (name.empty()) return BadRequest("A VPC link needs a name");
                        link["Name"] = name;
                      }
                      return link;
                    });
}

void HttpApiService::DeleteVpcLink(CallPtr call) {
  vpc_links_.Change(call, StringField(call->input(), "VpcLinkId"), false, kNoHttpLink, kTaken,
                    [](json::object& record) -> Result<json::object> {
                      record.clear();
                      return json::object();
                    });
}

}  // namespace tidepool::apigateway
