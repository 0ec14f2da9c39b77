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

std::string UploadPrefix(uint64_t bucket_uid) { return KindOfBucket('m', bucket_uid); }

std::string UploadKey(uint64_t bucket_uid, std::string_view upload_id) {
  std::string key = UploadPrefix(bucket_uid);
  storage::AppendOrderedString(&key, upload_id);
  return key;
}

std::string AllUploadsPrefix() { return Kind('m'); }

std::string PartPrefix(uint64_t bucket_uid, std::string_view upload_id) {
  std::string key = KindOfBucket('p', bucket_uid);
  storage::AppendOrderedString(&key, upload_id);
  return key;
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
      {"s3", "multipart-upload", Kind('m')},
      {"s3", "upload-part", Kind('p')},
  };
}

}  // namespace tidepool::s3::keyspace
