#include "functions/python_zygote.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>

#include <chrono>
#include <fstream>
#include <future>
#include <optional>
#include <string>
#include <thread>

#include "functions/runtimes.h"

namespace tidepool::functions {
namespace {

class PythonZygoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (FindOnPath("python3").empty()) GTEST_SKIP() << "no python3 on PATH";
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // Spawns with the zygote's own environment plus `extra`; the child's output is read into
  // `output` once it exits.
  struct Child {
    pid_t pid = -1;
    std::future<int> status;
    int output_fd = -1;
  };
  Child Spawn(PythonZygote& zygote, std::vector<std::string> extra) {
    std::vector<std::string> env = ZygoteEnvironment();
    env.insert(env.end(), extra.begin(), extra.end());
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    auto promise = std::make_shared<std::promise<int>>();
    Child child;
    child.status = promise->get_future();
    auto pid =
        zygote.Spawn(env, "/tmp", fds[1], [promise](int status) { promise->set_value(status); });
    ::close(fds[1]);
    EXPECT_TRUE(pid.ok()) << pid.status().message();
    child.pid = pid.ok() ? *pid : -1;
    child.output_fd = fds[0];
    return child;
  }
  // Ended: no such process, or a zombie nobody reaped yet.
  static bool Gone(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    size_t paren = line.rfind(')');
    return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] == 'Z' ||
           line[paren + 2] == 'X';
  }
  static std::string ReadAll(int fd) {
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, n);
    ::close(fd);
    return out;
  }

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      boost::asio::make_work_guard(io_)};
  std::thread thread_;
};

TEST_F(PythonZygoteTest, EligibleComparesOnlyWhatShapesStartup) {
  PythonZygote zygote(io_, DefaultRuntimesDir());
  std::vector<std::string> env = ZygoteEnvironment();
  EXPECT_TRUE(zygote.Eligible(env));
  auto with = [&](std::string var) {
    std::vector<std::string> e = env;
    e.push_back(std::move(var));
    return zygote.Eligible(e);
  };
  EXPECT_TRUE(with("PYTHONPATH=/opt/layer/python"));  // the child puts it on sys.path
  EXPECT_TRUE(with("PATH2=x"));
  EXPECT_TRUE(with("MY_SETTING=1"));
  EXPECT_FALSE(with("PYTHONDONTWRITEBYTECODE=1"));
  EXPECT_FALSE(with("LD_PRELOAD=/x.so"));
  EXPECT_FALSE(with("LC_ALL=C"));
  std::vector<std::string> other_home;
  for (const std::string& e : env) {
    if (e.rfind("HOME=", 0) != 0) other_home.push_back(e);
  }
  other_home.push_back("HOME=/somewhere/else");
  EXPECT_FALSE(zygote.Eligible(other_home));
}

// A child runs the runtime client in its own process group; what it writes reaches the pipe
// and how it ended reaches the exit handler (here: no Runtime API listens, so it fails).
TEST_F(PythonZygoteTest, ChildOutputAndExitStatusReachTheSandbox) {
  PythonZygote zygote(io_, DefaultRuntimesDir());
  Child child = Spawn(zygote, {"AWS_LAMBDA_RUNTIME_API=127.0.0.1:1"});
  ASSERT_GT(child.pid, 0);
  EXPECT_NE(child.pid, zygote.zygote_pid());
  ASSERT_EQ(child.status.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  int status = child.status.get();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(ReadAll(child.output_fd).find("ConnectionRefusedError"), std::string::npos);
}

// Children die with their zygote (PR_SET_PDEATHSIG) and are reported killed; the next spawn
// starts a new zygote.
TEST_F(PythonZygoteTest, ChildrenEndWithTheZygoteAndANewOneStarts) {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 8), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  // The runtime connects (the backlog accepts it) and waits for an answer that never comes.
  const std::string api =
      "AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  PythonZygote zygote(io_, DefaultRuntimesDir());
  Child child = Spawn(zygote, {api});
  ASSERT_GT(child.pid, 0);
  EXPECT_EQ(::getpgid(child.pid), child.pid);
  const pid_t first = zygote.zygote_pid();
  ASSERT_GT(first, 0);
  EXPECT_EQ(child.status.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  ::kill(first, SIGKILL);
  ASSERT_EQ(child.status.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  int status = child.status.get();
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  for (int i = 0; i < 300 && !Gone(child.pid); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(Gone(child.pid)) << "the child outlived its zygote";
  ReadAll(child.output_fd);

  Child next = Spawn(zygote, {"AWS_LAMBDA_RUNTIME_API=127.0.0.1:1"});
  ASSERT_GT(next.pid, 0);
  EXPECT_NE(zygote.zygote_pid(), first);
  ASSERT_EQ(next.status.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  ReadAll(next.output_fd);
  ::close(listener);
}

}  // namespace
}  // namespace tidepool::functions
