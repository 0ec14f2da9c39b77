// The SQS service's errors: one enum, carried as Status::Service(SqsError, message), and ONE
// mapping from it to the AWS error code (the JSON protocol's __type, without the
// "com.amazonaws.sqs#" prefix), the HTTP status and the query-protocol code (also sent in the
// JSON protocol's x-amzn-query-error header as "<query code>;Sender"). The query codes and
// statuses are those of the awsQueryError traits in AWS's Smithy model of SQS. Statuses that
// are not service errors (I/O, corruption, unavailable...) become InternalFailure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "protocol/service.h"

namespace tidepool::sqs {

enum class SqsError : uint16_t {
  kQueueDoesNotExist = 1,
  kQueueDeletedRecently,
  kQueueNameExists,
  kInvalidAttributeName,
  kInvalidAttributeValue,
  kInvalidParameterValue,  // not in the model: AWS's generic errors (see ToAwsErrorCode)
  kMissingParameter,       // idem
  kInvalidMessageContents,
  kReceiptHandleIsInvalid,
  kMessageNotInflight,
  kPurgeQueueInProgress,
  kOverLimit,
  kEmptyBatchRequest,
  kTooManyEntriesInBatchRequest,
  kBatchEntryIdsNotDistinct,
  kInvalidBatchEntryId,
  kBatchRequestTooLong,
  kResourceNotFound,
  kUnsupportedOperation,
  kInvalidAddress,
  kInternalFailure,
};

struct AwsErrorCode {
  std::string_view code;        // JSON protocol code
  std::string_view query_code;  // query protocol code / x-amzn-query-error
  int http_status;
};

constexpr AwsErrorCode ToAwsErrorCode(SqsError e) {
  switch (e) {
    case SqsError::kQueueDoesNotExist:
      return {"QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400};
    case SqsError::kQueueDeletedRecently:
      return {"QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently", 400};
    case SqsError::kQueueNameExists:
      return {"QueueNameExists", "QueueAlreadyExists", 400};
    case SqsError::kInvalidAttributeName:
      return {"InvalidAttributeName", "InvalidAttributeName", 400};
    case SqsError::kInvalidAttributeValue:
      return {"InvalidAttributeValue", "InvalidAttributeValue", 400};
    // AWS's generic errors: over JSON their __type is the common error's shape name
    // (com.amazonaws.sqs#InvalidParameterValueException), the query code stays the one the
    // query protocol sends (x-amzn-query-error: InvalidParameterValue;Sender), which is the
    // code the SDKs show.
    case SqsError::kInvalidParameterValue:
      return {"InvalidParameterValueException", "InvalidParameterValue", 400};
    case SqsError::kMissingParameter:
      return {"MissingRequiredParameterException", "MissingParameter", 400};
    case SqsError::kInvalidMessageContents:
      return {"InvalidMessageContents", "InvalidMessageContents", 400};
    case SqsError::kReceiptHandleIsInvalid:
      return {"ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 404};
    case SqsError::kMessageNotInflight:
      return {"MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", 400};
    case SqsError::kPurgeQueueInProgress:
      return {"PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 403};
    case SqsError::kOverLimit:
      return {"OverLimit", "OverLimit", 403};
    case SqsError::kEmptyBatchRequest:
      return {"EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", 400};
    case SqsError::kTooManyEntriesInBatchRequest:
      return {"TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
              400};
    case SqsError::kBatchEntryIdsNotDistinct:
      return {"BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400};
    case SqsError::kInvalidBatchEntryId:
      return {"InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", 400};
    case SqsError::kBatchRequestTooLong:
      return {"BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", 400};
    case SqsError::kResourceNotFound:
      return {"ResourceNotFoundException", "ResourceNotFoundException", 404};
    case SqsError::kUnsupportedOperation:
      return {"UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", 400};
    case SqsError::kInvalidAddress:
      return {"InvalidAddress", "InvalidAddress", 404};
    case SqsError::kInternalFailure:
      return {"InternalFailure", "InternalFailure", 500};
  }
  return {"InternalFailure", "InternalFailure", 500};
}

inline Status SqsStatus(SqsError e, std::string message) {
  return Status::Service(e, std::move(message));
}

// The AwsError a failed Status becomes on the wire.
inline protocol::AwsError ToAwsError(const Status& status) {
  if (status.code() == StatusCode::kServiceError) {
    const AwsErrorCode c = ToAwsErrorCode(static_cast<SqsError>(status.detail()));
    return {std::string(c.code), status.message(), c.http_status, c.http_status < 500,
            std::string(c.query_code)};
  }
  return {"InternalFailure", status.ToString(), 500, false, "InternalFailure"};
}

}  // namespace tidepool::sqs
