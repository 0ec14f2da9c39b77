// The one in-process invoke path of tidepool: the Lambda API's Invoke, and later event source
// mappings, SNS subscriptions, S3 notifications, Step Functions tasks and API Gateway, all hand
// a FunctionSpec and an Invocation to an Invoker and get one InvokeOutcome back.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidepool::functions {

// What a sandbox needs to run one version of a function. Immutable once shared.
struct FunctionSpec {
  std::string function_name;  // "my-fn"
  std::string function_arn;   // unqualified ARN
  std::string version;        // "$LATEST" or "3"
  std::string runtime;        // "python3.12", "nodejs20.x", "provided.al2023"
  std::string handler;        // "app.handler" (unused by provided runtimes)
  std::string code_dir;       // the function's code, extracted, or a hot-reload directory
  // The function's layers, extracted, in configuration order (AWS's /opt, where a later layer
  // wins): put on the runtime's search paths.
  std::vector<std::string> layer_dirs;
  // Sandboxes started for another revision (older code or configuration) are not reused.
  std::string revision;
  int timeout_seconds = 3;
  int memory_mb = 128;
  int reserved_concurrency = -1;  // -1: none (the pool-wide cap applies)
  // A published version's MaxExecutionEnvironments (Lambda Managed Instances); -1: none.
  int max_environments = -1;
  std::string account_id;
  std::string region;
  std::vector<std::pair<std::string, std::string>> environment;  // the user's variables
};
using FunctionSpecPtr = std::shared_ptr<const FunctionSpec>;

// Takes a response the function streams (a Node handler wrapped in
// awslambda.streamifyResponse, a runtime that posts its response with
// `Lambda-Runtime-Function-Response-Mode: streaming`) as it arrives. Calls come in order from
// one thread at a time, all before the invocation's `done`; Begin comes once, before any Write.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // The response starts; `content_type` is the runtime's (application/octet-stream by default).
  virtual void Begin(std::string_view content_type) = 0;
  virtual void Write(std::string_view bytes) = 0;
};

struct Invocation {
  std::string payload;
  std::string request_id;      // Lambda-Runtime-Aws-Request-Id; generated when empty
  std::string invoked_arn;     // the ARN the caller used (qualified when it was)
  std::string client_context;  // base64 JSON, as the X-Amz-Client-Context header carries it
  std::string trace_id;        // _X_AMZN_TRACE_ID; generated when empty
  bool want_log = false;       // fill InvokeOutcome::log (Invoke with LogType Tail)
  // Where a streamed response goes as it arrives (InvokeWithResponseStream); null: a streamed
  // response is gathered into InvokeOutcome::payload like any other.
  std::shared_ptr<ResponseStream> stream;
};

struct InvokeOutcome {
  enum class Kind {
    kSuccess,        // payload: the function's response
    kFunctionError,  // payload: AWS's error JSON (errorMessage, errorType, stackTrace)
    kThrottled,      // no sandbox available (TooManyRequestsException); message says why
    kServiceError,   // tidepool could not run the function at all; message says why
  };
  Kind kind = Kind::kSuccess;
  std::string payload;
  std::string message;
  // This invocation's log (START, the function's output, END, REPORT) when the invocation asked
  // for it (`want_log`); empty otherwise. CloudWatch Logs gets it either way.
  std::string log;
  std::string request_id;
  // The response went to Invocation::stream (payload is then empty); a kFunctionError with
  // `streamed` set failed after its response had begun.
  bool streamed = false;
  // When the function received the event (its runtime's /next answered); the epoch when it
  // never did (throttled, no sandbox).
  std::chrono::steady_clock::time_point delivered_at{};
};
using InvokeDone = std::function<void(InvokeOutcome)>;

class Invoker {
 public:
  virtual ~Invoker() = default;
  // Runs `invocation` on a warm sandbox of `spec` or a new one. Never blocks; `done` runs
  // exactly once, on an io thread, without any lock of the invoker held.
  virtual void Invoke(FunctionSpecPtr spec, Invocation invocation, InvokeDone done) = 0;
  // The function `function_arn` was deleted: its idle sandboxes may end now.
  virtual void EndFunction(const std::string& function_arn) {}
  // Provisioned concurrency: keeps `count` sandboxes of `spec` (its ARN and version) started
  // and never ends them for idleness; 0 gives the version back to on-demand sandboxes.
  // Returns how many run or are starting for it (fewer than `count` at the pool-wide cap).
  virtual int Provision(FunctionSpecPtr spec, int count) { return 0; }
};

}  // namespace tidepool::functions
