// S3Service: buckets and objects over the shared store and a body dir.
//
// State (key grammar in keyspace.h, values in records.h): one BucketRecord per bucket,
// mirrored in memory (a registry keyed by name: bucket names are global, as on AWS); one
// ObjectRecord per object, read from the store when needed (never mirrored); multipart
// uploads and their parts. Small bodies live inside their ObjectRecord; larger ones in body
// files (body_store.h).
//
// Life of a PutObject: the router streams the body into an ObjectUpload (OpenBodyConsumer)
// as it arrives; the handler checks the digests, publishes the body file (fsync + rename, on
// the service's blocking pool, never an io thread) and then commits the ObjectRecord; the
// reply waits for that commit. The previous body file is deleted once the new record is
// durable. So an acknowledged object survives kill -9 whole, and an unacknowledged one leaves
// at most a file that Recover reclaims.
//
// Thread-safety: all public methods may be called from any thread. Writes to one bucket's
// objects are serialized by the bucket's mutex between reading the old record and submitting
// the new one. The service must outlive the CommitQueue's pending completions.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "protocol/service.h"
#include "services/s3/body_store.h"
#include "services/s3/notifications.h"
#include "services/s3/records.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::s3 {

struct S3Options {
  std::string body_dir;     // where body files live (<data_dir>/s3, a temp dir in memory mode)
  bool sync_bodies = true;  // fsync body files before their record commits
  size_t inline_limit = 256 * 1024;  // bodies up to this size live in the store
};

class S3Service final : public protocol::Service {
 public:
  S3Service(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
            S3Options options);
  ~S3Service() override;
  S3Service(const S3Service&) = delete;
  S3Service& operator=(const S3Service&) = delete;

  // Opens the body dir, loads every bucket and reclaims body files no record names.
  Status Recover();

  std::string_view Name() const override { return "s3"; }
  const protocol::model::ServiceModel& Model() const override;
  void Invoke(protocol::CallPtr call) override;
  std::shared_ptr<protocol::BodyConsumer> OpenBodyConsumer(
      const protocol::model::Operation& op, const protocol::BodyFraming& framing) override;
  boost::json::object Health() const override;

  // Where event notifications go (the engine's). Set once, before serving; without one,
  // notification configurations are stored and nothing is sent.
  void SetNotificationSink(NotificationSink* sink) { notifications_ = sink; }

  // The bytes of object `key` in bucket `bucket`, for in-process readers (Lambda's deployment
  // packages from S3Bucket/S3Key). The S3 error (NoSuchBucket, NoSuchKey) as a Status;
  // InvalidArgument when the object is larger than `max_bytes`. Reads the disk on the calling
  // thread.
  Result<std::string> ReadObjectBytes(std::string_view bucket, std::string_view key,
                                      uint64_t max_bytes);

  struct Bucket {
    std::mutex mu;  // guards record, and orders object writes (see the header comment)
    BucketRecord record;
  };
  using Handler = void (S3Service::*)(protocol::CallPtr);

 private:
  friend struct S3ServiceTable;

  // --- bucket_ops.cc
  void CreateBucket(protocol::CallPtr call);
  void DeleteBucket(protocol::CallPtr call);
  void HeadBucket(protocol::CallPtr call);
  void ListBuckets(protocol::CallPtr call);
  void GetBucketLocation(protocol::CallPtr call);
  void GetBucketVersioning(protocol::CallPtr call);
  void PutBucketVersioning(protocol::CallPtr call);
  void GetBucketAcl(protocol::CallPtr call);
  void PutBucketAcl(protocol::CallPtr call);
  // The stored subresource documents (config_ops.cc: CORS, tagging, policy, encryption,
  // ownership controls, public access block), one table-driven handler for each verb.
  void PutBucketConfig(protocol::CallPtr call);
  void GetBucketConfig(protocol::CallPtr call);
  void DeleteBucketConfig(protocol::CallPtr call);
  // --- notification_ops.cc
  void PutBucketNotificationConfiguration(protocol::CallPtr call);
  void GetBucketNotificationConfiguration(protocol::CallPtr call);
  // Sends `event` about `key` to every matching target of the bucket's configuration.
  void Notify(const std::shared_ptr<Bucket>& bucket, std::string_view event, std::string_view key,
              uint64_t size, std::string_view etag, const protocol::RequestContext& context);
  // --- object_ops.cc
  void PutObject(protocol::CallPtr call);
  void GetObject(protocol::CallPtr call);
  void HeadObject(protocol::CallPtr call);
  void GetObjectAttributes(protocol::CallPtr call);
  void DeleteObject(protocol::CallPtr call);
  void DeleteObjects(protocol::CallPtr call);
  void CopyObject(protocol::CallPtr call);
  void GetObjectTagging(protocol::CallPtr call);
  void PutObjectTagging(protocol::CallPtr call);
  void DeleteObjectTagging(protocol::CallPtr call);
  void RewriteTags(protocol::CallPtr call, bool put);
  // Deletes `key`'s current record (if any; `if_match`: an ETag condition); once durable,
  // deletes its body file and calls `done`.
  void DeleteKey(const std::shared_ptr<Bucket>& bucket, std::string key, std::string if_match,
                 std::function<void(Status)> done);
  // --- list_ops.cc
  void ListObjects(protocol::CallPtr call);
  void ListObjectsV2(protocol::CallPtr call);
  // --- multipart_ops.cc
  void CreateMultipartUpload(protocol::CallPtr call);
  void UploadPart(protocol::CallPtr call);
  void CompleteMultipartUpload(protocol::CallPtr call);
  void AbortMultipartUpload(protocol::CallPtr call);
  void ListParts(protocol::CallPtr call);
  void ListMultipartUploads(protocol::CallPtr call);

  // --- s3_service.cc
  // The bucket `name`, or NoSuchBucket.
  Result<std::shared_ptr<Bucket>> FindBucket(std::string_view name) const;
  // The bucket the call's input names ("Bucket").
  Result<std::shared_ptr<Bucket>> InputBucket(const protocol::Call& call) const;
  // The current record of `key`, or NotFound (NoSuchKey).
  Result<ObjectRecord> ReadObject(const Bucket& bucket, std::string_view key) const;
  // Rewrites the bucket's record (under its lock) and replies `output` once durable.
  void CommitBucket(const std::shared_ptr<Bucket>& bucket, BucketRecord record,
                    protocol::CallPtr call, boost::json::object output);
  // Writes `record` as `key`'s current version (the bucket's lock held from reading the old
  // record to submitting): checks `precondition` against the old record first; once durable
  // deletes the old body file and calls `done` (with the error, when the write failed; then
  // the new record's file is deleted too).
  using Precondition = std::function<Status(const ObjectRecord* old)>;
  // `extra` joins the same batch (a multipart completion's cleanup).
  void CommitObject(const std::shared_ptr<Bucket>& bucket, std::string key, ObjectRecord record,
                    Precondition precondition, std::function<void(Status)> done,
                    storage::WriteBatch extra = {});
  // Runs `work` on the blocking pool (file publishing, copies).
  void RunBlocking(std::function<void()> work);
  static void Fail(const protocol::CallPtr& call, const Status& status);

  storage::Store& store_;
  storage::CommitQueue& commits_;
  const Clock& clock_;
  const S3Options options_;
  BodyStore bodies_;
  boost::asio::thread_pool blocking_{2};

  mutable std::shared_mutex registry_mu_;
  std::map<std::string, std::shared_ptr<Bucket>, std::less<>> buckets_;  // by name
  std::atomic<uint64_t> next_uid_{1};
  NotificationSink* notifications_ = nullptr;
  std::atomic<uint64_t> sequencer_{1};
};

}  // namespace tidepool::s3
