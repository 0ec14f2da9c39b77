// Client certificates (GenerateClientCertificate): a self-signed X.509 certificate that a
// stage presents to its HTTP backends, made with OpenSSL as API Gateway makes them: an RSA
// 2048-bit key, SHA-256 signature, valid 365 days from its creation.
//
// Thread-safety: a pure function of its arguments (OpenSSL's RNG is thread-safe).
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace tidepool::apigateway {

inline constexpr int64_t kClientCertificateDays = 365;

struct GeneratedCertificate {
  std::string certificate_pem;  // "-----BEGIN CERTIFICATE-----..."
  std::string private_key_pem;  // PKCS#8, unencrypted
  int64_t not_before = 0;       // seconds since the epoch
  int64_t not_after = 0;
};

// A new certificate whose subject and issuer are CN=`common_name` (the certificate's id),
// valid from `now_seconds` for kClientCertificateDays. Internal when OpenSSL fails.
Result<GeneratedCertificate> GenerateSelfSignedCertificate(const std::string& common_name,
                                                           int64_t now_seconds);

}  // namespace tidepool::apigateway
