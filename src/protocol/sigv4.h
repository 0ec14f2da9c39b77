// AWS Signature Version 4: parsing (header and presigned-URL forms), verification, signing.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace tidepool::protocol::sigv4 {

// The parts of a SigV4 signature, from either form.
struct Authorization {
  std::string access_key_id;
  std::string date;                         // credential scope date, YYYYMMDD
  std::string region;                       // credential scope region
  std::string service;                      // credential scope service
  std::vector<std::string> signed_headers;  // lower-case, as listed
  std::string signature;                    // lower-case hex
  std::string amz_date;  // X-Amz-Date (ISO 8601 basic, 20130524T000000Z); from header or query
  int64_t expires_seconds = 0;  // presigned form only (X-Amz-Expires)
  bool presigned = false;
};

// Parses an Authorization header value:
//   "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,
//    SignedHeaders=host;x-amz-date, Signature=<64 hex>"
// Failures are InvalidArgument with a message fit for AWS's IncompleteSignature /
// InvalidSignatureException replies. Never reads past `value`.
// kScopeOnly (enough to learn account and region, e.g. when signatures are not checked)
// validates the same but leaves `signed_headers` and `signature` empty, which saves their copies.
enum class AuthorizationParts { kAll, kScopeOnly };
Result<Authorization> ParseAuthorizationHeader(std::string_view value,
                                               AuthorizationParts parts = AuthorizationParts::kAll);

// Parses the presigned form from a decoded query string's parameters
// (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
// X-Amz-Signature).
Result<Authorization> ParsePresignedQuery(
    const std::vector<std::pair<std::string, std::string>>& query_params);

// What is signed: the request as the client sent it.
struct CanonicalInput {
  std::string_view method;
  std::string_view path;   // raw (still percent-encoded) path, e.g. "/" or "/my%20key"
  std::string_view query;  // raw query string without '?', may be empty
  // Header names in any case; values as received.
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  // Hex SHA-256 of the body, or "UNSIGNED-PAYLOAD" (x-amz-content-sha256 when present).
  std::string payload_hash;
  bool s3 = false;  // S3 does not double-encode the path
};

// The signature (lower-case hex) of `input` with `secret_key` under `auth`'s scope/date.
std::string ComputeSignature(const CanonicalInput& input, const Authorization& auth,
                             std::string_view secret_key);

// The signing key (raw 32 bytes) for `auth`'s date, region and service: HMAC chain from
// "AWS4" + secret. aws-chunked chunk signatures (chunk_signature.h) are made with it.
std::string DeriveSigningKey(std::string_view secret_key, const Authorization& auth);

// Signs a request for a client (the load generator, tests): returns the headers to add
// ("Authorization", "X-Amz-Date", and "X-Amz-Content-Sha256" if `add_content_sha` ).
// `amz_date` is ISO 8601 basic (20130524T000000Z); the headers in `input.headers` are signed.
std::vector<std::pair<std::string, std::string>> SignRequest(
    const CanonicalInput& input, std::string_view access_key_id, std::string_view secret_key,
    std::string_view region, std::string_view service, std::string_view amz_date,
    bool add_content_sha = false);

}  // namespace tidepool::protocol::sigv4
