// PythonZygote: one pre-started Python interpreter (runtimes/python/zygote.py) that forks the
// processes of python3.* sandboxes, so that a cold start skips interpreter start-up (site and
// its .pth files, the runtime client's imports: 30-100 ms) and costs a fork.
//
// A child of the zygote starts exactly as `python3 -u bootstrap.py` would in the sandbox's
// environment (see zygote.py for how), provided the variables that shape interpreter start-up
// match the zygote's: Eligible() checks that, and the sandbox execs the interpreter otherwise
// (a layer's lib/ on LD_LIBRARY_PATH, a function's own PYTHON* settings, ...).
//
// The zygote starts on the first Spawn, in its own process group, with PR_SET_PDEATHSIG; its
// children have PR_SET_PDEATHSIG against it, so every one dies with tidepool even on kill -9.
// The zygote reaps its children and reports each exit; when it dies, every child it had is
// reported as killed (they die with it) and the next Spawn starts a new zygote.
//
// Thread-safety: all public methods may be called from any thread. Spawn blocks for one round
// trip to the zygote (a fork: about a millisecond). Exit handlers run on io threads.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace tidepool::functions {

class PythonZygote {
 public:
  // Called once with the child's raw wait status when it has ended.
  using ExitHandler = std::function<void(int wait_status)>;

  // The zygote runs runtimes_dir/python/zygote.py with the machine's python3 (as sandboxes do)
  // in ZygoteEnvironment() (runtimes.h): what every python sandbox's environment shares.
  PythonZygote(boost::asio::io_context& io, std::string runtimes_dir);
  ~PythonZygote();  // kills the zygote (and so its children)
  PythonZygote(const PythonZygote&) = delete;
  PythonZygote& operator=(const PythonZygote&) = delete;

  // Whether a process started with `env` may be a fork of the zygote: every variable named
  // PYTHON* (except PYTHONPATH), LD_*, LC_*, LANG or HOME has the zygote's value (or is unset in
  // both).
  bool Eligible(const std::vector<std::string>& env) const;

  // Forks a sandbox process running runtimes/python/bootstrap.py's loop with `env` in `cwd`,
  // its stdout and stderr on `output_fd` (the caller keeps and closes its copy). Returns the
  // pid, which leads its own process group; `on_exit` runs once when the process ends.
  // IoError when the zygote cannot be started or reached (the caller then execs instead).
  Result<pid_t> Spawn(const std::vector<std::string>& env, const std::string& cwd, int output_fd,
                      ExitHandler on_exit);

  // The zygote's pid, or -1 when none runs. For tests.
  pid_t zygote_pid() const;

 private:
  struct Channel;  // one running zygote: its pid, sockets and live children
  Status StartLocked();
  // Reads exit reports until the zygote goes. Touches only `channel`.
  static void ReadEvents(std::shared_ptr<Channel> channel);
  // The zygote is gone (or must go): it is killed and reaped, and every child it had is
  // reported killed. Idempotent.
  static void Lost(const std::shared_ptr<Channel>& channel);

  boost::asio::io_context& io_;
  const std::string runtimes_dir_;
  const std::vector<std::string> base_env_;
  // base_env_'s variables that shape start-up, sorted (views into base_env_).
  const std::vector<std::pair<std::string_view, std::string_view>> base_startup_;
  mutable std::mutex mu_;  // guards channel_ and the request socket's round trips
  std::shared_ptr<Channel> channel_;
};

}  // namespace tidepool::functions
