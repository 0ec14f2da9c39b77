#include "services/apigateway/http_exchange.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <type_traits>

namespace tidepool::apigateway {
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// The client TLS context, made on first use (thread-safe static); read-only afterwards, each
// exchange makes its own SSL from it. Null when OpenSSL cannot make one.
ssl::context* ClientTls() {
  static const std::unique_ptr<ssl::context> tls = []() -> std::unique_ptr<ssl::context> {
    beast::error_code ec;
    auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
    context->set_default_verify_paths(ec);  // honours SSL_CERT_FILE and SSL_CERT_DIR
    if (ec) return nullptr;
    context->set_verify_mode(ssl::verify_peer);
    return context;
  }();
  return tls.get();
}

// Makes `ssl` present `identity` (this connection only).
bool UseIdentity(SSL* ssl, const ClientIdentity& identity) {
  auto read = [](const std::string& pem) {
    return std::unique_ptr<BIO, decltype(&BIO_free)>(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  };
  auto cert_bio = read(identity.certificate_pem);
  auto key_bio = read(identity.private_key_pem);
  if (!cert_bio || !key_bio) return false;
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr), &X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  return cert && key && SSL_use_certificate(ssl, cert.get()) == 1 &&
         SSL_use_PrivateKey(ssl, key.get()) == 1 && SSL_check_private_key(ssl) == 1;
}

template <typename Stream>
class HttpExchange : public std::enable_shared_from_this<HttpExchange<Stream>> {
 public:
  template <typename... TlsContext>
  HttpExchange(boost::asio::io_context& io, HttpAnswerDone done, TlsContext&... tls)
      : resolver_(io), stream_(io, tls...), done_(std::move(done)) {
    parser_.body_limit(kMaxHttpAnswerBytes);
  }

  void Run(const HttpUrl& url, protocol::http::HttpRequest request,
           std::chrono::milliseconds deadline, const ClientIdentity* identity = nullptr) {
    request_ = std::move(request);
    request_.version(11);
    request_.target(url.target);
    const char* default_port = url.tls ? "443" : "80";
    request_.set(http::field::host,
                 url.port == default_port ? url.host : url.host + ":" + url.port);
    request_.prepare_payload();
    deadline_ = deadline;
    if constexpr (kTls) {
      // SNI (for a name, not an address), and the certificate's name checked against the host.
      beast::error_code not_address;
      boost::asio::ip::make_address(url.host, not_address);
      if (not_address && SSL_set_tlsext_host_name(stream_.native_handle(), url.host.c_str()) != 1) {
        return Finish(Status::Unavailable("tls: cannot set the server name"));
      }
      stream_.set_verify_callback(ssl::host_name_verification(url.host));
      if (identity != nullptr && !UseIdentity(stream_.native_handle(), *identity)) {
        return Finish(Status::Unavailable("tls: cannot load the client certificate"));
      }
    }
    resolver_.async_resolve(url.host, url.port,
                            [self = this->shared_from_this()](
                                beast::error_code ec, const tcp::resolver::results_type& r) {
                              if (ec) return self->Fail("resolve", ec);
                              self->Connect(r);
                            });
  }

 private:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  beast::tcp_stream& Tcp() {
    if constexpr (kTls) {
      return beast::get_lowest_layer(stream_);
    } else {
      return stream_;
    }
  }

  void Connect(const tcp::resolver::results_type& endpoints) {
    Tcp().expires_after(deadline_);
    Tcp().async_connect(
        endpoints, [self = this->shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
          if (ec) return self->Fail("connect", ec);
          if constexpr (kTls) {
            self->stream_.async_handshake(ssl::stream_base::client, [self](beast::error_code ec) {
              if (ec) return self->Fail("tls handshake", ec);
              self->Write();
            });
          } else {
            self->Write();
          }
        });
  }

  void Write() {
    http::async_write(stream_, request_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
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

  // Closes the connection without a TLS close_notify (the answer is complete or failed).
  void Finish(Result<protocol::http::HttpResponse> result) {
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().socket().close(ignored);
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(result));
  }

  tcp::resolver resolver_;
  Stream stream_;
  beast::flat_buffer buffer_;
  protocol::http::HttpRequest request_;
  http::response_parser<http::string_body> parser_;
  std::chrono::milliseconds deadline_{0};
  HttpAnswerDone done_;
};

}  // namespace

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  HttpUrl out;
  std::string_view rest;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.size() >= scheme.size() && beast::iequals(url.substr(0, scheme.size()), scheme)) {
      rest = url.substr(scheme.size());
      out.tls = scheme.size() == 8;
      out.port = out.tls ? "443" : "80";
    }
  }
  if (rest.data() == nullptr) {
    return Status::InvalidArgument("not an http:// or https:// URL: " + std::string(url));
  }
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
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
    return Status::InvalidArgument("not an http(s):// URL with a host: " + std::string(url));
  }
  return out;
}

void StartHttpExchange(boost::asio::io_context& io, const HttpUrl& url,
                       protocol::http::HttpRequest request, std::chrono::milliseconds deadline,
                       HttpAnswerDone done, const ClientIdentity* identity) {
  if (!url.tls) {
    std::make_shared<HttpExchange<beast::tcp_stream>>(io, std::move(done))
        ->Run(url, std::move(request), deadline);
    return;
  }
  ssl::context* tls = ClientTls();
  if (tls == nullptr) return done(Status::Unavailable("tls: OpenSSL cannot make a TLS context"));
  std::make_shared<HttpExchange<TlsStream>>(io, std::move(done), *tls)
      ->Run(url, std::move(request), deadline, identity);
}

}  // namespace tidepool::apigateway
