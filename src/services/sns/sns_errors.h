// The SNS service's errors: one enum, carried as Status::Service(SnsError, message), and ONE
// mapping from it to the AWS error code and HTTP status (from the "error" traits of the SNS
// service model). Statuses that are not service errors become InternalError (500).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "protocol/service.h"

namespace tidepool::sns {

enum class SnsError : uint16_t {
  kInvalidParameter = 1,
  kInvalidParameterValue,  // wire code "ParameterValueInvalid"
  kNotFound,
  kResourceNotFound,
  kAuthorizationError,
  kTagLimitExceeded,
  kEmptyBatchRequest,
  kTooManyEntriesInBatchRequest,
  kBatchEntryIdsNotDistinct,
  kInvalidBatchEntryId,
  kBatchRequestTooLong,
  kFilterPolicyLimitExceeded,
  kSubscriptionLimitExceeded,
  kTopicLimitExceeded,
  kValidationError,
  kInvalidAction,
  kInternalError,
};

struct AwsErrorCode {
  std::string_view code;
  int http_status;
};

constexpr AwsErrorCode ToAwsErrorCode(SnsError e) {
  switch (e) {
    case SnsError::kInvalidParameter:
      return {"InvalidParameter", 400};
    case SnsError::kInvalidParameterValue:
      return {"ParameterValueInvalid", 400};
    case SnsError::kNotFound:
      return {"NotFound", 404};
    case SnsError::kResourceNotFound:
      return {"ResourceNotFound", 404};
    case SnsError::kAuthorizationError:
      return {"AuthorizationError", 403};
    case SnsError::kTagLimitExceeded:
      return {"TagLimitExceeded", 400};
    case SnsError::kEmptyBatchRequest:
      return {"EmptyBatchRequest", 400};
    case SnsError::kTooManyEntriesInBatchRequest:
      return {"TooManyEntriesInBatchRequest", 400};
    case SnsError::kBatchEntryIdsNotDistinct:
      return {"BatchEntryIdsNotDistinct", 400};
    case SnsError::kInvalidBatchEntryId:
      return {"InvalidBatchEntryId", 400};
    case SnsError::kBatchRequestTooLong:
      return {"BatchRequestTooLong", 400};
    case SnsError::kFilterPolicyLimitExceeded:
      return {"FilterPolicyLimitExceeded", 403};
    case SnsError::kSubscriptionLimitExceeded:
      return {"SubscriptionLimitExceeded", 403};
    case SnsError::kTopicLimitExceeded:
      return {"TopicLimitExceeded", 403};
    case SnsError::kValidationError:
      return {"ValidationError", 400};
    case SnsError::kInvalidAction:
      return {"InvalidAction", 400};
    case SnsError::kInternalError:
      return {"InternalError", 500};
  }
  return {"InternalError", 500};
}

inline Status SnsStatus(SnsError e, std::string message) {
  return Status::Service(e, std::move(message));
}
inline Status InvalidParameter(std::string message) {
  return SnsStatus(SnsError::kInvalidParameter, std::move(message));
}

// The AwsError a failed Status becomes on the wire.
inline protocol::AwsError ToAwsError(const Status& status) {
  if (status.code() == StatusCode::kServiceError) {
    const AwsErrorCode c = ToAwsErrorCode(static_cast<SnsError>(status.detail()));
    return {std::string(c.code), status.message(), c.http_status, c.http_status < 500, {}};
  }
  return {"InternalError", status.ToString(), 500, false, {}};
}

}  // namespace tidepool::sns
