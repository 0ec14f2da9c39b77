#include "engine/beast_http_sink.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <memory>

namespace tidepool::engine {
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

// One POST: resolve, connect, write, read; `done` runs once.
class PostSession : public std::enable_shared_from_this<PostSession> {
 public:
  PostSession(boost::asio::io_context& io, SinkDone done)
      : resolver_(io), stream_(io), done_(std::move(done)) {}

  void Run(std::string host, std::string port, http::request<http::string_body> request) {
    request_ = std::move(request);
    resolver_.async_resolve(
        host, port, [self = shared_from_this()](beast::error_code ec, auto results) {
          if (ec) return self->Finish({SinkOutcome::kRetry, ec.message()});
          self->stream_.expires_after(std::chrono::seconds(15));
          self->stream_.async_connect(results,
                                      [self](beast::error_code ec, auto) { self->OnConnect(ec); });
        });
  }

 private:
  void OnConnect(beast::error_code ec) {
    if (ec) return Finish({SinkOutcome::kRetry, ec.message()});
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Finish({SinkOutcome::kRetry, ec.message()});
      http::async_read(self->stream_, self->buffer_, self->response_,
                       [self](beast::error_code ec, size_t) { self->OnRead(ec); });
    });
  }
  void OnRead(beast::error_code ec) {
    if (ec) return Finish({SinkOutcome::kRetry, ec.message()});
    const unsigned status = response_.result_int();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (status >= 200 && status < 300) return Finish({SinkOutcome::kAccepted, {}});
    Finish({SinkOutcome::kRetry, "HTTP " + std::to_string(status)});
  }
  void Finish(SinkResult r) {
    if (done_) {
      auto done = std::move(done_);
      done_ = nullptr;
      done(std::move(r));
    }
  }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  SinkDone done_;
};

}  // namespace

void BeastHttpSink::Post(std::string url, std::vector<std::pair<std::string, std::string>> headers,
                         std::string body, SinkDone done) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return done({SinkOutcome::kRetry, "malformed endpoint URL"});
  if (parsed->scheme() != "http") {
    return done({SinkOutcome::kRetry, "tidepool delivers only to http:// endpoints"});
  }
  const std::string host(parsed->encoded_host());
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  std::string target(parsed->encoded_target());
  if (target.empty()) target = "/";
  http::request<http::string_body> request{http::verb::post, target, 11};
  request.set(http::field::host, parsed->has_port() ? host + ":" + port : host);
  for (auto& [k, v] : headers) request.set(k, v);
  request.body() = std::move(body);
  request.prepare_payload();
  auto session = std::make_shared<PostSession>(io_, std::move(done));
  session->Run(host, port, std::move(request));
}

}  // namespace tidepool::engine
