// One sandbox: a child process running a function's runtime against its own Lambda Runtime API
// endpoint (an HTTP listener on 127.0.0.1, port chosen by the kernel, given to the child as
// AWS_LAMBDA_RUNTIME_API).
//
// The child runs in its own process group with PR_SET_PDEATHSIG(SIGKILL): it dies with tidepool
// even on kill -9. Its stdout and stderr go to one pipe that the sandbox reads into its log.
// Its exit is watched through a pidfd (or reported by the Python zygote that forked it), so a
// crash mid-invoke ends that invocation at once.
// Memory: the process's resident high-water mark is read when an invocation ends and every
// kMemoryPoll while one runs; past `MemorySize` the sandbox is killed and the invocation fails
// with Runtime.OutOfMemory, as on AWS. REPORT's `Max Memory Used` is that high-water mark.
//
// Runtime API (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
//   GET  /2018-06-01/runtime/invocation/next          parks until an invocation is given
//   POST /2018-06-01/runtime/invocation/{id}/response the invocation's result; with
//        Lambda-Runtime-Function-Response-Mode: streaming, read as it arrives and handed to
//        the invocation's ResponseStream (errors after it began in the trailers
//        Lambda-Runtime-Function-Error-Type/-Body)
//   POST /2018-06-01/runtime/invocation/{id}/error    a function error (AWS's error JSON)
//   POST /2018-06-01/runtime/init/error               the runtime could not start the function
//
// Thread-safety: all public methods may be called from any thread. Completions run on io threads
// without the sandbox's lock held.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "functions/invoker.h"
#include "functions/log_sink.h"
#include "functions/process_memory.h"
#include "protocol/http/http_server.h"

namespace tidepool::functions {

class PythonZygote;

struct SandboxOptions {
  std::string runtimes_dir;  // holds python/bootstrap.py and node/bootstrap.mjs
  std::string endpoint_url;  // AWS_ENDPOINT_URL given to functions: this tidepool
  std::string work_dir;      // parent of the sandbox's own temporary directory
  // Where output lines go besides the tail (CloudWatch Logs); may be null.
  LogSink* log_sink = nullptr;
  // Forks python3.* sandboxes whose environment allows it (see python_zygote.h); null: every
  // sandbox execs its runtime. Not owned; outlives the sandboxes (a zygote holds the sandboxes
  // of its running children until they end).
  PythonZygote* python_zygote = nullptr;
};

class Sandbox : public std::enable_shared_from_this<Sandbox> {
 public:
  // Called once when the sandbox can take no more invocations (its process ended).
  using ExitListener = std::function<void()>;

  Sandbox(boost::asio::io_context& io, FunctionSpecPtr spec, const SandboxOptions& options);
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Starts the listener and the process. InvalidArgument/IoError when either cannot start.
  Status Start(ExitListener on_exit);
  // Runs one invocation; the sandbox must be idle (the pool guarantees it). `done` runs once.
  void Invoke(Invocation invocation, InvokeDone done);
  // Kills the process group (idempotent). A running invocation ends as a kServiceError with
  // `reason` (not the function's fault: callers may retry it).
  void Kill(const std::string& reason);

  const FunctionSpec& spec() const { return *spec_; }
  bool alive() const;
  std::chrono::steady_clock::time_point last_used() const;

 private:
  struct Running {
    Invocation invocation;
    InvokeDone done;
    size_t log_start = 0;
    std::chrono::steady_clock::time_point started;
    int64_t deadline_ms = 0;  // epoch milliseconds, set at delivery
    std::chrono::steady_clock::time_point delivered_at;
    bool delivered = false;  // handed to the runtime by /next
    // A streamed /response (sandbox_runtime_api.cc): begun; going to invocation.stream (else
    // gathered into `streamed`); bytes so far; past the limit (the rest is dropped).
    bool streaming = false;
    bool streamed_to_sink = false;
    std::string streamed;
    size_t streamed_bytes = 0;
    bool stream_overflow = false;
  };
  friend class StreamedResponseBody;

  void HandleRuntimeApi(protocol::http::HttpRequest&& request, protocol::http::Responder respond);
  // For the sandbox's HTTP server: the body sink of a streamed /response
  // (Lambda-Runtime-Function-Response-Mode: streaming) of the running invocation; nullptr for
  // every other request (read whole, then HandleRuntimeApi).
  std::shared_ptr<protocol::http::BodySink> StreamedResponseSink(
      const protocol::http::HttpRequest& head);
  void StreamedPiece(const std::string& id, std::string_view bytes);
  void FinishStreamed(const std::string& id, protocol::http::HttpRequest&& head,
                      protocol::http::Responder respond);
  // Hands the running invocation to a parked /next (caller holds mu_): returns what to run
  // once mu_ is released (empty when there is nothing to hand over).
  std::function<void()> DeliverLocked();
  // (Re)arms the running invocation's deadline timer (caller holds mu_).
  void ArmDeadlineLocked(std::chrono::milliseconds after);
  // Starts the memory poll for a delivered invocation unless it runs already (caller holds mu_).
  void WatchMemoryLocked();
  // Reads the process's memory into peak_kb_; true when the peak passed MemorySize.
  bool OverMemoryLocked();
  // Ends the running invocation as Runtime.OutOfMemory and kills the process (caller holds mu_).
  std::function<void()> OutOfMemoryLocked();
  // Ends the running invocation (caller holds mu_); returns the completion to run unlocked.
  // A non-empty `error_type` goes into the REPORT line as AWS writes it for platform errors.
  std::function<void()> FinishLocked(InvokeOutcome::Kind kind, std::string payload,
                                     std::string message = {}, std::string_view error_type = {});
  void WatchLog();
  void WatchExit();
  void DrainLogLocked();
  // Output of the process (or a line of the sandbox's own about it): into log_ for the tail,
  // and line by line to the log sink. Caller holds mu_.
  void OutputLocked(std::string_view bytes);
  void EndLineLocked(int64_t now_ms);
  // A line the sandbox writes itself (START, END, REPORT): to the log sink only.
  void SandboxLineLocked(std::string line);
  void SendLinesLocked();
  // The process ended: `wait_status` as the zygote reported it, or nullopt to reap it here.
  void OnExit(std::optional<int> wait_status);

  boost::asio::io_context& io_;
  const FunctionSpecPtr spec_;
  const SandboxOptions options_;
  std::unique_ptr<protocol::http::HttpServer> server_;
  std::string temp_dir_;
  std::string log_stream_;

  mutable std::mutex mu_;
  pid_t pid_ = -1;
  bool exited_ = false;
  bool killing_ = false;  // SIGKILL sent: take no more invocations
  int exit_status_ = 0;
  std::string init_error_;  // the body of /init/error, when the runtime posted one
  std::optional<protocol::http::Responder> parked_next_;
  std::optional<Running> running_;
  std::string log_;         // the process's output (bounded: older bytes are dropped)
  size_t log_dropped_ = 0;  // bytes dropped from the front of log_
  LogDestination log_to_;
  std::string partial_line_;           // output after the last newline
  std::vector<LogLine> unsent_lines_;  // complete lines for the log sink
  std::chrono::steady_clock::time_point last_used_;
  std::chrono::steady_clock::time_point started_;
  bool first_invoke_ = true;
  std::unique_ptr<boost::asio::posix::stream_descriptor> log_pipe_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> pidfd_;
  boost::asio::steady_timer deadline_;
  ProcessMemoryReader memory_;
  uint64_t peak_kb_ = 0;  // the process's resident high-water mark, as last read
  boost::asio::steady_timer memory_poll_;
  bool memory_polling_ = false;
  ExitListener on_exit_;
};

}  // namespace tidepool::functions
