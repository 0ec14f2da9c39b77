#include "services/cloudformation/sam_transform.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "functions/child_process.h"
#include "functions/runtimes.h"

namespace tidepool::cloudformation {

namespace json = boost::json;

namespace {

struct Fd {
  int fd = -1;
  ~Fd() { Close(); }
  void Close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

int64_t MillisLeft(std::chrono::steady_clock::time_point deadline) {
  return std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                  deadline - std::chrono::steady_clock::now())
                                  .count());
}

// Writes `input` to `in` and reads `out` to its end, both non-blocking, until the deadline.
Status Exchange(Fd& in, Fd& out, const std::string& input, std::string* output, size_t max_output,
                std::chrono::steady_clock::time_point deadline) {
  ::fcntl(in.fd, F_SETFL, ::fcntl(in.fd, F_GETFL) | O_NONBLOCK);
  ::fcntl(out.fd, F_SETFL, ::fcntl(out.fd, F_GETFL) | O_NONBLOCK);
  size_t written = 0;
  if (input.empty()) in.Close();
  while (out.fd >= 0) {
    pollfd fds[2];
    int n = 0;
    fds[n++] = {out.fd, POLLIN, 0};
    if (in.fd >= 0) fds[n++] = {in.fd, POLLOUT, 0};
    int left = static_cast<int>(MillisLeft(deadline));
    if (left == 0) return Status::Unavailable("the SAM translator did not answer in time");
    int r = ::poll(fds, n, left);
    if (r < 0 && errno != EINTR) return Status::IoError("poll: " + std::string(strerror(errno)));
    if (r <= 0) continue;
    if (n == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      ssize_t w = ::write(in.fd, input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) in.Close();
    }
    if ((fds[0].revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
      char buf[65536];
      ssize_t got = ::read(out.fd, buf, sizeof buf);
      if (got > 0) {
        output->append(buf, static_cast<size_t>(got));
        if (output->size() > max_output)
          return Status::ResourceExhausted("the SAM translator's answer is too large");
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        out.Close();
      }
    }
  }
  return {};
}

}  // namespace

Result<json::value> RunSamTransform(const json::value& document, const SamContext& context,
                                    const SamTransformOptions& options) {
  // A write to a pipe whose reader died must fail with EPIPE, not end tidepool: SIGPIPE is
  // ignored process-wide (as a server's should be; sockets already send with MSG_NOSIGNAL).
  ::signal(SIGPIPE, SIG_IGN);
  const std::string python =
      options.python.empty() ? functions::ResolveInterpreter("python3") : options.python;
  if (python.empty()) return Status::Unavailable("the SAM transform needs python3 on PATH");
  const std::string dir =
      options.runtimes_dir.empty() ? functions::DefaultRuntimesDir() : options.runtimes_dir;
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return Status::IoError("pipe failed");
  Fd in_read{in_pipe[0]}, in_write{in_pipe[1]};
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return Status::IoError("pipe failed");
  Fd out_read{out_pipe[0]}, out_write{out_pipe[1]};
  functions::ChildProcessSpec spec;
  spec.args = {python, "-I", dir + "/cloudformation/sam_transform.py"};
  spec.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"};
  if (const char* home = std::getenv("HOME")) spec.env.push_back(std::string("HOME=") + home);
  spec.stdout_fd = out_write.fd;
  spec.pass_fds = {in_read.fd};
  auto pid = functions::StartChildProcess(spec);
  if (!pid.ok()) return pid.status();
  in_read.Close();
  out_write.Close();
  json::object request{{"template", document},           {"parameters", context.parameters},
                       {"region", context.region},       {"account", context.account_id},
                       {"partition", context.partition}, {"stack_name", context.stack_name}};
  std::string output;
  Status exchanged =
      Exchange(in_write, out_read, json::serialize(request), &output, options.max_output_bytes,
               std::chrono::steady_clock::now() + options.timeout);
  if (!exchanged.ok()) ::kill(-*pid, SIGKILL);
  int status = 0;
  while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!exchanged.ok()) return exchanged;
  boost::system::error_code ec;
  json::value answer = json::parse(output, ec);
  if (ec || !answer.is_object())
    return Status::Unavailable("the SAM translator (" + python + ") failed" +
                               (WIFEXITED(status)
                                    ? " with exit code " + std::to_string(WEXITSTATUS(status))
                                    : std::string(" on a signal")));
  const json::object& a = answer.get_object();
  if (const json::value* t = a.if_contains("template")) return *t;
  const json::value* error = a.if_contains("error");
  const json::value* message = a.if_contains("message");
  std::string text = message != nullptr && message->is_string() ? std::string(message->get_string())
                                                                : "no message";
  if (error != nullptr && error->is_string() && error->get_string() == "invalid")
    return Status::InvalidArgument("Transform " + std::string(kSamTransform) +
                                   " failed with: " + text);
  return Status::Unavailable(text);
}

}  // namespace tidepool::cloudformation
