// Request authentication: SigV4 (header and presigned forms) and S3's SigV2 (query and header
// forms) checked the way AWS does, in one of two modes, plus the credentials file that feeds the
// strict mode. Thread-safety: an Authenticator is immutable after construction; Authenticate is
// safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "protocol/chunk_signature.h"
#include "protocol/http/responder.h"
#include "protocol/service.h"
#include "protocol/sigv2.h"

namespace tidepool::protocol {

enum class AuthMode {
  // Unsigned requests and requests signed with any key pass (the signature is not checked); a
  // malformed Authorization header or presigned query still fails as on AWS.
  kAcceptAny,
  // Every request must be signed, by a known key, within the clock-skew window, with a correct
  // signature.
  kStrict,
};

struct AccessKey {
  std::string secret_key;
  std::string account_id;  // 12 digits
  // Temporary credentials (STS): the session token a request must carry
  // (X-Amz-Security-Token) and when they expire (micros since the epoch). Empty / 0 for
  // long-term keys.
  std::string session_token = {};
  int64_t expires_micros = 0;
};
// access key id -> secret and account
using CredentialMap = std::unordered_map<std::string, AccessKey>;
// Keys issued while serving (IAM access keys, STS credentials), consulted for a key the
// CredentialMap does not hold. Called on io threads for signed requests: must be cheap and
// thread-safe.
using CredentialLookup = std::function<std::optional<AccessKey>(std::string_view access_key_id)>;

// Reads an INI file shaped like ~/.aws/credentials into `out` (added to what it holds):
//
//   # comment            ; comment
//   [any-section-name]           one section per access key
//   aws_access_key_id = AKIAEXAMPLE
//   aws_secret_access_key = secret
//   account_id = 123456789012    optional; default 000000000000
//
// Keys are case-insensitive, values are trimmed, other keys are ignored. InvalidArgument (with
// the line number) for a section missing its key id or secret, a malformed line, or an account
// id that is not 12 digits; IoError when the file cannot be read.
Status LoadCredentialsFile(const std::string& path, CredentialMap* out);

// Who signed a request, when it passed.
struct AuthInfo {
  bool signed_request = false;
  std::string access_key_id;
  std::string account_id;  // empty when the key does not determine one
  std::string region;      // credential scope region; empty when unsigned
  std::string service;     // credential scope service; empty when unsigned
  // Strict mode, a signed aws-chunked body (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]):
  // what its chunk signatures chain from. The request is authentic only once a
  // ChunkSignatureVerifier built from it has verified the whole body.
  std::optional<StreamingSeed> streaming;
};

class Authenticator {
 public:
  // `lookup` (may be empty) finds keys that are not in `credentials`: their account is the
  // request's in both modes, and in strict mode their signature, session token and expiry
  // are checked.
  Authenticator(AuthMode mode, CredentialMap credentials, const Clock* clock,
                int64_t max_skew_seconds = 900, CredentialLookup lookup = {});

  // `path`/`query`: the request target split at '?', both still percent-encoded. `s3`: S3
  // canonicalisation rules. Errors carry AWS's codes and texts; their HTTP status is 400 for the
  // JSON protocols (as AWS's JSON services answer) and 403 (400 for IncompleteSignature)
  // otherwise.
  std::variant<AuthInfo, AwsError> Authenticate(const http::HttpRequest& request,
                                                std::string_view path, std::string_view query,
                                                bool json_protocol, bool s3) const;

  AuthMode mode() const { return mode_; }

 private:
  // The key `access_key_id` names: from the credentials, else from the lookup (held in
  // `*issued`); nullptr when neither knows it.
  const AccessKey* FindKey(const std::string& access_key_id,
                           std::optional<AccessKey>* issued) const;
  // S3's SigV2 (sigv2.h), query or header form: in strict mode the key, the time (Expires;
  // the Date / x-amz-date header within the clock-skew window) and the signature are checked;
  // `malformed`: the query form's Expires is missing or not a number.
  std::variant<AuthInfo, AwsError> AuthenticateSigV2(
      const http::HttpRequest& request, std::string_view path,
      const std::vector<std::pair<std::string, std::string>>& params, const sigv2::QueryAuth& auth,
      bool malformed, bool header_form) const;

  AuthMode mode_;
  CredentialMap credentials_;
  const Clock* clock_;
  int64_t max_skew_seconds_;
  CredentialLookup lookup_;
};

}  // namespace tidepool::protocol
