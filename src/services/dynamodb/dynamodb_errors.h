// The DynamoDB service's errors: one enum, carried as Status::Service(DynamoError, message),
// and ONE mapping from it to the AWS error code and HTTP status (ToAwsError). Statuses that
// are not service errors (I/O, corruption, unavailable...) become InternalServerError.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "protocol/service.h"

namespace tidepool::dynamodb {

enum class DynamoError : uint16_t {
  kValidation = 1,
  kResourceNotFound,
  kResourceInUse,
  kConditionalCheckFailed,
  kTransactionCanceled,
  kTransactionConflict,
  kIdempotentParameterMismatch,
  kLimitExceeded,
  kExpiredIterator,
  kTrimmedDataAccess,
  kUnknownOperation,
  kTableNotFound,
  kTableAlreadyExists,
  kBackupNotFound,
  kPointInTimeRecoveryUnavailable,
  kInvalidRestoreTime,
  kDuplicateItem,
  kInternal,
  kTransactionInProgress,
};

struct AwsErrorCode {
  std::string_view code;
  int http_status;
};

constexpr AwsErrorCode ToAwsErrorCode(DynamoError e) {
  switch (e) {
    case DynamoError::kValidation:
      return {"ValidationException", 400};
    case DynamoError::kResourceNotFound:
      return {"ResourceNotFoundException", 400};
    case DynamoError::kResourceInUse:
      return {"ResourceInUseException", 400};
    case DynamoError::kConditionalCheckFailed:
      return {"ConditionalCheckFailedException", 400};
    case DynamoError::kTransactionCanceled:
      return {"TransactionCanceledException", 400};
    case DynamoError::kTransactionConflict:
      return {"TransactionConflictException", 400};
    case DynamoError::kTransactionInProgress:
      return {"TransactionInProgressException", 400};
    case DynamoError::kIdempotentParameterMismatch:
      return {"IdempotentParameterMismatchException", 400};
    case DynamoError::kLimitExceeded:
      return {"LimitExceededException", 400};
    case DynamoError::kExpiredIterator:
      return {"ExpiredIteratorException", 400};
    case DynamoError::kTrimmedDataAccess:
      return {"TrimmedDataAccessException", 400};
    case DynamoError::kUnknownOperation:
      return {"UnknownOperationException", 400};
    case DynamoError::kTableNotFound:
      return {"TableNotFoundException", 400};
    case DynamoError::kTableAlreadyExists:
      return {"TableAlreadyExistsException", 400};
    case DynamoError::kBackupNotFound:
      return {"BackupNotFoundException", 400};
    case DynamoError::kPointInTimeRecoveryUnavailable:
      return {"PointInTimeRecoveryUnavailableException", 400};
    case DynamoError::kInvalidRestoreTime:
      return {"InvalidRestoreTimeException", 400};
    case DynamoError::kDuplicateItem:
      return {"DuplicateItemException", 400};
    case DynamoError::kInternal:
      return {"InternalServerError", 500};
  }
  return {"InternalServerError", 500};
}

inline Status DynamoStatus(DynamoError e, std::string message) {
  return Status::Service(e, std::move(message));
}
inline Status Invalid(std::string message) {
  return Status::Service(DynamoError::kValidation, std::move(message));
}
// "Requested resource not found", what item operations say about a missing table.
inline Status TableNotFound() {
  return Status::Service(DynamoError::kResourceNotFound, "Requested resource not found");
}

// What a single-item write of an item an ongoing TransactWriteItems includes gets; its
// message is also the CancellationReason's of a transaction that collides with one.
inline constexpr std::string_view kTransactionOngoing = "Transaction is ongoing for the item";
inline Status TransactionConflict() {
  return Status::Service(DynamoError::kTransactionConflict, std::string(kTransactionOngoing));
}

// The AwsError a failed Status becomes on the wire.
inline protocol::AwsError ToAwsError(const Status& status) {
  if (status.code() == StatusCode::kServiceError) {
    const AwsErrorCode c = ToAwsErrorCode(static_cast<DynamoError>(status.detail()));
    return {std::string(c.code), status.message(), c.http_status, c.http_status < 500, {}};
  }
  return {"InternalServerError", status.ToString(), 500, false, {}};
}

}  // namespace tidepool::dynamodb
