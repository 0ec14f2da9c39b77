// The digests S3 keeps for an object: MD5 (the ETag) and the additional checksums a client may
// ask for (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), computed over the bytes as they stream in.
// Values are reported as S3 does: the ETag as lowercase hex, checksums base64 of the
// big-endian digest. Not thread-safe; one per body.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tidepool::s3 {

enum class ChecksumAlgorithm { kNone, kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256 };

// "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256" (any case); nullopt otherwise.
std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);
// The model's spelling ("CRC32"...); "" for kNone.
std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm);
// The output member that carries it ("ChecksumCRC32"...); "" for kNone.
std::string_view ChecksumMember(ChecksumAlgorithm algorithm);

class BodyDigests {
 public:
  explicit BodyDigests(ChecksumAlgorithm algorithm);
  ~BodyDigests();
  BodyDigests(const BodyDigests&) = delete;
  BodyDigests& operator=(const BodyDigests&) = delete;

  void Update(std::string_view data);
  // Call once, after the last Update.
  void Finish();

  ChecksumAlgorithm algorithm() const { return algorithm_; }
  uint64_t size() const { return size_; }
  const std::string& md5() const { return md5_; }            // 16 raw bytes
  const std::string& checksum() const { return checksum_; }  // base64; "" for kNone

 private:
  ChecksumAlgorithm algorithm_;
  uint64_t size_ = 0;
  void* md5_ctx_ = nullptr;  // EVP_MD_CTX
  void* sha_ctx_ = nullptr;  // EVP_MD_CTX for SHA1 / SHA256
  uint32_t crc32_ = 0;
  uint64_t crc64_ = 0;
  std::string md5_;
  std::string checksum_;
};

// One-shot forms for small inputs (tests, multipart composites).
std::string ChecksumOf(ChecksumAlgorithm algorithm, std::string_view data);

}  // namespace tidepool::s3
