#include "engine/beast_http_sink.h"

#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>

#include <memory>

#include "engine/http_post_session.h"

namespace tidepool::engine {
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
namespace urls = boost::urls;

ssl::context* BeastHttpSink::Tls() {
  std::call_once(tls_once_, [this] {
    try {
      auto tls = std::make_unique<ssl::context>(ssl::context::tls_client);
      // Accept any certificate (see the header); TLS 1.0 and 1.1 are refused.
      tls->set_verify_mode(ssl::verify_none);
      SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
      tls_ = std::move(tls);
    } catch (const std::exception&) {
      // tls_ stays null: https deliveries are retried with an explanation.
    }
  });
  return tls_.get();
}

void BeastHttpSink::Post(std::string url, std::vector<std::pair<std::string, std::string>> headers,
                         std::string body, SinkDone done) {
  auto parsed = urls::parse_uri(url);
  if (!parsed) return done({SinkOutcome::kRetry, "malformed endpoint URL"});
  const bool tls = parsed->scheme_id() == urls::scheme::https;
  if (!tls && parsed->scheme_id() != urls::scheme::http) {
    return done({SinkOutcome::kRetry, "tidepool delivers only to http:// and https:// endpoints"});
  }
  std::string host = parsed->host_address();  // decoded, IPv6 without brackets
  if (host.empty()) return done({SinkOutcome::kRetry, "endpoint URL has no host"});
  const bool explicit_port = parsed->has_port() && !parsed->port().empty();
  const std::string port = explicit_port ? std::string(parsed->port()) : (tls ? "443" : "80");
  std::string target(parsed->encoded_target());
  if (target.empty()) target = "/";

  http::request<http::string_body> request{http::verb::post, target, 11};
  const std::string host_header(parsed->encoded_host());  // IPv6 keeps its brackets
  request.set(http::field::host, explicit_port ? host_header + ":" + port : host_header);
  for (auto& [k, v] : headers) request.set(k, v);
  request.keep_alive(false);  // one connection per POST
  request.body() = std::move(body);
  request.prepare_payload();

  if (tls) {
    // RFC 6066: SNI carries host names only, never IP literals.
    std::string server_name = parsed->host_type() == urls::host_type::name ? host : "";
    ssl::context* context = Tls();
    if (context == nullptr) return done({SinkOutcome::kRetry, "OpenSSL cannot make a TLS context"});
    auto session = std::make_shared<TlsPostSession>(std::move(done), io_, *context);
    session->Run(std::move(host), port, std::move(server_name), std::move(request));
  } else {
    auto session = std::make_shared<PlainPostSession>(std::move(done), io_);
    session->Run(std::move(host), port, {}, std::move(request));
  }
}

}  // namespace tidepool::engine
