#include "services/s3/s3_service.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <array>
#include <unordered_set>

#include "protocol/input.h"
#include "protocol/model/models.h"
#include "services/s3/keyspace.h"
#include "services/s3/object_upload.h"
#include "services/s3/s3_errors.h"
#include "services/write_path.h"
#include "storage/key_codec.h"
#include "storage/skipped_records.h"

namespace tidepool::s3 {
namespace json = boost::json;
using protocol::CallPtr;

// The registration table: operation name -> handler, sorted by name. Operations of the model
// that are not listed answer NotImplemented (501; docs/differences.md lists them).
struct S3ServiceTable {
  struct Entry {
    std::string_view operation;
    S3Service::Handler handler;
  };
  static constexpr std::array<Entry, 55> kEntries{{
      {"AbortMultipartUpload", &S3Service::AbortMultipartUpload},
      {"CompleteMultipartUpload", &S3Service::CompleteMultipartUpload},
      {"CopyObject", &S3Service::CopyObject},
      {"CreateBucket", &S3Service::CreateBucket},
      {"CreateMultipartUpload", &S3Service::CreateMultipartUpload},
      {"DeleteBucket", &S3Service::DeleteBucket},
      {"DeleteBucketCors", &S3Service::DeleteBucketConfig},
      {"DeleteBucketEncryption", &S3Service::DeleteBucketConfig},
      {"DeleteBucketLifecycle", &S3Service::DeleteBucketConfig},
      {"DeleteBucketOwnershipControls", &S3Service::DeleteBucketConfig},
      {"DeleteBucketPolicy", &S3Service::DeleteBucketConfig},
      {"DeleteBucketTagging", &S3Service::DeleteBucketConfig},
      {"DeleteObject", &S3Service::DeleteObject},
      {"DeleteObjectTagging", &S3Service::DeleteObjectTagging},
      {"DeleteObjects", &S3Service::DeleteObjects},
      {"DeletePublicAccessBlock", &S3Service::DeleteBucketConfig},
      {"GetBucketAcl", &S3Service::GetBucketAcl},
      {"GetBucketCors", &S3Service::GetBucketConfig},
      {"GetBucketEncryption", &S3Service::GetBucketConfig},
      {"GetBucketLifecycleConfiguration", &S3Service::GetBucketConfig},
      {"GetBucketLocation", &S3Service::GetBucketLocation},
      {"GetBucketNotificationConfiguration", &S3Service::GetBucketNotificationConfiguration},
      {"GetBucketOwnershipControls", &S3Service::GetBucketConfig},
      {"GetBucketPolicy", &S3Service::GetBucketConfig},
      {"GetBucketTagging", &S3Service::GetBucketConfig},
      {"GetBucketVersioning", &S3Service::GetBucketVersioning},
      {"GetObject", &S3Service::GetObject},
      {"GetObjectAcl", &S3Service::GetObjectAcl},
      {"GetObjectAttributes", &S3Service::GetObjectAttributes},
      {"GetObjectTagging", &S3Service::GetObjectTagging},
      {"GetPublicAccessBlock", &S3Service::GetBucketConfig},
      {"HeadBucket", &S3Service::HeadBucket},
      {"HeadObject", &S3Service::HeadObject},
      {"ListBuckets", &S3Service::ListBuckets},
      {"ListMultipartUploads", &S3Service::ListMultipartUploads},
      {"ListObjectVersions", &S3Service::ListObjectVersions},
      {"ListObjects", &S3Service::ListObjects},
      {"ListObjectsV2", &S3Service::ListObjectsV2},
      {"ListParts", &S3Service::ListParts},
      {"PutBucketAcl", &S3Service::PutBucketAcl},
      {"PutBucketCors", &S3Service::PutBucketConfig},
      {"PutBucketEncryption", &S3Service::PutBucketConfig},
      {"PutBucketLifecycleConfiguration", &S3Service::PutBucketConfig},
      {"PutBucketNotificationConfiguration", &S3Service::PutBucketNotificationConfiguration},
      {"PutBucketOwnershipControls", &S3Service::PutBucketConfig},
      {"PutBucketPolicy", &S3Service::PutBucketConfig},
      {"PutBucketTagging", &S3Service::PutBucketConfig},
      {"PutBucketVersioning", &S3Service::PutBucketVersioning},
      {"PutObject", &S3Service::PutObject},
      {"PutObjectAcl", &S3Service::PutObjectAcl},
      {"PutObjectTagging", &S3Service::PutObjectTagging},
      {"PutPublicAccessBlock", &S3Service::PutBucketConfig},
      {"RestoreObject", &S3Service::RestoreObject},
      {"UploadPart", &S3Service::UploadPart},
      {"UploadPartCopy", &S3Service::UploadPartCopy},
  }};

  static S3Service::Handler Find(std::string_view operation) {
    auto end = kEntries.end();
    auto it =
        std::lower_bound(kEntries.begin(), end, operation,
                         [](const Entry& e, std::string_view op) { return e.operation < op; });
    return (it != end && it->operation == operation) ? it->handler : nullptr;
  }
};

S3Service::S3Service(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
                     S3Options options)
    : store_(store),
      commits_(commits),
      clock_(clock),
      options_(std::move(options)),
      bodies_(options_.body_dir, options_.sync_bodies) {}

S3Service::~S3Service() {
  alive_->store(false);
  if (lifecycle_timer_) lifecycle_timer_->cancel();
  blocking_.join();
}

const protocol::model::ServiceModel& S3Service::Model() const { return protocol::model::S3Model(); }

void S3Service::Invoke(CallPtr call) {
  Handler handler = S3ServiceTable::Find(call->operation().name);
  if (handler == nullptr) {
    return Fail(call, NotImplemented("The " + std::string(call->operation().name) + " operation"));
  }
  (this->*handler)(std::move(call));
}

std::shared_ptr<protocol::BodyConsumer> S3Service::OpenBodyConsumer(
    const protocol::model::Operation& op, const protocol::BodyFraming& framing) {
  if (op.name == "PutObject") {
    return std::make_shared<ObjectUpload>(bodies_, framing, options_.inline_limit, false);
  }
  if (op.name == "UploadPart") {
    return std::make_shared<ObjectUpload>(bodies_, framing, 0, true);
  }
  return nullptr;
}

json::object S3Service::Health() const {
  std::shared_lock lock(registry_mu_);
  return json::object{{"status", "running"}, {"buckets", buckets_.size()}};
}

void S3Service::Fail(const CallPtr& call, const Status& status) { call->Fail(ToAwsError(status)); }

void S3Service::RunBlocking(std::function<void()> work) {
  boost::asio::post(blocking_, std::move(work));
}

Status S3Service::Recover() {
  if (Status s = bodies_.Open(); !s.ok()) return s;
  storage::SkippedRecords skipped("s3");
  uint64_t max_uid = 0;
  const std::string prefix = keyspace::BucketPrefix();
  Status scan = store_.Scan(prefix, storage::PrefixEnd(prefix),
                            [&](std::string_view key, std::string_view value) {
                              auto record = DecodeBucket(value);
                              if (!record.ok()) {
                                skipped.Skip(key, record.status().message());
                                return true;
                              }
                              max_uid = std::max(max_uid, record->uid);
                              auto bucket = std::make_shared<Bucket>();
                              std::string name = record->name;
                              bucket->record = std::move(*record);
                              buckets_[name] = std::move(bucket);
                              return true;
                            });
  if (!scan.ok()) return scan;
  // Body files a record names; every other one is left over from an upload that never
  // committed (or an overwrite whose old file was not deleted yet).
  std::unordered_set<uint64_t> referenced;
  uint64_t max_seq = 0;
  for (const std::string& kind :
       {keyspace::AllObjectsPrefix(), keyspace::AllVersionsPrefix(), keyspace::AllPartsPrefix()}) {
    const bool objects = kind != keyspace::AllPartsPrefix();
    scan = store_.Scan(kind, storage::PrefixEnd(kind),
                       [&](std::string_view key, std::string_view value) {
                         std::string_view uid_part = key.substr(kind.size());
                         uint64_t uid = 0;
                         if (storage::ReadU64BE(&uid_part, &uid)) max_uid = std::max(max_uid, uid);
                         if (objects) {
                           auto record = DecodeObject(value);
                           if (!record.ok())
                             return skipped.Skip(key, record.status().message()), true;
                           if (record->file != 0) referenced.insert(record->file);
                           max_seq = std::max(max_seq, record->seq);
                         } else {
                           auto record = DecodePart(value);
                           if (!record.ok())
                             return skipped.Skip(key, record.status().message()), true;
                           referenced.insert(record->file);
                         }
                         return true;
                       });
    if (!scan.ok()) return scan;
  }
  // Events the last run committed and did not see delivered: delivered again (at least once).
  const std::string outbox = keyspace::AllOutboxPrefix();
  scan = store_.Scan(outbox, storage::PrefixEnd(outbox),
                     [&](std::string_view key, std::string_view value) {
                       std::string_view seq_part = key.substr(outbox.size());
                       uint64_t seq = 0;
                       if (storage::ReadU64BE(&seq_part, &seq)) max_seq = std::max(max_seq, seq);
                       auto entry = DecodeOutbox(value);
                       if (!entry.ok()) return skipped.Skip(key, entry.status().message()), true;
                       recovered_outbox_.push_back(
                           {std::string(key), std::move(entry->first), std::move(entry->second)});
                       return true;
                     });
  if (!scan.ok()) return scan;
  next_uid_.store(max_uid + 1);
  next_seq_.store(max_seq + 1);
  size_t reclaimed = bodies_.Reclaim(referenced);
  spdlog::info(
      "s3: {} buckets recovered, {} body files, {} orphan body files reclaimed, {} undelivered "
      "events",
      buckets_.size(), referenced.size(), reclaimed, recovered_outbox_.size());
  return Status::Ok();
}

Result<std::shared_ptr<S3Service::Bucket>> S3Service::FindBucket(std::string_view name) const {
  std::shared_lock lock(registry_mu_);
  auto it = buckets_.find(name);
  if (it == buckets_.end()) return NoSuchBucket();
  return it->second;
}

Result<std::shared_ptr<S3Service::Bucket>> S3Service::InputBucket(
    const protocol::Call& call) const {
  auto name = protocol::InputStringView(call.input(), "Bucket");
  if (!name) return NoSuchBucket();
  return FindBucket(*name);
}

bool S3Service::Versioned(Bucket& bucket) {
  std::lock_guard lock(bucket.mu);
  return !bucket.record.versioning.empty();
}

Result<ObjectRecord> S3Service::ReadObject(const Bucket& bucket, std::string_view key) const {
  uint64_t uid = 0;
  {
    // The uid never changes; the lock only orders the read with a concurrent record rewrite.
    uid = bucket.record.uid;
  }
  auto value = store_.Get(keyspace::ObjectKey(uid, key));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return NoSuchKey();
  auto record = DecodeObject(**value);
  if (!record.ok()) {
    spdlog::error("s3: object record {} does not decode: {}",
                  storage::PrintableKey(keyspace::ObjectKey(uid, key)), record.status().message());
    return NoSuchKey();
  }
  if (record->delete_marker) return NoSuchKey();
  return record;
}

Result<std::string> S3Service::ReadObjectBytes(std::string_view bucket_name, std::string_view key,
                                               uint64_t max_bytes, std::string_view version_id) {
  auto bucket = FindBucket(bucket_name);
  if (!bucket.ok()) return bucket.status();
  auto record =
      version_id.empty() ? ReadObject(**bucket, key) : ReadVersion(**bucket, key, version_id);
  if (!record.ok()) return record.status();
  if (record->size > max_bytes) {
    return Status::InvalidArgument("the object is larger than " + std::to_string(max_bytes) +
                                   " bytes");
  }
  if (record->file == 0) return std::move(record->body);
  auto source = bodies_.OpenRange(record->file, 0, record->size);
  if (!source.ok()) return source.status();
  std::string bytes(record->size, '\0');
  size_t filled = 0;
  while (filled < bytes.size()) {
    int64_t n = (*source)->Read(bytes.data() + filled, bytes.size() - filled);
    if (n <= 0) return Status::IoError("cannot read the object's body");
    filled += static_cast<size_t>(n);
  }
  return bytes;
}

void S3Service::CommitBucket(const std::shared_ptr<Bucket>& bucket, BucketRecord record,
                             CallPtr call, json::object output) {
  std::lock_guard lock(bucket->mu);
  storage::WriteBatch batch;
  batch.Put(keyspace::BucketKey(record.name), EncodeBucket(record));
  bucket->record = std::move(record);
  services::SubmitForCall(commits_, std::move(batch), call,
                          services::ReplyWhenCommitted(call, std::move(output), &ToAwsError, "s3"),
                          &ToAwsError);
}

}  // namespace tidepool::s3
