// The Kinesis service's errors: one enum, carried as Status::Service(KinesisError, message),
// and ONE mapping from it to the AWS error code and HTTP status (ToAwsError). Statuses that
// are not service errors (I/O, corruption, unavailable...) become InternalFailure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "protocol/service.h"

namespace tidepool::kinesis {

enum class KinesisError : uint16_t {
  kResourceNotFound = 1,
  kResourceInUse,
  kInvalidArgument,
  kLimitExceeded,
  kExpiredIterator,
  kExpiredNextToken,
  kProvisionedThroughputExceeded,
  kAccessDenied,
  kValidation,
  kInternalFailure,
};

struct AwsErrorCode {
  std::string_view code;
  int http_status;
};

constexpr AwsErrorCode ToAwsErrorCode(KinesisError e) {
  switch (e) {
    case KinesisError::kResourceNotFound:
      return {"ResourceNotFoundException", 400};
    case KinesisError::kResourceInUse:
      return {"ResourceInUseException", 400};
    case KinesisError::kInvalidArgument:
      return {"InvalidArgumentException", 400};
    case KinesisError::kLimitExceeded:
      return {"LimitExceededException", 400};
    case KinesisError::kExpiredIterator:
      return {"ExpiredIteratorException", 400};
    case KinesisError::kExpiredNextToken:
      return {"ExpiredNextTokenException", 400};
    case KinesisError::kProvisionedThroughputExceeded:
      return {"ProvisionedThroughputExceededException", 400};
    case KinesisError::kAccessDenied:
      return {"AccessDeniedException", 400};
    case KinesisError::kValidation:
      return {"ValidationException", 400};
    case KinesisError::kInternalFailure:
      return {"InternalFailure", 500};
  }
  return {"InternalFailure", 500};
}

inline Status KinesisStatus(KinesisError e, std::string message) {
  return Status::Service(e, std::move(message));
}

// The AwsError a failed Status becomes on the wire.
inline protocol::AwsError ToAwsError(const Status& status) {
  if (status.code() == StatusCode::kServiceError) {
    const AwsErrorCode c = ToAwsErrorCode(static_cast<KinesisError>(status.detail()));
    return {std::string(c.code), status.message(), c.http_status, c.http_status < 500, {}};
  }
  return {"InternalFailure", status.ToString(), 500, false, {}};
}

}  // namespace tidepool::kinesis
