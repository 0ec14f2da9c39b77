// Starting a child process from a large multi-threaded server.
//
// vfork + execve: the child borrows the server's memory until execve instead of copying its
// page tables (a fork of a large server costs milliseconds). The child therefore makes system
// calls only and runs no handler of ours: every signal is blocked around vfork, and the child
// puts the handled ones back to their defaults (its handler table is its own) before it
// unblocks them.
//
// The child leads its own process group (so kill(-pid) reaches whatever it starts) and has
// PR_SET_PDEATHSIG(SIGKILL): it dies with this process even on kill -9. The caller reaps it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.h"

namespace tidepool::functions {

struct ChildProcessSpec {
  std::vector<std::string> args;  // args[0] is an absolute path
  std::vector<std::string> env;   // "NAME=value"
  std::string cwd;                // empty: the server's
  int stdout_fd = -1;             // -1: /dev/null
  int stderr_fd = -1;             // -1: /dev/null
  std::vector<int> pass_fds;      // become fds 3, 4, ... in the child; every other fd closes
};

// Starts the child. stdin is /dev/null. A cwd the child cannot enter makes it write a line to
// its stderr and exit 126; a failed execve, exit 127. IoError when vfork fails.
Result<pid_t> StartChildProcess(const ChildProcessSpec& spec);

}  // namespace tidepool::functions
