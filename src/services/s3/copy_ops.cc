// Copies: CopyObject (a whole object) and UploadPartCopy (a range of one as a multipart
// upload's part). Both read the source named by x-amz-copy-source, check its
// x-amz-copy-source-if-* conditions, and copy its body on the blocking pool (a file copy in the
// kernel for CopyObject, a streamed and digested range for a part).
#include <boost/json.hpp>

#include <cmath>

#include "core/encoding.h"
#include "protocol/http/query_string.h"
#include "protocol/input.h"
#include "services/s3/acl.h"
#include "services/s3/object_upload.h"
#include "services/s3/object_view.h"
#include "services/s3/restore.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_service.h"

namespace tidepool::s3 {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputStringView;

namespace {

constexpr uint64_t kMaxCopySourceSize = 5ULL * 1024 * 1024 * 1024;

// x-amz-copy-source-range: "bytes=first-last", both required, within `size` bytes. Returns
// {offset, length}.
Result<std::pair<uint64_t, uint64_t>> ParseCopySourceRange(std::string_view text, uint64_t size) {
  auto malformed = [] {
    return S3Status(S3Error::kInvalidArgument,
                    "The x-amz-copy-source-range value must be of the form bytes=first-last where "
                    "first and last are the zero-based offsets of the first and last bytes to "
                    "copy");
  };
  if (!text.starts_with("bytes=")) return malformed();
  text.remove_prefix(6);
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) return malformed();
  auto first = ParseByteOffset(text.substr(0, dash));
  auto last = ParseByteOffset(text.substr(dash + 1));
  if (!first || !last || *last < *first) return malformed();
  if (*last >= size) {
    return S3Status(
        S3Error::kInvalidArgument,
        "Range specified is not valid for source object of size: " + std::to_string(size));
  }
  return std::pair(*first, *last - *first + 1);
}

}  // namespace

Result<S3Service::CopySource> S3Service::ReadCopySource(const json::object& in) const {
  std::string_view source = InputStringView(in, "CopySource").value_or("");
  if (source.starts_with("/")) source.remove_prefix(1);
  std::string source_version;
  if (size_t q = source.find('?'); q != std::string_view::npos) {
    for (auto& [name, value] : protocol::http::ParseQueryString(source.substr(q + 1), true)) {
      if (name == "versionId") source_version = value;
    }
    source = source.substr(0, q);
  }
  size_t slash = source.find('/');
  if (slash == std::string_view::npos || slash + 1 >= source.size()) {
    return S3Status(S3Error::kInvalidArgument, "Invalid copy source object key");
  }
  CopySource out;
  out.bucket_name = protocol::http::PercentDecode(source.substr(0, slash), false);
  out.key = protocol::http::PercentDecode(source.substr(slash + 1), false);
  auto bucket = FindBucket(out.bucket_name);
  if (!bucket.ok()) return bucket.status();
  auto record = ReadVersion(**bucket, out.key, source_version);
  if (!record.ok() && !source_version.empty() &&
      record.status().detail() == static_cast<uint16_t>(S3Error::kMethodNotAllowed)) {
    return S3Status(S3Error::kInvalidRequest,
                    "The source of a copy request may not specifically refer to a delete marker "
                    "by version id.");
  }
  if (!record.ok()) return record.status();
  // x-amz-copy-source-if-*: 412 for each that fails (NotModified included, unlike a GET).
  json::object conditions;
  static constexpr std::pair<std::string_view, std::string_view> kConditions[] = {
      {"CopySourceIfMatch", "IfMatch"},
      {"CopySourceIfNoneMatch", "IfNoneMatch"},
      {"CopySourceIfModifiedSince", "IfModifiedSince"},
      {"CopySourceIfUnmodifiedSince", "IfUnmodifiedSince"}};
  for (const auto& [from, to] : kConditions) {
    if (const json::value* v = in.if_contains(from)) conditions[to] = *v;
  }
  if (Status s = CheckReadConditions(conditions, *record); !s.ok()) {
    return S3Status(S3Error::kPreconditionFailed,
                    "At least one of the pre-conditions you specified did not hold");
  }
  if (Status s = CheckReadable(*record, static_cast<double>(clock_.NowMillis()) / 1000.0);
      !s.ok()) {
    return s;
  }
  out.versioned = !record->version_id.empty() || Versioned(**bucket);
  out.record = std::move(*record);
  return out;
}

void S3Service::CopyObject(CallPtr call) {
  const json::object& in = call->input();
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  std::string key(InputStringView(in, "Key").value_or(""));
  auto source = ReadCopySource(in);
  if (!source.ok()) return Fail(call, source.status());
  const bool replace = InputStringView(in, "MetadataDirective").value_or("COPY") == "REPLACE";
  const bool replace_tags = InputStringView(in, "TaggingDirective").value_or("COPY") == "REPLACE";
  if (source->bucket_name == (*bucket)->record.name && source->key == key && !replace &&
      !in.contains("StorageClass") && !in.contains("ServerSideEncryption") &&
      !in.contains("WebsiteRedirectLocation")) {
    return Fail(call, S3Status(S3Error::kInvalidRequest,
                               "This copy request is illegal because it is trying to copy an "
                               "object to itself without changing the object's metadata, storage "
                               "class, website redirect location or encryption attributes."));
  }
  const std::string copied_version(VisibleVersionId(source->record));
  const bool source_versioned = source->versioned;
  auto record = std::make_shared<ObjectRecord>(std::move(source->record));
  record->mtime = static_cast<double>(clock_.NowMillis()) / 1000.0;
  if (replace) record->headers = StoredHeaders(in);
  // The copy is a new object in the class the request names (STANDARD when it names none):
  // copying an archived object's restored copy out of the archive is how it is thawed.
  if (const json::value* storage_class = in.if_contains("StorageClass")) {
    record->headers["StorageClass"] = *storage_class;
  } else {
    record->headers.erase("StorageClass");
  }
  record->restore_ready = record->restore_expiry = 0;
  // The copy's ACL is the one the request asks for, never the source's.
  if (Status s = ApplyRequestedAcl(in, (*bucket)->record.account, record.get()); !s.ok()) {
    return Fail(call, s);
  }
  if (replace_tags) {
    record->tags = ParseTaggingHeader(InputStringView(in, "Tagging").value_or(""));
  }
  auto commit = [this, call, bucket = *bucket, key = std::move(key), record, copied_version,
                 source_versioned]() mutable {
    json::object result{{"ETag", Quoted(record->etag)},
                        {"LastModified", std::floor(record->mtime)}};
    if (auto alg = ParseChecksumAlgorithm(record->checksum_algorithm)) {
      result[ChecksumMember(*alg)] = record->checksum;
    }
    json::object output{{"CopyObjectResult", std::move(result)}};
    if (source_versioned) output["CopySourceVersionId"] = copied_version;
    CommitObject(bucket, key, std::move(*record), nullptr, "s3:ObjectCreated:Copy", call->context(),
                 [call, output = std::move(output)](Status st, std::string version_id) mutable {
                   if (!st.ok()) return Fail(call, st);
                   if (!version_id.empty()) output["VersionId"] = version_id;
                   call->Reply(std::move(output));
                 });
  };
  if (record->file == 0) return commit();
  RunBlocking([this, call, record, commit = std::move(commit)]() mutable {
    auto copy = bodies_.Concatenate({record->file});
    if (!copy.ok()) return Fail(call, copy.status());
    record->file = *copy;
    commit();
  });
}

void S3Service::UploadPartCopy(CallPtr call) {
  const json::object& in = call->input();
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  uint32_t number = 0;
  auto upload = ReadUploadForPart(in, (*bucket)->record.uid, &number);
  if (!upload.ok()) return Fail(call, upload.status());
  auto source = ReadCopySource(in);
  if (!source.ok()) return Fail(call, source.status());
  uint64_t offset = 0, length = source->record.size;
  if (auto range = InputStringView(in, "CopySourceRange")) {
    auto parsed = ParseCopySourceRange(*range, source->record.size);
    if (!parsed.ok()) return Fail(call, parsed.status());
    std::tie(offset, length) = *parsed;
  }
  if (length > kMaxCopySourceSize) {
    return Fail(call, S3Status(S3Error::kInvalidRequest,
                               "The specified copy source is larger than the maximum allowable "
                               "size for a copy source: " +
                                   std::to_string(kMaxCopySourceSize)));
  }
  const ChecksumAlgorithm algorithm =
      ParseChecksumAlgorithm(upload->checksum_algorithm).value_or(ChecksumAlgorithm::kNone);
  json::object output;
  if (source->versioned) output["CopySourceVersionId"] = VisibleVersionId(source->record);
  RunBlocking([this, call, bucket = *bucket, upload_id = upload->upload_id, number, offset, length,
               algorithm, source = std::make_shared<CopySource>(std::move(*source)),
               output = std::move(output)]() mutable {
    auto body = CopyRange(bodies_, source->record, offset, length, algorithm);
    if (!body.ok() && body.status().code() == StatusCode::kNotFound) {
      // The source was replaced and its old file deleted between our read and the copy.
      return Fail(call, S3Status(S3Error::kInternalError,
                                 "The copy source changed while it was being read; retry"));
    }
    if (!body.ok()) return Fail(call, body.status());
    PartRecord part = PartOf(number, *body, static_cast<double>(clock_.NowMillis()) / 1000.0);
    json::object result{{"ETag", Quoted(part.etag)}, {"LastModified", std::floor(part.mtime)}};
    if (algorithm != ChecksumAlgorithm::kNone) result[ChecksumMember(algorithm)] = part.checksum;
    output["CopyPartResult"] = std::move(result);
    if (Status s = bodies_.Publish(*body->file); !s.ok()) return Fail(call, s);
    CommitPart(call, bucket, upload_id, std::move(part), std::move(output));
  });
}

}  // namespace tidepool::s3
