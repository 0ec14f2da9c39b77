// Custom domain names and API mappings of the `apigatewayv2` API: the records ApiGatewayService
// keeps (custom_domains.h), seen in the v2 shapes. An API mapping names an HTTP API of this
// service; REST APIs are mapped with `apigateway` CreateBasePathMapping.
#include <boost/json.hpp>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/custom_domains.h"
#include "services/apigateway/domain_names.h"
#include "services/apigateway/http_api_service.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr std::string_view kNoDomain =
    "The domain name resource specified in the request was not found.";
constexpr std::string_view kNoMapping =
    "The ApiMapping identifier specified in the request was not found.";

}  // namespace

Status HttpApiService::CheckApiMapping(const protocol::Call& call, const json::object& mapping) {
  if (Status s = CheckBasePath(StringField(mapping, "key")); !s.ok()) return s;
  auto api = FindApi(call, StringField(mapping, "apiId"));
  if (!api.ok()) {
    return BadRequest(
        "tidepool maps HTTP APIs with ApiMappings; map a REST API with apigateway "
        "CreateBasePathMapping (no HTTP API " +
        StringField(mapping, "apiId") + ")");
  }
  std::lock_guard lock((*api)->mu);
  if (FindObject(ObjectField((*api)->doc, "stages"), StringField(mapping, "stage")) == nullptr) {
    return BadRequest("Invalid stage identifier specified");
  }
  return Status::Ok();
}

void HttpApiService::CreateDomainName(CallPtr call) {
  if (domains_ == nullptr) return call->Fail(ToAwsError(BadRequest("no custom domain names")));
  const json::object& in = call->input();
  std::string name = StringField(in, "DomainName");
  if (Status s = CheckDomainName(name); !s.ok()) return call->Fail(ToAwsError(s));
  std::string normalized = CustomDomains::Normalize(name);
  json::object domain{{"domainName", normalized},
                      {"domainNameArn", "arn:aws:apigateway:" + call->context().region +
                                            "::/domainnames/" + normalized},
                      {"domainNameStatus", "AVAILABLE"},
                      {"securityPolicy", "TLS_1_2"},
                      {"routingMode", "BASE_PATH_MAPPING_ONLY"},
                      {"endpointConfiguration", json::object{{"types", json::array{"REGIONAL"}}}}};
  if (Status s = ApplyHttpDomainInput(in, domain); !s.ok()) return call->Fail(ToAwsError(s));
  if (Status s = CompleteDomainName(domain, call->context().region, false); !s.ok()) {
    return call->Fail(ToAwsError(s));
  }
  domains_->Change(call, name, true, kNoDomain, [&](json::object& record) -> Result<json::object> {
    record["domain"] = domain;
    return HttpDomainView(domain);
  });
}

void HttpApiService::GetDomainName(CallPtr call) {
  if (domains_ == nullptr) return call->Fail(ToAwsError(NotFound(std::string(kNoDomain))));
  domains_->Read(call, StringField(call->input(), "DomainName"), kNoDomain,
                 [](json::object& record) -> Result<json::object> {
                   return HttpDomainView(ObjectField(record, "domain"));
                 });
}

void HttpApiService::GetDomainNames(CallPtr call) {
  json::array items;
  if (domains_ != nullptr) {
    for (json::object& record : domains_->List(*call)) {
      items.push_back(HttpDomainView(ObjectField(record, "domain")));
    }
  }
  call->Reply(json::object{{"Items", std::move(items)}});
}

void HttpApiService::UpdateDomainName(CallPtr call) {
  if (domains_ == nullptr) return call->Fail(ToAwsError(NotFound(std::string(kNoDomain))));
  domains_->Change(call, StringField(call->input(), "DomainName"), false, kNoDomain,
                   [&](json::object& record) -> Result<json::object> {
                     json::object& domain = ObjectField(record, "domain");
                     if (Status s = ApplyHttpDomainInput(call->input(), domain); !s.ok()) return s;
                     if (Status s = CompleteDomainName(domain, StringField(record, "region"),
                                                       domain.contains("certificateUploadDate"));
                         !s.ok()) {
                       return s;
                     }
                     return HttpDomainView(domain);
                   });
}

void HttpApiService::DeleteDomainName(CallPtr call) {
  if (domains_ == nullptr) return call->Fail(ToAwsError(NotFound(std::string(kNoDomain))));
  domains_->Change(call, StringField(call->input(), "DomainName"), false, kNoDomain,
                   [](json::object& record) -> Result<json::object> {
                     record.clear();
                     return json::object();
                   });
}

void HttpApiService::CreateApiMapping(CallPtr call) {
  if (domains_ == nullptr) return call->Fail(ToAwsError(NotFound(std::string(kNoDomain))));
  const json::object& in = call->input();
  json::object mapping{{"id", NewGatewayId(6)},
                       {"key", StringField(in, "ApiMappingKey")},
                       {"apiId", StringField(in, "ApiId")},
                       {"stage", StringField(in, "Stage")}};
  if (Status s = CheckApiMapping(*call, mapping); !s.ok()) return call->Fail(ToAwsError(s));
  domains_->Change(call, StringField(in, "DomainName"), false, kNoDomain,
                   [&](json::object& record) -> Result<json::object> {
                     json::array& mappings = MappingsOf(record);
                     if (FindMapping(mappings, "key", StringField(mapping, "key")) != nullptr) {
                       return Conflict("ApiMappingKey already exists for this domain name");
                     }
                     mappings.push_back(mapping);
                     return ApiMappingView(mapping);
                   });
}

void HttpApiService::GetApiMapping(CallPtr call) {
  if (domains_ == nullptr) return call->Fail(ToAwsError(NotFound(std::string(kNoDomain))));
  std::string id = StringField(call->input(), "ApiMappingId");
  domains_->Read(call, StringField(call->input(), "DomainName"), kNoDomain,
                 [&](json::object& record) -> Result<json::object> {
                   const json::object* m = FindMapping(MappingsOf(record), "id", id);
                   if (m == nullptr) return NotFound(std::string(kNoMapping));
                   return ApiMappingView(*m);
                 });
}

void HttpApiService::GetApiMappings(CallPtr call) {
  if (domains_ == nullptr) return call->Fail(ToAwsError(NotFound(std::string(kNoDomain))));
  domains_->Read(call, StringField(call->input(), "DomainName"), kNoDomain,
                 [](json::object& record) -> Result<json::object> {
                   json::array items;
                   for (const json::value& m : MappingsOf(record)) {
                     if (const json::object* o = m.if_object()) items.push_back(ApiMappingView(*o));
                   }
                   return json::object{{"Items", std::move(items)}};
                 });
}

void HttpApiService::UpdateApiMapping(CallPtr call) {
  if (domains_ == nullptr) return call->Fail(ToAwsError(NotFound(std::string(kNoDomain))));
  const json::object& in = call->input();
  std::string id = StringField(in, "ApiMappingId");
  domains_->Change(call, StringField(in, "DomainName"), false, kNoDomain,
                   [&](json::object& record) -> Result<json::object> {
                     json::array& mappings = MappingsOf(record);
                     json::object* m = FindMapping(mappings, "id", id);
                     if (m == nullptr) return NotFound(std::string(kNoMapping));
                     json::object updated = *m;
                     updated["apiId"] = StringField(in, "ApiId");
                     if (in.contains("ApiMappingKey"))
                       updated["key"] = StringField(in, "ApiMappingKey");
                     if (in.contains("Stage")) updated["stage"] = StringField(in, "Stage");
                     if (Status s = CheckApiMapping(*call, updated); !s.ok()) return s;
                     const json::object* same_key =
                         FindMapping(mappings, "key", StringField(updated, "key"));
                     if (same_key != nullptr && same_key != m) {
                       return Conflict("ApiMappingKey already exists for this domain name");
                     }
                     *m = updated;
                     return ApiMappingView(updated);
                   });
}

void HttpApiService::DeleteApiMapping(CallPtr call) {
  if (domains_ == nullptr) return call->Fail(ToAwsError(NotFound(std::string(kNoDomain))));
  std::string id = StringField(call->input(), "ApiMappingId");
  domains_->Change(call, StringField(call->input(), "DomainName"), false, kNoDomain,
                   [&](json::object& record) -> Result<json::object> {
                     if (!EraseMapping(MappingsOf(record), "id", id)) {
                       return NotFound(std::string(kNoMapping));
                     }
                     return json::object();
                   });
}

}  // namespace tidepool::apigateway
