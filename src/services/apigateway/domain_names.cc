#include "services/apigateway/domain_names.h"

#include <boost/json.hpp>

#include <array>
#include <utility>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;

namespace {

constexpr std::string_view kCloudFrontZone = "Z2FDTNDATAQYW2";

// API Gateway's regional hosted zones; other regions get us-east-1's (docs/differences.md).
std::string_view RegionalZone(std::string_view region) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kZones{{
      {"us-east-1", "Z1UJRXOUMOOFQ8"},
      {"us-east-2", "ZOJJZC49E0EPZ"},
      {"us-west-2", "Z2OJLYMUO9EFXC"},
      {"eu-west-1", "ZLY8HYME6SFDD"},
      {"eu-central-1", "Z1U9ULNL0V5AJ3"},
  }};
  for (const auto& [r, zone] : kZones) {
    if (r == region) return zone;
  }
  return kZones[0].second;
}

bool IsLabelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// The single endpoint type of `domain` ("" when the configuration does not name one).
std::string EndpointType(const json::object& domain) {
  const json::object* config = FindObject(domain, "endpointConfiguration");
  const json::value* types = config ? config->if_contains("types") : nullptr;
  if (types == nullptr || !types->is_array() || types->get_array().size() != 1 ||
      !types->get_array()[0].is_string()) {
    return "";
  }
  return std::string(types->get_array()[0].get_string());
}

}  // namespace

Status CheckDomainName(std::string_view name) {
  if (name.empty() || name.size() > 512) {
    return BadRequest("Invalid domain name: the name must have 1 to 512 characters");
  }
  if (name.starts_with("*.")) {
    return BadRequest("tidepool does not serve wildcard custom domain names yet");
  }
  size_t label = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0 && i != name.size())
        return BadRequest("Invalid domain name: " + std::string(name));
      label = 0;
      continue;
    }
    if (!IsLabelChar(name[i])) return BadRequest("Invalid domain name: " + std::string(name));
    ++label;
  }
  return Status::Ok();
}

Status CheckBasePath(std::string_view key) {
  if (key.empty()) return Status::Ok();
  size_t segment = 0;
  for (size_t i = 0; i <= key.size(); ++i) {
    if (i == key.size() || key[i] == '/') {
      if (segment == 0) return BadRequest("Invalid base path: '" + std::string(key) + "'");
      segment = 0;
      continue;
    }
    char c = key[i];
    if (!IsLabelChar(c) && c != '.' && c != '_' && c != '~') {
      return BadRequest("Invalid base path: '" + std::string(key) + "'");
    }
    ++segment;
  }
  return Status::Ok();
}

Status CompleteDomainName(json::object& domain, std::string_view region, bool uploaded) {
  std::string type = EndpointType(domain);
  if (type == "PRIVATE") {
    return BadRequest("tidepool does not support PRIVATE custom domain names yet");
  }
  if (type != "EDGE" && type != "REGIONAL") {
    return BadRequest("endpointConfiguration must name one type: EDGE or REGIONAL");
  }
  if (domain.contains("mutualTlsAuthentication")) {
    return BadRequest(
        "tidepool does not support mutualTlsAuthentication: it serves custom domain names over "
        "plain HTTP");
  }
  if (std::string mode = StringField(domain, "routingMode");
      !mode.empty() && mode != "BASE_PATH_MAPPING_ONLY") {
    return BadRequest("tidepool does not support routingMode " + mode + " (routing rules) yet");
  }
  if (type == "EDGE") {
    if (StringField(domain, "certificateArn").empty() && !uploaded) {
      return BadRequest("An EDGE domain name needs a certificateArn or an uploaded certificate");
    }
    if (StringField(domain, "distributionDomainName").empty()) {
      domain["distributionDomainName"] = "d" + NewGatewayId(13) + ".cloudfront.net";
    }
    domain["distributionHostedZoneId"] = kCloudFrontZone;
    domain.erase("regionalDomainName");
    domain.erase("regionalHostedZoneId");
  } else {
    if (StringField(domain, "regionalCertificateArn").empty()) {
      return BadRequest("A REGIONAL domain name needs a regionalCertificateArn");
    }
    if (StringField(domain, "regionalDomainName").empty()) {
      domain["regionalDomainName"] =
          "d-" + NewGatewayId(10) + ".execute-api." + std::string(region) + ".amazonaws.com";
    }
    domain["regionalHostedZoneId"] = RegionalZone(region);
    domain.erase("distributionDomainName");
    domain.erase("distributionHostedZoneId");
  }
  return Status::Ok();
}

json::array& MappingsOf(json::object& record) {
  json::value& v = record["mappings"];
  if (!v.is_array()) v = json::array();
  return v.get_array();
}

json::object* FindMapping(json::array& mappings, std::string_view member, std::string_view value) {
  for (json::value& m : mappings) {
    json::object* o = m.if_object();
    if (o != nullptr && StringField(*o, member) == value) return o;
  }
  return nullptr;
}

bool EraseMapping(json::array& mappings, std::string_view member, std::string_view value) {
  for (auto it = mappings.begin(); it != mappings.end(); ++it) {
    const json::object* o = it->if_object();
    if (o != nullptr && StringField(*o, member) == value) {
      mappings.erase(it);
      return true;
    }
  }
  return false;
}

json::object HttpDomainView(const json::object& domain) {
  const bool edge = EndpointType(domain) == "EDGE";
  json::object config{{"ApiGatewayDomainName",
                       StringField(domain, edge ? "distributionDomainName" : "regionalDomainName")},
                      {"DomainNameStatus", "AVAILABLE"},
                      {"EndpointType", edge ? "EDGE" : "REGIONAL"},
                      {"HostedZoneId", StringField(domain, edge ? "distributionHostedZoneId"
                                                                : "regionalHostedZoneId")},
                      {"SecurityPolicy", StringField(domain, "securityPolicy")}};
  if (std::string arn = StringField(domain, edge ? "certificateArn" : "regionalCertificateArn");
      !arn.empty()) {
    config["CertificateArn"] = arn;
  }
  if (std::string name = StringField(domain, edge ? "certificateName" : "regionalCertificateName");
      !name.empty()) {
    config["CertificateName"] = name;
  }
  if (std::string arn = StringField(domain, "ownershipVerificationCertificateArn"); !arn.empty()) {
    config["OwnershipVerificationCertificateArn"] = arn;
  }
  json::object out{{"ApiMappingSelectionExpression", "$request.basepath"},
                   {"DomainName", StringField(domain, "domainName")},
                   {"DomainNameArn", StringField(domain, "domainNameArn")},
                   {"DomainNameConfigurations", json::array{std::move(config)}},
                   {"RoutingMode", StringField(domain, "routingMode")}};
  if (const json::object* tags = FindObject(domain, "tags")) out["Tags"] = *tags;
  return out;
}

Status ApplyHttpDomainInput(const json::object& input, json::object& domain) {
  if (const json::value* configs = input.if_contains("DomainNameConfigurations")) {
    if (!configs->is_array() || configs->get_array().size() != 1 ||
        !configs->get_array()[0].is_object()) {
      return BadRequest("DomainNameConfigurations must hold exactly one configuration");
    }
    const json::object& config = configs->get_array()[0].get_object();
    std::string type = StringField(config, "EndpointType");
    if (type.empty()) type = "REGIONAL";
    const bool edge = type == "EDGE";
    domain["endpointConfiguration"] = json::object{{"types", json::array{json::string(type)}}};
    if (const json::value* arn = config.if_contains("CertificateArn")) {
      domain[edge ? "certificateArn" : "regionalCertificateArn"] = *arn;
    }
    if (const json::value* name = config.if_contains("CertificateName")) {
      domain[edge ? "certificateName" : "regionalCertificateName"] = *name;
    }
    if (const json::value* policy = config.if_contains("SecurityPolicy")) {
      domain["securityPolicy"] = *policy;
    }
    if (const json::value* arn = config.if_contains("OwnershipVerificationCertificateArn")) {
      domain["ownershipVerificationCertificateArn"] = *arn;
    }
  }
  if (const json::value* mtls = input.if_contains("MutualTlsAuthentication")) {
    domain["mutualTlsAuthentication"] = *mtls;
  }
  if (const json::value* mode = input.if_contains("RoutingMode")) domain["routingMode"] = *mode;
  if (const json::value* tags = input.if_contains("Tags")) domain["tags"] = *tags;
  return Status::Ok();
}

json::object ApiMappingView(const json::object& mapping) {
  json::object out{{"ApiId", StringField(mapping, "apiId")},
                   {"ApiMappingId", StringField(mapping, "id")},
                   {"Stage", StringField(mapping, "stage")}};
  if (std::string key = StringField(mapping, "key"); !key.empty()) out["ApiMappingKey"] = key;
  return out;
}

}  // namespace tidepool::apigateway
