// HTTP/2 (h2c, prior knowledge) against HttpServer, with node's built-in http2 module as the
// client (the same stack the AWS SDK for JS v3 uses). Skipped when node is not installed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "protocol/http/http_server.h"

namespace tidepool::protocol::http {
namespace {

using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;

// Client scenarios; each prints one line per result, then "done".
constexpr std::string_view kClientScript = R"JS(
import http2 from 'node:http2';
const [mode, port] = process.argv.slice(2);
const session = http2.connect(`http://127.0.0.1:${port}`);
session.on('error', (e) => { console.log('session-error', e.code); });
function request(headers, body) {
  return new Promise((resolve) => {
    const req = session.request(headers);
    let status = 0; const chunks = [];
    req.on('response', (h) => { status = h[':status']; });
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
    req.on('error', (e) => resolve({ status, error: e.code, body: Buffer.concat(chunks) }));
    req.end(body);
  });
}
if (mode === 'concurrent') {
  const all = [];
  for (let i = 0; i < 5; i++) all.push(request({ ':method': 'GET', ':path': `/item/${i}` }));
  for (const r of await Promise.all(all)) console.log(r.status, r.body.toString());
} else if (mode === 'post') {
  const body = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 10)) & 0xff;
  const r = await request({ ':method': 'POST', ':path': '/echo', 'x-amz-target': 'Echo',
                            'content-type': 'application/x-amz-json-1.1' }, body);
  console.log(r.status, r.body.equals(body) ? 'same-body' : `different-body ${r.body.length}`);
} else if (mode === 'oversized') {
  const r = await request({ ':method': 'POST', ':path': '/big' }, Buffer.alloc(300 * 1024, 1));
  console.log('big', r.status, r.error ?? '-', r.body.toString());
  const s = await request({ ':method': 'GET', ':path': '/after' });
  console.log('after', s.status, s.body.toString());
} else if (mode === 'single') {
  const r = await request({ ':method': 'GET', ':path': '/slow' });
  console.log(r.status, r.body.toString(), r.error ?? '-');
}
console.log('done');
session.close();
)JS";

class H2SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v node >/dev/null 2>&1") != 0) GTEST_SKIP() << "node not found";
    script_ = ::testing::TempDir() + "h2_client_" + std::to_string(::getpid()) + ".mjs";
    std::ofstream(script_) << kClientScript;
  }
  void TearDown() override {
    if (server_) server_->Drain(5s);
    work_.reset();
    for (auto& t : threads_) t.join();
    if (!script_.empty()) std::remove(script_.c_str());
  }

  void StartServer(Handler handler, HttpServerOptions options = {}) {
    options.port = 0;
    server_ = std::make_unique<HttpServer>(io_, options, std::move(handler));
    ASSERT_TRUE(server_->Start().ok());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  // Runs a client scenario; returns its output lines.
  std::vector<std::string> RunClient(const std::string& mode) {
    std::string cmd =
        "timeout 20 node " + script_ + " " + mode + " " + std::to_string(server_->port()) + " 2>&1";
    std::vector<std::string> lines;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) return lines;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, pipe) != nullptr) {
      std::string line(buf);
      if (!line.empty() && line.back() == '\n') line.pop_back();
      lines.push_back(line);
    }
    ::pclose(pipe);
    return lines;
  }

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      io_.get_executor()};
  std::vector<std::thread> threads_;
  std::unique_ptr<HttpServer> server_;
  std::string script_;
};

HttpResponse Ok(std::string body) {
  HttpResponse r(bhttp::status::ok, 11);
  r.set(bhttp::field::content_type, "text/plain");
  r.set(bhttp::field::connection, "keep-alive");  // must not reach the HTTP/2 client
  r.body() = std::move(body);
  return r;
}

TEST_F(H2SessionTest, ConcurrentStreamsOnOneConnection) {
  // Answers only once all five requests are waiting, in reverse order: a server that handled
  // one stream at a time would never get there.
  std::mutex mu;
  std::vector<std::pair<std::string, Responder>> waiting;
  StartServer([&](HttpRequest&& req, Responder responder) {
    std::vector<std::pair<std::string, Responder>> ready;
    {
      std::lock_guard lock(mu);
      waiting.emplace_back(
          std::string(req.target()) + " host=" + std::string(req[bhttp::field::host]),
          std::move(responder));
      if (waiting.size() == 5) ready.swap(waiting);
    }
    for (auto it = ready.rbegin(); it != ready.rend(); ++it) it->second(Ok(it->first));
  });
  auto lines = RunClient("concurrent");
  std::string port = std::to_string(server_->port());
  std::vector<std::string> want;
  for (int i = 0; i < 5; ++i) {
    want.push_back("200 /item/" + std::to_string(i) + " host=127.0.0.1:" + port);
  }
  want.push_back("done");
  EXPECT_EQ(lines, want);
}

TEST_F(H2SessionTest, PostBodyArrivesIntactAndLargeResponsesFlow) {
  std::atomic<int> calls{0};
  StartServer([&](HttpRequest&& req, Responder responder) {
    ++calls;
    bool ok = req.method() == bhttp::verb::post && req.target() == "/echo" &&
              req["x-amz-target"] == "Echo" &&
              req[bhttp::field::content_type] == "application/x-amz-json-1.1";
    HttpResponse r = Ok(std::move(req.body()));
    if (!ok) r.result(bhttp::status::bad_request);
    responder(std::move(r));
  });
  EXPECT_EQ(RunClient("post"), (std::vector<std::string>{"200 same-body", "done"}));
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(H2SessionTest, OversizedBodyIsRefusedAndTheConnectionLivesOn) {
  std::vector<std::string> seen;
  std::mutex mu;
  HttpServerOptions options;
  options.body_limit = 64 * 1024;
  StartServer(
      [&](HttpRequest&& req, Responder responder) {
        {
          std::lock_guard lock(mu);
          seen.emplace_back(req.target());
        }
        responder(Ok("fine"));
      },
      options);
  auto lines = RunClient("oversized");
  ASSERT_EQ(lines.size(), 3u) << ::testing::PrintToString(lines);
  EXPECT_EQ(lines[0].rfind("big 413 ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("RequestEntityTooLarge"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1], "after 200 fine");
  EXPECT_EQ(lines[2], "done");
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, std::vector<std::string>{"/after"});
}

// Sends `data` on a fresh connection and returns everything read until the server closes it
// (or 5 s pass).
std::string Exchange(uint16_t port, const std::string& data) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

TEST_F(H2SessionTest, Http11StillWorksBesideHttp2) {
  StartServer([](HttpRequest&& req, Responder responder) {
    responder(Ok("v" + std::to_string(req.version()) + " " + std::string(req.target())));
  });
  std::string reply =
      Exchange(server_->port(), "GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("\r\n\r\nv11 /plain"), std::string::npos) << reply;
  auto lines = RunClient("single");
  EXPECT_EQ(lines, (std::vector<std::string>{"200 v11 /slow -", "done"}));
}

TEST_F(H2SessionTest, GarbageAfterThePrefaceGetsGoawayAndClose) {
  std::atomic<int> calls{0};
  StartServer([&](HttpRequest&&, Responder responder) {
    ++calls;
    responder(Ok(""));
  });
  std::string junk = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + std::string(64, '\xff');
  std::string reply = Exchange(server_->port(), junk);
  // The server's SETTINGS frame (type 4) comes first, then a GOAWAY (type 7); then EOF.
  ASSERT_GE(reply.size(), 9u);
  EXPECT_EQ(reply[3], '\x04');
  EXPECT_NE(reply.find('\x07'), std::string::npos);
  EXPECT_EQ(calls.load(), 0);
  // A truncated preface that turns out to be HTTP/1.1 is still served as HTTP/1.1.
  std::string almost =
      Exchange(server_->port(), "PRI * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(almost.rfind("HTTP/1.1 ", 0), 0u) << almost;
  for (int i = 0; i < 50 && server_->open_connections() != 0; ++i)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(server_->open_connections(), 0u);
}

TEST_F(H2SessionTest, DrainWaitsForInFlightStreams) {
  std::promise<Responder> held;
  StartServer([&](HttpRequest&&, Responder responder) { held.set_value(std::move(responder)); });
  auto client = std::async(std::launch::async, [this] { return RunClient("single"); });
  auto future = held.get_future();
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  Responder responder = future.get();
  EXPECT_EQ(server_->in_flight_requests(), 1u);
  EXPECT_EQ(server_->open_connections(), 1u);
  auto drained = std::async(std::launch::async, [this] { return server_->Drain(10s); });
  EXPECT_EQ(drained.wait_for(300ms), std::future_status::timeout);  // waits for the stream
  responder(Ok("late"));
  EXPECT_TRUE(drained.get());
  EXPECT_EQ(server_->in_flight_requests(), 0u);
  EXPECT_EQ(server_->open_connections(), 0u);
  EXPECT_EQ(client.get(), (std::vector<std::string>{"200 late -", "done"}));
}

TEST_F(H2SessionTest, IdleSessionsTimeOut) {
  HttpServerOptions options;
  options.idle_timeout = 200ms;
  StartServer([](HttpRequest&&, Responder responder) { responder(Ok("")); }, options);
  // A bare preface plus an empty SETTINGS frame, then nothing: the server closes the connection.
  std::string hello = std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") +
                      std::string("\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9);
  auto start = std::chrono::steady_clock::now();
  std::string reply = Exchange(server_->port(), hello);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, 3s);  // closed by the server, not by Exchange's 5 s deadline
  EXPECT_NE(reply.find('\x07'), std::string::npos);  // GOAWAY
}

}  // namespace
}  // namespace tidepool::protocol::http
