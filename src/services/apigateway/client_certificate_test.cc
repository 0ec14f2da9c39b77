#include "services/apigateway/client_certificate.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace tidepool::apigateway {
namespace {

template <typename T, auto Read, auto Free>
std::unique_ptr<T, decltype(Free)> FromPem(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  return {Read(bio.get(), nullptr, nullptr, nullptr), Free};
}

TEST(ClientCertificateTest, MakesASelfSignedCertificateForAYear) {
  const int64_t now = 1'700'000'000;
  auto made = GenerateSelfSignedCertificate("abc123", now);
  ASSERT_TRUE(made.ok()) << made.status().message();
  EXPECT_EQ(made->not_before, now);
  EXPECT_EQ(made->not_after, now + 365 * 86400);
  auto cert = FromPem<X509, &PEM_read_bio_X509, &X509_free>(made->certificate_pem);
  ASSERT_TRUE(cert);
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "abc123");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);
  // Signed by its own key, which is the key written beside it.
  auto key = FromPem<EVP_PKEY, &PEM_read_bio_PrivateKey, &EVP_PKEY_free>(made->private_key_pem);
  ASSERT_TRUE(key);
  EXPECT_EQ(X509_verify(cert.get(), key.get()), 1);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 2048);
}

}  // namespace
}  // namespace tidepool::apigateway
