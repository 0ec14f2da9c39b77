#include "services/apigateway/apigateway_service.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <random>

#include "protocol/model/models.h"
#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/http_api_service.h"
#include "services/apigateway/keyspace.h"
#include "services/apigateway/patch.h"
#include "services/apigateway/records.h"
#include "services/write_path.h"
#include "storage/key_codec.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

// The registration table: operation name -> handler, sorted by name. Operations of the model
// that are not listed answer BadRequestException naming the operation (docs/differences.md).
struct ApiGatewayServiceTable {
  struct Entry {
    std::string_view operation;
    ApiGatewayService::Handler handler;
  };
  using S = ApiGatewayService;
  static constexpr std::array<Entry, 116> kEntries{{
      {"CreateApiKey", &S::CreateApiKey},
      {"CreateAuthorizer", &S::CreateAuthorizer},
      {"CreateBasePathMapping", &S::CreateBasePathMapping},
      {"CreateDeployment", &S::CreateDeployment},
      {"CreateDocumentationPart", &S::CreateDocumentationPart},
      {"CreateDocumentationVersion", &S::CreateDocumentationVersion},
      {"CreateDomainName", &S::CreateDomainName},
      {"CreateModel", &S::CreateModel},
      {"CreateRequestValidator", &S::CreateRequestValidator},
      {"CreateResource", &S::CreateResource},
      {"CreateRestApi", &S::CreateRestApi},
      {"CreateStage", &S::CreateStage},
      {"CreateUsagePlan", &S::CreateUsagePlan},
      {"CreateUsagePlanKey", &S::CreateUsagePlanKey},
      {"CreateVpcLink", &S::CreateVpcLink},
      {"DeleteApiKey", &S::DeleteApiKey},
      {"DeleteAuthorizer", &S::DeleteAuthorizer},
      {"DeleteBasePathMapping", &S::DeleteBasePathMapping},
      {"DeleteClientCertificate", &S::DeleteClientCertificate},
      {"DeleteDeployment", &S::DeleteDeployment},
      {"DeleteDocumentationPart", &S::DeleteDocumentationPart},
      {"DeleteDocumentationVersion", &S::DeleteDocumentationVersion},
      {"DeleteDomainName", &S::DeleteDomainName},
      {"DeleteGatewayResponse", &S::DeleteGatewayResponse},
      {"DeleteIntegration", &S::DeleteIntegration},
      {"DeleteIntegrationResponse", &S::DeleteIntegrationResponse},
      {"DeleteMethod", &S::DeleteMethod},
      {"DeleteMethodResponse", &S::DeleteMethodResponse},
      {"DeleteModel", &S::DeleteModel},
      {"DeleteRequestValidator", &S::DeleteRequestValidator},
      {"DeleteResource", &S::DeleteResource},
      {"DeleteRestApi", &S::DeleteRestApi},
      {"DeleteStage", &S::DeleteStage},
      {"DeleteUsagePlan", &S::DeleteUsagePlan},
      {"DeleteUsagePlanKey", &S::DeleteUsagePlanKey},
      {"DeleteVpcLink", &S::DeleteVpcLink},
      {"FlushStageAuthorizersCache", &S::FlushStageAuthorizersCache},
      {"FlushStageCache", &S::FlushStageCache},
      {"GenerateClientCertificate", &S::GenerateClientCertificate},
      {"GetAccount", &S::GetAccount},
      {"GetApiKey", &S::GetApiKey},
      {"GetApiKeys", &S::GetApiKeys},
      {"GetAuthorizer", &S::GetAuthorizer},
      {"GetAuthorizers", &S::GetAuthorizers},
      {"GetBasePathMapping", &S::GetBasePathMapping},
      {"GetBasePathMappings", &S::GetBasePathMappings},
      {"GetClientCertificate", &S::GetClientCertificate},
      {"GetClientCertificates", &S::GetClientCertificates},
      {"GetDeployment", &S::GetDeployment},
      {"GetDeployments", &S::GetDeployments},
      {"GetDocumentationPart", &S::GetDocumentationPart},
      {"GetDocumentationParts", &S::GetDocumentationParts},
      {"GetDocumentationVersion", &S::GetDocumentationVersion},
      {"GetDocumentationVersions", &S::GetDocumentationVersions},
      {"GetDomainName", &S::GetDomainName},
      {"GetDomainNames", &S::GetDomainNames},
      {"GetExport", &S::GetExport},
      {"GetGatewayResponse", &S::GetGatewayResponse},
      {"GetGatewayResponses", &S::GetGatewayResponses},
      {"GetIntegration", &S::GetIntegration},
      {"GetIntegrationResponse", &S::GetIntegrationResponse},
      {"GetMethod", &S::GetMethod},
      {"GetMethodResponse", &S::GetMethodResponse},
      {"GetModel", &S::GetModel},
      {"GetModelTemplate", &S::GetModelTemplate},
      {"GetModels", &S::GetModels},
      {"GetRequestValidator", &S::GetRequestValidator},
      {"GetRequestValidators", &S::GetRequestValidators},
      {"GetResource", &S::GetResource},
      {"GetResources", &S::GetResources},
      {"GetRestApi", &S::GetRestApi},
      {"GetRestApis", &S::GetRestApis},
      {"GetStage", &S::GetStage},
      {"GetStages", &S::GetStages},
      {"GetTags", &S::GetTags},
      {"GetUsage", &S::GetUsage},
      {"GetUsagePlan", &S::GetUsagePlan},
      {"GetUsagePlanKey", &S::GetUsagePlanKey},
      {"GetUsagePlanKeys", &S::GetUsagePlanKeys},
      {"GetUsagePlans", &S::GetUsagePlans},
      {"GetVpcLink", &S::GetVpcLink},
      {"GetVpcLinks", &S::GetVpcLinks},
      {"ImportApiKeys", &S::ImportApiKeys},
      {"ImportDocumentationParts", &S::ImportDocumentationParts},
      {"ImportRestApi", &S::ImportRestApi},
      {"PutGatewayResponse", &S::PutGatewayResponse},
      {"PutIntegration", &S::PutIntegration},
      {"PutIntegrationResponse", &S::PutIntegrationResponse},
      {"PutMethod", &S::PutMethod},
      {"PutMethodResponse", &S::PutMethodResponse},
      {"PutRestApi", &S::PutRestApi},
      {"TagResource", &S::TagResource},
      {"TestInvokeMethod", &S::TestInvokeMethod},
      {"UntagResource", &S::UntagResource},
      {"UpdateAccount", &S::UpdateAccount},
      {"UpdateApiKey", &S::UpdateApiKey},
      {"UpdateAuthorizer", &S::UpdateAuthorizer},
      {"UpdateBasePathMapping", &S::UpdateBasePathMapping},
      {"UpdateClientCertificate", &S::UpdateClientCertificate},
      {"UpdateDeployment", &S::UpdateDeployment},
      {"UpdateDocumentationPart", &S::UpdateDocumentationPart},
      {"UpdateDocumentationVersion", &S::UpdateDocumentationVersion},
      {"UpdateDomainName", &S::UpdateDomainName},
      {"UpdateGatewayResponse", &S::UpdateGatewayResponse},
      {"UpdateIntegration", &S::UpdateIntegration},
      {"UpdateIntegrationResponse", &S::UpdateIntegrationResponse},
      {"UpdateMethod", &S::UpdateMethod},
      {"UpdateMethodResponse", &S::UpdateMethodResponse},
      {"UpdateModel", &S::UpdateModel},
      {"UpdateRequestValidator", &S::UpdateRequestValidator},
      {"UpdateResource", &S::UpdateResource},
      {"UpdateRestApi", &S::UpdateRestApi},
      {"UpdateStage", &S::UpdateStage},
      {"UpdateUsage", &S::UpdateUsage},
      {"UpdateUsagePlan", &S::UpdateUsagePlan},
      {"UpdateVpcLink", &S::UpdateVpcLink},
  }};

  static ApiGatewayService::Handler Find(std::string_view operation) {
    auto end = kEntries.end();
    auto it =
        std::lower_bound(kEntries.begin(), end, operation,
                         [](const Entry& e, std::string_view op) { return e.operation < op; });
    return (it != end && it->operation == operation) ? it->handler : nullptr;
  }
};

ApiGatewayService::ApiGatewayService(storage::Store& store, storage::CommitQueue& commits,
                                     const Clock& clock, boost::asio::io_context& io,
                                     ApiGatewayOptions options)
    : store_(store), commits_(commits), clock_(clock), io_(io), options_(options) {}

ApiGatewayService::~ApiGatewayService() = default;

const protocol::model::ServiceModel& ApiGatewayService::Model() const {
  return protocol::model::ApiGatewayModel();
}

void ApiGatewayService::Invoke(CallPtr call) {
  const Handler handler = ApiGatewayServiceTable::Find(call->operation().name);
  if (handler == nullptr) {
    return Fail(call, BadRequest("tidepool does not implement " +
                                 std::string(call->operation().name) + " yet"));
  }
  (this->*handler)(std::move(call));
}

json::object ApiGatewayService::Health() const {
  std::shared_lock lock(registry_mu_);
  return json::object{{"status", "running"}, {"rest_apis", apis_.size()}};
}

Status ApiGatewayService::Recover() {
  size_t loaded = 0, skipped = 0;
  std::string prefix = keyspace::ApiPrefix();
  Status s = store_.Scan(prefix, storage::PrefixEnd(prefix),
                         [&](std::string_view key, std::string_view value) {
                           auto id = keyspace::ParseIdKey('a', key);
                           auto doc = DecodeRecord(value);
                           if (!id || !doc.ok()) {
                             spdlog::error("apigateway: skipping an undecodable API record {}",
                                           storage::PrintableKey(key));
                             ++skipped;
                             return true;
                           }
                           auto api = std::make_shared<RestApi>();
                           api->id = *id;
                           api->account = StringField(*doc, "account");
                           api->region = StringField(*doc, "region");
                           api->doc = std::move(*doc);
                           apis_[*id] = std::move(api);
                           ++loaded;
                           return true;
                         });
  if (!s.ok()) return s;
  std::string dprefix(keyspace::DeploymentPrefix(""));
  dprefix.resize(dprefix.size() - 2);  // the kind byte alone: every API's deployments
  s = store_.Scan(
      dprefix, storage::PrefixEnd(dprefix), [&](std::string_view key, std::string_view value) {
        auto ids = keyspace::ParseDeploymentKey(key);
        auto doc = DecodeRecord(value);
        auto it = ids ? apis_.find(ids->first) : apis_.end();
        if (!ids || !doc.ok() || it == apis_.end()) {
          spdlog::error("apigateway: skipping a deployment record {}", storage::PrintableKey(key));
          ++skipped;
          return true;
        }
        it->second->deployments[ids->second] = BuildDeployment(ids->second, *doc);
        return true;
      });
  if (!s.ok()) return s;
  for (const auto& entry : {std::pair{'k', &api_keys_}, std::pair{'p', &usage_plans_}}) {
    const char kind = entry.first;
    std::map<std::string, json::object>* map = entry.second;
    std::string p = kind == 'k' ? keyspace::KeyPrefix() : keyspace::PlanPrefix();
    s = store_.Scan(p, storage::PrefixEnd(p), [&](std::string_view key, std::string_view value) {
      auto id = keyspace::ParseIdKey(kind, key);
      auto doc = DecodeRecord(value);
      if (!id || !doc.ok()) {
        spdlog::error("apigateway: skipping an undecodable record {}", storage::PrintableKey(key));
        ++skipped;
        return true;
      }
      (*map)[*id] = std::move(*doc);
      return true;
    });
    if (!s.ok()) return s;
  }
  std::string usage = keyspace::UsagePrefix();
  s = store_.Scan(
      usage, storage::PrefixEnd(usage), [&](std::string_view key, std::string_view value) {
        auto ids = keyspace::ParseUsageKey(key);
        auto doc = DecodeRecord(value);
        if (!ids || !doc.ok()) {
          spdlog::error("apigateway: skipping a usage record {}", storage::PrintableKey(key));
          ++skipped;
          return true;
        }
        meter_.Restore(ids->first, ids->second, DecodeUsage(*doc));
        return true;
      });
  if (!s.ok()) return s;
  for (auto& [id, record] : api_keys_) {
    key_ids_by_value_[StringField(ObjectField(record, "key"), "value")] = id;
  }
  std::string accounts = keyspace::AccountPrefix();
  s = store_.Scan(
      accounts, storage::PrefixEnd(accounts), [&](std::string_view key, std::string_view value) {
        auto ids = keyspace::ParseAccountKey(key);
        auto doc = DecodeRecord(value);
        if (!ids || !doc.ok()) {
          spdlog::error("apigateway: skipping an account record {}", storage::PrintableKey(key));
          ++skipped;
          return true;
        }
        accounts_[ids->first + "/" + ids->second] = std::move(*doc);
        return true;
      });
  if (!s.ok()) return s;
  if (s = domains_.Recover(store_); !s.ok()) return s;
  if (s = vpc_links_.Recover(store_); !s.ok()) return s;
  if (s = client_certificates_.Recover(store_); !s.ok()) return s;
  if (loaded + skipped > 0) {
    spdlog::info("apigateway: recovered {} REST APIs ({} records skipped)", loaded, skipped);
  }
  return Status::Ok();
}

void ApiGatewayService::SetHttpApis(HttpApiService* http_apis) {
  http_apis_ = http_apis;
  http_apis_->SetCustomDomains(&domains_);
}

void ApiGatewayService::Fail(const CallPtr& call, const Status& status) {
  call->Fail(ToAwsError(status));
}

double ApiGatewayService::Now() const { return static_cast<double>(clock_.NowMillis() / 1000); }

RestApiPtr ApiGatewayService::FindApiById(std::string_view id) const {
  std::shared_lock lock(registry_mu_);
  auto it = apis_.find(std::string(id));
  return it == apis_.end() ? nullptr : it->second;
}

Result<RestApiPtr> ApiGatewayService::FindApi(const protocol::Call& call) const {
  std::string id = StringField(call.input(), "restApiId");
  RestApiPtr api = FindApiById(id);
  if (!api || api->account != call.context().account_id || api->region != call.context().region) {
    return NotFound("Invalid API identifier specified " + call.context().account_id + ":" + id);
  }
  return api;
}

void ApiGatewayService::CommitApi(RestApi& api, json::object doc, CallPtr call, json::object output,
                                  storage::WriteBatch extra) {
  storage::WriteBatch batch = std::move(extra);
  batch.Put(keyspace::ApiKey(api.id), EncodeRecord(doc));
  api.doc = std::move(doc);
  services::SubmitForCall(
      commits_, std::move(batch), call,
      services::ReplyWhenCommitted(call, std::move(output), &ToAwsError, "apigateway"),
      &ToAwsError);
}

void ApiGatewayService::EditApi(CallPtr call, const DocEdit& edit) {
  EditApiWith(call, [&](RestApi&, json::object& doc, storage::WriteBatch&) { return edit(doc); });
}

void ApiGatewayService::EditApiWith(CallPtr call, const ApiEdit& edit) {
  auto api = FindApi(*call);
  if (!api.ok()) return Fail(call, api.status());
  std::lock_guard lock((*api)->mu);
  json::object doc = (*api)->doc;
  storage::WriteBatch batch;
  auto output = edit(**api, doc, batch);
  if (!output.ok()) return Fail(call, output.status());
  CommitApi(**api, std::move(doc), call, std::move(*output), std::move(batch));
}

void ApiGatewayService::ReadApi(CallPtr call, const DocEdit& read) {
  ReadApiWith(call, [&](RestApi&, json::object& doc) { return read(doc); });
}

void ApiGatewayService::ReadList(CallPtr call, std::string_view member, const ListView& view) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    std::vector<json::value> items;
    for (const auto& kv : ObjectField(doc, member)) {
      if (!view) {
        items.push_back(kv.value());
      } else if (const json::object* item = kv.value().if_object()) {
        if (auto shown = view(*item)) items.push_back(std::move(*shown));
      }
    }
    json::object out;
    if (Status s = PageInto(call->input(), std::move(items), out); !s.ok()) return s;
    return out;
  });
}

void ApiGatewayService::ReadApiWith(CallPtr call, const ApiRead& read) {
  auto api = FindApi(*call);
  if (!api.ok()) return Fail(call, api.status());
  Result<json::object> output = [&] {
    std::lock_guard lock((*api)->mu);
    return read(**api, (*api)->doc);
  }();
  if (!output.ok()) return Fail(call, output.status());
  call->Reply(std::move(*output));
}

Status ApiGatewayService::Patch(const protocol::Call& call, std::string_view shape_name,
                                json::object& target) {
  const auto& model = protocol::model::ApiGatewayModel();
  return ApplyPatch(model, model.FindShape(shape_name), PatchOperationsOf(call.input()), target);
}

}  // namespace tidepool::apigateway
