#include "services/s3/checksums.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <array>

#include "core/encoding.h"

namespace tidepool::s3 {
namespace {

template <typename T, T kPoly>
struct ReflectedTable {
  std::array<T, 256> entries{};
  constexpr ReflectedTable() {
    for (unsigned i = 0; i < 256; ++i) {
      T c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
      entries[i] = c;
    }
  }
};

constexpr ReflectedTable<uint32_t, 0x82F63B78u> kCrc32c;
constexpr ReflectedTable<uint64_t, 0x9A6C9329AC4BC9B5ull> kCrc64Nvme;

uint32_t Crc32cUpdate(uint32_t crc, std::string_view data) {
  crc = ~crc;
  for (unsigned char b : data) crc = kCrc32c.entries[(crc ^ b) & 0xff] ^ (crc >> 8);
  return ~crc;
}

uint64_t Crc64Update(uint64_t crc, std::string_view data) {
  crc = ~crc;
  for (unsigned char b : data) crc = kCrc64Nvme.entries[(crc ^ b) & 0xff] ^ (crc >> 8);
  return ~crc;
}

template <typename T>
std::string BigEndian(T value) {
  std::string out(sizeof(T), '\0');
  for (size_t i = 0; i < sizeof(T); ++i) {
    out[i] = static_cast<char>(value >> (8 * (sizeof(T) - 1 - i)));
  }
  return out;
}

std::string FinishEvp(void* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx), digest, &n);
  return std::string(reinterpret_cast<char*>(digest), n);
}

}  // namespace

std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "CRC32") return ChecksumAlgorithm::kCrc32;
  if (upper == "CRC32C") return ChecksumAlgorithm::kCrc32c;
  if (upper == "CRC64NVME") return ChecksumAlgorithm::kCrc64Nvme;
  if (upper == "SHA1") return ChecksumAlgorithm::kSha1;
  if (upper == "SHA256") return ChecksumAlgorithm::kSha256;
  return std::nullopt;
}

std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
      return "CRC32";
    case ChecksumAlgorithm::kCrc32c:
      return "CRC32C";
    case ChecksumAlgorithm::kCrc64Nvme:
      return "CRC64NVME";
    case ChecksumAlgorithm::kSha1:
      return "SHA1";
    case ChecksumAlgorithm::kSha256:
      return "SHA256";
    case ChecksumAlgorithm::kNone:
      break;
  }
  return "";
}

std::string_view ChecksumMember(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
      return "ChecksumCRC32";
    case ChecksumAlgorithm::kCrc32c:
      return "ChecksumCRC32C";
    case ChecksumAlgorithm::kCrc64Nvme:
      return "ChecksumCRC64NVME";
    case ChecksumAlgorithm::kSha1:
      return "ChecksumSHA1";
    case ChecksumAlgorithm::kSha256:
      return "ChecksumSHA256";
    case ChecksumAlgorithm::kNone:
      break;
  }
  return "";
}

BodyDigests::BodyDigests(ChecksumAlgorithm algorithm) : algorithm_(algorithm) {
  EVP_MD_CTX* md5 = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md5, EVP_md5(), nullptr);
  md5_ctx_ = md5;
  if (algorithm == ChecksumAlgorithm::kSha1 || algorithm == ChecksumAlgorithm::kSha256) {
    EVP_MD_CTX* sha = EVP_MD_CTX_new();
    EVP_DigestInit_ex(sha, algorithm == ChecksumAlgorithm::kSha1 ? EVP_sha1() : EVP_sha256(),
                      nullptr);
    sha_ctx_ = sha;
  }
}

BodyDigests::~BodyDigests() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(md5_ctx_));
  if (sha_ctx_ != nullptr) EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(sha_ctx_));
}

void BodyDigests::Update(std::string_view data) {
  size_ += data.size();
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(md5_ctx_), data.data(), data.size());
  switch (algorithm_) {
    case ChecksumAlgorithm::kCrc32:
      crc32_ = static_cast<uint32_t>(
          crc32_z(crc32_, reinterpret_cast<const Bytef*>(data.data()), data.size()));
      break;
    case ChecksumAlgorithm::kCrc32c:
      crc32_ = Crc32cUpdate(crc32_, data);
      break;
    case ChecksumAlgorithm::kCrc64Nvme:
      crc64_ = Crc64Update(crc64_, data);
      break;
    case ChecksumAlgorithm::kSha1:
    case ChecksumAlgorithm::kSha256:
      EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(sha_ctx_), data.data(), data.size());
      break;
    case ChecksumAlgorithm::kNone:
      break;
  }
}

void BodyDigests::Finish() {
  md5_ = FinishEvp(md5_ctx_);
  switch (algorithm_) {
    case ChecksumAlgorithm::kCrc32:
    case ChecksumAlgorithm::kCrc32c:
      checksum_ = Base64Encode(BigEndian(crc32_));
      break;
    case ChecksumAlgorithm::kCrc64Nvme:
      checksum_ = Base64Encode(BigEndian(crc64_));
      break;
    case ChecksumAlgorithm::kSha1:
    case ChecksumAlgorithm::kSha256:
      checksum_ = Base64Encode(FinishEvp(sha_ctx_));
      break;
    case ChecksumAlgorithm::kNone:
      break;
  }
}

std::string ChecksumOf(ChecksumAlgorithm algorithm, std::string_view data) {
  BodyDigests digests(algorithm);
  digests.Update(data);
  digests.Finish();
  return digests.checksum();
}

}  // namespace tidepool::s3
