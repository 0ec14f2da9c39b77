#include "engine/http_post_session.h"

#include <boost/asio/ssl/stream_base.hpp>

#include <openssl/ssl.h>

namespace tidepool::engine {
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

template <class Stream>
void HttpPostSession<Stream>::Run(std::string host, std::string port, std::string server_name,
                                  Request request) {
  request_ = std::move(request);
  if constexpr (kTls) {
    if (!server_name.empty() &&
        SSL_set_tlsext_host_name(stream_.native_handle(), server_name.c_str()) != 1) {
      return Finish({SinkOutcome::kRetry, "TLS: cannot set the server name " + server_name});
    }
  }
  resolver_.async_resolve(host, port,
                          [self = this->shared_from_this()](
                              beast::error_code ec, const tcp::resolver::results_type& endpoints) {
                            self->OnResolved(ec, endpoints);
                          });
}

template <class Stream>
void HttpPostSession<Stream>::OnResolved(beast::error_code ec,
                                         const tcp::resolver::results_type& endpoints) {
  if (ec) return Fail("resolve", ec);
  auto& tcp_stream = beast::get_lowest_layer(stream_);
  tcp_stream.expires_after(kPostTimeout);
  tcp_stream.async_connect(
      endpoints, [self = this->shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
        self->OnConnected(ec);
      });
}

template <class Stream>
void HttpPostSession<Stream>::OnConnected(beast::error_code ec) {
  if (ec) return Fail("connect", ec);
  if constexpr (kTls) {
    stream_.async_handshake(boost::asio::ssl::stream_base::client,
                            [self = this->shared_from_this()](beast::error_code ec) {
                              if (ec) return self->Fail("TLS handshake", ec);
                              self->Write();
                            });
  } else {
    Write();
  }
}

template <class Stream>
void HttpPostSession<Stream>::Write() {
  http::async_write(stream_, request_,
                    [self = this->shared_from_this()](beast::error_code ec, size_t) {
                      if (ec) return self->Fail("write", ec);
                      http::async_read(self->stream_, self->buffer_, self->response_,
                                       [self](beast::error_code ec, size_t) { self->OnRead(ec); });
                    });
}

template <class Stream>
void HttpPostSession<Stream>::OnRead(beast::error_code ec) {
  if (ec) return Fail("read", ec);
  const unsigned status = response_.result_int();
  if (status >= 200 && status < 300) {
    Finish({SinkOutcome::kAccepted, {}});
  } else {
    Finish({SinkOutcome::kRetry, "HTTP " + std::to_string(status)});
  }
  Close();
}

template <class Stream>
void HttpPostSession<Stream>::Close() {
  if constexpr (kTls) {
    // The answer is complete; the peer's close_notify (or its lack) changes nothing.
    stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().close(ignored);
    });
  } else {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }
}

template <class Stream>
void HttpPostSession<Stream>::Fail(std::string_view step, beast::error_code ec) {
  std::string error(step);
  error += ": ";
  error += ec.message();
  Finish({SinkOutcome::kRetry, std::move(error)});
}

template <class Stream>
void HttpPostSession<Stream>::Finish(SinkResult result) {
  if (!done_) return;
  auto done = std::move(done_);
  done_ = nullptr;
  done(std::move(result));
}

template class HttpPostSession<beast::tcp_stream>;
template class HttpPostSession<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace tidepool::engine
