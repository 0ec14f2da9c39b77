// Deleting objects: DeleteObject and DeleteObjects, with or without a version id (the writes
// themselves are in version_writes.cc).
#include <boost/json.hpp>

#include "protocol/input.h"
#include "services/s3/object_view.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_service.h"

namespace tidepool::s3 {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputStringView;

void S3Service::DeleteObject(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const json::object& in = call->input();
  std::string key(InputStringView(in, "Key").value_or(""));
  auto reply = [call](Status st, Deleted deleted) {
    if (!st.ok()) return Fail(call, st);
    json::object output;
    if (!deleted.version_id.empty()) output["VersionId"] = deleted.version_id;
    if (deleted.delete_marker) output["DeleteMarker"] = true;
    call->Reply(std::move(output));
  };
  if (auto version_id = InputStringView(in, "VersionId")) {
    return DeleteVersion(*bucket, std::move(key), std::string(*version_id), "s3:ObjectRemoved",
                         call->context(), std::move(reply));
  }
  Precondition precondition;
  if (auto if_match = InputStringView(in, "IfMatch")) {
    precondition = [if_match = std::string(*if_match)](const ObjectRecord* current) {
      if (current == nullptr) return NoSuchKey();
      if (!EtagMatchesHeader(if_match, current->etag)) {
        return S3Status(S3Error::kPreconditionFailed,
                        "At least one of the pre-conditions you specified did not hold");
      }
      return Status::Ok();
    };
  }
  DeleteKey(*bucket, std::move(key), std::move(precondition), "s3:ObjectRemoved", call->context(),
            std::move(reply));
}

void S3Service::DeleteObjects(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const json::object* del = protocol::InputObject(call->input(), "Delete");
  const json::array* objects = del ? protocol::InputArray(*del, "Objects") : nullptr;
  if (objects == nullptr || objects->size() > 1000) return Fail(call, MalformedXml());
  const bool quiet = protocol::InputBool(*del, "Quiet").value_or(false);
  struct Progress {
    std::mutex mu;
    size_t pending;
    json::array deleted, errors;
  };
  auto progress = std::make_shared<Progress>();
  progress->pending = objects->size();
  auto finish = [call, progress] {
    json::object output;
    if (!progress->deleted.empty()) output["Deleted"] = std::move(progress->deleted);
    if (!progress->errors.empty()) output["Errors"] = std::move(progress->errors);
    call->Reply(std::move(output));
  };
  if (objects->empty()) return finish();
  for (const json::value& item : *objects) {
    std::string key;
    std::optional<std::string> version_id;
    if (item.is_object()) {
      key = std::string(InputStringView(item.get_object(), "Key").value_or(""));
      if (auto v = InputStringView(item.get_object(), "VersionId")) version_id = std::string(*v);
    }
    auto done = [progress, key, version_id, quiet, finish](Status st, Deleted d) {
      std::unique_lock lock(progress->mu);
      if (st.ok()) {
        if (!quiet) {
          json::object entry{{"Key", key}};
          if (version_id) entry["VersionId"] = *version_id;
          if (d.delete_marker) {
            entry["DeleteMarker"] = true;
            entry["DeleteMarkerVersionId"] = d.version_id;
          }
          progress->deleted.push_back(std::move(entry));
        }
      } else {
        auto error = ToAwsError(st);
        json::object entry{{"Key", key}, {"Code", error.code}, {"Message", error.message}};
        if (version_id) entry["VersionId"] = *version_id;
        progress->errors.push_back(std::move(entry));
      }
      if (--progress->pending == 0) {
        lock.unlock();
        finish();
      }
    };
    if (version_id) {
      DeleteVersion(*bucket, key, *version_id, "s3:ObjectRemoved", call->context(),
                    std::move(done));
    } else {
      DeleteKey(*bucket, key, nullptr, "s3:ObjectRemoved", call->context(), std::move(done));
    }
  }
}

}  // namespace tidepool::s3
