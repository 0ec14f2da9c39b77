// The API Gateway management API's errors: one enum, carried as Status::Service(ApiGatewayError,
// message), and ONE mapping from it to the AWS error code and HTTP status (the model's error
// shapes). Statuses that are not service errors become 500s. Invoke-time errors (403
// Forbidden, 429, 502...) are not these: gateway.h writes them as API Gateway does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "protocol/service.h"

namespace tidepool::apigateway {

enum class ApiGatewayError : uint16_t {
  kNotFound = 1,
  kBadRequest,
  kConflict,
  kLimitExceeded,
  kTooManyRequests,
  kUnauthorized,
  kServiceUnavailable,
};

struct AwsErrorCode {
  std::string_view code;
  int http_status;
};

constexpr AwsErrorCode ToAwsErrorCode(ApiGatewayError e) {
  switch (e) {
    case ApiGatewayError::kNotFound:
      return {"NotFoundException", 404};
    case ApiGatewayError::kBadRequest:
      return {"BadRequestException", 400};
    case ApiGatewayError::kConflict:
      return {"ConflictException", 409};
    case ApiGatewayError::kLimitExceeded:
      return {"LimitExceededException", 429};
    case ApiGatewayError::kTooManyRequests:
      return {"TooManyRequestsException", 429};
    case ApiGatewayError::kUnauthorized:
      return {"UnauthorizedException", 401};
    case ApiGatewayError::kServiceUnavailable:
      return {"ServiceUnavailableException", 503};
  }
  return {"ServiceUnavailableException", 503};
}

inline Status NotFound(std::string message) {
  return Status::Service(ApiGatewayError::kNotFound, std::move(message));
}
inline Status BadRequest(std::string message) {
  return Status::Service(ApiGatewayError::kBadRequest, std::move(message));
}
inline Status Conflict(std::string message) {
  return Status::Service(ApiGatewayError::kConflict, std::move(message));
}

// The AwsError a failed Status becomes on the wire.
inline protocol::AwsError ToAwsError(const Status& status) {
  if (status.code() == StatusCode::kServiceError) {
    const AwsErrorCode c = ToAwsErrorCode(static_cast<ApiGatewayError>(status.detail()));
    return {std::string(c.code), status.message(), c.http_status, c.http_status < 500, {}};
  }
  return {"ServiceUnavailableException", status.ToString(), 503, false, {}};
}

}  // namespace tidepool::apigateway
