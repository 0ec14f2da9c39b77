// The errors of IAM and STS: one enum, carried as Status::Service(IamError, message), and ONE
// mapping from it to the AWS error code and HTTP status (from the "error" traits of the IAM
// and STS service models). Statuses that are not service errors become ServiceFailure (500).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "protocol/service.h"

namespace tidepool::iam {

enum class IamError : uint16_t {
  kNoSuchEntity = 1,
  kEntityAlreadyExists,
  kDeleteConflict,
  kLimitExceeded,
  kMalformedPolicyDocument,
  kInvalidInput,
  kValidationError,
  kUnmodifiableEntity,
  kPolicyNotAttachable,
  kInvalidAction,
  kInvalidIdentityToken,  // STS
  kAccessDenied,          // STS
  kServiceFailure,
};

struct AwsErrorCode {
  std::string_view code;
  int http_status;
};

constexpr AwsErrorCode ToAwsErrorCode(IamError e) {
  switch (e) {
    case IamError::kNoSuchEntity:
      return {"NoSuchEntity", 404};
    case IamError::kEntityAlreadyExists:
      return {"EntityAlreadyExists", 409};
    case IamError::kDeleteConflict:
      return {"DeleteConflict", 409};
    case IamError::kLimitExceeded:
      return {"LimitExceeded", 409};
    case IamError::kMalformedPolicyDocument:
      return {"MalformedPolicyDocument", 400};
    case IamError::kInvalidInput:
      return {"InvalidInput", 400};
    case IamError::kValidationError:
      return {"ValidationError", 400};
    case IamError::kUnmodifiableEntity:
      return {"UnmodifiableEntity", 400};
    case IamError::kPolicyNotAttachable:
      return {"PolicyNotAttachable", 400};
    case IamError::kInvalidAction:
      return {"InvalidAction", 400};
    case IamError::kInvalidIdentityToken:
      return {"InvalidIdentityToken", 400};
    case IamError::kAccessDenied:
      return {"AccessDenied", 403};
    case IamError::kServiceFailure:
      return {"ServiceFailure", 500};
  }
  return {"ServiceFailure", 500};
}

inline Status IamStatus(IamError e, std::string message) {
  return Status::Service(e, std::move(message));
}
inline Status NoSuchEntity(std::string message) {
  return IamStatus(IamError::kNoSuchEntity, std::move(message));
}

// The AwsError a failed Status becomes on the wire.
inline protocol::AwsError ToAwsError(const Status& status) {
  if (status.code() == StatusCode::kServiceError) {
    const AwsErrorCode c = ToAwsErrorCode(static_cast<IamError>(status.detail()));
    return {std::string(c.code), status.message(), c.http_status, c.http_status < 500, {}};
  }
  return {"ServiceFailure", status.ToString(), 500, false, {}};
}

}  // namespace tidepool::iam
