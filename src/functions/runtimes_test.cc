#include "functions/runtimes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace tidepool::functions {
namespace {

namespace fs = std::filesystem;

// A version manager's shim (pyenv, asdf) is a script first on PATH that starts the real
// interpreter; a sandbox must start the interpreter itself, not the script, at every start.
TEST(RuntimesTest, InterpreterIsFoundPastAShim) {
  const std::string real = FindOnPath("python3");
  if (real.empty()) GTEST_SKIP() << "no python3 on PATH";
  const fs::path dir = fs::temp_directory_path() / ("shim-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream shim(dir / "python3");
    shim << "#!/bin/sh\nexec '" << real << "' \"$@\"\n";
  }
  fs::permissions(dir / "python3", fs::perms::owner_all);
  const std::string old_path = std::getenv("PATH");
  ::setenv("PATH", (dir.string() + ":" + old_path).c_str(), 1);
  EXPECT_EQ(FindOnPath("python3"), (dir / "python3").string());
  const std::string resolved = ResolveInterpreter("python3");
  ::setenv("PATH", old_path.c_str(), 1);
  fs::remove_all(dir);
  EXPECT_NE(resolved, (dir / "python3").string());
  EXPECT_EQ(resolved.front(), '/');
  EXPECT_EQ(::access(resolved.c_str(), X_OK), 0);
  // The answer is cached: the shim is gone, the path stays.
  EXPECT_EQ(ResolveInterpreter("python3"), resolved);
}

TEST(RuntimesTest, SupportedRuntimes) {
  EXPECT_TRUE(IsSupportedRuntime("python3.12"));
  EXPECT_TRUE(IsSupportedRuntime("nodejs22.x"));
  EXPECT_TRUE(IsSupportedRuntime("provided.al2023"));
  EXPECT_FALSE(IsSupportedRuntime("java21"));
}

}  // namespace
}  // namespace tidepool::functions
