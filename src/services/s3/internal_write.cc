// S3Service::WriteObjectBytes: PutObject for in-process writers.
#include "core/encoding.h"
#include "services/s3/object_upload.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_service.h"

namespace tidepool::s3 {
namespace json = boost::json;

void S3Service::WriteObjectBytes(std::string_view bucket_name, std::string key, std::string bytes,
                                 std::string content_type, protocol::RequestContext context,
                                 std::function<void(Status)> done) {
  auto bucket = FindBucket(bucket_name);
  if (!bucket.ok()) return done(bucket.status());
  ObjectUpload upload(bodies_, protocol::BodyFraming{}, options_.inline_limit, false);
  upload.Write(bytes);
  auto body = upload.Finish("", "");
  if (!body.ok()) return done(body.status());
  auto record = std::make_shared<ObjectRecord>();
  record->size = body->size;
  record->etag = HexEncode(body->md5);
  record->mtime = static_cast<double>(clock_.NowMillis()) / 1000.0;
  record->headers = json::object{{"ContentType", std::move(content_type)}};
  auto commit = [this, bucket = *bucket, key = std::move(key), record, context = std::move(context),
                 done]() mutable {
    CommitObject(
        bucket, std::move(key), std::move(*record),
        [](const ObjectRecord*) { return Status::Ok(); }, "s3:ObjectCreated:Put",
        std::move(context), [done](Status st, std::string) { done(st); });
  };
  if (!body->file) {
    record->body = std::move(body->inline_body);
    return commit();
  }
  record->file = body->file->id();
  RunBlocking([this, done, file = std::shared_ptr<TempFile>(std::move(body->file)),
               commit = std::move(commit)]() mutable {
    if (Status s = bodies_.Publish(*file); !s.ok()) return done(s);
    commit();
  });
}

}  // namespace tidepool::s3
