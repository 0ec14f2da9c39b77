#include "functions/runtimes.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

namespace tidepool::functions {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// tidepool's own variables that every sandbox inherits.
constexpr const char* kPassedThrough[] = {"PATH",       "HOME",         "LANG",
                                          "PYTHONPATH", "NODE_PATH",    "LD_LIBRARY_PATH",
                                          "PYENV_ROOT", "PYENV_VERSION"};

}  // namespace

bool IsSupportedRuntime(std::string_view runtime) {
  return StartsWith(runtime, "python3") || StartsWith(runtime, "nodejs") ||
         runtime == "provided.al2023" || runtime == "provided.al2" || runtime == "provided";
}

std::string SupportedRuntimesText() {
  return "nodejs* (the machine's node), python3.* (the machine's python3), provided.al2023, "
         "provided.al2, provided";
}

std::string DefaultRuntimesDir() {
  char exe[4096];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string dir(exe, static_cast<size_t>(n));
    dir = dir.substr(0, dir.rfind('/')) + "/runtimes";
    if (::access((dir + "/python/bootstrap.py").c_str(), R_OK) == 0) return dir;
  }
  return TIDEPOOL_RUNTIMES_DIR;
}

std::string FindOnPath(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + std::string(name);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

std::string ResolveInterpreter(std::string_view name) {
  static std::mutex mu;
  static std::map<std::string, std::string, std::less<>> resolved;
  std::lock_guard lock(mu);
  if (auto it = resolved.find(name); it != resolved.end()) return it->second;
  std::string found = FindOnPath(name);
  std::string& out = resolved[std::string(name)];
  out = found;
  char magic[2] = {};
  FILE* f = found.empty() ? nullptr : std::fopen(found.c_str(), "rb");
  if (f) {
    size_t n = std::fread(magic, 1, 2, f);
    std::fclose(f);
    if (n < 2 || magic[0] != '#' || magic[1] != '!') return out;  // a binary: no shim
  } else {
    return out;
  }
  // A script: a version manager's shim. Ask the interpreter it starts for its own path.
  const char* ask =
      name == "node" ? " -p process.execPath" : " -c 'import sys; print(sys.executable)'";
  std::string command = "'" + found + "'" + ask + " 2>/dev/null";
  if (found.find('\'') != std::string::npos) return out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char line[4096] = {};
  bool got = std::fgets(line, sizeof line, p) != nullptr;
  int rc = ::pclose(p);
  std::string real = got ? std::string(line) : std::string();
  while (!real.empty() && (real.back() == '\n' || real.back() == '\r')) real.pop_back();
  if (rc == 0 && !real.empty() && real[0] == '/' && ::access(real.c_str(), X_OK) == 0) out = real;
  return out;
}

Result<RuntimeCommandLine> RuntimeCommand(const FunctionSpec& spec,
                                          const std::string& runtimes_dir) {
  RuntimeCommandLine cmd;
  if (StartsWith(spec.runtime, "python3")) {
    std::string python = ResolveInterpreter("python3");
    if (python.empty()) return Status::NotFound("python3 is not on PATH");
    cmd.args = {python, "-u", runtimes_dir + "/python/bootstrap.py"};
  } else if (StartsWith(spec.runtime, "nodejs")) {
    std::string node = ResolveInterpreter("node");
    if (node.empty()) return Status::NotFound("node is not on PATH");
    cmd.args = {node, runtimes_dir + "/node/bootstrap.mjs"};
  } else if (IsSupportedRuntime(spec.runtime)) {
    // A custom runtime's bootstrap is in the function's code, or in a layer (/opt/bootstrap).
    cmd.args = {spec.code_dir + "/bootstrap"};
    if (::access(cmd.args[0].c_str(), X_OK) != 0) {
      for (auto it = spec.layer_dirs.rbegin(); it != spec.layer_dirs.rend(); ++it) {
        if (::access((*it + "/bootstrap").c_str(), X_OK) == 0) {
          cmd.args = {*it + "/bootstrap"};
          break;
        }
      }
    }
  } else {
    return Status::InvalidArgument("runtime " + spec.runtime + " is not supported");
  }
  return cmd;
}

std::vector<std::string> ZygoteEnvironment() {
  std::vector<std::string> env;
  for (const char* name : kPassedThrough) {
    std::string_view n(name);
    if (n == "PYTHONPATH" || n == "NODE_PATH") continue;
    if (const char* v = std::getenv(name)) env.push_back(std::string(n) + "=" + v);
  }
  env.push_back("PYTHONUNBUFFERED=1");
  env.push_back("TZ=:UTC");
  return env;
}

std::vector<std::string> RuntimeEnvironment(
    const FunctionSpec& spec, const std::string& runtime_api, const std::string& endpoint_url,
    const std::string& temp_dir, const std::string& log_stream, const std::string& runtimes_dir) {
  std::map<std::string, std::string> env;
  for (const char* name : kPassedThrough) {
    if (const char* v = std::getenv(name)) env[name] = v;
  }
  for (const auto& [k, v] : spec.environment) env[k] = v;
  const bool python = StartsWith(spec.runtime, "python");
  const bool node = StartsWith(spec.runtime, "nodejs");
  env["AWS_LAMBDA_RUNTIME_API"] = runtime_api;
  env["AWS_LAMBDA_FUNCTION_NAME"] = spec.function_name;
  env["AWS_LAMBDA_FUNCTION_VERSION"] = spec.version;
  env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(spec.memory_mb);
  env["AWS_LAMBDA_FUNCTION_TIMEOUT"] = std::to_string(spec.timeout_seconds);
  env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + spec.function_name;
  env["AWS_LAMBDA_LOG_STREAM_NAME"] = log_stream;
  env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
  env["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + spec.runtime;
  env["_HANDLER"] = spec.handler;
  env["LAMBDA_TASK_ROOT"] = spec.code_dir;
  env["LAMBDA_RUNTIME_DIR"] = runtimes_dir;
  env["AWS_REGION"] = spec.region;
  env["AWS_DEFAULT_REGION"] = spec.region;
  // A 12-digit access key id is read by tidepool as the account: the function's SDK calls act
  // in the function's own account.
  env["AWS_ACCESS_KEY_ID"] = spec.account_id;
  env["AWS_SECRET_ACCESS_KEY"] = "test";
  env["AWS_SESSION_TOKEN"] = "test";
  env["AWS_ENDPOINT_URL"] = endpoint_url;
  env["TMPDIR"] = temp_dir;
  env["TZ"] = ":UTC";
  if (python) env["PYTHONUNBUFFERED"] = "1";
  // Layers, as AWS's /opt: a later layer's files win, so later layers come first.
  std::string layer_python, layer_node, layer_bin, layer_lib;
  auto add = [](std::string& list, const std::string& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return;
    list += (list.empty() ? "" : ":") + dir;
  };
  for (auto it = spec.layer_dirs.rbegin(); it != spec.layer_dirs.rend(); ++it) {
    const std::string& l = *it;
    add(layer_python, l + "/python");
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(l + "/python/lib", ec)) {
      add(layer_python, e.path().string() + "/site-packages");
    }
    add(layer_node, l + "/nodejs/node_modules");
    for (const auto& e : std::filesystem::directory_iterator(l + "/nodejs", ec)) {
      if (e.path().filename().string().rfind("node", 0) == 0 &&
          e.path().filename() != "node_modules") {
        add(layer_node, e.path().string() + "/node_modules");
      }
    }
    add(layer_bin, l + "/bin");
    add(layer_lib, l + "/lib");
  }
  auto prepend = [&env](const char* name, const std::string& dirs) {
    if (dirs.empty()) return;
    env[name] = env.count(name) && !env[name].empty() ? dirs + ":" + env[name] : dirs;
  };
  if (python) prepend("PYTHONPATH", layer_python);
  if (node) {
    // Node functions import the AWS SDK for JS from the runtime's node_modules, as on AWS
    // (after the function's layers).
    std::string modules = runtimes_dir + "/node/node_modules";
    env["NODE_PATH"] = env.count("NODE_PATH") ? env["NODE_PATH"] + ":" + modules : modules;
    prepend("NODE_PATH", layer_node);
  }
  prepend("PATH", layer_bin);
  prepend("LD_LIBRARY_PATH", layer_lib);
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace tidepool::functions
