// Custom domain names and base path mappings of the `apigateway` API (the records and the
// request routing are custom_domains.h's). No TLS is served for a custom name: certificates are
// stored as given and the domain fields AWS reports are made up in its forms.
#include <boost/json.hpp>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/custom_domains.h"
#include "services/apigateway/domain_names.h"
#include "services/apigateway/patch.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr std::string_view kNoDomain = "Invalid domain name identifier specified";
constexpr std::string_view kNoMapping = "Invalid base path mapping identifier specified";

// A BasePathMapping as the API returns it, from a stored mapping.
json::object MappingView(const json::object& mapping) {
  std::string key = StringField(mapping, "key");
  json::object out{{"basePath", key.empty() ? "(none)" : key},
                   {"restApiId", StringField(mapping, "apiId")}};
  if (std::string stage = StringField(mapping, "stage"); !stage.empty()) out["stage"] = stage;
  return out;
}

// The stored key of a base path as the API names it: "(none)" and "" are the empty one.
std::string BasePathKey(std::string_view base_path) {
  return base_path == "(none)" ? std::string() : std::string(base_path);
}

}  // namespace

Status ApiGatewayService::CheckRestMapping(const protocol::Call& call,
                                           const json::object& mapping) {
  RestApiPtr api = FindApiById(StringField(mapping, "apiId"));
  if (!api || api->account != call.context().account_id || api->region != call.context().region) {
    return BadRequest("Invalid REST API identifier specified");
  }
  std::string stage = StringField(mapping, "stage");
  if (stage.empty()) return Status::Ok();
  std::lock_guard lock(api->mu);
  if (FindObject(ObjectField(api->doc, "stages"), stage) == nullptr) {
    return BadRequest("Invalid stage identifier specified");
  }
  return Status::Ok();
}

void ApiGatewayService::CreateDomainName(CallPtr call) {
  const json::object& in = call->input();
  std::string name = StringField(in, "domainName");
  if (Status s = CheckDomainName(name); !s.ok()) return Fail(call, s);
  json::object domain;
  CopyMembers(in,
              {"domainName", "certificateName", "certificateArn", "regionalCertificateName",
               "regionalCertificateArn", "endpointConfiguration", "tags", "securityPolicy",
               "endpointAccessMode", "mutualTlsAuthentication",
               "ownershipVerificationCertificateArn", "policy", "routingMode"},
              domain);
  domain["domainName"] = CustomDomains::Normalize(name);
  if (in.contains("certificateBody")) domain["certificateUploadDate"] = Now();
  if (!domain.contains("endpointConfiguration")) {
    domain["endpointConfiguration"] = json::object{{"types", json::array{"EDGE"}}};
  }
  if (!domain.contains("securityPolicy")) domain["securityPolicy"] = "TLS_1_2";
  if (!domain.contains("routingMode")) domain["routingMode"] = "BASE_PATH_MAPPING_ONLY";
  domain["domainNameStatus"] = "AVAILABLE";
  domain["domainNameArn"] = "arn:aws:apigateway:" + call->context().region + "::/domainnames/" +
                            StringField(domain, "domainName");
  if (Status s = CompleteDomainName(domain, call->context().region, in.contains("certificateBody"));
      !s.ok()) {
    return Fail(call, s);
  }
  domains_.Change(call, name, true, kNoDomain, [&](json::object& record) -> Result<json::object> {
    record["domain"] = domain;
    return domain;
  });
}

void ApiGatewayService::GetDomainName(CallPtr call) {
  domains_.Read(
      call, StringField(call->input(), "domainName"), kNoDomain,
      [](json::object& record) -> Result<json::object> { return ObjectField(record, "domain"); });
}

void ApiGatewayService::GetDomainNames(CallPtr call) {
  std::vector<json::value> items;
  for (json::object& record : domains_.List(*call)) items.push_back(ObjectField(record, "domain"));
  json::object out;
  if (Status s = PageInto(call->input(), std::move(items), out); !s.ok()) return Fail(call, s);
  call->Reply(std::move(out));
}

void ApiGatewayService::UpdateDomainName(CallPtr call) {
  domains_.Change(
      call, StringField(call->input(), "domainName"), false, kNoDomain,
      [&](json::object& record) -> Result<json::object> {
        json::object& domain = ObjectField(record, "domain");
        const auto& model = Model();
        if (Status s = ApplyPatch(
                model, model.FindShape("DomainName"), PatchOperationsOf(call->input()), domain,
                {"domainName", "domainNameId", "domainNameArn", "certificateUploadDate",
                 "regionalDomainName", "regionalHostedZoneId", "distributionDomainName",
                 "distributionHostedZoneId", "domainNameStatus", "domainNameStatusMessage",
                 "managementPolicy"});
            !s.ok()) {
          return s;
        }
        if (Status s = CompleteDomainName(domain, StringField(record, "region"),
                                          domain.contains("certificateUploadDate"));
            !s.ok()) {
          return s;
        }
        return domain;
      });
}

void ApiGatewayService::DeleteDomainName(CallPtr call) {
  domains_.Change(call, StringField(call->input(), "domainName"), false, kNoDomain,
                  [](json::object& record) -> Result<json::object> {
                    record.clear();
                    return json::object();
                  });
}

void ApiGatewayService::CreateBasePathMapping(CallPtr call) {
  const json::object& in = call->input();
  json::object mapping{{"id", NewId(6)},
                       {"key", BasePathKey(StringField(in, "basePath"))},
                       {"apiId", StringField(in, "restApiId")},
                       {"stage", StringField(in, "stage")}};
  if (Status s = CheckBasePath(StringField(mapping, "key")); !s.ok()) return Fail(call, s);
  if (Status s = CheckRestMapping(*call, mapping); !s.ok()) return Fail(call, s);
  domains_.Change(call, StringField(in, "domainName"), false, kNoDomain,
                  [&](json::object& record) -> Result<json::object> {
                    json::array& mappings = MappingsOf(record);
                    if (FindMapping(mappings, "key", StringField(mapping, "key")) != nullptr) {
                      return Conflict("Base path already exists for this domain name");
                    }
                    mappings.push_back(mapping);
                    return MappingView(mapping);
                  });
}

void ApiGatewayService::GetBasePathMapping(CallPtr call) {
  std::string key = BasePathKey(StringField(call->input(), "basePath"));
  domains_.Read(call, StringField(call->input(), "domainName"), kNoDomain,
                [&](json::object& record) -> Result<json::object> {
                  const json::object* m = FindMapping(MappingsOf(record), "key", key);
                  if (m == nullptr) return NotFound(std::string(kNoMapping));
                  return MappingView(*m);
                });
}

void ApiGatewayService::GetBasePathMappings(CallPtr call) {
  domains_.Read(call, StringField(call->input(), "domainName"), kNoDomain,
                [&](json::object& record) -> Result<json::object> {
                  std::vector<json::value> items;
                  for (const json::value& m : MappingsOf(record)) {
                    if (const json::object* o = m.if_object()) items.push_back(MappingView(*o));
                  }
                  json::object out;
                  if (Status s = PageInto(call->input(), std::move(items), out); !s.ok()) return s;
                  return out;
                });
}

void ApiGatewayService::UpdateBasePathMapping(CallPtr call) {
  std::string key = BasePathKey(StringField(call->input(), "basePath"));
  domains_.Change(call, StringField(call->input(), "domainName"), false, kNoDomain,
                  [&](json::object& record) -> Result<json::object> {
                    json::array& mappings = MappingsOf(record);
                    json::object* m = FindMapping(mappings, "key", key);
                    if (m == nullptr) return NotFound(std::string(kNoMapping));
                    json::object view = MappingView(*m);
                    const auto& model = Model();
                    if (Status s = ApplyPatch(model, model.FindShape("BasePathMapping"),
                                              PatchOperationsOf(call->input()), view, {});
                        !s.ok()) {
                      return s;
                    }
                    json::object updated{{"id", m->at("id")},
                                         {"key", BasePathKey(StringField(view, "basePath"))},
                                         {"apiId", StringField(view, "restApiId")},
                                         {"stage", StringField(view, "stage")}};
                    if (Status s = CheckBasePath(StringField(updated, "key")); !s.ok()) return s;
                    if (Status s = CheckRestMapping(*call, updated); !s.ok()) return s;
                    if (StringField(updated, "key") != key &&
                        FindMapping(mappings, "key", StringField(updated, "key")) != nullptr) {
                      return Conflict("Base path already exists for this domain name");
                    }
                    *m = updated;
                    return MappingView(updated);
                  });
}

void ApiGatewayService::DeleteBasePathMapping(CallPtr call) {
  std::string key = BasePathKey(StringField(call->input(), "basePath"));
  domains_.Change(call, StringField(call->input(), "domainName"), false, kNoDomain,
                  [&](json::object& record) -> Result<json::object> {
                    if (!EraseMapping(MappingsOf(record), "key", key)) {
                      return NotFound(std::string(kNoMapping));
                    }
                    return json::object();
                  });
}

}  // namespace tidepool::apigateway
