#include "functions/python_zygote.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "functions/child_process.h"
#include "functions/runtimes.h"

namespace tidepool::functions {
namespace {

constexpr int kReplyTimeoutMs = 10'000;
constexpr size_t kMaxMessage = 1 << 16;

// Variables that shape an interpreter's start-up (and so cannot be changed after a fork).
bool ShapesStartup(std::string_view name) {
  if (name == "PYTHONPATH") return false;  // the child puts it on sys.path itself
  return name.substr(0, 6) == "PYTHON" || name.substr(0, 3) == "LD_" ||
         name.substr(0, 3) == "LC_" || name == "LANG" || name == "HOME";
}

std::vector<std::pair<std::string_view, std::string_view>> StartupVariables(
    const std::vector<std::string>& env) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  for (const std::string& e : env) {
    size_t eq = e.find('=');
    if (eq == std::string::npos) continue;
    std::string_view name(e.data(), eq);
    if (ShapesStartup(name)) out.emplace_back(name, std::string_view(e).substr(eq + 1));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

// One running zygote. Shared by PythonZygote and the pending read of its exit reports, which
// touches only this (never the PythonZygote, which may be gone).
struct PythonZygote::Channel {
  explicit Channel(boost::asio::io_context& io) : io(io), events(io) {}
  ~Channel() {
    if (requests >= 0) ::close(requests);
  }
  boost::asio::io_context& io;
  pid_t pid = -1;
  int requests = -1;  // blocking; round trips under PythonZygote::mu_
  boost::asio::posix::stream_descriptor events;
  std::mutex mu;  // guards what follows
  bool dead = false;
  std::map<pid_t, ExitHandler> children;  // live children and who to tell when they end
  std::map<pid_t, int> early_exits;       // exits reported before Spawn registered the child
};

PythonZygote::PythonZygote(boost::asio::io_context& io, std::string runtimes_dir)
    : io_(io),
      runtimes_dir_(std::move(runtimes_dir)),
      base_env_(ZygoteEnvironment()),
      base_startup_(StartupVariables(base_env_)) {}

PythonZygote::~PythonZygote() {
  std::shared_ptr<Channel> channel;
  {
    std::lock_guard lock(mu_);
    channel = std::move(channel_);
  }
  if (!channel) return;
  boost::system::error_code ignored;
  channel->events.cancel(ignored);
  Lost(channel);
}

bool PythonZygote::Eligible(const std::vector<std::string>& env) const {
  return StartupVariables(env) == base_startup_;
}

pid_t PythonZygote::zygote_pid() const {
  std::lock_guard lock(mu_);
  if (!channel_) return -1;
  std::lock_guard channel_lock(channel_->mu);
  return channel_->dead ? -1 : channel_->pid;
}

Status PythonZygote::StartLocked() {
  int requests[2], events[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, requests) != 0) {
    return Status::IoError(std::string("socketpair failed: ") + std::strerror(errno));
  }
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, events) != 0) {
    ::close(requests[0]);
    ::close(requests[1]);
    return Status::IoError(std::string("socketpair failed: ") + std::strerror(errno));
  }
  std::string python = ResolveInterpreter("python3");
  if (python.empty()) return Status::NotFound("python3 is not on PATH");
  ChildProcessSpec spec;
  spec.args = {python, "-u", runtimes_dir_ + "/python/zygote.py"};
  spec.env = base_env_;
  spec.stderr_fd = STDERR_FILENO;  // the zygote's own failures show in tidepool's output
  spec.pass_fds = {requests[1], events[1]};
  auto pid = StartChildProcess(spec);
  ::close(requests[1]);
  ::close(events[1]);
  if (!pid.ok()) {
    ::close(requests[0]);
    ::close(events[0]);
    return pid.status();
  }
  auto channel = std::make_shared<Channel>(io_);
  channel->pid = *pid;
  channel->requests = requests[0];
  channel->events.assign(events[0]);
  channel->events.non_blocking(true);
  channel_ = channel;
  ReadEvents(channel);
  spdlog::debug("lambda: python zygote {} started", *pid);
  return Status::Ok();
}

void PythonZygote::ReadEvents(std::shared_ptr<Channel> channel) {
  Channel& c = *channel;
  c.events.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                      [channel = std::move(channel)](const boost::system::error_code& ec) mutable {
                        if (ec == boost::asio::error::operation_aborted) return;
                        bool lost = static_cast<bool>(ec);
                        while (!lost) {
                          char buf[512];
                          ssize_t n = ::recv(channel->events.native_handle(), buf, sizeof buf, 0);
                          if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
                          if (n <= 0) {
                            lost = true;
                            break;
                          }
                          boost::system::error_code parse_error;
                          auto report = boost::json::parse(
                              std::string_view(buf, static_cast<size_t>(n)), parse_error);
                          const auto* obj = parse_error ? nullptr : report.if_object();
                          const auto* pid = obj ? obj->if_contains("exit") : nullptr;
                          const auto* status = obj ? obj->if_contains("status") : nullptr;
                          if (!pid || !status || !pid->is_int64() || !status->is_int64()) continue;
                          ExitHandler handler;
                          {
                            std::lock_guard lock(channel->mu);
                            auto it = channel->children.find(static_cast<pid_t>(pid->as_int64()));
                            if (it == channel->children.end()) {
                              channel->early_exits[static_cast<pid_t>(pid->as_int64())] =
                                  static_cast<int>(status->as_int64());
                              continue;
                            }
                            handler = std::move(it->second);
                            channel->children.erase(it);
                          }
                          handler(static_cast<int>(status->as_int64()));
                        }
                        if (lost) {
                          Lost(channel);
                          return;
                        }
                        ReadEvents(std::move(channel));
                      });
}

void PythonZygote::Lost(const std::shared_ptr<Channel>& channel) {
  std::map<pid_t, ExitHandler> children;
  {
    std::lock_guard lock(channel->mu);
    if (channel->dead) return;
    channel->dead = true;
    children = std::move(channel->children);
  }
  if (channel->pid > 0) {
    ::kill(channel->pid, SIGKILL);  // its children die with it (PR_SET_PDEATHSIG)
    int status = 0;
    ::waitpid(channel->pid, &status, 0);
  }
  if (!children.empty()) {
    spdlog::warn("lambda: the python zygote ended; its {} sandboxes end with it", children.size());
  }
  for (auto& [pid, handler] : children) {
    boost::asio::post(channel->io, [handler = std::move(handler)] { handler(SIGKILL); });
  }
}

Result<pid_t> PythonZygote::Spawn(const std::vector<std::string>& env, const std::string& cwd,
                                  int output_fd, ExitHandler on_exit) {
  std::lock_guard lock(mu_);
  if (channel_) {
    std::lock_guard channel_lock(channel_->mu);
    if (channel_->dead) channel_.reset();
  }
  if (!channel_) {
    if (Status s = StartLocked(); !s.ok()) return s;
  }
  std::shared_ptr<Channel> channel = channel_;

  boost::json::object vars;
  for (const std::string& e : env) {
    size_t eq = e.find('=');
    if (eq != std::string::npos) vars[e.substr(0, eq)] = e.substr(eq + 1);
  }
  std::string request = boost::json::serialize(boost::json::object{
      {"env", std::move(vars)}, {"cwd", cwd}, {"argv0", runtimes_dir_ + "/python/bootstrap.py"}});
  if (request.size() > kMaxMessage) return Status::InvalidArgument("the environment is too large");

  auto fail = [&](std::string what) -> Status {
    boost::system::error_code ignored;
    channel->events.cancel(ignored);
    Lost(channel);
    channel_.reset();
    return Status::IoError(std::move(what));
  };
  iovec iov{request.data(), request.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &output_fd, sizeof(int));
  if (::sendmsg(channel->requests, &msg, MSG_NOSIGNAL) < 0) {
    return fail(std::string("cannot reach the zygote: ") + std::strerror(errno));
  }
  pollfd pfd{channel->requests, POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&pfd, 1, kReplyTimeoutMs);
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0) return fail("the zygote did not answer");
  char reply[512];
  ssize_t n = ::recv(channel->requests, reply, sizeof reply, 0);
  if (n <= 0) return fail("the zygote closed its socket");
  boost::system::error_code parse_error;
  auto answer = boost::json::parse(std::string_view(reply, static_cast<size_t>(n)), parse_error);
  const auto* obj = parse_error ? nullptr : answer.if_object();
  const auto* pid = obj ? obj->if_contains("pid") : nullptr;
  if (pid == nullptr || !pid->is_int64()) {
    const auto* error = obj ? obj->if_contains("error") : nullptr;
    return Status::IoError(error && error->is_string() ? std::string(error->as_string())
                                                       : "a malformed reply from the zygote");
  }
  const auto child = static_cast<pid_t>(pid->as_int64());
  std::optional<int> early;
  {
    std::lock_guard channel_lock(channel->mu);
    if (auto it = channel->early_exits.find(child); it != channel->early_exits.end()) {
      early = it->second;
      channel->early_exits.erase(it);
    } else if (channel->dead) {
      early = SIGKILL;
    } else {
      channel->children[child] = std::move(on_exit);
    }
  }
  if (early) {
    boost::asio::post(io_, [on_exit = std::move(on_exit), status = *early] { on_exit(status); });
  }
  return child;
}

}  // namespace tidepool::functions
