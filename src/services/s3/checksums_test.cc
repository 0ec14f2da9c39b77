#include "services/s3/checksums.h"

#include <gtest/gtest.h>

#include "core/encoding.h"

namespace tidepool::s3 {
namespace {

// The check values of each algorithm over "123456789" (CRC catalogue; NVMe spec for CRC64).
std::string Be(uint64_t v, int bytes) {
  std::string out;
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
  return Base64Encode(out);
}

TEST(ChecksumsTest, CheckValues) {
  EXPECT_EQ(ChecksumOf(ChecksumAlgorithm::kCrc32, "123456789"), Be(0xCBF43926, 4));
  EXPECT_EQ(ChecksumOf(ChecksumAlgorithm::kCrc32c, "123456789"), Be(0xE3069283, 4));
  EXPECT_EQ(ChecksumOf(ChecksumAlgorithm::kCrc64Nvme, "123456789"), Be(0xAE8B14860A799888ULL, 8));
  EXPECT_EQ(ChecksumOf(ChecksumAlgorithm::kSha256, ""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(ChecksumOf(ChecksumAlgorithm::kSha1, ""), "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
}

TEST(ChecksumsTest, PiecesEqualWhole) {
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  for (auto alg :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme,
        ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256}) {
    BodyDigests d(alg);
    for (size_t i = 0; i < data.size(); i += 333) d.Update(std::string_view(data).substr(i, 333));
    d.Finish();
    EXPECT_EQ(d.checksum(), ChecksumOf(alg, data)) << ChecksumAlgorithmName(alg);
    EXPECT_EQ(d.md5(), Md5(data));
    EXPECT_EQ(d.size(), data.size());
  }
}

TEST(ChecksumsTest, Names) {
  EXPECT_EQ(ParseChecksumAlgorithm("crc64nvme"), ChecksumAlgorithm::kCrc64Nvme);
  EXPECT_FALSE(ParseChecksumAlgorithm("md5"));
  EXPECT_EQ(ChecksumMember(ChecksumAlgorithm::kCrc32c), "ChecksumCRC32C");
}

}  // namespace
}  // namespace tidepool::s3
