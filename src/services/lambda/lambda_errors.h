// The Lambda service's errors: one enum, carried as Status::Service(LambdaError, message), and ONE
// mapping from it to the AWS error code and HTTP status (the "error" traits of the Lambda model).
// Statuses that are not service errors become ServiceException (500).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "protocol/service.h"

namespace tidepool::lambda {

enum class LambdaError : uint16_t {
  kResourceNotFound = 1,
  kResourceConflict,
  kInvalidParameterValue,
  kInvalidRequestContent,
  kRequestTooLarge,
  kTooManyRequests,
  kPreconditionFailed,
  kResourceInUse,
  kProvisionedConcurrencyConfigNotFound,
  kRecursiveInvocation,   // recursive loop detection stopped a synchronous invocation
  kUnsupportedOperation,  // an operation tidepool does not implement (yet)
  kServiceException,
  kCallbackTimeout,                 // a durable execution's callback is no longer waiting
  kDurableExecutionAlreadyStarted,  // DurableExecutionName taken with another payload
};

struct AwsErrorCode {
  std::string_view code;
  int http_status;
};

constexpr AwsErrorCode ToAwsErrorCode(LambdaError e) {
  switch (e) {
    case LambdaError::kResourceNotFound:
      return {"ResourceNotFoundException", 404};
    case LambdaError::kResourceConflict:
      return {"ResourceConflictException", 409};
    case LambdaError::kInvalidParameterValue:
      return {"InvalidParameterValueException", 400};
    case LambdaError::kInvalidRequestContent:
      return {"InvalidRequestContentException", 400};
    case LambdaError::kRequestTooLarge:
      return {"RequestTooLargeException", 413};
    case LambdaError::kTooManyRequests:
      return {"TooManyRequestsException", 429};
    case LambdaError::kPreconditionFailed:
      return {"PreconditionFailedException", 412};
    case LambdaError::kResourceInUse:
      return {"ResourceInUseException", 400};
    case LambdaError::kProvisionedConcurrencyConfigNotFound:
      return {"ProvisionedConcurrencyConfigNotFoundException", 404};
    case LambdaError::kRecursiveInvocation:
      return {"RecursiveInvocationException", 400};
    case LambdaError::kUnsupportedOperation:
      // Not in the model: botocore reports it as a ClientError with this code.
      return {"UnsupportedOperationException", 501};
    case LambdaError::kServiceException:
      return {"ServiceException", 500};
    case LambdaError::kCallbackTimeout:
      return {"CallbackTimeoutException", 400};
    case LambdaError::kDurableExecutionAlreadyStarted:
      return {"DurableExecutionAlreadyStartedException", 409};
  }
  return {"ServiceException", 500};
}

inline Status LambdaStatus(LambdaError e, std::string message) {
  return Status::Service(e, std::move(message));
}
inline Status NotFound(std::string message) {
  return LambdaStatus(LambdaError::kResourceNotFound, std::move(message));
}
inline Status Conflict(std::string message) {
  return LambdaStatus(LambdaError::kResourceConflict, std::move(message));
}
inline Status InvalidParameter(std::string message) {
  return LambdaStatus(LambdaError::kInvalidParameterValue, std::move(message));
}

// PreconditionFailed when `given` (an input's RevisionId) is set and is not `current`.
inline Status CheckRevisionId(std::string_view given, std::string_view current) {
  if (given.empty() || given == current) return Status::Ok();
  return LambdaStatus(LambdaError::kPreconditionFailed,
                      "The Revision Id provided does not match the latest Revision Id. Call the "
                      "GetFunction/GetAlias API to retrieve the latest Revision Id");
}

// The AwsError a failed Status becomes on the wire.
inline protocol::AwsError ToAwsError(const Status& status) {
  if (status.code() == StatusCode::kServiceError) {
    const AwsErrorCode c = ToAwsErrorCode(static_cast<LambdaError>(status.detail()));
    return {std::string(c.code), status.message(), c.http_status, c.http_status < 500, {}};
  }
  return {"ServiceException", status.ToString(), 500, false, {}};
}

}  // namespace tidepool::lambda
