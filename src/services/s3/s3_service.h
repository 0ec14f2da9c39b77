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

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

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
  // An AWS period of 1 s takes time_scale seconds: lifecycle ages (a rule's Days) and the
  // sweep interval.
  double time_scale = 1.0;
  int64_t lifecycle_sweep_ms = 3'600'000;  // AWS time between lifecycle sweeps
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
  // (cors_ops.cc) The bucket's CORS rules applied to `query`.
  std::variant<protocol::CorsGrant, protocol::AwsError> MatchCors(
      const protocol::CorsQuery& query) const override;

  // Where event notifications go (the engine's). Set once, before serving; without one,
  // notification configurations are stored and nothing is sent.
  // Delivers the outbox records recovery found.
  void SetNotificationSink(NotificationSink* sink);

  // Applies lifecycle rules (expiration of current and noncurrent versions, expired delete
  // markers) every options.lifecycle_sweep_ms of AWS time, on `io`'s timer and the blocking
  // pool. Call once, after Recover.
  void StartLifecycleSweeper(boost::asio::io_context& io);

  // The bytes of object `key` in bucket `bucket` (its version `version_id`; "" = the current
  // one), for in-process readers (Lambda's deployment packages from S3Bucket/S3Key/
  // S3ObjectVersion). The S3 error (NoSuchBucket, NoSuchKey, NoSuchVersion...) as a Status;
  // InvalidArgument when the object is larger than `max_bytes`. Reads the disk on the calling
  // thread.
  Result<std::string> ReadObjectBytes(std::string_view bucket, std::string_view key,
                                      uint64_t max_bytes, std::string_view version_id = {});
  // Writes `bytes` as object `key` of bucket `bucket` for in-process writers (Lambda's
  // on-failure records of event source mappings), as a PutObject by `context`'s account would:
  // a new version in a versioned bucket, an s3:ObjectCreated:Put notification. `done` runs
  // once, with Ok once the object is durable or with the S3 error (NoSuchBucket...), on any
  // thread (possibly inline): keep it short.
  void WriteObjectBytes(std::string_view bucket, std::string key, std::string bytes,
                        std::string content_type, protocol::RequestContext context,
                        std::function<void(Status)> done);

  struct Bucket {
    std::mutex mu;  // guards record and busy_keys, and orders object writes (header comment)
    BucketRecord record;
    // Keys with a write in flight (submitted, not yet committed), each with the writes
    // waiting for it: writes to one key run one at a time, so each reads what its
    // predecessor committed (the store may not show a batch until it is written).
    std::map<std::string, std::deque<std::function<void()>>, std::less<>> busy_keys;
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
  // An event about `record` (the version written or removed) of `key`: one outbox record per
  // matching target of the bucket's configuration, added to `batch` (the change's own commit),
  // and returned to be delivered once that commit is durable. The bucket's lock is held.
  std::vector<OutboxEntry> StageEvent(const Bucket& bucket, std::string_view event,
                                      std::string_view key, const ObjectRecord& record,
                                      const protocol::RequestContext& context,
                                      storage::WriteBatch* batch);
  // Hands each entry to the sink; deletes its outbox record once the sink is done with it.
  void Deliver(std::vector<OutboxEntry> entries);
  // --- object_ops.cc
  void PutObject(protocol::CallPtr call);
  void GetObject(protocol::CallPtr call);
  void HeadObject(protocol::CallPtr call);
  void GetObjectAttributes(protocol::CallPtr call);
  // (delete_ops.cc)
  void DeleteObject(protocol::CallPtr call);
  void DeleteObjects(protocol::CallPtr call);
  // --- copy_ops.cc
  void CopyObject(protocol::CallPtr call);
  void UploadPartCopy(protocol::CallPtr call);
  // The object an x-amz-copy-source ("[/]bucket/key[?versionId=...]", URL-encoded) names,
  // its x-amz-copy-source-if-* conditions checked (PreconditionFailed).
  struct CopySource {
    std::string bucket_name;
    std::string key;
    ObjectRecord record;
    bool versioned = false;  // whether the reply names the source's version
  };
  Result<CopySource> ReadCopySource(const boost::json::object& in) const;
  // --- acl_ops.cc
  void GetObjectAcl(protocol::CallPtr call);
  void PutObjectAcl(protocol::CallPtr call);
  // --- restore_ops.cc
  void RestoreObject(protocol::CallPtr call);
  // (tagging_ops.cc)
  void GetObjectTagging(protocol::CallPtr call);
  void PutObjectTagging(protocol::CallPtr call);
  void DeleteObjectTagging(protocol::CallPtr call);
  void RewriteTags(protocol::CallPtr call, bool put);
  // --- version_writes.cc
  // A condition on the current version of a key, checked under the bucket's lock before a write.
  using Precondition = std::function<Status(const ObjectRecord* current)>;
  // What a delete did: the version removed or the delete marker created.
  struct Deleted {
    std::string version_id;  // "" when the bucket was never versioned
    bool delete_marker = false;
  };
  using DeleteDone = std::function<void(Status, Deleted)>;
  // A DELETE of `key` without a version id: checks `precondition` (may be empty) against the
  // current version (nullptr when there is none or it is a delete marker), then removes the
  // current version of an unversioned bucket, else adds a delete marker (the null one when
  // suspended). `events` names the event family: "s3:ObjectRemoved" (a client's delete) or
  // "s3:LifecycleExpiration". Once durable, deletes the body files no record names, and calls
  // `done` (never under the bucket's lock).
  void DeleteKey(const std::shared_ptr<Bucket>& bucket, std::string key, Precondition precondition,
                 std::string events, protocol::RequestContext context, DeleteDone done);
  // A DELETE of one version (or delete marker) of `key`, for good; deleting the latest version
  // makes the newest noncurrent one current. A version that does not exist is no error.
  void DeleteVersion(const std::shared_ptr<Bucket>& bucket, std::string key, std::string version_id,
                     std::string events, protocol::RequestContext context, DeleteDone done);
  // Runs `write` once no other write to `key` of `bucket` is in flight; `write` must call
  // ReleaseKey(bucket, key) exactly once, when its commit completed or it gave up.
  void WhenKeyFree(const std::shared_ptr<Bucket>& bucket, const std::string& key,
                   std::function<void()> write);
  void ReleaseKey(const std::shared_ptr<Bucket>& bucket, const std::string& key);
  // The version `version_id` of `key` ("" = the current one, which must not be a delete
  // marker): NoSuchKey / NoSuchVersion / InvalidArgument (a malformed id) / MethodNotAllowed
  // (a delete marker asked for by id).
  Result<ObjectRecord> ReadVersion(const Bucket& bucket, std::string_view key,
                                   std::string_view version_id) const;
  // The reply to a ReadVersion that failed with `status`: when a delete marker is why (the
  // current version is one: NoSuchKey; one was asked for by id: MethodNotAllowed), it carries
  // x-amz-delete-marker and x-amz-version-id as S3 sends them.
  protocol::AwsError ReadVersionError(const Bucket& bucket, std::string_view key,
                                      std::string_view version_id, const Status& status) const;
  // The noncurrent versions of `key`, newest first, each with its store key.
  Result<std::vector<std::pair<std::string, ObjectRecord>>> ReadNoncurrent(
      uint64_t uid, std::string_view key) const;
  // One write of a key's records, prepared under the bucket's lock while the key is busy.
  struct KeyWrite {
    storage::WriteBatch batch;
    std::vector<uint64_t> unreferenced;  // body files to delete once the batch is durable
    uint64_t new_file = 0;               // the body file to delete if the write fails
    std::vector<OutboxEntry> events;     // staged in `batch`; delivered once it is durable
  };
  // Submits `write` (`lock` on the bucket's mutex held; released on return), then releases
  // the key, cleans up the body files and calls `done` (on failure too), then delivers events.
  void SubmitKeyWrite(std::unique_lock<std::mutex>& lock, const std::shared_ptr<Bucket>& bucket,
                      const std::string& key, KeyWrite write, std::function<void(Status)> done);
  // The latest record of `key` (delete marker included), nullopt when there is none.
  Result<std::optional<ObjectRecord>> ReadLatest(uint64_t uid, std::string_view key) const;
  // Adds to `write` what a new latest version (an object or a delete marker) of `key` does to
  // `old`, the present one: moved to 'v' when versioning keeps it, else replaced; when
  // versioning is Suspended, a noncurrent null version is replaced too. Bucket lock held.
  Status RetireLatest(const Bucket& bucket, std::string_view key,
                      const std::optional<ObjectRecord>& old, KeyWrite* write) const;
  // The id a new version gets in `bucket` now: a fresh one when versioning is Enabled, "null"
  // when Suspended, "" when never enabled. The bucket's lock is held.
  std::string NewVersionId(const Bucket& bucket, uint64_t seq) const;
  // --- list_ops.cc
  void ListObjectVersions(protocol::CallPtr call);
  // --- lifecycle_sweep.cc
  // One pass over every bucket with a lifecycle configuration: expires what its rules say
  // is due. Runs on the blocking pool.
  void SweepLifecycle();
  void ScheduleLifecycleSweep();
  // --- list_ops.cc
  void ListObjects(protocol::CallPtr call);
  void ListObjectsV2(protocol::CallPtr call);
  // --- multipart_ops.cc
  void CreateMultipartUpload(protocol::CallPtr call);
  void UploadPart(protocol::CallPtr call);
  void CompleteMultipartUpload(protocol::CallPtr call);
  void AbortMultipartUpload(protocol::CallPtr call);
  // The upload `in` names (Key, UploadId) in bucket `uid`, its PartNumber checked (1..10000)
  // and stored in `number`: InvalidArgument / NoSuchUpload.
  Result<UploadRecord> ReadUploadForPart(const boost::json::object& in, uint64_t uid,
                                         uint32_t* number) const;
  Result<UploadRecord> ReadUpload(uint64_t uid, std::string_view key,
                                  std::string_view upload_id) const;
  // Commits `part` (its body file published) of upload `upload_id` and replies `output` once
  // durable; drops the part (NoSuchUpload) when the upload is gone. Takes the bucket's lock.
  void CommitPart(const protocol::CallPtr& call, const std::shared_ptr<Bucket>& bucket,
                  const std::string& upload_id, PartRecord part, boost::json::object output);
  // Deletes upload `upload_id` of `bucket` with its parts (records, then body files); `done`
  // gets the commit status. Takes the bucket's lock.
  void AbortUpload(const std::shared_ptr<Bucket>& bucket, const std::string& upload_id,
                   std::function<void(const Status&)> done);
  void ListParts(protocol::CallPtr call);
  void ListMultipartUploads(protocol::CallPtr call);

  // --- s3_service.cc
  // The bucket `name`, or NoSuchBucket.
  Result<std::shared_ptr<Bucket>> FindBucket(std::string_view name) const;
  // The bucket the call's input names ("Bucket").
  Result<std::shared_ptr<Bucket>> InputBucket(const protocol::Call& call) const;
  // Whether versioning was ever set on the bucket (Enabled or Suspended).
  static bool Versioned(Bucket& bucket);
  // The current record of `key`, or NoSuchKey (also when it is a delete marker).
  Result<ObjectRecord> ReadObject(const Bucket& bucket, std::string_view key) const;
  // Rewrites the bucket's record (under its lock) and replies `output` once durable.
  void CommitBucket(const std::shared_ptr<Bucket>& bucket, BucketRecord record,
                    protocol::CallPtr call, boost::json::object output);
  // (version_writes.cc) Writes `record` as a new current version of `key` (its version id and
  // seq assigned here, per the bucket's versioning): checks `precondition` against the current
  // version first (nullptr when there is none or it is a delete marker). The previous current
  // version becomes noncurrent when versioning keeps it, else it is replaced. `event` ("" for
  // none) is staged in the same commit. Once durable, deletes the body files no record names
  // and calls `done` with the version id written (with the error, when the write failed; then
  // the new record's file is deleted too). `extra` joins the same batch (a multipart
  // completion's cleanup).
  using WriteDone = std::function<void(Status, std::string version_id)>;
  void CommitObject(const std::shared_ptr<Bucket>& bucket, std::string key, ObjectRecord record,
                    Precondition precondition, std::string event, protocol::RequestContext context,
                    WriteDone done, storage::WriteBatch extra = {});
  // Rewrites the metadata of the version `version_id` of `key` in place (tags): `change` gets
  // the stored record (never a delete marker) and may refuse. `event` ("" for none) is staged
  // in the same commit.
  void RewriteVersion(const std::shared_ptr<Bucket>& bucket, std::string key,
                      std::string version_id, std::function<Status(ObjectRecord*)> change,
                      std::string event, protocol::RequestContext context,
                      std::function<void(Status)> done);
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
  // Orders every version and outbox record this service writes (ObjectRecord::seq); recovered
  // as one past the highest stored.
  std::atomic<uint64_t> next_seq_{1};
  // Outbox records found at recovery, delivered once the sink is set.
  std::vector<OutboxEntry> recovered_outbox_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  std::unique_ptr<boost::asio::steady_timer> lifecycle_timer_;
  std::atomic<bool> sweeping_{false};
};

}  // namespace tidepool::s3
