// Client certificates of the `apigateway` API, stored (OwnedRecords, keyspace 'x'):
//
//   ClientCertificateRecord {"account","region","certificate": ClientCertificate (the output
//                            shape, with pemEncodedCertificate), "privateKey": PEM}
//
// The private key never leaves the record except to an https HTTP/HTTP_PROXY integration of a
// stage whose clientCertificateId names the certificate (gateway.cc, http_exchange.h).
#include <boost/json.hpp>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/client_certificate.h"
#include "services/apigateway/patch.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr std::string_view kNoCertificate = "Invalid Client Certificate identifier specified";
constexpr std::string_view kTaken = "A client certificate with this id already exists";

}  // namespace

void ApiGatewayService::GenerateClientCertificate(CallPtr call) {
  json::object certificate;
  CopyMembers(call->input(), {"description"}, certificate);
  if (const json::object* given = FindObject(call->input(), "tags")) {
    if (Status s = AddTags(given, ObjectField(certificate, "tags")); !s.ok()) return Fail(call, s);
  }
  const std::string id = NewId(6);
  const auto now = static_cast<int64_t>(Now());
  auto generated = GenerateSelfSignedCertificate(id, now);
  if (!generated.ok()) return Fail(call, generated.status());
  certificate["clientCertificateId"] = id;
  certificate["pemEncodedCertificate"] = generated->certificate_pem;
  certificate["createdDate"] = static_cast<double>(generated->not_before);
  certificate["expirationDate"] = static_cast<double>(generated->not_after);
  client_certificates_.Change(call, id, true, kNoCertificate, kTaken,
                              [&](json::object& record) -> Result<json::object> {
                                record["certificate"] = certificate;
                                record["privateKey"] = generated->private_key_pem;
                                return certificate;
                              });
}

void ApiGatewayService::GetClientCertificate(CallPtr call) {
  client_certificates_.Read(call, StringField(call->input(), "clientCertificateId"), kNoCertificate,
                            [](json::object& record) -> Result<json::object> {
                              return ObjectField(record, "certificate");
                            });
}

void ApiGatewayService::GetClientCertificates(CallPtr call) {
  std::vector<json::value> items;
  for (json::object& record : client_certificates_.List(*call)) {
    items.push_back(ObjectField(record, "certificate"));
  }
  json::object out;
  if (Status s = PageInto(call->input(), std::move(items), out); !s.ok()) return Fail(call, s);
  call->Reply(std::move(out));
}

void ApiGatewayService::UpdateClientCertificate(CallPtr call) {
  client_certificates_.Change(
      call, StringField(call->input(), "clientCertificateId"), false, kNoCertificate, kTaken,
      [&](json::object& record) -> Result<json::object> {
        json::object& certificate = ObjectField(record, "certificate");
        const auto& model = Model();
        if (Status s = ApplyPatch(model, model.FindShape("ClientCertificate"),
                                  PatchOperationsOf(call->input()), certificate,
                                  {"clientCertificateId", "pemEncodedCertificate", "createdDate",
                                   "expirationDate", "tags"});
            !s.ok()) {
          return s;
        }
        return certificate;
      });
}

void ApiGatewayService::DeleteClientCertificate(CallPtr call) {
  client_certificates_.Change(call, StringField(call->input(), "clientCertificateId"), false,
                              kNoCertificate, kTaken,
                              [](json::object& record) -> Result<json::object> {
                                record.clear();
                                return json::object();
                              });
}

std::optional<ClientIdentity> ApiGatewayService::FindClientIdentity(
    const std::string& id, const std::string& account, const std::string& region) const {
  std::optional<ClientIdentity> out;
  client_certificates_.Visit(id, [&](const json::object* record) {
    if (record == nullptr || StringField(*record, "account") != account ||
        StringField(*record, "region") != region) {
      return;
    }
    const json::object* certificate = FindObject(*record, "certificate");
    if (certificate == nullptr) return;
    out = ClientIdentity{StringField(*certificate, "pemEncodedCertificate"),
                         StringField(*record, "privateKey")};
  });
  return out;
}

}  // namespace tidepool::apigateway
