// Status: the outcome of an operation that can fail, carried by value (no exceptions on the
// request path). A Status is a generic StatusCode plus a message, and optionally a
// service-specific detail code: each service defines its own error enum, stores it as the
// detail, and maps it to AWS error codes in one place (its *_errors.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace tidepool {

enum class StatusCode : uint8_t {
  kOk = 0,
  kNotFound,
  kInvalidArgument,
  kAlreadyExists,
  kFailedPrecondition,
  kResourceExhausted,
  kUnavailable,
  kIoError,
  kCorruption,
  kInternal,
  kServiceError,  // detail() holds the service's own error enum value
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, uint16_t detail = 0)
      : code_(code), detail_(detail), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  // A service error: `e` is the service's own error enum (see e.g. kinesis_errors.h).
  template <typename E>
  static Status Service(E e, std::string m) {
    return {StatusCode::kServiceError, std::move(m), static_cast<uint16_t>(e)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  uint16_t detail() const { return detail_; }
  const std::string& message() const { return message_; }
  // "NotFound: stream x" style text, for logs and test failures.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  uint16_t detail_ = 0;
  std::string message_;
};

}  // namespace tidepool

// Propagate a non-OK Status from an expression returning Status.
#define TP_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::tidepool::Status tp_status_ = (expr);  \
    if (!tp_status_.ok()) return tp_status_; \
  } while (0)
