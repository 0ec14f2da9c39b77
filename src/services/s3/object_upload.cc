#include "services/s3/object_upload.h"

#include "core/encoding.h"
#include "services/s3/s3_errors.h"

namespace tidepool::s3 {
namespace {

bool IsChunked(const protocol::BodyFraming& framing) {
  return framing.content_sha256.starts_with("STREAMING-") ||
         framing.content_encoding.find("aws-chunked") != std::string::npos;
}

ChecksumAlgorithm AlgorithmOf(const protocol::BodyFraming& framing) {
  if (framing.checksum_algorithm.empty()) return ChecksumAlgorithm::kNone;
  return ParseChecksumAlgorithm(framing.checksum_algorithm).value_or(ChecksumAlgorithm::kNone);
}

}  // namespace

ObjectUpload::ObjectUpload(BodyStore& bodies, const protocol::BodyFraming& framing,
                           size_t inline_limit, bool force_file)
    : bodies_(bodies),
      framing_(framing),
      inline_limit_(inline_limit),
      force_file_(force_file),
      chunked_(IsChunked(framing)),
      digests_(AlgorithmOf(framing)) {
  if (chunked_) decoder_.emplace([this](std::string_view data) { Data(data); });
}

void ObjectUpload::Write(std::string_view piece) {
  if (!error_.ok()) return;
  if (!chunked_) return Data(piece);
  if (!decoder_->Write(piece)) {
    error_ = S3Status(S3Error::kIncompleteBody,
                      "The aws-chunked body is malformed: " + decoder_->error());
  }
}

void ObjectUpload::Data(std::string_view data) {
  constexpr uint64_t kMaxObjectSize = 5ULL * 1024 * 1024 * 1024;  // a PUT or a part
  if (!error_.ok()) return;
  if (digests_.size() + data.size() > kMaxObjectSize) {
    error_ =
        S3Status(S3Error::kEntityTooLarge, "Your proposed upload exceeds the maximum allowed size");
    file_.reset();  // the temp file goes now, not when the rest of the body has been read
    return;
  }
  digests_.Update(data);
  if (!file_ && (force_file_ || buffer_.size() + data.size() > inline_limit_)) {
    auto temp = bodies_.CreateTemp();
    if (!temp.ok()) {
      error_ = temp.status();
      return;
    }
    file_ = std::move(*temp);
    if (Status s = file_->Append(buffer_); !s.ok()) {
      error_ = s;
      return;
    }
    buffer_.clear();
    buffer_.shrink_to_fit();
  }
  if (file_) {
    if (Status s = file_->Append(data); !s.ok()) error_ = s;
    return;
  }
  buffer_.append(data);
}

Result<UploadedBody> ObjectUpload::Finish(std::string_view content_md5, std::string_view declared) {
  if (!error_.ok()) return error_;
  if (chunked_ && !decoder_->Complete()) {
    return S3Status(S3Error::kIncompleteBody,
                    "You did not provide the number of bytes specified by the Content-Length "
                    "HTTP header.");
  }
  digests_.Finish();
  if (framing_.decoded_length && *framing_.decoded_length != digests_.size()) {
    return S3Status(S3Error::kIncompleteBody,
                    "You did not provide the number of bytes specified by the Content-Length "
                    "HTTP header.");
  }
  if (!content_md5.empty()) {
    auto md5 = Base64Decode(content_md5);
    if (!md5 || md5->size() != 16) {
      return S3Status(S3Error::kInvalidDigest, "The Content-MD5 you specified was invalid.");
    }
    if (*md5 != digests_.md5()) {
      return S3Status(S3Error::kBadDigest,
                      "The Content-MD5 you specified did not match what we received.");
    }
  }
  std::string expected(declared);
  if (chunked_ && decoder_) {
    for (const auto& [name, value] : decoder_->trailers()) {
      if (name == "x-amz-checksum-" + framing_.checksum_algorithm) expected = value;
    }
  }
  if (!expected.empty() && digests_.algorithm() != ChecksumAlgorithm::kNone &&
      expected != digests_.checksum()) {
    return S3Status(S3Error::kBadDigest,
                    "The " + std::string(ChecksumAlgorithmName(digests_.algorithm())) +
                        " you specified did not match the calculated checksum.");
  }
  UploadedBody body;
  body.size = digests_.size();
  body.md5 = digests_.md5();
  body.algorithm = digests_.algorithm();
  body.checksum = digests_.checksum();
  body.inline_body = std::move(buffer_);
  body.file = std::move(file_);
  return body;
}

PartRecord PartOf(uint32_t number, const UploadedBody& body, double mtime) {
  PartRecord part;
  part.part = number;
  part.size = body.size;
  part.etag = HexEncode(body.md5);
  part.mtime = mtime;
  part.checksum = body.checksum;
  part.file = body.file ? body.file->id() : 0;
  return part;
}

Result<UploadedBody> CopyRange(BodyStore& bodies, const ObjectRecord& source, uint64_t offset,
                               uint64_t length, ChecksumAlgorithm algorithm) {
  auto temp = bodies.CreateTemp();
  if (!temp.ok()) return temp.status();
  BodyDigests digests(algorithm);
  auto copy = [&](std::string_view piece) {
    digests.Update(piece);
    return (*temp)->Append(piece);
  };
  if (source.file == 0) {
    if (offset + length > source.body.size()) return Status::NotFound("the source changed");
    if (Status s = copy(std::string_view(source.body).substr(offset, length)); !s.ok()) return s;
  } else {
    auto from = bodies.OpenRange(source.file, offset, length);
    if (!from.ok()) return from.status();
    std::string buffer(1 << 20, '\0');
    for (uint64_t left = length; left > 0;) {
      int64_t n = (*from)->Read(buffer.data(), buffer.size());
      if (n <= 0) return Status::IoError("cannot read the copy source's body");
      if (Status s = copy(std::string_view(buffer.data(), static_cast<size_t>(n))); !s.ok()) {
        return s;
      }
      left -= static_cast<uint64_t>(n);
    }
  }
  digests.Finish();
  UploadedBody body;
  body.size = digests.size();
  body.md5 = digests.md5();
  body.algorithm = digests.algorithm();
  body.checksum = digests.checksum();
  body.file = std::move(*temp);
  return body;
}

}  // namespace tidepool::s3
