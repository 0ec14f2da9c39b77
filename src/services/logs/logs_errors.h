// The CloudWatch Logs service's errors: one enum, carried as Status::Service(LogsError, message),
// and ONE mapping to the AWS error code (ToAwsError). Other statuses become
// ServiceUnavailableException (what Logs answers for its own faults).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "protocol/service.h"

namespace tidepool::logs {

enum class LogsError : uint16_t {
  kResourceNotFound = 1,
  kResourceAlreadyExists,
  kInvalidParameter,
  kLimitExceeded,
  kTooManyTags,
  kValidation,
  kUnsupportedOperation,
};

constexpr std::string_view ToAwsErrorCode(LogsError e) {
  switch (e) {
    case LogsError::kResourceNotFound:
      return "ResourceNotFoundException";
    case LogsError::kResourceAlreadyExists:
      return "ResourceAlreadyExistsException";
    case LogsError::kInvalidParameter:
      return "InvalidParameterException";
    case LogsError::kLimitExceeded:
      return "LimitExceededException";
    case LogsError::kTooManyTags:
      return "TooManyTagsException";
    case LogsError::kValidation:
      return "ValidationException";
    case LogsError::kUnsupportedOperation:
      return "UnsupportedOperationException";
  }
  return "ServiceUnavailableException";
}

inline Status LogsStatus(LogsError e, std::string message) {
  return Status::Service(e, std::move(message));
}

inline Status InvalidParameter(std::string message) {
  return LogsStatus(LogsError::kInvalidParameter, std::move(message));
}

inline protocol::AwsError ToAwsError(const Status& status) {
  if (status.code() == StatusCode::kServiceError) {
    return {std::string(ToAwsErrorCode(static_cast<LogsError>(status.detail()))),
            status.message(),
            400,
            true,
            {}};
  }
  if (status.code() == StatusCode::kInvalidArgument) {
    return {"InvalidParameterException", status.message(), 400, true, {}};
  }
  return {"ServiceUnavailableException", status.ToString(), 500, false, {}};
}

}  // namespace tidepool::logs
