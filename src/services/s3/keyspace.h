// The S3 keyspace in the shared store. Every key starts with the 3 bytes "s3\0".
//
//   key    := "s3\0" kind
//   kind   := 'b' bucket_name:string                  -> BucketRecord (json, records.h)
//           | 'o' bucket_uid:u64be object_key:bytes   -> ObjectRecord (records.h): the current
//                                                        version's metadata, and its bytes when
//                                                        they are small (else a body file)
//           | 'v' bucket_uid:u64be object_key:string inverted_seq:u64be
//                                                     -> ObjectRecord: a noncurrent version
//                                                        (or delete marker) of a versioned
//                                                        key; inverted_seq = ~seq, so a key's
//                                                        versions scan newest first
//           | 'n' seq:u64be                         -> OutboxEntry json {arn, message}: an
//                                                        event notification not yet delivered
//           | 'm' bucket_uid:u64be upload_id:string   -> UploadRecord (json): a multipart
//                                                        upload in progress
//           | 'p' bucket_uid:u64be upload_id:string part:u32be
//                                                     -> PartRecord (json): one uploaded part,
//                                                        its bytes always in a body file
//
// A key's latest version (an object or a delete marker) is always its 'o' record; a key has
// 'v' records only while it has an 'o' record (deleting the latest version promotes the
// newest noncurrent one).
// (string as in storage/key_codec.h; in 'o' keys object_key is the raw key, last in the key, so
// keys sort as S3 lists them: by UTF-8 bytes.) Bucket names are global, as on AWS. Body files live
// under the service's body dir (body_store.h), named by a 64-bit id; a record names its file, and a
// file no record names is reclaimed at start.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/record_kind.h"

namespace tidepool::s3::keyspace {

std::string BucketPrefix();
std::string BucketKey(std::string_view name);
std::optional<std::string> ParseBucketKey(std::string_view key);

// The keys of bucket `uid`'s objects all start with ObjectPrefix(uid).
std::string ObjectPrefix(uint64_t bucket_uid);
std::string ObjectKey(uint64_t bucket_uid, std::string_view object_key);
std::string AllObjectsPrefix();

// Noncurrent versions: every version of one key starts with VersionPrefix(uid, key).
std::string VersionPrefix(uint64_t bucket_uid, std::string_view object_key);
std::string VersionKey(uint64_t bucket_uid, std::string_view object_key, uint64_t seq);
std::string BucketVersionsPrefix(uint64_t bucket_uid);
// The object key a 'v' key of bucket `bucket_uid` names; nullopt when it is not one.
std::optional<std::string> ParseVersionKey(uint64_t bucket_uid, std::string_view key);
std::string AllVersionsPrefix();

std::string OutboxKey(uint64_t seq);
std::string AllOutboxPrefix();

std::string UploadPrefix(uint64_t bucket_uid);
std::string UploadKey(uint64_t bucket_uid, std::string_view upload_id);
std::string AllUploadsPrefix();
// Every part of one upload starts with PartPrefix(uid, upload_id).
std::string PartPrefix(uint64_t bucket_uid, std::string_view upload_id);
std::string PartKey(uint64_t bucket_uid, std::string_view upload_id, uint32_t part);
std::string AllPartsPrefix();

// Every kind of record this keyspace stores, one per `kind` of the grammar above (see
// storage/record_kind.h).
std::vector<storage::RecordKind> RecordKinds();

}  // namespace tidepool::s3::keyspace
