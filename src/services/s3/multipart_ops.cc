// Multipart uploads: create, upload part, complete, abort, list parts, list uploads. Parts are
// body files; completion concatenates them into the object's file (copy_file_range) and
// commits the object with the upload's cleanup in one batch.
#include <boost/json.hpp>

#include <cmath>

#include "core/encoding.h"
#include "protocol/input.h"
#include "services/s3/acl.h"
#include "services/s3/keyspace.h"
#include "services/s3/object_upload.h"
#include "services/s3/object_view.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_service.h"
#include "services/write_path.h"
#include "storage/key_codec.h"

namespace tidepool::s3 {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputStringView;

namespace {

constexpr uint64_t kMinPartSize = 5 * 1024 * 1024;
constexpr int64_t kMaxParts = 10000;

Status NoSuchUpload() {
  return S3Status(S3Error::kNoSuchUpload,
                  "The specified upload does not exist. The upload ID may be invalid, or the "
                  "upload may have been aborted or completed.");
}

std::string NewUploadId() {
  std::string id = NewUuid();
  std::erase(id, '-');
  return id;
}

}  // namespace

Result<UploadRecord> S3Service::ReadUpload(uint64_t uid, std::string_view key,
                                           std::string_view upload_id) const {
  auto value = store_.Get(keyspace::UploadKey(uid, upload_id));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return NoSuchUpload();
  auto record = DecodeUpload(**value);
  if (!record.ok() || record->key != key) return NoSuchUpload();
  return record;
}

Result<UploadRecord> S3Service::ReadUploadForPart(const json::object& in, uint64_t uid,
                                                  uint32_t* number) const {
  const int64_t n = protocol::InputInt(in, "PartNumber").value_or(0);
  if (n < 1 || n > kMaxParts) {
    return S3Status(S3Error::kInvalidArgument,
                    "Part number must be an integer between 1 and 10000, inclusive");
  }
  *number = static_cast<uint32_t>(n);
  return ReadUpload(uid, InputStringView(in, "Key").value_or(""),
                    InputStringView(in, "UploadId").value_or(""));
}

namespace {

Result<std::vector<PartRecord>> ReadParts(const storage::Store& store, uint64_t uid,
                                          std::string_view upload_id) {
  std::vector<PartRecord> parts;
  const std::string prefix = keyspace::PartPrefix(uid, upload_id);
  Status s =
      store.Scan(prefix, storage::PrefixEnd(prefix), [&](std::string_view, std::string_view value) {
        if (auto part = DecodePart(value); part.ok()) parts.push_back(*part);
        return true;
      });
  if (!s.ok()) return s;
  return parts;
}

// Raw bytes of lowercase or uppercase hex (an ETag); malformed digits read as 0.
std::string HexBytes(std::string_view hex) {
  auto nibble = [](char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : 0;
  };
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

std::string StripQuotes(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

}  // namespace

void S3Service::CreateMultipartUpload(CallPtr call) {
  const json::object& in = call->input();
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  UploadRecord record;
  record.key = std::string(InputStringView(in, "Key").value_or(""));
  record.upload_id = NewUploadId();
  record.initiated = static_cast<double>(clock_.NowMillis()) / 1000.0;
  record.headers = StoredHeaders(in);
  if (auto acl = RequestedGrants(in, (*bucket)->record.account); !acl.ok()) {
    return Fail(call, acl.status());
  }
  if (auto alg = InputStringView(in, "ChecksumAlgorithm")) {
    if (!ParseChecksumAlgorithm(*alg)) {
      return Fail(call, S3Status(S3Error::kInvalidRequest, "Checksum algorithm is not valid"));
    }
    record.checksum_algorithm = std::string(*alg);
  }
  if (auto tagging = InputStringView(in, "Tagging")) record.tags = ParseTaggingHeader(*tagging);
  json::object output{
      {"Bucket", (*bucket)->record.name}, {"Key", record.key}, {"UploadId", record.upload_id}};
  if (!record.checksum_algorithm.empty()) {
    output["ChecksumAlgorithm"] = record.checksum_algorithm;
    output["ChecksumType"] = "COMPOSITE";
  }
  storage::WriteBatch batch;
  batch.Put(keyspace::UploadKey((*bucket)->record.uid, record.upload_id), EncodeUpload(record));
  services::SubmitForCall(commits_, std::move(batch), call,
                          services::ReplyWhenCommitted(call, std::move(output), &ToAwsError, "s3"),
                          &ToAwsError);
}

void S3Service::UploadPart(CallPtr call) {
  const json::object& in = call->input();
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const uint64_t uid = (*bucket)->record.uid;
  const std::string upload_id(InputStringView(in, "UploadId").value_or(""));
  uint32_t number = 0;
  auto upload_record = ReadUploadForPart(in, uid, &number);
  if (!upload_record.ok()) return Fail(call, upload_record.status());
  auto upload = std::dynamic_pointer_cast<ObjectUpload>(call->body_consumer());
  if (!upload) upload = std::make_shared<ObjectUpload>(bodies_, protocol::BodyFraming{}, 0, true);
  std::string declared;
  for (std::string_view m :
       {"ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1", "ChecksumSHA256"}) {
    if (auto v = InputStringView(in, m)) declared = std::string(*v);
  }
  auto body = upload->Finish(InputStringView(in, "ContentMD5").value_or(""), declared);
  if (!body.ok()) return Fail(call, body.status());
  PartRecord part = PartOf(number, *body, static_cast<double>(clock_.NowMillis()) / 1000.0);
  json::object output{{"ETag", Quoted(part.etag)}};
  if (body->algorithm != ChecksumAlgorithm::kNone) {
    output[ChecksumMember(body->algorithm)] = body->checksum;
  }
  std::shared_ptr<TempFile> file(std::move(body->file));
  RunBlocking(
      [this, call, file, part, bucket = *bucket, upload_id, output = std::move(output)]() mutable {
        if (Status s = bodies_.Publish(*file); !s.ok()) return Fail(call, s);
        CommitPart(call, bucket, upload_id, std::move(part), std::move(output));
      });
}

void S3Service::CommitPart(const CallPtr& call, const std::shared_ptr<Bucket>& bucket,
                           const std::string& upload_id, PartRecord part, json::object output) {
  std::unique_lock lock(bucket->mu);
  const std::string part_key = keyspace::PartKey(bucket->record.uid, upload_id, part.part);
  uint64_t old_file = 0;
  if (auto old = store_.Get(part_key); old.ok() && old->has_value()) {
    if (auto decoded = DecodePart(**old); decoded.ok()) old_file = decoded->file;
  }
  // The upload may have been completed or aborted since: then the part is dropped.
  auto still = store_.Get(keyspace::UploadKey(bucket->record.uid, upload_id));
  if (!still.ok() || !still->has_value()) {
    lock.unlock();
    bodies_.Remove(part.file);
    return Fail(call, NoSuchUpload());
  }
  storage::WriteBatch batch;
  batch.Put(part_key, EncodePart(part));
  const uint64_t new_file = part.file;
  Status st = commits_.Submit(
      std::move(batch),
      [this, call, old_file, new_file, output = std::move(output)](const Status& st) mutable {
        if (!st.ok()) {
          bodies_.Remove(new_file);
          return Fail(call, st);
        }
        bodies_.Remove(old_file);
        call->Reply(std::move(output));
      });
  if (!st.ok()) {
    lock.unlock();
    bodies_.Remove(new_file);
    Fail(call, st);
  }
}

void S3Service::CompleteMultipartUpload(CallPtr call) {
  const json::object& in = call->input();
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const uint64_t uid = (*bucket)->record.uid;
  std::string key(InputStringView(in, "Key").value_or(""));
  const std::string upload_id(InputStringView(in, "UploadId").value_or(""));
  auto upload = ReadUpload(uid, key, upload_id);
  if (!upload.ok()) return Fail(call, upload.status());
  const json::object* mpu = protocol::InputObject(in, "MultipartUpload");
  const json::array* requested = mpu ? protocol::InputArray(*mpu, "Parts") : nullptr;
  if (requested == nullptr || requested->empty()) {
    return Fail(call, S3Status(S3Error::kMalformedXml,
                               "The XML you provided was not well-formed or did not validate "
                               "against our published schema"));
  }
  auto stored = ReadParts(store_, uid, upload_id);
  if (!stored.ok()) return Fail(call, stored.status());
  std::map<uint32_t, PartRecord> by_number;
  for (PartRecord& p : *stored) by_number[p.part] = std::move(p);
  std::vector<const PartRecord*> chosen;
  int64_t previous = 0;
  auto invalid_part = [] {
    return S3Status(S3Error::kInvalidPart,
                    "One or more of the specified parts could not be found. The part may not "
                    "have been uploaded, or the specified entity tag may not match the part's "
                    "entity tag.");
  };
  for (const json::value& item : *requested) {
    int64_t number =
        item.is_object() ? protocol::InputInt(item.get_object(), "PartNumber").value_or(0) : 0;
    if (number <= previous) {
      return Fail(call, S3Status(S3Error::kInvalidPartOrder,
                                 "The list of parts was not in ascending order. The parts list "
                                 "must be specified in order by part number."));
    }
    previous = number;
  }
  for (const json::value& item : *requested) {
    int64_t number = protocol::InputInt(item.get_object(), "PartNumber").value_or(0);
    auto it = by_number.find(static_cast<uint32_t>(number));
    if (it == by_number.end()) return Fail(call, invalid_part());
    auto etag = InputStringView(item.get_object(), "ETag");
    if (etag && StripQuotes(*etag) != it->second.etag) return Fail(call, invalid_part());
    chosen.push_back(&it->second);
  }
  for (size_t i = 0; i + 1 < chosen.size(); ++i) {
    if (chosen[i]->size < kMinPartSize) {
      return Fail(call, S3Status(S3Error::kEntityTooSmall,
                                 "Your proposed upload is smaller than the minimum allowed size"));
    }
  }
  std::string md5s, checksums;
  auto record = std::make_shared<ObjectRecord>();
  std::vector<uint64_t> files;
  for (const PartRecord* p : chosen) {
    md5s += HexBytes(p->etag);
    if (auto raw = Base64Decode(p->checksum)) checksums += *raw;
    record->size += p->size;
    record->part_sizes.push_back(p->size);
    files.push_back(p->file);
  }
  record->etag = HexEncode(Md5(md5s)) + "-" + std::to_string(chosen.size());
  record->mtime = static_cast<double>(clock_.NowMillis()) / 1000.0;
  record->headers = upload->headers;
  // Checked when the upload was created.
  (void)ApplyRequestedAcl(upload->headers, (*bucket)->record.account, record.get());
  record->tags = upload->tags;
  record->parts = static_cast<uint32_t>(chosen.size());
  if (auto alg = ParseChecksumAlgorithm(upload->checksum_algorithm)) {
    record->checksum_algorithm = upload->checksum_algorithm;
    record->checksum = ChecksumOf(*alg, checksums) + "-" + std::to_string(chosen.size());
  }
  // Every part file, chosen or not, goes once the object is durable.
  std::vector<uint64_t> all_files;
  storage::WriteBatch cleanup;
  cleanup.Delete(keyspace::UploadKey(uid, upload_id));
  for (const auto& [number, p] : by_number) {
    all_files.push_back(p.file);
    cleanup.Delete(keyspace::PartKey(uid, upload_id, number));
  }
  RunBlocking([this, call, bucket = *bucket, key = std::move(key), record, files = std::move(files),
               all_files = std::move(all_files), cleanup = std::move(cleanup)]() mutable {
    auto file = bodies_.Concatenate(files);
    if (!file.ok()) return Fail(call, file.status());
    record->file = *file;
    json::object output{{"Bucket", bucket->record.name},
                        {"Key", key},
                        {"Location", "/" + bucket->record.name + "/" + key},
                        {"ETag", Quoted(record->etag)}};
    if (auto alg = ParseChecksumAlgorithm(record->checksum_algorithm)) {
      output[ChecksumMember(*alg)] = record->checksum;
      output["ChecksumType"] = "COMPOSITE";
    }
    CommitObject(
        bucket, key, std::move(*record), nullptr, "s3:ObjectCreated:CompleteMultipartUpload",
        call->context(),
        [this, call, all_files = std::move(all_files), output = std::move(output)](
            Status st, std::string version_id) mutable {
          if (!st.ok()) return Fail(call, st);
          for (uint64_t f : all_files) bodies_.Remove(f);
          if (!version_id.empty()) output["VersionId"] = version_id;
          call->Reply(std::move(output));
        },
        std::move(cleanup));
  });
}

void S3Service::AbortMultipartUpload(CallPtr call) {
  const json::object& in = call->input();
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const uint64_t uid = (*bucket)->record.uid;
  const std::string upload_id(InputStringView(in, "UploadId").value_or(""));
  auto upload = ReadUpload(uid, InputStringView(in, "Key").value_or(""), upload_id);
  if (!upload.ok()) return Fail(call, upload.status());
  AbortUpload(*bucket, upload_id, [this, call](const Status& st) {
    if (!st.ok()) return Fail(call, st);
    call->Reply({});
  });
}

void S3Service::AbortUpload(const std::shared_ptr<Bucket>& bucket, const std::string& upload_id,
                            std::function<void(const Status&)> done) {
  std::unique_lock lock(bucket->mu);
  const uint64_t uid = bucket->record.uid;
  auto parts = ReadParts(store_, uid, upload_id);
  if (!parts.ok()) {
    lock.unlock();
    return done(parts.status());
  }
  storage::WriteBatch batch;
  batch.Delete(keyspace::UploadKey(uid, upload_id));
  std::vector<uint64_t> files;
  for (const PartRecord& p : *parts) {
    batch.Delete(keyspace::PartKey(uid, upload_id, p.part));
    files.push_back(p.file);
  }
  Status st = commits_.Submit(std::move(batch), [this, files, done](const Status& st) {
    if (st.ok()) {
      for (uint64_t f : files) bodies_.Remove(f);
    }
    done(st);
  });
  if (!st.ok()) {
    lock.unlock();
    done(st);
  }
}

void S3Service::ListParts(CallPtr call) {
  const json::object& in = call->input();
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const uint64_t uid = (*bucket)->record.uid;
  const std::string key(InputStringView(in, "Key").value_or(""));
  const std::string upload_id(InputStringView(in, "UploadId").value_or(""));
  auto upload = ReadUpload(uid, key, upload_id);
  if (!upload.ok()) return Fail(call, upload.status());
  auto parts = ReadParts(store_, uid, upload_id);
  if (!parts.ok()) return Fail(call, parts.status());
  const int64_t marker = protocol::InputInt(in, "PartNumberMarker").value_or(0);
  const int64_t max =
      std::clamp<int64_t>(protocol::InputInt(in, "MaxParts").value_or(1000), 0, 1000);
  json::array list;
  bool truncated = false;
  int64_t next = 0;
  auto alg = ParseChecksumAlgorithm(upload->checksum_algorithm);
  for (const PartRecord& p : *parts) {
    if (p.part <= marker) continue;
    if (static_cast<int64_t>(list.size()) == max) {
      truncated = true;
      break;
    }
    json::object item{{"PartNumber", p.part},
                      {"LastModified", std::floor(p.mtime)},
                      {"ETag", Quoted(p.etag)},
                      {"Size", p.size}};
    if (alg) item[ChecksumMember(*alg)] = p.checksum;
    list.push_back(std::move(item));
    next = p.part;
  }
  json::object owner{{"ID", (*bucket)->record.account}, {"DisplayName", "webfile"}};
  json::object output{{"Bucket", (*bucket)->record.name},
                      {"Key", key},
                      {"UploadId", upload_id},
                      {"PartNumberMarker", std::to_string(marker)},
                      {"MaxParts", max},
                      {"IsTruncated", truncated},
                      {"StorageClass", "STANDARD"},
                      {"Owner", owner},
                      {"Initiator", owner}};
  if (truncated) output["NextPartNumberMarker"] = std::to_string(next);
  if (alg) output["ChecksumAlgorithm"] = upload->checksum_algorithm;
  if (!list.empty()) output["Parts"] = std::move(list);
  call->Reply(std::move(output));
}

void S3Service::ListMultipartUploads(CallPtr call) {
  const json::object& in = call->input();
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const std::string prefix(InputStringView(in, "Prefix").value_or(""));
  json::array uploads;
  const std::string base = keyspace::UploadPrefix((*bucket)->record.uid);
  Status s =
      store_.Scan(base, storage::PrefixEnd(base), [&](std::string_view, std::string_view value) {
        auto upload = DecodeUpload(value);
        if (upload.ok() && upload->key.starts_with(prefix)) {
          uploads.push_back(json::object{{"Key", upload->key},
                                         {"UploadId", upload->upload_id},
                                         {"Initiated", std::floor(upload->initiated)},
                                         {"StorageClass", "STANDARD"}});
        }
        return uploads.size() < 1000;
      });
  if (!s.ok()) return Fail(call, s);
  json::object output{{"Bucket", (*bucket)->record.name},
                      {"MaxUploads", 1000},
                      {"IsTruncated", false},
                      {"KeyMarker", ""},
                      {"UploadIdMarker", ""}};
  if (!prefix.empty()) output["Prefix"] = prefix;
  if (!uploads.empty()) output["Uploads"] = std::move(uploads);
  call->Reply(std::move(output));
}

}  // namespace tidepool::s3
