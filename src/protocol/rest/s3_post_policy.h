// S3 POST Object (browser form uploads): the form's authentication and its POST policy, checked
// as S3 checks them.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
//
// The policy is base64 of a JSON document:
//   {"expiration": "2030-01-01T00:00:00.000Z",            ISO 8601, UTC ('Z'), required
//    "conditions": [                                         required, a list of
//      {"field": "value"},                                   exact match, as ["eq", "$field", v]
//      ["eq", "$field", "value"],
//      ["starts-with", "$field", "prefix"],                 "" accepts any value; each item of
//                                                            a comma-separated Content-Type
//      ["content-length-range", min, max]]}                 the file's size, in bytes
// Field names compare case-insensitively; "$bucket" is the bucket posted to. Every field of the
// form (and the bucket) must be named by a condition, except policy, x-amz-signature,
// signature, AWSAccessKeyId, file and x-ignore-* fields.
//
// The signature covers the policy's base64 text: SigV4 (x-amz-algorithm, x-amz-credential,
// x-amz-date, x-amz-signature: hex HMAC-SHA256 with the scope's signing key) or SigV2
// (AWSAccessKeyId, signature: base64 HMAC-SHA1 with the secret). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/authenticator.h"
#include "protocol/service.h"

namespace tidepool::protocol::s3post {

// One field of the form, before the file, in form order: its name as sent and its value.
struct FormField {
  std::string name;
  std::string value;
};
using FormFields = std::vector<FormField>;

// The value of the field named `name` (lower case; names compare case-insensitively), the
// first one when repeated; nullptr when absent.
const std::string* FindField(const FormFields& fields, std::string_view name);

struct PolicyCondition {
  enum class Kind { kEq, kStartsWith, kContentLengthRange };
  Kind kind = Kind::kEq;
  std::string field;  // as written ("$key"); empty for a range
  std::string value;
  uint64_t min = 0, max = 0;  // a range's bounds
  std::string text;           // as S3 quotes it in errors: ["eq", "$key", "v"]
};

struct PostPolicy {
  int64_t expiration_seconds = 0;  // since the epoch
  std::vector<PolicyCondition> conditions;
};

// Decodes the `policy` field: InvalidPolicyDocument (400) when it is not base64 of a JSON
// object with a valid expiration and conditions.
std::variant<PostPolicy, AwsError> ParsePostPolicy(std::string_view base64);

// Checks the policy against the fields and the bucket at `now_seconds`: expiration, every
// condition but content-length-range, then fields no condition names (AccessDenied, 403).
std::optional<AwsError> CheckPostPolicy(const PostPolicy& policy, const FormFields& fields,
                                        std::string_view bucket, int64_t now_seconds);
// The policy's content-length-range conditions against the file's size: EntityTooSmall /
// EntityTooLarge (400).
std::optional<AwsError> CheckPostContentLength(const PostPolicy& policy, uint64_t size);
// The smallest maximum of the policy's ranges; nullopt without one.
std::optional<uint64_t> PostMaxContentLength(const PostPolicy& policy);

// Who signed the form. Missing fields give InvalidArgument ("Bucket POST must contain a field
// named ..."); a form without a policy or a signature is anonymous, which kStrict refuses
// (AccessDenied). In kAcceptAny, as for header-signed requests, the signature is not checked
// (a malformed credential still fails); kStrict checks the key (InvalidAccessKeyId), session
// token (InvalidToken, ExpiredToken) and signature (SignatureDoesNotMatch).
using KeyFinder = std::function<std::optional<AccessKey>(std::string_view access_key_id)>;
std::variant<AuthInfo, AwsError> AuthenticatePostForm(const FormFields& fields, AuthMode mode,
                                                      const KeyFinder& find_key,
                                                      int64_t now_seconds);

}  // namespace tidepool::protocol::s3post
