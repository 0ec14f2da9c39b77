// HttpExchange: one HTTP/1.1 request to an http:// or https:// URL and its answer, for HTTP and
// HTTP_PROXY integrations and JWT issuers. Steps: resolve, connect, TLS handshake (https),
// write, read (a body of at most kMaxHttpAnswerBytes), under one deadline; then the connection
// is closed. `done` runs exactly once on an io thread, with the response or Unavailable naming
// the failing step.
//
// TLS: TLS 1.2 or later, with SNI; the server's certificate chain must verify against OpenSSL's
// default trust store, and its name must match the URL's host. The store is the system's
// (/etc/ssl/certs) unless the environment's SSL_CERT_FILE / SSL_CERT_DIR name others (read
// once, at the first https exchange).
//
// Ownership: held by a shared_ptr (Start makes it); pending operations keep it alive. Not
// thread-safe, and needs none: each step runs as the completion of the last.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "protocol/http/responder.h"

namespace tidepool::apigateway {

inline constexpr size_t kMaxHttpAnswerBytes = 10 * 1024 * 1024;

// An http(s):// URL's parts: "http[s]://host[:port][/path][?query]".
struct HttpUrl {
  bool tls = false;  // https
  std::string host;
  std::string port = "80";   // 443 for https
  std::string target = "/";  // path and query
};
// InvalidArgument for anything but an http:// or https:// URL with a host.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

using HttpAnswerDone = std::function<void(Result<protocol::http::HttpResponse>)>;

// A TLS client identity: an X.509 certificate and its private key, both PEM.
struct ClientIdentity {
  std::string certificate_pem;
  std::string private_key_pem;
};

// Sends `request` (its target and Host are set from `url`) and calls `done` once. With
// `identity`, an https exchange presents it when the server asks for a client certificate
// (an identity OpenSSL cannot load fails the exchange as Unavailable).
void StartHttpExchange(boost::asio::io_context& io, const HttpUrl& url,
                       protocol::http::HttpRequest request, std::chrono::milliseconds deadline,
                       HttpAnswerDone done, const ClientIdentity* identity = nullptr);

}  // namespace tidepool::apigateway
