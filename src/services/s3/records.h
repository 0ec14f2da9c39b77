// The values of the S3 keyspace (keyspace.h): buckets, objects, multipart uploads and parts.
//
//   BucketRecord := json {name, uid, account, region, created, versioning, configs}
//   ObjectRecord := json_length:u32be json body?
//     json  {size, etag, mtime, headers, alg, checksum, file, tags, parts, vid, dm, seq, ns,
//            psz?, grants?, rready?, rexpiry?}   (the optional members absent when empty/0)
//     body  the object's bytes when file is 0 (small objects); absent otherwise
//   OutboxRecord := json {arn, message}
//   UploadRecord := json {key, upload_id, initiated, headers, alg, tags}
//   PartRecord   := json {part, size, etag, mtime, file, checksum}
//
// Decoders never trust the bytes: a record that does not decode is an error, not a crash.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace tidepool::s3 {

struct BucketRecord {
  std::string name;
  uint64_t uid = 0;
  std::string account;
  std::string region;
  double created = 0;      // seconds since the epoch
  std::string versioning;  // "" (never enabled), "Enabled" or "Suspended"
  // Stored subresource documents by name ("cors", "tagging", "policy"...): each the decoded
  // input member of its Put operation, returned as it is by the Get operation.
  boost::json::object configs;
};

struct ObjectRecord {
  uint64_t size = 0;
  std::string etag;  // without quotes: hex MD5, or hex MD5 of the parts' MD5s "-N"
  double mtime = 0;  // seconds since the epoch
  // Output members echoed by GET/HEAD as they were given at PUT: ContentType, ContentEncoding,
  // ContentDisposition, ContentLanguage, CacheControl, Expires, StorageClass, Metadata, the
  // server-side encryption members...
  boost::json::object headers;
  std::string checksum_algorithm;  // "CRC32"...; "" when none
  std::string checksum;            // base64, as returned
  uint64_t file = 0;               // the body file's id; 0: the bytes are in `body`
  std::string body;
  boost::json::array tags;  // TagSet: [{"Key":..,"Value":..}]
  uint32_t parts = 0;       // parts of a multipart upload; 0 for a single PUT
  // The sizes of those parts, in order; empty for a single PUT (and for multipart records
  // written before part sizes were kept: such an object is read by part number as one part).
  std::vector<uint64_t> part_sizes;
  // The object ACL's grants as GetObjectAcl returns them ([{Grantee, Permission}]); empty: the
  // owner's FULL_CONTROL alone. Stored, not evaluated.
  boost::json::array grants;
  // A restore of an archived version (storage class GLACIER or DEEP_ARCHIVE), seconds since
  // the epoch, 0 when none was asked for: when the restored copy becomes readable (the
  // restore is ongoing until then) and when it expires (the version is archived again).
  double restore_ready = 0;
  double restore_expiry = 0;
  // Versioning: the version's id ("" for an object written while the bucket was never
  // versioned, "null" for one written while it was suspended: both are the null version);
  // whether it is a delete marker (no body; size 0); its write sequence number (orders the
  // versions of a key, newest highest; 0 for records written before versioning existed).
  std::string version_id;
  bool delete_marker = false;
  uint64_t seq = 0;
  // When a newer version made this one noncurrent (seconds since the epoch; 0 while it is the
  // latest): what a lifecycle rule's NoncurrentDays counts from.
  double noncurrent_since = 0;
};

// The id clients see for `record`'s version: "null" for the null version.
inline std::string_view VisibleVersionId(const ObjectRecord& record) {
  return record.version_id.empty() ? std::string_view("null") : std::string_view(record.version_id);
}

struct UploadRecord {
  std::string key;
  std::string upload_id;
  double initiated = 0;
  boost::json::object headers;  // as ObjectRecord::headers, given at CreateMultipartUpload
  std::string checksum_algorithm;
  boost::json::array tags;
};

struct PartRecord {
  uint32_t part = 0;
  uint64_t size = 0;
  std::string etag;  // hex MD5, without quotes
  double mtime = 0;
  uint64_t file = 0;
  std::string checksum;  // base64 of the upload's algorithm; "" when none
};

std::string EncodeBucket(const BucketRecord& record);
Result<BucketRecord> DecodeBucket(std::string_view value);
std::string EncodeObject(const ObjectRecord& record);
Result<ObjectRecord> DecodeObject(std::string_view value);
std::string EncodeOutbox(std::string_view arn, std::string_view message);
// {arn, message}; Corruption when either is missing.
Result<std::pair<std::string, std::string>> DecodeOutbox(std::string_view value);
std::string EncodeUpload(const UploadRecord& record);
Result<UploadRecord> DecodeUpload(std::string_view value);
std::string EncodePart(const PartRecord& record);
Result<PartRecord> DecodePart(std::string_view value);

}  // namespace tidepool::s3
