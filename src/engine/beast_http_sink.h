// BeastHttpSink: the engine's HttpSink over Boost.Beast, for http:// and https:// endpoints.
// One connection per POST (no pooling), one 15-second deadline per POST (HttpPostSession);
// 2xx answers are kAccepted, every other answer, network or TLS error kRetry; a URL that is
// not http(s):// with a host is kRetry too, with an explanation.
//
// https: TLS 1.2 or later; SNI is the URL's host when it is a name (none for IP literals).
// ANY server certificate is accepted (self-signed, expired, for another name, untrusted):
// local endpoints are almost always self-signed, and LocalStack does the same. The channel is
// encrypted but the server is not authenticated.
//
// Thread-safe; operations run on `io`, which must outlive pending posts and this sink must
// outlive them too (https posts use its TLS context, made at the first https POST: an idle
// server does not pay OpenSSL's TLS set-up in memory).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>

#include "engine/sinks.h"

namespace tidepool::engine {

class BeastHttpSink final : public HttpSink {
 public:
  explicit BeastHttpSink(boost::asio::io_context& io) : io_(io) {}
  void Post(std::string url, std::vector<std::pair<std::string, std::string>> headers,
            std::string body, SinkDone done) override;

 private:
  // The client TLS context, made on first use; null if OpenSSL cannot make one.
  boost::asio::ssl::context* Tls();

  boost::asio::io_context& io_;
  std::once_flag tls_once_;
  std::unique_ptr<boost::asio::ssl::context> tls_;  // read-only once made; one SSL per POST
};

}  // namespace tidepool::engine
