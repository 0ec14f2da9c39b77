// HttpPostSession<Stream>: one HTTP/1.1 POST over its own connection, the exchange that
// BeastHttpSink runs for both schemes. Stream is beast::tcp_stream (http://) or
// beast::ssl_stream<beast::tcp_stream> (https://); the two are explicitly instantiated in the
// .cc, nothing else is supported.
//
// Steps: resolve, connect, TLS handshake (https only), write the request, read the answer.
// One deadline of kPostTimeout covers connect through read (not the DNS lookup). A 2xx answer
// is kAccepted; any other status, network or TLS error is kRetry, with the failing step in
// the error text. `done` runs exactly once, on an io thread (inline in Run if the TLS setup fails).
// Afterwards the connection is closed (https: a best-effort close_notify, bounded by the same
// deadline).
//
// Ownership: always held by a shared_ptr (make_shared, then Run); the pending operations keep
// it alive. Not thread-safe, and needs none: every step runs as the completion of the last.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "engine/sinks.h"

namespace tidepool::engine {

inline constexpr std::chrono::seconds kPostTimeout{15};

template <class Stream>
class HttpPostSession : public std::enable_shared_from_this<HttpPostSession<Stream>> {
 public:
  static constexpr bool kTls =
      std::is_same_v<Stream, boost::beast::ssl_stream<boost::beast::tcp_stream>>;
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  // `stream_args` follow `io` to Stream's constructor: nothing for tcp_stream, the
  // ssl::context for ssl_stream (which must outlive the session; OpenSSL only reads it).
  template <class... StreamArgs>
  HttpPostSession(SinkDone done, boost::asio::io_context& io, StreamArgs&&... stream_args)
      : resolver_(io),
        stream_(io, std::forward<StreamArgs>(stream_args)...),
        done_(std::move(done)) {}

  // Starts the exchange with `host` (a name or an IP address, no brackets) on `port`.
  // `server_name` is the TLS SNI value (https only; empty: send none, as for IP literals).
  void Run(std::string host, std::string port, std::string server_name, Request request);

 private:
  void OnResolved(boost::beast::error_code ec,
                  const boost::asio::ip::tcp::resolver::results_type& endpoints);
  void OnConnected(boost::beast::error_code ec);
  void Write();
  void OnRead(boost::beast::error_code ec);
  void Close();
  void Fail(std::string_view step, boost::beast::error_code ec);
  void Finish(SinkResult result);

  boost::asio::ip::tcp::resolver resolver_;
  Stream stream_;
  boost::beast::flat_buffer buffer_;
  Request request_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  SinkDone done_;
};

extern template class HttpPostSession<boost::beast::tcp_stream>;
extern template class HttpPostSession<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

using PlainPostSession = HttpPostSession<boost::beast::tcp_stream>;
using TlsPostSession = HttpPostSession<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

}  // namespace tidepool::engine
