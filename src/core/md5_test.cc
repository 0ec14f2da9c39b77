#include "core/md5.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <string>

#include "core/encoding.h"

namespace tidepool {
namespace {

std::string Hex(const Md5Digest& d) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

// OpenSSL's MD5, the reference.
std::string OpenSslMd5Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), out, &size, EVP_md5(), nullptr), 1);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(out), size));
}

TEST(Md5Test, Rfc1321TestSuite) {
  EXPECT_EQ(Hex(Md5Of("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Hex(Md5Of("a")), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(Hex(Md5Of("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Hex(Md5Of("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(Hex(Md5Of("abcdefghijklmnopqrstuvwxyz")), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(Hex(Md5Of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(Hex(Md5Of("1234567890123456789012345678901234567890123456789012345678901234567890"
                      "1234567890")),
            "57edf4a22be3c955ac49da2e2107b67a");
}

// Every length around the padding boundaries (55/56/63/64 bytes and their multiples) and
// random bytes, against OpenSSL.
TEST(Md5Test, MatchesOpenSslAtEveryLength) {
  std::mt19937 rng(11);
  std::string data;
  for (size_t size = 0; size <= 300; ++size) {
    ASSERT_EQ(Hex(Md5Of(data)), OpenSslMd5Hex(data)) << "size " << size;
    data.push_back(static_cast<char>(rng()));
  }
  std::string big(1 << 20, '\0');
  for (char& c : big) c = static_cast<char>(rng());
  EXPECT_EQ(Hex(Md5Of(big)), OpenSslMd5Hex(big));
}

}  // namespace
}  // namespace tidepool
