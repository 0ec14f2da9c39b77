// Object tags: get, put and delete the TagSet of the current version or of one version.
#include <boost/json.hpp>

#include "protocol/input.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_service.h"

namespace tidepool::s3 {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputStringView;

void S3Service::GetObjectTagging(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const json::object& in = call->input();
  auto record = ReadVersion(**bucket, InputStringView(in, "Key").value_or(""),
                            InputStringView(in, "VersionId").value_or(""));
  if (!record.ok()) return Fail(call, record.status());
  json::object output{{"TagSet", record->tags}};
  if (!record->version_id.empty()) output["VersionId"] = record->version_id;
  call->Reply(std::move(output));
}

void S3Service::PutObjectTagging(CallPtr call) { RewriteTags(std::move(call), true); }

void S3Service::DeleteObjectTagging(CallPtr call) { RewriteTags(std::move(call), false); }

void S3Service::RewriteTags(CallPtr call, bool put) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const json::object& in = call->input();
  std::string key(InputStringView(in, "Key").value_or(""));
  std::string version_id(InputStringView(in, "VersionId").value_or(""));
  json::array tags;
  if (put) {
    const json::object* tagging = protocol::InputObject(in, "Tagging");
    const json::array* set = tagging ? protocol::InputArray(*tagging, "TagSet") : nullptr;
    if (set == nullptr) return Fail(call, MalformedXml());
    if (set->size() > 10) {
      return Fail(call,
                  S3Status(S3Error::kInvalidArgument, "Object tags cannot be greater than 10"));
    }
    tags = *set;
  }
  auto written = std::make_shared<std::string>();
  RewriteVersion(
      *bucket, std::move(key), std::move(version_id),
      [tags = std::move(tags), written](ObjectRecord* record) {
        record->tags = tags;
        *written = record->version_id;
        return Status::Ok();
      },
      put ? "s3:ObjectTagging:Put" : "s3:ObjectTagging:Delete", call->context(),
      [call, written](Status st) {
        if (!st.ok()) return Fail(call, st);
        json::object output;
        if (!written->empty()) output["VersionId"] = *written;
        call->Reply(std::move(output));
      });
}

}  // namespace tidepool::s3
