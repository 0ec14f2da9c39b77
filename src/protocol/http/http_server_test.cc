#include "protocol/http/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "protocol/http/push_body.h"

namespace tidepool::protocol::http {
namespace {

using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;

// A blocking HTTP/1.1 client on a raw socket, with a deadline on every read so that a server bug
// fails the test instead of hanging it.
class RawClient {
 public:
  struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
  };

  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }

  void Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  // Reads one response; nullopt on timeout or when the connection closed first.
  std::optional<Response> Read(std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    Response r;
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    r.status = std::stoi(status_line.substr(9, 3));
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(c));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers[name] = value;
      pos = next + 2;
    }
    size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    while (buffer_.size() < length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }

  // Reads exactly `n` raw bytes.
  std::optional<std::string> ReadRaw(size_t n, std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (buffer_.size() < n) {
      if (!Fill(deadline)) return std::nullopt;
    }
    std::string out = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return out;
  }

  // True when the server closes the connection within `timeout` (after any unread data).
  bool WaitClosed(std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      pollfd p{fd_, POLLIN, 0};
      int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now())
                                    .count());
      if (ms <= 0 || ::poll(&p, 1, ms) <= 0) return false;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;
    }
  }

 private:
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  deadline - std::chrono::steady_clock::now())
                                  .count());
    if (ms <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return false;
    char buf[16384];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

HttpResponse TextResponse(std::string body) {
  HttpResponse r(bhttp::status::ok, 11);
  r.set(bhttp::field::content_type, "text/plain");
  r.body() = std::move(body);
  return r;
}

// A server on 127.0.0.1:<free port> whose io_context runs on two threads.
class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(Handler handler, HttpServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<HttpServer>(io_, options, std::move(handler));
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  void TearDown() override {
    if (server_) server_->Drain(2s);
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    server_.reset();
  }

  // Echoes "<METHOD> <target> <body>".
  static Handler EchoHandler(std::atomic<int>* calls = nullptr) {
    return [calls](HttpRequest&& request, Responder respond) {
      if (calls) ++*calls;
      respond(TextResponse(std::string(request.method_string()) + " " +
                           std::string(request.target()) + " " + request.body()));
    };
  }

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      io_.get_executor()};
  std::unique_ptr<HttpServer> server_;
  std::vector<std::thread> threads_;
};

TEST_F(HttpServerTest, KeepAliveAndPipelinedRequestsInOrder) {
  StartServer(EchoHandler());
  RawClient client(server_->port());
  ASSERT_TRUE(client.connected());
  client.Send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
  auto r1 = client.Read();
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 200);
  EXPECT_EQ(r1->body, "GET /one ");
  // Three pipelined requests in one write come back in order on the same connection.
  client.Send(
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
      "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
  auto a = client.Read();
  auto b = client.Read();
  auto c = client.Read();
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->body, "POST /a abc");
  EXPECT_EQ(b->body, "POST /b de");
  EXPECT_EQ(c->body, "GET /c ");
  EXPECT_EQ(server_->open_connections(), 1u);
}

TEST_F(HttpServerTest, HeadResponsesHaveLengthButNoBody) {
  StartServer(EchoHandler());
  RawClient client(server_->port());
  client.Send("HEAD /x HTTP/1.1\r\nHost: x\r\n\r\nGET /y HTTP/1.1\r\nHost: x\r\n\r\n");
  // A HEAD response announces the GET body's length ("HEAD /x " is 8 bytes) but carries none,
  // so the next response follows directly.
  auto head = client.ReadRaw(1);
  ASSERT_TRUE(head);
  std::string raw = *head;
  while (raw.find("\r\n\r\n") == std::string::npos) {
    auto more = client.ReadRaw(1);
    ASSERT_TRUE(more);
    raw += *more;
  }
  EXPECT_NE(raw.find("Content-Length: 8\r\n"), std::string::npos) << raw;
  auto next = client.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "GET /y ");
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer(EchoHandler());
  RawClient client(server_->port());
  client.Send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(client.WaitClosed());
}

TEST_F(HttpServerTest, RefusesHugeContentLengthWithoutReadingTheBody) {
  std::atomic<int> calls{0};
  StartServer(EchoHandler(&calls));
  RawClient client(server_->port());
  client.Send("PUT /big HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n");
  auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("RequestEntityTooLarge"), std::string::npos);
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(HttpServerTest, ChunkedBodiesCountAgainstTheLimit) {
  std::atomic<int> calls{0};
  HttpServerOptions options;
  options.body_limit = 1000;
  StartServer(EchoHandler(&calls), options);
  RawClient client(server_->port());
  std::string chunk(600, 'x');
  client.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" + chunk +
              "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
  auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(calls.load(), 0);

  // Exactly at the limit is fine.
  RawClient ok(server_->port());
  ok.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'y'));
  auto r2 = ok.Read();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
}

TEST_F(HttpServerTest, OversizedHeadersGet431) {
  std::atomic<int> calls{0};
  HttpServerOptions options;
  options.header_limit = 2048;
  StartServer(EchoHandler(&calls), options);
  RawClient client(server_->port());
  client.Send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
  auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(HttpServerTest, MalformedRequestGets400) {
  StartServer(EchoHandler());
  RawClient client(server_->port());
  client.Send("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
  auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(client.WaitClosed());
}

TEST_F(HttpServerTest, ExpectContinue) {
  StartServer(EchoHandler());
  RawClient client(server_->port());
  client.Send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  auto interim = client.ReadRaw(std::string_view("HTTP/1.1 100 Continue\r\n\r\n").size());
  ASSERT_TRUE(interim);
  EXPECT_EQ(*interim, "HTTP/1.1 100 Continue\r\n\r\n");
  client.Send("hello");
  auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /up hello");

  // Too large: refused at once, no 100.
  client.Send(
      "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\nExpect: "
      "100-continue\r\n\r\n");
  auto refused = client.Read();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 413);
}

TEST_F(HttpServerTest, ResponderFromAnotherThreadAndOnlyOnce) {
  std::mutex mu;
  std::vector<std::thread> workers;
  StartServer([&](HttpRequest&& request, Responder respond) {
    std::lock_guard lock(mu);
    std::string body = request.body();
    workers.emplace_back([respond, body] {
      std::this_thread::sleep_for(20ms);
      respond(TextResponse("late " + body));
      respond(TextResponse("second answer must be ignored"));
    });
  });
  RawClient client(server_->port());
  client.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nA");
  client.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nB");
  auto a = client.Read();
  auto b = client.Read();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->body, "late A");
  EXPECT_EQ(b->body, "late B");
  EXPECT_FALSE(client.Read(200ms));  // no stray third response
  std::lock_guard lock(mu);
  for (auto& t : workers) t.join();
}

TEST_F(HttpServerTest, IdleConnectionsTimeOut) {
  HttpServerOptions options;
  options.idle_timeout = 200ms;
  StartServer(EchoHandler(), options);
  RawClient client(server_->port());
  client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(client.Read());
  EXPECT_TRUE(client.WaitClosed(3s));
}

TEST_F(HttpServerTest, IdleTimeoutCountsFromTheLastResponse) {
  HttpServerOptions options;
  options.idle_timeout = 300ms;
  StartServer(EchoHandler(), options);
  RawClient client(server_->port());
  // Requests 150 ms apart for well over one idle timeout keep the connection open.
  for (int i = 0; i < 6; ++i) {
    client.Send("GET /tick HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = client.Read();
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->body, "GET /tick ");
    std::this_thread::sleep_for(150ms);
  }
  EXPECT_TRUE(client.WaitClosed(3s));
}

TEST_F(HttpServerTest, ResponsesLargerThanTheSocketBufferArriveWhole) {
  std::string big(8 * 1024 * 1024, 'z');
  StartServer([&big](HttpRequest&& request, Responder respond) {
    respond(TextResponse(request.target() == "/big" ? big : "small"));
  });
  RawClient client(server_->port());
  client.Send("GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /small HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(100ms);  // let the server fill the socket and wait for room
  auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["content-length"], std::to_string(big.size()));
  EXPECT_TRUE(r->body == big);
  auto small = client.Read();
  ASSERT_TRUE(small);
  EXPECT_EQ(small->body, "small");
}

TEST_F(HttpServerTest, ResponseHeadsFollowTheRequestVersion) {
  StartServer([](HttpRequest&& request, Responder respond) {
    if (request.target() == "/empty") {
      HttpResponse r(bhttp::status::no_content, 11);
      r.set("x-amzn-RequestId", "id");
      return respond(std::move(r));
    }
    respond(TextResponse("hi"));
  });
  RawClient client(server_->port());
  client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  constexpr std::string_view kExpected =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi";
  auto raw = client.ReadRaw(kExpected.size());
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, kExpected);
  // A 204 keeps Beast's own framing (Content-Length: 0).
  client.Send("GET /empty HTTP/1.1\r\nHost: x\r\n\r\n");
  auto empty = client.Read();
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 204);
  EXPECT_EQ(empty->headers["content-length"], "0");
  EXPECT_EQ(empty->headers.count("connection"), 0u);

  // HTTP/1.0 with keep-alive asks for it explicitly and gets it back.
  RawClient old(server_->port());
  old.Send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  auto kept = old.Read();
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->headers["connection"], "keep-alive");
  EXPECT_EQ(kept->body, "hi");
  // Without it, the connection ends after the response, which names no Connection.
  old.Send("GET / HTTP/1.0\r\n\r\n");
  auto last = old.Read();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->headers.count("connection"), 0u);
  EXPECT_TRUE(old.WaitClosed());
}

// A body pushed over time (an event stream) reaches an HTTP/1.1 client chunk by chunk as it is
// pushed, and the connection stays open after it; an HTTP/1.0 client gets it close-delimited.
TEST_F(HttpServerTest, PushedBodiesAreChunkedAsTheyArrive) {
  std::shared_ptr<PushBody> pushed;
  std::promise<void> started;
  StartServer([&](HttpRequest&& request, Responder respond) {
    if (request.target() == "/plain") return respond(TextResponse("hi"));
    auto body = std::make_shared<PushBody>();
    body->Push("ab");
    respond.Stream(TextResponse(""), body);
    if (request.version() == 10) {
      body->Push("cd");
      body->End();
      return;
    }
    pushed = body;
    started.set_value();
  });
  RawClient client(server_->port());
  client.Send("GET /s HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(started.get_future().wait_for(5s), std::future_status::ready);
  auto head = client.Read();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->headers["transfer-encoding"], "chunked");
  EXPECT_EQ(head->headers.count("content-length"), 0u);
  EXPECT_EQ(client.ReadRaw(7), "2\r\nab\r\n");  // before the body ends
  pushed->Push("cde");
  EXPECT_EQ(client.ReadRaw(8), "3\r\ncde\r\n");
  pushed->End();
  EXPECT_EQ(client.ReadRaw(5), "0\r\n\r\n");
  client.Send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
  auto next = client.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "hi");

  RawClient old(server_->port());
  old.Send("GET /s HTTP/1.0\r\n\r\n");
  auto whole = old.Read();
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->headers.count("transfer-encoding"), 0u);
  EXPECT_EQ(old.ReadRaw(4), "abcd");
  EXPECT_TRUE(old.WaitClosed());
}

TEST_F(HttpServerTest, SlowHeadersTimeOut) {
  HttpServerOptions options;
  options.header_timeout = 200ms;
  StartServer(EchoHandler(), options);
  RawClient client(server_->port());
  client.Send("GET / HTTP/1.1\r\nHost: x\r\n");  // never finishes its headers
  EXPECT_TRUE(client.WaitClosed(3s));
}

TEST_F(HttpServerTest, GracefulDrain) {
  std::mutex mu;
  std::vector<Responder> pending;
  StartServer([&](HttpRequest&&, Responder respond) {
    std::lock_guard lock(mu);
    pending.push_back(std::move(respond));
  });
  RawClient idle(server_->port());
  RawClient busy(server_->port());
  ASSERT_TRUE(idle.connected() && busy.connected());
  busy.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 200 && server_->in_flight_requests() == 0; ++i) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(server_->in_flight_requests(), 1u);
  ASSERT_EQ(server_->open_connections(), 2u);

  auto drained = std::async(std::launch::async, [&] { return server_->Drain(5s); });
  EXPECT_TRUE(idle.WaitClosed(2s));  // idle keep-alive connection closed at once
  EXPECT_EQ(drained.wait_for(100ms), std::future_status::timeout);  // still waiting for /slow

  RawClient late(server_->port());  // no longer accepted
  if (late.connected()) EXPECT_TRUE(late.WaitClosed(2s));

  {
    std::lock_guard lock(mu);
    ASSERT_EQ(pending.size(), 1u);
    pending[0](TextResponse("finally"));
  }
  auto r = busy.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "finally");
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(busy.WaitClosed());
  EXPECT_TRUE(drained.get());
  EXPECT_EQ(server_->open_connections(), 0u);
  EXPECT_EQ(server_->in_flight_requests(), 0u);
}

TEST_F(HttpServerTest, DrainTimesOutWhenAHandlerNeverAnswers) {
  std::mutex mu;
  std::vector<Responder> pending;
  StartServer([&](HttpRequest&&, Responder respond) {
    std::lock_guard lock(mu);
    pending.push_back(std::move(respond));
  });
  RawClient busy(server_->port());
  busy.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 200 && server_->in_flight_requests() == 0; ++i) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_FALSE(server_->Drain(200ms));
  EXPECT_TRUE(busy.WaitClosed());  // forced
  std::lock_guard lock(mu);
  pending.clear();
}

TEST(HttpServerBindTest, PortInUseIsAnError) {
  boost::asio::io_context io;
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  HttpServer first(io, options, [](HttpRequest&&, Responder) {});
  ASSERT_TRUE(first.Start().ok());
  options.port = first.port();
  HttpServer second(io, options, [](HttpRequest&&, Responder) {});
  Status s = second.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace tidepool::protocol::http
