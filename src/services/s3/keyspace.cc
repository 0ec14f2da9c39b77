#include "services/s3/keyspace.h"

#include "storage/key_codec.h"

namespace tidepool::s3::keyspace {
namespace {

constexpr std::string_view kRoot("s3\0", 3);

std::string Kind(char kind) {
  std::string key(kRoot);
  key.push_back(kind);
  return key;
}

std::string KindOfBucket(char kind, uint64_t bucket_uid) {
  std::string key = Kind(kind);
  storage::AppendU64BE(&key, bucket_uid);
  return key;
}

// kind bucket_uid:u64be name:string
std::string KindOfBucketNamed(char kind, uint64_t bucket_uid, std::string_view name) {
  std::string key = KindOfBucket(kind, bucket_uid);
  storage::AppendOrderedString(&key, name);
  return key;
}

}  // namespace

std::string BucketPrefix() { return Kind('b'); }

std::string BucketKey(std::string_view name) {
  std::string key = Kind('b');
  storage::AppendOrderedString(&key, name);
  return key;
}

std::optional<std::string> ParseBucketKey(std::string_view key) {
  std::string prefix = Kind('b');
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  key.remove_prefix(prefix.size());
  std::string name;
  if (!storage::ReadOrderedString(&key, &name) || !key.empty()) return std::nullopt;
  return name;
}

std::string ObjectPrefix(uint64_t bucket_uid) { return KindOfBucket('o', bucket_uid); }

std::string ObjectKey(uint64_t bucket_uid, std::string_view object_key) {
  std::string key = ObjectPrefix(bucket_uid);
  key.append(object_key);
  return key;
}

std::string AllObjectsPrefix() { return Kind('o'); }

std::string VersionPrefix(uint64_t bucket_uid, std::string_view object_key) {
  return KindOfBucketNamed('v', bucket_uid, object_key);
}

std::string VersionKey(uint64_t bucket_uid, std::string_view object_key, uint64_t seq) {
  std::string key = VersionPrefix(bucket_uid, object_key);
  storage::AppendU64BE(&key, ~seq);
  return key;
}

std::string BucketVersionsPrefix(uint64_t bucket_uid) { return KindOfBucket('v', bucket_uid); }

std::optional<std::string> ParseVersionKey(uint64_t bucket_uid, std::string_view key) {
  const std::string prefix = BucketVersionsPrefix(bucket_uid);
  if (!key.starts_with(prefix)) return std::nullopt;
  key.remove_prefix(prefix.size());
  std::string object_key;
  uint64_t inverted_seq = 0;
  if (!storage::ReadOrderedString(&key, &object_key) || !storage::ReadU64BE(&key, &inverted_seq) ||
      !key.empty()) {
    return std::nullopt;
  }
  return object_key;
}

std::string AllVersionsPrefix() { return Kind('v'); }

std::string OutboxKey(uint64_t seq) {
  std::string key = Kind('n');
  storage::AppendU64BE(&key, seq);
  return key;
}

std::string AllOutboxPrefix() { return Kind('n'); }

std::string UploadPrefix(uint64_t bucket_uid) { return KindOfBucket('m', bucket_uid); }

std::string UploadKey(uint64_t bucket_uid, std::string_view upload_id) {
  return KindOfBucketNamed('m', bucket_uid, upload_id);
}

std::string AllUploadsPrefix() { return Kind('m'); }

std::string PartPrefix(uint64_t bucket_uid, std::string_view upload_id) {
  return KindOfBucketNamed('p', bucket_uid, upload_id);
}

std::string PartKey(uint64_t bucket_uid, std::string_view upload_id, uint32_t part) {
  std::string key = PartPrefix(bucket_uid, upload_id);
  storage::AppendU32BE(&key, part);
  return key;
}

std::string AllPartsPrefix() { return Kind('p'); }

std::vector<storage::RecordKind> RecordKinds() {
  return {
      {"s3", "bucket", Kind('b')},
      {"s3", "object", Kind('o')},
      {"s3", "noncurrent-version", Kind('v')},
      {"s3", "notification-outbox", Kind('n')},
      {"s3", "multipart-upload", Kind('m')},
      {"s3", "upload-part", Kind('p')},
  };
}

}  // namespace tidepool::s3::keyspace
