// The errors an execution raises, by the names the States Language gives them.
#pragma once

#include <string>
#include <string_view>

namespace tidepool::sfn::asl {

// An ASL error: its name ("States.TaskFailed", "SQS.QueueDoesNotExistException", a Fail
// state's Error...) and cause (free text, may be empty).
struct StatesError {
  std::string error;
  std::string cause;
};

namespace errors {
inline constexpr std::string_view kAll = "States.ALL";
inline constexpr std::string_view kTaskFailed = "States.TaskFailed";
inline constexpr std::string_view kTimeout = "States.Timeout";
inline constexpr std::string_view kHeartbeatTimeout = "States.HeartbeatTimeout";
inline constexpr std::string_view kRuntime = "States.Runtime";
inline constexpr std::string_view kDataLimitExceeded = "States.DataLimitExceeded";
inline constexpr std::string_view kResultPathMatchFailure = "States.ResultPathMatchFailure";
inline constexpr std::string_view kParameterPathFailure = "States.ParameterPathFailure";
inline constexpr std::string_view kBranchFailed = "States.BranchFailed";
inline constexpr std::string_view kNoChoiceMatched = "States.NoChoiceMatched";
inline constexpr std::string_view kIntrinsicFailure = "States.IntrinsicFailure";
inline constexpr std::string_view kPermissions = "States.Permissions";
inline constexpr std::string_view kQueryEvaluationError = "States.QueryEvaluationError";
}  // namespace errors

}  // namespace tidepool::sfn::asl
