// Object ACLs: GetObjectAcl and PutObjectAcl on the current version or one version. The
// grants are stored in the version's record and returned as S3 writes them (acl.h); nothing
// checks them.
#include <boost/json.hpp>

#include "protocol/input.h"
#include "services/s3/acl.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_service.h"

namespace tidepool::s3 {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputStringView;

void S3Service::GetObjectAcl(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const json::object& in = call->input();
  auto record = ReadVersion(**bucket, InputStringView(in, "Key").value_or(""),
                            InputStringView(in, "VersionId").value_or(""));
  if (!record.ok()) return Fail(call, record.status());
  const std::string& owner = (*bucket)->record.account;
  call->Reply(
      json::object{{"Owner", Owner(owner)},
                   {"Grants", record->grants.empty() ? OwnerGrants(owner) : record->grants}});
}

void S3Service::PutObjectAcl(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const json::object& in = call->input();
  const std::string owner = (*bucket)->record.account;
  auto requested = RequestedGrants(in, owner);
  if (!requested.ok()) return Fail(call, requested.status());
  json::array grants;
  if (const json::object* policy = protocol::InputObject(in, "AccessControlPolicy")) {
    if (requested->has_value()) {
      return Fail(call,
                  S3Status(S3Error::kUnexpectedContent, "This request does not support content"));
    }
    const json::array* listed = protocol::InputArray(*policy, "Grants");
    if (listed == nullptr) return Fail(call, MalformedXml());
    grants = *listed;
  } else if (requested->has_value()) {
    grants = std::move(**requested);
  } else {
    return Fail(call, S3Status(S3Error::kMissingSecurityHeader,
                               "Your request was missing a required header"));
  }
  RewriteVersion(
      *bucket, std::string(InputStringView(in, "Key").value_or("")),
      std::string(InputStringView(in, "VersionId").value_or("")),
      [grants = std::move(grants)](ObjectRecord* record) {
        record->grants = grants;
        return Status::Ok();
      },
      "s3:ObjectAcl:Put", call->context(),
      [call](Status st) {
        if (!st.ok()) return Fail(call, st);
        call->Reply(json::object{});
      });
}

}  // namespace tidepool::s3
