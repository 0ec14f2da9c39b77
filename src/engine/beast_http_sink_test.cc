#include "engine/beast_http_sink.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace tidepool::engine {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A server context whose certificate no client could trust: self-signed, expired a day ago,
// and issued to a name that is not the one the client connects to. Made with OpenSSL's APIs.
std::unique_ptr<ssl::context> UntrustworthyServerContext() {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -2 * 86400);
  X509_gmtime_adj(X509_getm_notAfter(cert), -86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("wrong-name.invalid"), -1, -1,
                             0);
  X509_set_issuer_name(cert, name);
  EXPECT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  EXPECT_EQ(SSL_CTX_use_certificate(ctx->native_handle(), cert), 1);
  EXPECT_EQ(SSL_CTX_use_PrivateKey(ctx->native_handle(), key), 1);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ctx;
}

// What the local endpoint saw of the one request it served.
struct Received {
  bool got_request = false;
  std::string method, target, host, sns_type, connection, body;
  std::optional<std::string> server_name;  // SNI; nullopt when the client sent none
  int tls_version = 0;
};

// Serves one connection on 127.0.0.1 (TLS when `tls` is set): reads one request, answers
// `status`. Runs on its own thread for at most 10 s; Wait() joins it. An unreadable request or
// a failed handshake closes the connection, as a real server would.
class LocalEndpoint {
 public:
  LocalEndpoint(ssl::context* tls, http::status status)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), status_(status) {
    acceptor_.async_accept([this, tls](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      if (tls == nullptr) {
        plain_.emplace(std::move(socket));
        return Exchange(*plain_, [] {});
      }
      tls_.emplace(std::move(socket), *tls);
      tls_->async_handshake(ssl::stream_base::server, [this](beast::error_code ec) {
        if (ec) return tls_->lowest_layer().close();
        const char* sni = SSL_get_servername(tls_->native_handle(), TLSEXT_NAMETYPE_host_name);
        if (sni != nullptr) received_.server_name = sni;
        received_.tls_version = SSL_version(tls_->native_handle());
        Exchange(*tls_, [this] { tls_->async_shutdown([](beast::error_code) {}); });
      });
    });
    thread_ = std::thread([this] { io_.run_for(10s); });
  }
  ~LocalEndpoint() {
    if (thread_.joinable()) thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  Received Wait() {
    thread_.join();
    return received_;
  }

 private:
  template <class Stream, class Then>
  void Exchange(Stream& stream, Then then) {
    http::async_read(stream, buffer_, request_,
                     [this, &stream, then](beast::error_code ec, size_t) {
                       if (ec) return;
                       received_.got_request = true;
                       received_.method = std::string(request_.method_string());
                       received_.target = std::string(request_.target());
                       received_.host = std::string(request_[http::field::host]);
                       received_.sns_type = std::string(request_["x-amz-sns-message-type"]);
                       received_.connection = std::string(request_[http::field::connection]);
                       received_.body = request_.body();
                       response_ = {status_, 11};
                       response_.body() = "ok";
                       response_.prepare_payload();
                       http::async_write(stream, response_, [then](beast::error_code ec, size_t) {
                         if (!ec) then();
                       });
                     });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  const http::status status_;
  std::optional<tcp::socket> plain_;
  std::optional<ssl::stream<tcp::socket>> tls_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  std::thread thread_;
  Received received_;
};

class BeastHttpSinkTest : public ::testing::Test {
 protected:
  BeastHttpSinkTest() : work_(asio::make_work_guard(io_)), sink_(io_) {
    thread_ = std::thread([this] { io_.run(); });
  }
  ~BeastHttpSinkTest() override {
    work_.reset();
    io_.stop();
    thread_.join();
  }

  // Posts and waits for the outcome; `done` must run exactly once.
  SinkResult Post(const std::string& url, std::string body = "hello") {
    auto promise = std::make_shared<std::promise<SinkResult>>();
    auto calls = std::make_shared<std::atomic<int>>(0);
    sink_.Post(url, {{"x-amz-sns-message-type", "Notification"}}, std::move(body),
               [promise, calls](SinkResult r) {
                 if (calls->fetch_add(1) == 0) promise->set_value(std::move(r));
               });
    auto future = promise->get_future();
    EXPECT_EQ(future.wait_for(20s), std::future_status::ready) << url;
    SinkResult result = future.wait_for(0s) == std::future_status::ready
                            ? future.get()
                            : SinkResult{SinkOutcome::kGone, "no answer"};
    std::this_thread::sleep_for(20ms);  // a second call of `done` would show up here
    EXPECT_EQ(calls->load(), 1);
    return result;
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  BeastHttpSink sink_;
  std::thread thread_;
};

TEST_F(BeastHttpSinkTest, HttpsPostAcceptsAnyCertificateAndSendsSni) {
  auto tls = UntrustworthyServerContext();
  LocalEndpoint server(tls.get(), http::status::ok);
  const std::string port = std::to_string(server.port());
  SinkResult r = Post("https://localhost:" + port + "/hook?a=1&b=%20", R"({"Type":"x"})");
  EXPECT_EQ(r.outcome, SinkOutcome::kAccepted) << r.error;
  Received got = server.Wait();
  ASSERT_TRUE(got.got_request);
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.target, "/hook?a=1&b=%20");
  EXPECT_EQ(got.host, "localhost:" + port);
  EXPECT_EQ(got.sns_type, "Notification");
  EXPECT_EQ(got.connection, "close");
  EXPECT_EQ(got.body, R"({"Type":"x"})");
  EXPECT_EQ(got.server_name, "localhost");
  EXPECT_GE(got.tls_version, TLS1_2_VERSION);
}

TEST_F(BeastHttpSinkTest, HttpsToIpLiteralSendsNoSni) {
  auto tls = UntrustworthyServerContext();
  LocalEndpoint server(tls.get(), http::status::accepted);
  SinkResult r = Post("https://127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(r.outcome, SinkOutcome::kAccepted) << r.error;
  Received got = server.Wait();
  EXPECT_EQ(got.target, "/");
  EXPECT_EQ(got.body, "hello");
  EXPECT_EQ(got.server_name, std::nullopt);
}

TEST_F(BeastHttpSinkTest, HttpsErrorStatusIsRetry) {
  auto tls = UntrustworthyServerContext();
  LocalEndpoint server(tls.get(), http::status::internal_server_error);
  SinkResult r = Post("https://127.0.0.1:" + std::to_string(server.port()) + "/x");
  EXPECT_EQ(r.outcome, SinkOutcome::kRetry);
  EXPECT_EQ(r.error, "HTTP 500");
  EXPECT_TRUE(server.Wait().got_request);
}

TEST_F(BeastHttpSinkTest, HttpsToPlainServerFailsTheHandshake) {
  // A plain HTTP server answers the ClientHello with 400 and closes, as real ones do.
  static constexpr std::string_view kBadRequest =
      "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket peer(io);
  acceptor.async_accept(peer, [&peer](beast::error_code ec) {
    if (ec) return;
    asio::async_write(peer, asio::buffer(kBadRequest),
                      [&peer](beast::error_code, size_t) { peer.close(); });
  });
  std::thread server([&io] { io.run_for(10s); });
  SinkResult r = Post("https://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()));
  server.join();
  EXPECT_EQ(r.outcome, SinkOutcome::kRetry);
  EXPECT_TRUE(r.error.starts_with("TLS handshake: ")) << r.error;
  EXPECT_EQ(r.error.find("timeout"), std::string::npos) << r.error;
}

TEST_F(BeastHttpSinkTest, PlainHttpStillDelivered) {
  LocalEndpoint server(nullptr, http::status::ok);
  const std::string port = std::to_string(server.port());
  SinkResult r = Post("http://127.0.0.1:" + port + "/plain", "body");
  EXPECT_EQ(r.outcome, SinkOutcome::kAccepted) << r.error;
  Received got = server.Wait();
  EXPECT_EQ(got.target, "/plain");
  EXPECT_EQ(got.host, "127.0.0.1:" + port);
  EXPECT_EQ(got.body, "body");
  EXPECT_EQ(got.tls_version, 0);
}

TEST_F(BeastHttpSinkTest, HttpToTlsServerIsRetry) {
  auto tls = UntrustworthyServerContext();
  LocalEndpoint server(tls.get(), http::status::ok);
  SinkResult r = Post("http://127.0.0.1:" + std::to_string(server.port()) + "/x");
  EXPECT_EQ(r.outcome, SinkOutcome::kRetry);
  EXPECT_TRUE(r.error.starts_with("read: ")) << r.error;
  EXPECT_EQ(r.error.find("timeout"), std::string::npos) << r.error;
  EXPECT_FALSE(server.Wait().got_request);
}

TEST_F(BeastHttpSinkTest, RefusedConnectionIsRetry) {
  unsigned short port;
  {
    asio::io_context io;
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }
  SinkResult r = Post("https://127.0.0.1:" + std::to_string(port) + "/x");
  EXPECT_EQ(r.outcome, SinkOutcome::kRetry);
  EXPECT_TRUE(r.error.starts_with("connect: ")) << r.error;
}

TEST_F(BeastHttpSinkTest, UnusableUrlsAreRetryWithReason) {
  SinkResult r = Post("ftp://127.0.0.1/x");
  EXPECT_EQ(r.outcome, SinkOutcome::kRetry);
  EXPECT_EQ(r.error, "tidepool delivers only to http:// and https:// endpoints");
  r = Post("not a url");
  EXPECT_EQ(r.outcome, SinkOutcome::kRetry);
  EXPECT_EQ(r.error, "malformed endpoint URL");
  r = Post("https:///path");
  EXPECT_EQ(r.outcome, SinkOutcome::kRetry);
  EXPECT_EQ(r.error, "endpoint URL has no host");
}

}  // namespace
}  // namespace tidepool::engine
