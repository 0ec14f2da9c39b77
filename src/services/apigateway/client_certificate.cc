#include "services/apigateway/client_certificate.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

namespace tidepool::apigateway {

namespace {

template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, decltype([](T* p) { Free(p); })>;

std::string Drain(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : std::string();
}

}  // namespace

Result<GeneratedCertificate> GenerateSelfSignedCertificate(const std::string& common_name,
                                                           int64_t now_seconds) {
  auto failed = [](const char* step) {
    return Status::Internal(std::string("client certificate: OpenSSL cannot ") + step);
  };
  Owned<EVP_PKEY, EVP_PKEY_free> key(EVP_RSA_gen(2048));
  if (!key) return failed("make an RSA key");
  Owned<X509, X509_free> cert(X509_new());
  if (!cert) return failed("make a certificate");
  GeneratedCertificate out;
  out.not_before = now_seconds;
  out.not_after = now_seconds + kClientCertificateDays * 86400;
  // A random 64-bit serial number (positive).
  Owned<BIGNUM, BN_free> serial(BN_new());
  Owned<ASN1_INTEGER, ASN1_INTEGER_free> serial_asn1(ASN1_INTEGER_new());
  if (!serial || !serial_asn1 ||
      BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), serial_asn1.get()) == nullptr) {
    return failed("make a serial number");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(common_name.c_str());
  if (X509_set_version(cert.get(), 2) != 1 ||
      X509_set_serialNumber(cert.get(), serial_asn1.get()) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(out.not_before)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(out.not_after)) ==
          nullptr ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1 ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return failed("sign the certificate");
  }
  Owned<BIO, BIO_free_all> cert_bio(BIO_new(BIO_s_mem()));
  Owned<BIO, BIO_free_all> key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1) {
    return failed("write PEM");
  }
  out.certificate_pem = Drain(cert_bio.get());
  out.private_key_pem = Drain(key_bio.get());
  return out;
}

}  // namespace tidepool::apigateway
