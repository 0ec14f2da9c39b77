#include "services/apigateway/http_exchange.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <memory>

namespace tidepool::apigateway {
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

class HttpExchange : public std::enable_shared_from_this<HttpExchange> {
 public:
  HttpExchange(boost::asio::io_context& io, HttpAnswerDone done)
      : resolver_(io), stream_(io), done_(std::move(done)) {
    parser_.body_limit(kMaxHttpAnswerBytes);
  }

  void Run(const HttpUrl& url, protocol::http::HttpRequest request,
           std::chrono::milliseconds deadline) {
    request_ = std::move(request);
    request_.version(11);
    request_.target(url.target);
    request_.set(http::field::host, url.port == "80" ? url.host : url.host + ":" + url.port);
    request_.prepare_payload();
    deadline_ = deadline;
    resolver_.async_resolve(
        url.host, url.port,
        [self = shared_from_this()](beast::error_code ec, const tcp::resolver::results_type& r) {
          if (ec) return self->Fail("resolve", ec);
          self->stream_.expires_after(self->deadline_);
          self->stream_.async_connect(r, [self](beast::error_code ec, const tcp::endpoint&) {
            if (ec) return self->Fail("connect", ec);
            self->Write();
          });
        });
  }

 private:
  void Write() {
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Fail("write", ec);
      http::async_read(self->stream_, self->buffer_, self->parser_,
                       [self](beast::error_code ec, size_t) {
                         if (ec) return self->Fail("read", ec);
                         self->Finish(self->parser_.release());
                       });
    });
  }

  void Fail(std::string_view step, beast::error_code ec) {
    Finish(Status::Unavailable(std::string(step) + ": " + ec.message()));
  }

  void Finish(Result<protocol::http::HttpResponse> result) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(result));
  }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  protocol::http::HttpRequest request_;
  http::response_parser<http::string_body> parser_;
  std::chrono::milliseconds deadline_{0};
  HttpAnswerDone done_;
};

}  // namespace

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.size() < kScheme.size() || !beast::iequals(url.substr(0, kScheme.size()), kScheme)) {
    return Status::InvalidArgument("not an http:// URL: " + std::string(url));
  }
  std::string_view rest = url.substr(kScheme.size());
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  HttpUrl out;
  if (end != std::string_view::npos) {
    out.target = std::string(rest.substr(end));
    if (out.target[0] == '?') out.target = "/" + out.target;
  }
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    out.port = std::string(authority.substr(colon + 1));
    authority = authority.substr(0, colon);
  }
  if (authority.size() >= 2 && authority.front() == '[' && authority.back() == ']') {
    authority = authority.substr(1, authority.size() - 2);
  }
  out.host = std::string(authority);
  if (out.host.empty() || out.port.empty() ||
      out.port.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("not an http:// URL with a host: " + std::string(url));
  }
  return out;
}

void StartHttpExchange(boost::asio::io_context& io, const HttpUrl& url,
                       protocol::http::HttpRequest request, std::chrono::milliseconds deadline,
                       HttpAnswerDone done) {
  std::make_shared<HttpExchange>(io, std::move(done))->Run(url, std::move(request), deadline);
}

}  // namespace tidepool::apigateway
