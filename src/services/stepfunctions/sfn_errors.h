// The Step Functions service's errors: one enum, carried as Status::Service(SfnError, message),
// and ONE mapping to the AWS error code (ToAwsError). Other statuses become InternalFailure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "protocol/service.h"

namespace tidepool::sfn {

enum class SfnError : uint16_t {
  kInvalidArn = 1,
  kInvalidName,
  kInvalidDefinition,
  kInvalidExecutionInput,
  kInvalidOutput,
  kInvalidToken,
  kStateMachineAlreadyExists,
  kStateMachineDoesNotExist,
  kStateMachineTypeNotSupported,
  kExecutionDoesNotExist,
  kExecutionAlreadyExists,
  kActivityDoesNotExist,
  kTaskDoesNotExist,
  kTaskTimedOut,
  kResourceNotFound,
  kTooManyTags,
  kValidation,
  kUnsupportedOperation,
  kConflict,
  kServiceQuotaExceeded,
  kExecutionNotRedrivable,
};

constexpr std::string_view ToAwsErrorCode(SfnError e) {
  switch (e) {
    case SfnError::kInvalidArn:
      return "InvalidArn";
    case SfnError::kInvalidName:
      return "InvalidName";
    case SfnError::kInvalidDefinition:
      return "InvalidDefinition";
    case SfnError::kInvalidExecutionInput:
      return "InvalidExecutionInput";
    case SfnError::kInvalidOutput:
      return "InvalidOutput";
    case SfnError::kInvalidToken:
      return "InvalidToken";
    case SfnError::kStateMachineAlreadyExists:
      return "StateMachineAlreadyExists";
    case SfnError::kStateMachineDoesNotExist:
      return "StateMachineDoesNotExist";
    case SfnError::kStateMachineTypeNotSupported:
      return "StateMachineTypeNotSupported";
    case SfnError::kExecutionDoesNotExist:
      return "ExecutionDoesNotExist";
    case SfnError::kExecutionAlreadyExists:
      return "ExecutionAlreadyExists";
    case SfnError::kActivityDoesNotExist:
      return "ActivityDoesNotExist";
    case SfnError::kTaskDoesNotExist:
      return "TaskDoesNotExist";
    case SfnError::kTaskTimedOut:
      return "TaskTimedOut";
    case SfnError::kResourceNotFound:
      return "ResourceNotFound";
    case SfnError::kTooManyTags:
      return "TooManyTags";
    case SfnError::kValidation:
      return "ValidationException";
    case SfnError::kUnsupportedOperation:
      return "UnsupportedOperationException";
    case SfnError::kConflict:
      return "ConflictException";
    case SfnError::kServiceQuotaExceeded:
      return "ServiceQuotaExceededException";
    case SfnError::kExecutionNotRedrivable:
      return "ExecutionNotRedrivable";
  }
  return "InternalFailure";
}

inline Status SfnStatus(SfnError e, std::string message) {
  return Status::Service(e, std::move(message));
}

inline protocol::AwsError ToAwsError(const Status& status) {
  if (status.code() == StatusCode::kServiceError) {
    return {std::string(ToAwsErrorCode(static_cast<SfnError>(status.detail()))),
            status.message(),
            400,
            true,
            {}};
  }
  return {"InternalFailure", status.ToString(), 500, false, {}};
}

}  // namespace tidepool::sfn
