#include "functions/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tidepool::functions {

Result<pid_t> StartChildProcess(const ChildProcessSpec& spec) {
  std::vector<std::string> args = spec.args;
  std::vector<std::string> env = spec.env;
  std::vector<char*> argv, envp;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const char* cwd = spec.cwd.empty() ? nullptr : spec.cwd.c_str();
  const int pass_count = static_cast<int>(spec.pass_fds.size());
  const int* pass = spec.pass_fds.data();
  const pid_t parent = ::getpid();

  sigset_t all, old_mask;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old_mask);
  pid_t pid = ::vfork();
  if (pid < 0) {
    const int error = errno;
    ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    return Status::IoError(std::string("vfork failed: ") + std::strerror(error));
  }
  if (pid == 0) {
    // The child: only async-signal-safe calls until execve.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
      struct sigaction current {};
      if (::sigaction(sig, nullptr, &current) == 0 && current.sa_handler != SIG_DFL &&
          current.sa_handler != SIG_IGN) {
        ::sigaction(sig, &dfl, nullptr);
      }
    }
    ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(spec.stdout_fd >= 0 ? spec.stdout_fd : devnull, 1);
    ::dup2(spec.stderr_fd >= 0 ? spec.stderr_fd : devnull, 2);
    // Passed fds first move above their final numbers, so that no dup2 overwrites another.
    int moved[16];
    const int n = pass_count < 16 ? pass_count : 16;
    for (int i = 0; i < n; ++i) moved[i] = ::fcntl(pass[i], F_DUPFD, 3 + n);
    for (int i = 0; i < n; ++i) ::dup2(moved[i], 3 + i);
#ifdef SYS_close_range
    ::syscall(SYS_close_range, 3 + n, ~0U, 0);
#endif
    if (cwd != nullptr && ::chdir(cwd) != 0) {
      static const char kMsg[] = "tidepool: cannot enter the function's code directory\n";
      (void)!::write(2, kMsg, sizeof kMsg - 1);
      ::_exit(126);
    }
    ::execve(argv[0], argv.data(), envp.data());
    static const char kMsg[] = "tidepool: cannot execute the runtime\n";
    (void)!::write(2, kMsg, sizeof kMsg - 1);
    ::_exit(127);
  }
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::setpgid(pid, pid);  // also here, so the group exists before any kill(-pid)
  return pid;
}

}  // namespace tidepool::functions
