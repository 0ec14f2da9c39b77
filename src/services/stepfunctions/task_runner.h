// The narrow interfaces the Step Functions service needs from the rest of the process:
// something that runs a Task's Resource (bound by src/main/serve.cc to the local services)
// and something that fires timers.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "services/stepfunctions/asl/execution.h"

namespace tidepool::sfn {

struct TaskRequest {
  std::string resource;      // the Task's Resource without a ".waitForTaskToken" suffix
  boost::json::value input;  // the effective parameters
  std::string task_token;    // for .waitForTaskToken (the caller passes it on in Parameters)
  std::string account_id;    // of the execution
  std::string region;
  std::string execution_arn;  // the execution that runs the Task
  // The Task's attempt, unique within the execution and the same when a restart runs the
  // attempt again ("<frame>.<epoch>"): what makes a job the Task starts idempotent.
  std::string attempt_id;
  // For a .sync resource: called once the job started, with the start call's reply (records
  // TaskSubmitted); `done` follows when the job ends. Safe to call from any thread.
  std::function<void(boost::json::value)> submitted;
};

// Runs Task resources. Run must not block; `done` may run on any thread, exactly once.
// A resource the runner cannot reach completes with an error (never silently succeeds).
class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  virtual void Run(TaskRequest request, std::function<void(asl::TaskResult)> done) = 0;
  // TestState's mock.fieldValidationMode: checks a mocked `result` of `resource` against its
  // operation's output shape (the Task result's PascalCase member names); `strict` (STRICT)
  // also requires the required members, otherwise (PRESENT) only present members are checked.
  // The ValidationException message when it does not conform; nullopt when it does or when
  // the resource has no output shape to check against.
  virtual std::optional<std::string> CheckMockResult(std::string_view resource,
                                                     const boost::json::value& result,
                                                     bool strict) const {
    (void)resource, (void)result, (void)strict;
    return std::nullopt;
  }
};

// S3 objects for a Distributed Map's ItemReader and ResultWriter (bound by src/main/serve.cc
// to the S3 service of this process). Thread-safe; `done` runs exactly once, on any thread,
// never inline. A failure's Status message is the S3 error as "<Code>: <message>".
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual void Get(const std::string& account, const std::string& region, const std::string& bucket,
                   const std::string& key, std::function<void(Result<std::string>)> done) = 0;
  // Every object under `prefix` (all pages), each as a Distributed Map item:
  // {"Etag", "Key", "LastModified" (epoch seconds), "Size", "StorageClass"}.
  virtual void List(const std::string& account, const std::string& region,
                    const std::string& bucket, const std::string& prefix,
                    std::function<void(Result<boost::json::array>)> done) = 0;
  virtual void Put(const std::string& account, const std::string& region, const std::string& bucket,
                   const std::string& key, std::string body, std::function<void(Status)> done) = 0;
};

// Fires callbacks at wall-clock deadlines (microseconds on the service's Clock).
// Thread-safe; callbacks run on any thread, never inline in At().
class TimerService {
 public:
  virtual ~TimerService() = default;
  virtual void At(int64_t deadline_micros, std::function<void()> fn) = 0;
};

}  // namespace tidepool::sfn
