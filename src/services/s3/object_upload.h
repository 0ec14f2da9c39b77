// ObjectUpload: the BodyConsumer that takes an object's (or a part's) bytes as they arrive:
// it removes aws-chunked framing, computes the MD5 (the ETag) and the requested checksum, and
// keeps the bytes in memory while they fit `inline_limit`, spilling to a temp body file past
// it. Memory stays bounded by inline_limit plus one piece, whatever the body's size.
// Finish checks what the client declared (Content-MD5, x-amz-checksum-*, trailers, the
// decoded length) and yields the body.
//
// Thread-safety: one thread at a time (the connection's strand, then the handler).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "protocol/codec/aws_chunked.h"
#include "protocol/service.h"
#include "services/s3/body_store.h"
#include "services/s3/checksums.h"
#include "services/s3/records.h"

namespace tidepool::s3 {

struct UploadedBody {
  uint64_t size = 0;
  std::string md5;  // raw 16 bytes
  ChecksumAlgorithm algorithm = ChecksumAlgorithm::kNone;
  std::string checksum;            // base64; "" when none
  std::string inline_body;         // the bytes, when no file was needed
  std::unique_ptr<TempFile> file;  // else the temp file holding them (not yet published)
};

class ObjectUpload final : public protocol::BodyConsumer {
 public:
  // `force_file`: always write a file (parts), however small.
  ObjectUpload(BodyStore& bodies, const protocol::BodyFraming& framing, size_t inline_limit,
               bool force_file);

  void Write(std::string_view piece) override;

  // The body, once every piece is in. `content_md5`: the Content-MD5 header (base64) or empty;
  // `declared`: the x-amz-checksum-<alg> header value for the upload's algorithm, or empty.
  // BadDigest / InvalidDigest / IncompleteBody / InvalidRequest as S3 answers them.
  Result<UploadedBody> Finish(std::string_view content_md5, std::string_view declared);

 private:
  void Data(std::string_view data);

  BodyStore& bodies_;
  const protocol::BodyFraming framing_;
  const size_t inline_limit_;
  const bool force_file_;
  bool chunked_ = false;
  std::optional<protocol::AwsChunkedDecoder> decoder_;
  BodyDigests digests_;
  std::string buffer_;
  std::unique_ptr<TempFile> file_;
  Status error_;
};

// The PartRecord of part `number` whose bytes `body` holds (its file's id, once the file is
// created), written at `mtime` (seconds since the epoch).
PartRecord PartOf(uint32_t number, const UploadedBody& body, double mtime);

// `length` bytes of `source` (an object's record, its body inline or in a body file) from
// `offset`, copied into a new temp body file and digested (MD5 and `algorithm`): the part an
// UploadPartCopy writes. Memory: one 1 MiB buffer, whatever the length. Blocks on the disk:
// call it off the io threads. NotFound when the source's body file is gone (overwritten since).
Result<UploadedBody> CopyRange(BodyStore& bodies, const ObjectRecord& source, uint64_t offset,
                               uint64_t length, ChecksumAlgorithm algorithm);

}  // namespace tidepool::s3
