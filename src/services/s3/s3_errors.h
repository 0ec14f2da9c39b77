// The S3 service's errors: one enum, carried as Status::Service(S3Error, message), and ONE
// mapping from it to S3's error code and HTTP status. Statuses that are not service errors
// become InternalError (500).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "protocol/service.h"

namespace tidepool::s3 {

enum class S3Error : uint16_t {
  kNoSuchBucket = 1,
  kNoSuchKey,
  kNoSuchUpload,
  kNoSuchVersion,
  kBucketAlreadyExists,
  kBucketAlreadyOwnedByYou,
  kBucketNotEmpty,
  kInvalidBucketName,
  kInvalidArgument,
  kInvalidRequest,
  kMalformedXml,
  kPreconditionFailed,
  kNotModified,
  kInvalidRange,
  kBadDigest,
  kInvalidDigest,
  kIncompleteBody,
  kEntityTooSmall,
  kEntityTooLarge,
  kInvalidPart,
  kInvalidPartOrder,
  kKeyTooLong,
  kInvalidLocationConstraint,
  kIllegalLocationConstraint,
  kNoSuchConfiguration,  // the code is in the message's owner: see ConfigMissing()
  kNotImplemented,
  kMethodNotAllowed,
  kInternalError,
  kInvalidPartNumber,
  kInvalidObjectState,
  kRestoreAlreadyInProgress,
  kAccessDenied,
  kInvalidPolicyDocument,
  kMalformedPostRequest,
  kUnexpectedContent,
  kMissingSecurityHeader,
};

struct AwsErrorCode {
  std::string_view code;
  int http_status;
};

constexpr AwsErrorCode ToAwsErrorCode(S3Error e) {
  switch (e) {
    case S3Error::kNoSuchBucket:
      return {"NoSuchBucket", 404};
    case S3Error::kNoSuchKey:
      return {"NoSuchKey", 404};
    case S3Error::kNoSuchUpload:
      return {"NoSuchUpload", 404};
    case S3Error::kNoSuchVersion:
      return {"NoSuchVersion", 404};
    case S3Error::kBucketAlreadyExists:
      return {"BucketAlreadyExists", 409};
    case S3Error::kBucketAlreadyOwnedByYou:
      return {"BucketAlreadyOwnedByYou", 409};
    case S3Error::kBucketNotEmpty:
      return {"BucketNotEmpty", 409};
    case S3Error::kInvalidBucketName:
      return {"InvalidBucketName", 400};
    case S3Error::kInvalidArgument:
      return {"InvalidArgument", 400};
    case S3Error::kInvalidRequest:
      return {"InvalidRequest", 400};
    case S3Error::kMalformedXml:
      return {"MalformedXML", 400};
    case S3Error::kPreconditionFailed:
      return {"PreconditionFailed", 412};
    case S3Error::kNotModified:
      return {"NotModified", 304};
    case S3Error::kInvalidRange:
      return {"InvalidRange", 416};
    case S3Error::kBadDigest:
      return {"BadDigest", 400};
    case S3Error::kInvalidDigest:
      return {"InvalidDigest", 400};
    case S3Error::kIncompleteBody:
      return {"IncompleteBody", 400};
    case S3Error::kEntityTooSmall:
      return {"EntityTooSmall", 400};
    case S3Error::kEntityTooLarge:
      return {"EntityTooLarge", 400};
    case S3Error::kInvalidPart:
      return {"InvalidPart", 400};
    case S3Error::kInvalidPartOrder:
      return {"InvalidPartOrder", 400};
    case S3Error::kKeyTooLong:
      return {"KeyTooLongError", 400};
    case S3Error::kInvalidLocationConstraint:
      return {"InvalidLocationConstraint", 400};
    case S3Error::kIllegalLocationConstraint:
      return {"IllegalLocationConstraintException", 400};
    case S3Error::kNoSuchConfiguration:
      return {"", 404};
    case S3Error::kNotImplemented:
      return {"NotImplemented", 501};
    case S3Error::kMethodNotAllowed:
      return {"MethodNotAllowed", 405};
    case S3Error::kInternalError:
      return {"InternalError", 500};
    case S3Error::kInvalidPartNumber:
      return {"InvalidPartNumber", 416};
    case S3Error::kInvalidObjectState:
      return {"InvalidObjectState", 403};
    case S3Error::kRestoreAlreadyInProgress:
      return {"RestoreAlreadyInProgress", 409};
    case S3Error::kAccessDenied:
      return {"AccessDenied", 403};
    case S3Error::kInvalidPolicyDocument:
      return {"InvalidPolicyDocument", 400};
    case S3Error::kMalformedPostRequest:
      return {"MalformedPOSTRequest", 400};
    case S3Error::kUnexpectedContent:
      return {"UnexpectedContent", 400};
    case S3Error::kMissingSecurityHeader:
      return {"MissingSecurityHeader", 400};
  }
  return {"InternalError", 500};
}

inline Status S3Status(S3Error e, std::string message) {
  return Status::Service(e, std::move(message));
}
// A missing subresource configuration: `code` (NoSuchCORSConfiguration...) travels at the
// head of the message as "code\n" and is split off by ToAwsError.
inline Status ConfigMissing(std::string_view code, std::string_view message) {
  return S3Status(S3Error::kNoSuchConfiguration, std::string(code) + "\n" + std::string(message));
}
inline Status NoSuchBucket() {
  return S3Status(S3Error::kNoSuchBucket, "The specified bucket does not exist");
}
inline Status NoSuchKey() {
  return S3Status(S3Error::kNoSuchKey, "The specified key does not exist.");
}
inline Status MalformedXml() {
  return S3Status(S3Error::kMalformedXml,
                  "The XML you provided was not well-formed or did not validate against our "
                  "published schema");
}
inline Status NotImplemented(std::string_view what) {
  return S3Status(S3Error::kNotImplemented,
                  std::string(what) + " is not implemented by tidepool (docs/differences.md)");
}

// The AwsError a failed Status becomes on the wire.
inline protocol::AwsError ToAwsError(const Status& status) {
  if (status.code() == StatusCode::kServiceError) {
    const auto e = static_cast<S3Error>(status.detail());
    const AwsErrorCode c = ToAwsErrorCode(e);
    if (e == S3Error::kNoSuchConfiguration) {
      const std::string& m = status.message();
      size_t nl = m.find('\n');
      return {m.substr(0, nl), nl == std::string::npos ? "" : m.substr(nl + 1), 404, true, {}};
    }
    return {std::string(c.code), status.message(), c.http_status, c.http_status < 500, {}};
  }
  return {"InternalError", status.ToString(), 500, false, {}};
}

}  // namespace tidepool::s3
