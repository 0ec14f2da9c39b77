// The runtimes tidepool runs, and how a sandbox starts each: the command line and the
// environment AWS gives a function. Pure functions; thread-safe.
//
//   provided.al2023, provided.al2, provided  <code>/bootstrap (an executable)
//   python3.*                                the machine's python3 + runtimes/python/bootstrap.py
//   nodejs*                                  the machine's node + runtimes/node/bootstrap.mjs
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "functions/invoker.h"

namespace tidepool::functions {

struct RuntimeCommandLine {
  std::vector<std::string> args;  // args[0] is an absolute path
};

// Whether `runtime` is one tidepool runs.
bool IsSupportedRuntime(std::string_view runtime);
// "nodejs*, python3.*, provided.al2023, provided.al2, provided", for error messages.
std::string SupportedRuntimesText();

// The command that starts `spec`'s runtime. InvalidArgument when the runtime is not supported,
// NotFound when its interpreter (python3, node) is not on PATH.
Result<RuntimeCommandLine> RuntimeCommand(const FunctionSpec& spec,
                                          const std::string& runtimes_dir);

// The environment of a sandbox, as "NAME=value" strings: the user's variables, then AWS's
// reserved ones (which win).
std::vector<std::string> RuntimeEnvironment(
    const FunctionSpec& spec, const std::string& runtime_api, const std::string& endpoint_url,
    const std::string& temp_dir, const std::string& log_stream, const std::string& runtimes_dir);

// The environment of the Python zygote (python_zygote.h): the part of RuntimeEnvironment that
// every python3.* sandbox shares (tidepool's own PATH, HOME, LANG, LD_LIBRARY_PATH, ...), without
// PYTHONPATH (each child sets its own).
std::vector<std::string> ZygoteEnvironment();

// Where the runtime clients are: `runtimes/` next to the tidepool binary when present, else the
// source tree's (a compile-time path).
std::string DefaultRuntimesDir();

// The absolute path of `name` on PATH, or empty.
std::string FindOnPath(std::string_view name);

// The interpreter `name` (python3, node) that PATH leads to, past a version manager's shim:
// pyenv and asdf put a shell script first on PATH that picks a version at every start (a
// quarter of a second here). A script found on PATH is asked once for its real executable
// (sys.executable, process.execPath); answers are cached for the process's life. Thread-safe.
std::string ResolveInterpreter(std::string_view name);

}  // namespace tidepool::functions
