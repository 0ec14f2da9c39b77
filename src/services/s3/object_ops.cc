// Objects: put, get (ranges, conditions, parts), head, attributes.
#include <boost/json.hpp>

#include <cmath>
#include <cstring>

#include "core/encoding.h"
#include "protocol/http/query_string.h"
#include "protocol/input.h"
#include "protocol/rest/s3_routes.h"
#include "services/s3/acl.h"
#include "services/s3/keyspace.h"
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

constexpr size_t kMaxKeyBytes = 1024;

// A body held in memory, as a streamed source (GET of an inline object).
class StringSource final : public protocol::http::BodySource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  uint64_t size() const override { return data_.size(); }
  int64_t Read(char* buffer, size_t capacity) override {
    size_t n = std::min(capacity, data_.size() - offset_);
    std::memcpy(buffer, data_.data() + offset_, n);
    offset_ += n;
    return static_cast<int64_t>(n);
  }

 private:
  std::string data_;
  size_t offset_ = 0;
};

// Parses "bytes=a-b" | "bytes=a-" | "bytes=-n" against `size`. nullopt: no usable range (the
// whole object, as S3 does for a header it cannot parse); a range past the end gives
// InvalidRange.
Result<std::optional<std::pair<uint64_t, uint64_t>>> ParseRange(std::string_view text,
                                                                uint64_t size) {
  using Range = std::optional<std::pair<uint64_t, uint64_t>>;
  if (!text.starts_with("bytes=") || text.find(',') != std::string_view::npos) return Range();
  text.remove_prefix(6);
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) return Range();
  std::string_view first = text.substr(0, dash), last = text.substr(dash + 1);
  auto invalid = [&] {
    return S3Status(S3Error::kInvalidRange, "The requested range is not satisfiable");
  };
  if (first.empty()) {
    auto n = ParseByteOffset(last);
    if (!n) return Range();
    if (*n == 0 || size == 0) return invalid();
    uint64_t start = *n >= size ? 0 : size - *n;
    return Range(std::pair(start, size - 1));
  }
  auto a = ParseByteOffset(first);
  if (!a) return Range();
  uint64_t end = size == 0 ? 0 : size - 1;
  if (!last.empty()) {
    auto b = ParseByteOffset(last);
    if (!b || *b < *a) return Range();
    end = std::min(*b, end);
  }
  if (*a >= size) return invalid();
  return Range(std::pair(*a, end));
}

// The byte range of part `PartNumber` of `record` (a GET or HEAD by part number): a single
// PUT is one part, a multipart object has its parts. InvalidRequest with a Range too,
// InvalidPartNumber (416) past the last part.
Result<std::optional<std::pair<uint64_t, uint64_t>>> PartRange(const json::object& in,
                                                               const ObjectRecord& record) {
  using Range = std::optional<std::pair<uint64_t, uint64_t>>;
  if (in.contains("Range")) {
    return S3Status(S3Error::kInvalidRequest,
                    "Cannot specify both Range header and partNumber query parameter");
  }
  const int64_t number = protocol::InputInt(in, "PartNumber").value_or(0);
  if (number < 1 || number > 10000) {
    return S3Status(S3Error::kInvalidArgument,
                    "Part number must be an integer between 1 and 10000, inclusive");
  }
  const bool parted = record.parts > 0 && record.part_sizes.size() == record.parts;
  const uint64_t count = parted ? record.parts : 1;
  if (static_cast<uint64_t>(number) > count) {
    return S3Status(S3Error::kInvalidPartNumber, "The requested partnumber is not satisfiable");
  }
  uint64_t first = 0, size = record.size;
  if (parted) {
    for (int64_t i = 0; i + 1 < number; ++i) first += record.part_sizes[i];
    size = record.part_sizes[number - 1];
  }
  if (size == 0) return Range();
  return Range(std::pair(first, first + size - 1));
}

}  // namespace

std::optional<uint64_t> ParseByteOffset(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

bool EtagMatchesHeader(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"') {
      item = item.substr(1, item.size() - 2);
    }
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    header = header.substr(comma + 1);
  }
  return false;
}

Status CheckReadConditions(const json::object& in, const ObjectRecord& record) {
  auto if_match = InputStringView(in, "IfMatch");
  auto if_none_match = InputStringView(in, "IfNoneMatch");
  auto if_modified = protocol::InputDouble(in, "IfModifiedSince");
  auto if_unmodified = protocol::InputDouble(in, "IfUnmodifiedSince");
  const double mtime = std::floor(record.mtime);
  auto precondition = [] {
    return S3Status(S3Error::kPreconditionFailed,
                    "At least one of the pre-conditions you "
                    "specified did not hold");
  };
  auto not_modified = [] { return S3Status(S3Error::kNotModified, "Not Modified"); };
  if (if_match && !EtagMatchesHeader(*if_match, record.etag)) return precondition();
  if (!if_match && if_unmodified && mtime > *if_unmodified) return precondition();
  if (if_none_match && EtagMatchesHeader(*if_none_match, record.etag)) return not_modified();
  if (!if_none_match && if_modified && mtime <= *if_modified) return not_modified();
  return Status::Ok();
}

// The members PutObject / CreateMultipartUpload record to echo on GET and HEAD.
json::object StoredHeaders(const json::object& in) {
  static constexpr std::string_view kMembers[] = {"ContentType",
                                                  "ContentEncoding",
                                                  "ContentDisposition",
                                                  "ContentLanguage",
                                                  "CacheControl",
                                                  "Expires",
                                                  "StorageClass",
                                                  "Metadata",
                                                  "ServerSideEncryption",
                                                  "SSEKMSKeyId",
                                                  "SSECustomerAlgorithm",
                                                  "SSECustomerKeyMD5",
                                                  "BucketKeyEnabled",
                                                  "WebsiteRedirectLocation",
                                                  "ObjectLockMode",
                                                  "ObjectLockRetainUntilDate",
                                                  "ObjectLockLegalHoldStatus",
                                                  "ACL",
                                                  "GrantFullControl",
                                                  "GrantRead",
                                                  "GrantReadACP",
                                                  "GrantWriteACP"};
  json::object out;
  for (std::string_view m : kMembers) {
    if (const json::value* v = in.if_contains(m)) out[m] = *v;
  }
  // aws-chunked is the transfer's encoding, not the object's.
  if (auto* ce = out.if_contains("ContentEncoding"); ce != nullptr && ce->is_string()) {
    std::string value(ce->get_string());
    for (std::string_view drop : {"aws-chunked,", "aws-chunked"}) {
      if (size_t at = value.find(drop); at != std::string::npos) value.erase(at, drop.size());
    }
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (value.empty()) {
      out.erase("ContentEncoding");
    } else {
      *ce = value;
    }
  }
  return out;
}

std::string Quoted(std::string_view etag) { return "\"" + std::string(etag) + "\""; }

json::array ParseTaggingHeader(std::string_view text) {
  json::array tags;
  for (auto& [k, v] : protocol::http::ParseQueryString(text, true)) {
    tags.push_back(json::object{{"Key", k}, {"Value", v}});
  }
  return tags;
}

json::object ObjectView(const ObjectRecord& record, bool with_checksum) {
  json::object out = record.headers;
  out.erase("ACL");
  if (!out.contains("ContentType")) out["ContentType"] = "binary/octet-stream";
  out["ETag"] = Quoted(record.etag);
  out["LastModified"] = std::floor(record.mtime);
  out["AcceptRanges"] = "bytes";
  if (!record.tags.empty()) out["TagCount"] = static_cast<int64_t>(record.tags.size());
  if (record.parts > 0) out["PartsCount"] = record.parts;
  if (with_checksum && !record.checksum_algorithm.empty()) {
    if (auto alg = ParseChecksumAlgorithm(record.checksum_algorithm)) {
      out[ChecksumMember(*alg)] = record.checksum;
      out["ChecksumType"] = record.parts > 0 ? "COMPOSITE" : "FULL_OBJECT";
    }
  }
  return out;
}

void S3Service::PutObject(CallPtr call) {
  const json::object& in = call->input();
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  std::string key(InputStringView(in, "Key").value_or(""));
  if (key.size() > kMaxKeyBytes) {
    return Fail(call, S3Status(S3Error::kKeyTooLong, "Your key is too long"));
  }
  auto upload = std::dynamic_pointer_cast<ObjectUpload>(call->body_consumer());
  if (!upload) {  // no body at all
    upload = std::make_shared<ObjectUpload>(bodies_, protocol::BodyFraming{}, options_.inline_limit,
                                            false);
  }
  std::string declared;
  for (std::string_view m :
       {"ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1", "ChecksumSHA256"}) {
    if (auto v = InputStringView(in, m)) declared = std::string(*v);
  }
  auto body = upload->Finish(InputStringView(in, "ContentMD5").value_or(""), declared);
  if (!body.ok()) return Fail(call, body.status());
  if (!declared.empty() && body->algorithm == ChecksumAlgorithm::kNone) {
    return Fail(call, S3Status(S3Error::kInvalidRequest,
                               "x-amz-checksum header given without a known algorithm"));
  }
  auto record = std::make_shared<ObjectRecord>();
  record->size = body->size;
  record->etag = HexEncode(body->md5);
  record->mtime = static_cast<double>(clock_.NowMillis()) / 1000.0;
  record->headers = StoredHeaders(in);
  if (Status s = ApplyRequestedAcl(in, (*bucket)->record.account, record.get()); !s.ok()) {
    return Fail(call, s);
  }
  record->checksum_algorithm = std::string(ChecksumAlgorithmName(body->algorithm));
  record->checksum = body->checksum;
  if (auto tagging = InputStringView(in, "Tagging")) record->tags = ParseTaggingHeader(*tagging);
  std::string if_none_match(InputStringView(in, "IfNoneMatch").value_or(""));
  std::string if_match(InputStringView(in, "IfMatch").value_or(""));
  Precondition precondition = [if_none_match, if_match](const ObjectRecord* old) {
    auto failed = [] {
      return S3Status(S3Error::kPreconditionFailed,
                      "At least one of the pre-conditions you specified did not hold");
    };
    if (!if_none_match.empty() && old != nullptr && EtagMatchesHeader(if_none_match, old->etag)) {
      return failed();
    }
    if (!if_match.empty() && (old == nullptr || !EtagMatchesHeader(if_match, old->etag))) {
      if (old == nullptr) return NoSuchKey();
      return failed();
    }
    return Status::Ok();
  };
  auto commit = [this, call, bucket = *bucket, key = std::move(key), record,
                 precondition = std::move(precondition)]() mutable {
    json::object output{{"ETag", Quoted(record->etag)}};
    if (!record->checksum_algorithm.empty()) {
      output[ChecksumMember(*ParseChecksumAlgorithm(record->checksum_algorithm))] =
          record->checksum;
      output["ChecksumType"] = "FULL_OBJECT";
    }
    if (auto* sse = record->headers.if_contains("ServerSideEncryption")) {
      output["ServerSideEncryption"] = *sse;
    }
    // A browser form's upload (POST Object) is the same write under its own event name.
    std::string event = call->input().contains(protocol::kPostObjectMarker)
                            ? "s3:ObjectCreated:Post"
                            : "s3:ObjectCreated:Put";
    CommitObject(bucket, key, std::move(*record), std::move(precondition), std::move(event),
                 call->context(),
                 [call, output = std::move(output)](Status st, std::string version_id) mutable {
                   if (!st.ok()) return Fail(call, st);
                   if (!version_id.empty()) output["VersionId"] = version_id;
                   call->Reply(std::move(output));
                 });
  };
  if (!body->file) {
    record->body = std::move(body->inline_body);
    return commit();
  }
  record->file = body->file->id();
  RunBlocking([this, call, file = std::shared_ptr<TempFile>(std::move(body->file)),
               commit = std::move(commit)]() mutable {
    if (Status s = bodies_.Publish(*file); !s.ok()) return Fail(call, s);
    commit();
  });
}

void S3Service::GetObject(CallPtr call) {
  const json::object& in = call->input();
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const std::string_view key = InputStringView(in, "Key").value_or("");
  const std::string_view version_id = InputStringView(in, "VersionId").value_or("");
  auto record = ReadVersion(**bucket, key, version_id);
  if (!record.ok()) return call->Fail(ReadVersionError(**bucket, key, version_id, record.status()));
  if (Status s = CheckReadConditions(in, *record); !s.ok()) return Fail(call, s);
  const bool head = call->operation().name == "HeadObject";
  const double now = static_cast<double>(clock_.NowMillis()) / 1000.0;
  if (!head) {
    if (Status s = CheckReadable(*record, now); !s.ok()) return Fail(call, s);
  }
  auto range = in.contains("PartNumber")
                   ? PartRange(in, *record)
                   : ParseRange(InputStringView(in, "Range").value_or(""), record->size);
  if (!range.ok()) return Fail(call, range.status());
  json::object output =
      ObjectView(*record, InputStringView(in, "ChecksumMode").value_or("") == "ENABLED");
  if (!record->version_id.empty() || Versioned(**bucket)) {
    output["VersionId"] = VisibleVersionId(*record);
  }
  if (std::string restore = RestoreHeader(*record, now); !restore.empty()) {
    output["Restore"] = std::move(restore);
  }
  uint64_t offset = 0, length = record->size;
  unsigned status = 0;
  if (in.contains("PartNumber") && !*range) status = 206;  // part 1 of an empty object
  if (*range) {
    offset = (*range)->first;
    length = (*range)->second - offset + 1;
    output["ContentRange"] = "bytes " + std::to_string(offset) + "-" +
                             std::to_string((*range)->second) + "/" + std::to_string(record->size);
    status = 206;
    // The stored checksum is the whole object's: a range is sent without it, as on AWS.
    for (auto alg :
         {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme,
          ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256}) {
      output.erase(ChecksumMember(alg));
    }
    output.erase("ChecksumType");
  }
  // response-* query parameters override the stored headers.
  static constexpr std::pair<std::string_view, std::string_view> kOverrides[] = {
      {"ResponseContentType", "ContentType"},
      {"ResponseContentEncoding", "ContentEncoding"},
      {"ResponseContentDisposition", "ContentDisposition"},
      {"ResponseContentLanguage", "ContentLanguage"},
      {"ResponseCacheControl", "CacheControl"},
      {"ResponseExpires", "Expires"}};
  for (const auto& [param, member] : kOverrides) {
    if (const json::value* v = in.if_contains(param)) output[member] = *v;
  }
  if (head) return call->ReplyStreamed(std::move(output), LengthOnlySource(length), status);
  if (record->file == 0) {
    return call->ReplyStreamed(std::move(output),
                               std::make_shared<StringSource>(record->body.substr(
                                   static_cast<size_t>(offset), static_cast<size_t>(length))),
                               status);
  }
  auto source = bodies_.OpenRange(record->file, offset, length);
  if (!source.ok()) {
    // The record was replaced and its old file deleted between our read and open: read again.
    return Fail(call, S3Status(S3Error::kInternalError,
                               "The object changed while it was being read; retry"));
  }
  call->ReplyStreamed(std::move(output), std::move(*source), status);
}

void S3Service::HeadObject(CallPtr call) { GetObject(std::move(call)); }

void S3Service::GetObjectAttributes(CallPtr call) {
  const json::object& in = call->input();
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  auto record = ReadVersion(**bucket, InputStringView(in, "Key").value_or(""),
                            InputStringView(in, "VersionId").value_or(""));
  if (!record.ok()) return Fail(call, record.status());
  const json::array* wanted = protocol::InputArray(in, "ObjectAttributes");
  if (wanted == nullptr || wanted->empty()) {
    return Fail(call, S3Status(S3Error::kInvalidArgument, "Invalid attribute name specified."));
  }
  json::object output{{"LastModified", std::floor(record->mtime)}};
  if (!record->version_id.empty()) output["VersionId"] = record->version_id;
  for (const json::value& a : *wanted) {
    std::string_view name = a.is_string() ? std::string_view(a.get_string()) : "";
    if (name == "ETag") {
      output["ETag"] = record->etag;  // without quotes, as AWS returns it here
    } else if (name == "ObjectSize") {
      output["ObjectSize"] = record->size;
    } else if (name == "StorageClass") {
      const json::value* sc = record->headers.if_contains("StorageClass");
      output["StorageClass"] = sc ? *sc : json::value("STANDARD");
    } else if (name == "Checksum") {
      if (auto alg = ParseChecksumAlgorithm(record->checksum_algorithm)) {
        output["Checksum"] =
            json::object{{ChecksumMember(*alg), record->checksum},
                         {"ChecksumType", record->parts > 0 ? "COMPOSITE" : "FULL_OBJECT"}};
      }
    } else if (name == "ObjectParts") {
      if (record->parts > 0)
        output["ObjectParts"] = json::object{{"TotalPartsCount", record->parts}};
    } else {
      return Fail(call, S3Status(S3Error::kInvalidArgument, "Invalid attribute name specified."));
    }
  }
  call->Reply(std::move(output));
}

}  // namespace tidepool::s3
