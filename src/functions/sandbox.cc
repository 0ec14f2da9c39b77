#include "functions/sandbox.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string_view>
#include <vector>

#include "core/encoding.h"
#include "core/trace_log.h"
#include "functions/child_process.h"
#include "functions/python_zygote.h"
#include "functions/runtime_api_reply.h"
#include "functions/runtimes.h"

namespace tidepool::functions {
namespace {

namespace bhttp = boost::beast::http;
using protocol::http::HttpRequest;
using protocol::http::HttpResponse;
using protocol::http::Responder;
using runtime_api::ErrorJson;
using runtime_api::Reply;

constexpr size_t kLogKeep = 1 << 20;     // bytes of process output kept per sandbox
constexpr int kInitSeconds = 10;         // AWS's limit on a runtime's init phase
constexpr size_t kMaxLine = 256 * 1024;  // longer output lines become several events
constexpr auto kMemoryPoll = std::chrono::milliseconds(50);  // while an invocation runs

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatSeconds(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", seconds);
  return buf;
}

}  // namespace

Sandbox::Sandbox(boost::asio::io_context& io, FunctionSpecPtr spec, const SandboxOptions& options)
    : io_(io), spec_(std::move(spec)), options_(options), deadline_(io), memory_poll_(io) {}

Sandbox::~Sandbox() {
  if (pid_ > 0 && !exited_) {
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (server_) server_->StopAccepting();
  if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
}

bool Sandbox::alive() const {
  std::lock_guard lock(mu_);
  return pid_ > 0 && !exited_ && !killing_;
}

std::chrono::steady_clock::time_point Sandbox::last_used() const {
  std::lock_guard lock(mu_);
  return last_used_;
}

Status Sandbox::Start(ExitListener on_exit) {
  on_exit_ = std::move(on_exit);
  started_ = last_used_ = std::chrono::steady_clock::now();
  std::string tmpl = options_.work_dir + "/sandbox-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return Status::IoError("cannot create a sandbox directory under " + options_.work_dir + ": " +
                           std::strerror(errno));
  }
  temp_dir_ = tmpl;

  auto command = RuntimeCommand(*spec_, options_.runtimes_dir);
  if (!command.ok()) return command.status();

  protocol::http::HttpServerOptions http;
  http.host = "127.0.0.1";
  http.port = 0;
  http.idle_timeout = std::chrono::hours(24);
  http.body_timeout = std::chrono::hours(24);
  http.body_limit = 64 * 1024 * 1024;
  std::weak_ptr<Sandbox> weak = weak_from_this();
  http.body_streamer =
      [weak](const HttpRequest& head) -> std::shared_ptr<protocol::http::BodySink> {
    auto self = weak.lock();
    return self ? self->StreamedResponseSink(head) : nullptr;
  };
  http.streamed_body_limit = runtime_api::kMaxStreamedResponse + (1 << 20);
  server_ = std::make_unique<protocol::http::HttpServer>(
      io_, http, [weak](HttpRequest&& request, Responder respond) {
        if (auto self = weak.lock()) {
          self->HandleRuntimeApi(std::move(request), std::move(respond));
        } else {
          respond(Reply(410, ErrorJson("Sandbox.Gone", "the sandbox has ended")));
        }
      });
  if (Status s = server_->Start(); !s.ok()) return s;

  // The date part of AWS's log stream name, then the version and a random id.
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char day[16];
  std::strftime(day, sizeof day, "%Y/%m/%d", &tm);
  log_stream_ =
      std::string(day) + "/[" + spec_->version + "]" + HexEncode(Sha256(NewUuid())).substr(0, 32);
  log_to_ = {spec_->account_id, spec_->region, "/aws/lambda/" + spec_->function_name, log_stream_};
  {
    std::lock_guard lock(mu_);
    SandboxLineLocked("INIT_START Runtime Version: " + spec_->runtime + "\n");
  }

  std::vector<std::string> env =
      RuntimeEnvironment(*spec_, "127.0.0.1:" + std::to_string(server_->port()),
                         options_.endpoint_url, temp_dir_, log_stream_, options_.runtimes_dir);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Status::IoError("pipe2 failed");
  ::fcntl(pipe_fds[0], F_SETFL, ::fcntl(pipe_fds[0], F_GETFL) | O_NONBLOCK);
  log_pipe_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, pipe_fds[0]);
  // Held until the process is set up: an exit the zygote reports runs OnExit, which waits here.
  std::unique_lock lock(mu_);
  Result<pid_t> pid = Status::IoError("not started");
  PythonZygote* zygote = options_.python_zygote;
  const bool forked =
      zygote != nullptr && spec_->runtime.rfind("python3", 0) == 0 && zygote->Eligible(env) && [&] {
        pid = zygote->Spawn(
            env, spec_->code_dir, pipe_fds[1],
            [self = shared_from_this()](int wait_status) { self->OnExit(wait_status); });
        if (!pid.ok()) {
          spdlog::warn(
              "lambda: the python zygote failed ({}); starting {} "
              "with a new interpreter",
              pid.status().message(), spec_->function_name);
        }
        return pid.ok();
      }();
  if (!forked) {
    ChildProcessSpec child;
    child.args = std::move(command->args);
    child.env = std::move(env);
    child.cwd = spec_->code_dir;
    child.stdout_fd = child.stderr_fd = pipe_fds[1];
    pid = StartChildProcess(child);
  }
  ::close(pipe_fds[1]);
  if (!pid.ok()) {
    log_pipe_.reset();
    return pid.status();
  }
  pid_ = *pid;
  memory_.Open(*pid);  // read only after the runtime took an invocation: past its exec
  lock.unlock();
  if (!forked) {
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, *pid, 0));
    if (pidfd < 0) {
      Kill("pidfd_open failed");
      return Status::IoError(std::string("pidfd_open failed: ") + std::strerror(errno));
    }
    pidfd_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, pidfd);
    WatchExit();
  }
  WatchLog();
  spdlog::debug("lambda: sandbox {} for {}:{} started ({}; runtime API port {})", *pid,
                spec_->function_name, spec_->version, forked ? "forked by the zygote" : "exec",
                server_->port());
  return Status::Ok();
}

void Sandbox::WatchLog() {
  std::weak_ptr<Sandbox> weak = weak_from_this();
  log_pipe_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                        [weak](const boost::system::error_code& ec) {
                          auto self = weak.lock();
                          if (!self || ec) return;
                          bool open;
                          {
                            std::lock_guard lock(self->mu_);
                            self->DrainLogLocked();
                            open = self->log_pipe_->is_open();
                          }
                          if (open) self->WatchLog();
                        });
}

void Sandbox::DrainLogLocked() {
  if (!log_pipe_ || !log_pipe_->is_open()) return;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(log_pipe_->native_handle(), buf, sizeof buf);
    if (n > 0) {
      OutputLocked(std::string_view(buf, static_cast<size_t>(n)));
      continue;
    }
    if (n == 0) {
      boost::system::error_code ignored;
      log_pipe_->close(ignored);  // the process and its children closed their output
    }
    break;
  }
  size_t keep_from = running_ ? running_->log_start : log_dropped_ + log_.size();
  if (log_.size() > kLogKeep) {
    // Drop old output, but never the running invocation's unless it alone is too large.
    size_t drop = std::min(log_.size() - kLogKeep / 2,
                           keep_from > log_dropped_ ? keep_from - log_dropped_ : 0);
    if (drop == 0 && log_.size() > 4 * kLogKeep) drop = log_.size() - kLogKeep;
    log_.erase(0, drop);
    log_dropped_ += drop;
  }
  SendLinesLocked();
}

void Sandbox::OutputLocked(std::string_view bytes) {
  log_.append(bytes);
  if (options_.log_sink == nullptr) return;
  const int64_t now = NowMs();
  for (size_t nl = bytes.find('\n'); nl != std::string_view::npos; nl = bytes.find('\n')) {
    partial_line_.append(bytes.substr(0, nl));
    EndLineLocked(now);
    bytes.remove_prefix(nl + 1);
  }
  partial_line_.append(bytes);
  if (partial_line_.size() >= kMaxLine) EndLineLocked(now);
}

void Sandbox::EndLineLocked(int64_t now_ms) {
  // AWS's runtime clients write a multi-line record (a traceback, console.log of an object)
  // with \r for its inner newlines: it is one event, with its newlines back.
  while (!partial_line_.empty() && partial_line_.back() == '\r') partial_line_.pop_back();
  if (!partial_line_.empty()) {
    std::replace(partial_line_.begin(), partial_line_.end(), '\r', '\n');
    partial_line_.push_back('\n');
    unsent_lines_.push_back({now_ms, std::move(partial_line_)});
  }
  partial_line_.clear();
}

void Sandbox::SandboxLineLocked(std::string line) {
  if (options_.log_sink == nullptr) return;
  unsent_lines_.push_back({NowMs(), std::move(line)});
  SendLinesLocked();
}

void Sandbox::SendLinesLocked() {
  if (unsent_lines_.empty() || options_.log_sink == nullptr) return;
  options_.log_sink->Write(log_to_, std::move(unsent_lines_));
  unsent_lines_.clear();
}

void Sandbox::WatchExit() {
  std::shared_ptr<Sandbox> self = shared_from_this();
  pidfd_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                     [self](const boost::system::error_code& ec) {
                       if (ec == boost::asio::error::operation_aborted) return;
                       self->OnExit(std::nullopt);
                     });
}

void Sandbox::OnExit(std::optional<int> wait_status) {
  int status = 0;
  if (wait_status) {
    status = *wait_status;
  } else {
    pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped != pid_) status = 0;
  }
  std::function<void()> finish;
  {
    std::lock_guard lock(mu_);
    exited_ = true;
    exit_status_ = status;
    DrainLogLocked();
    ::kill(-pid_, SIGKILL);  // whatever the runtime started goes with it
    if (running_) {
      std::string reason;
      if (WIFSIGNALED(status)) {
        reason = std::string("signal: ") +
                 (WTERMSIG(status) == SIGKILL ? "killed" : strsignal(WTERMSIG(status)));
      } else {
        reason = "exit status " + std::to_string(WEXITSTATUS(status));
      }
      if (!init_error_.empty()) {
        finish = FinishLocked(InvokeOutcome::Kind::kFunctionError, init_error_);
      } else {
        finish = FinishLocked(
            InvokeOutcome::Kind::kFunctionError,
            ErrorJson("Runtime.ExitError", "RequestId: " + running_->invocation.request_id +
                                               " Error: Runtime exited with error: " + reason));
      }
    }
    parked_next_.reset();
  }
  spdlog::debug("lambda: sandbox {} for {} ended", pid_, spec_->function_name);
  if (finish) finish();
  boost::system::error_code ignored;
  if (pidfd_) pidfd_->close(ignored);
  if (server_) server_->StopAccepting();
  if (on_exit_) on_exit_();
}

void Sandbox::Kill(const std::string& reason) {
  std::function<void()> finish;
  {
    std::lock_guard lock(mu_);
    if (pid_ <= 0 || exited_) return;
    killing_ = true;
    if (running_) {
      finish = FinishLocked(InvokeOutcome::Kind::kServiceError, "", reason);
    }
    ::kill(-pid_, SIGKILL);
  }
  if (finish) finish();
}

void Sandbox::Invoke(Invocation invocation, InvokeDone done) {
  std::function<void()> deliver;
  {
    std::lock_guard lock(mu_);
    if (invocation.request_id.empty()) invocation.request_id = NewUuid();
    // The Lambda service always passes a trace (with its Lineage); a direct caller of the
    // invoker may not.
    if (invocation.trace_id.empty()) invocation.trace_id = NewTraceRoot() + ";Sampled=0";
    if (invocation.invoked_arn.empty()) invocation.invoked_arn = spec_->function_arn;
    if (exited_ || running_) {
      InvokeOutcome outcome;
      outcome.kind = InvokeOutcome::Kind::kServiceError;
      outcome.message = exited_ ? "the sandbox has ended" : "the sandbox is busy";
      outcome.request_id = invocation.request_id;
      boost::asio::post(io_, [done = std::move(done), outcome = std::move(outcome)]() mutable {
        done(std::move(outcome));
      });
      return;
    }
    DrainLogLocked();
    Running run;
    run.invocation = std::move(invocation);
    run.done = std::move(done);
    run.log_start = log_dropped_ + log_.size();
    run.started = std::chrono::steady_clock::now();
    run.deadline_ms = NowMs() + int64_t{spec_->timeout_seconds} * 1000;
    running_ = std::move(run);
    // Until the runtime takes the invocation the sandbox may still be starting: AWS gives
    // init its own 10 seconds. The function's own timeout starts at delivery.
    ArmDeadlineLocked(std::chrono::seconds(spec_->timeout_seconds + kInitSeconds));
    deliver = DeliverLocked();
  }
  if (deliver) deliver();
}

void Sandbox::ArmDeadlineLocked(std::chrono::milliseconds after) {
  deadline_.expires_after(after);
  std::weak_ptr<Sandbox> weak = weak_from_this();
  deadline_.async_wait([weak,
                        id = running_->invocation.request_id](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec) return;
    std::function<void()> finish;
    {
      std::lock_guard lock(self->mu_);
      if (!self->running_ || self->running_->invocation.request_id != id) return;
      std::string text =
          "Task timed out after " + FormatSeconds(self->spec_->timeout_seconds) + " seconds";
      self->OverMemoryLocked();  // for REPORT's Max Memory Used
      self->DrainLogLocked();
      self->OutputLocked("RequestId: " + id + " Error: " + text + "\n");
      finish =
          self->FinishLocked(InvokeOutcome::Kind::kFunctionError,
                             ErrorJson("Sandbox.Timedout", "RequestId: " + id + " Error: " + text));
      self->killing_ = true;
      ::kill(-self->pid_, SIGKILL);
    }
    finish();
  });
}

void Sandbox::WatchMemoryLocked() {
  if (memory_polling_) return;
  memory_polling_ = true;
  memory_poll_.expires_after(kMemoryPoll);
  std::weak_ptr<Sandbox> weak = weak_from_this();
  memory_poll_.async_wait([weak](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self) return;
    std::function<void()> finish;
    {
      std::lock_guard lock(self->mu_);
      self->memory_polling_ = false;
      if (ec || self->exited_ || !self->running_ || !self->running_->delivered) return;
      if (self->OverMemoryLocked()) {
        finish = self->OutOfMemoryLocked();
      } else {
        self->WatchMemoryLocked();
      }
    }
    if (finish) finish();
  });
}

bool Sandbox::OverMemoryLocked() {
  if (exited_) return false;
  if (auto m = memory_.Read()) peak_kb_ = std::max(peak_kb_, m->peak_kb);
  return peak_kb_ > uint64_t(spec_->memory_mb) * 1024;
}

std::function<void()> Sandbox::OutOfMemoryLocked() {
  const std::string text = "RequestId: " + running_->invocation.request_id +
                           " Error: Runtime exited with error: signal: killed";
  DrainLogLocked();
  OutputLocked(text + "\nRuntime.OutOfMemory\n");
  auto finish = FinishLocked(InvokeOutcome::Kind::kFunctionError,
                             ErrorJson("Runtime.OutOfMemory", text), {}, "Runtime.OutOfMemory");
  killing_ = true;
  ::kill(-pid_, SIGKILL);
  return finish;
}

std::function<void()> Sandbox::DeliverLocked() {
  if (!running_ || running_->delivered || !parked_next_) return {};
  const Invocation& inv = running_->invocation;
  const int64_t deadline_ms = NowMs() + int64_t{spec_->timeout_seconds} * 1000;
  HttpResponse response = Reply(200, inv.payload);
  response.set("Lambda-Runtime-Aws-Request-Id", inv.request_id);
  response.set("Lambda-Runtime-Deadline-Ms", std::to_string(deadline_ms));
  response.set("Lambda-Runtime-Invoked-Function-Arn", inv.invoked_arn);
  response.set("Lambda-Runtime-Trace-Id", inv.trace_id);
  if (!inv.client_context.empty()) {
    auto decoded = Base64Decode(inv.client_context);
    response.set("Lambda-Runtime-Client-Context", decoded ? *decoded : inv.client_context);
  }
  DrainLogLocked();
  TraceLog::Global().Stamp(inv.trace_id, "lambda.start", spec_->function_name);
  SandboxLineLocked("START RequestId: " + inv.request_id + " Version: " + spec_->version + "\n");
  running_->delivered = true;
  running_->deadline_ms = deadline_ms;
  running_->delivered_at = std::chrono::steady_clock::now();
  ArmDeadlineLocked(std::chrono::seconds(spec_->timeout_seconds));
  WatchMemoryLocked();
  Responder respond = std::move(*parked_next_);
  parked_next_.reset();
  // Answered by the caller once mu_ is released: a responder may run the connection inline.
  return [respond = std::move(respond), response = std::move(response)]() mutable {
    respond(std::move(response));
  };
}

std::function<void()> Sandbox::FinishLocked(InvokeOutcome::Kind kind, std::string payload,
                                            std::string message, std::string_view error_type) {
  deadline_.cancel();
  DrainLogLocked();
  Running run = std::move(*running_);
  running_.reset();
  last_used_ = std::chrono::steady_clock::now();
  const auto begin = run.delivered ? run.delivered_at : run.started;
  double ms = std::chrono::duration<double, std::milli>(last_used_ - begin).count();
  InvokeOutcome outcome;
  outcome.kind = kind;
  outcome.payload = std::move(payload);
  outcome.message = std::move(message);
  outcome.request_id = run.invocation.request_id;
  outcome.streamed = run.streamed_to_sink;
  if (run.delivered) outcome.delivered_at = run.delivered_at;
  const std::string& id = run.invocation.request_id;
  TraceLog::Global().Stamp(run.invocation.trace_id,
                           kind == InvokeOutcome::Kind::kSuccess ? "lambda.end" : "lambda.error",
                           spec_->function_name);
  const bool want_log = run.invocation.want_log;
  if (want_log) {
    outcome.log = "START RequestId: " + id + " Version: " + spec_->version + "\n";
    size_t start = run.log_start > log_dropped_ ? run.log_start - log_dropped_ : 0;
    if (start < log_.size()) {
      const size_t from = outcome.log.size();
      outcome.log.append(log_, start);
      std::replace(outcome.log.begin() + static_cast<std::ptrdiff_t>(from), outcome.log.end(), '\r',
                   '\n');
    }
  }
  char report[256];
  std::snprintf(report, sizeof report,
                "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: "
                "%lld ms\tMemory Size: %d MB\tMax Memory Used: %llu MB\t",
                id.c_str(), ms, static_cast<long long>(ms) + 1, spec_->memory_mb,
                static_cast<unsigned long long>((peak_kb_ + 1023) / 1024));
  std::string report_line = report;
  if (first_invoke_) {
    double init_ms = std::chrono::duration<double, std::milli>(begin - started_).count();
    char init[64];
    std::snprintf(init, sizeof init, "Init Duration: %.2f ms\t", init_ms < 0 ? 0.0 : init_ms);
    report_line += init;
    first_invoke_ = false;
  }
  if (!error_type.empty()) {
    report_line += "Status: error\tError Type: ";
    report_line += error_type;
  }
  report_line += "\n";
  if (want_log) outcome.log += "END RequestId: " + id + "\n" + report_line;
  EndLineLocked(NowMs());
  SandboxLineLocked("END RequestId: " + id + "\n");
  SandboxLineLocked(std::move(report_line));
  return [done = std::move(run.done), outcome = std::move(outcome)]() mutable {
    done(std::move(outcome));
  };
}

}  // namespace tidepool::functions
