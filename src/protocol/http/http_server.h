// The HTTP/1.1 listener (Boost.Beast) that every AWS protocol arrives on.
//
// Threading: the server runs on a caller-owned boost::asio::io_context that any number of threads
// may run. Each connection lives on its own strand; requests on one connection are read, handled
// and answered one at a time, in order (pipelined requests wait in the connection's buffer).
// Public methods are thread-safe except where noted.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "protocol/http/responder.h"

namespace tidepool::protocol::http {

class ServerState;
class HttpListener;

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // an address or a name ("localhost")
  uint16_t port = 4566;            // 0 picks a free port; port() reports it
  int backlog = 1024;
  // Request line plus header fields, in bytes. Larger -> 431 and the connection closes.
  uint32_t header_limit = 64 * 1024;
  // Body bytes (Content-Length or the sum of chunks), enforced while reading. Larger -> 413 and
  // the connection closes; the body is never buffered.
  uint64_t body_limit = 32 * 1024 * 1024;
  // Requests whose body the streamer takes (see BodyStreamer) are read in pieces, up to this
  // many body bytes (larger -> 413), whatever body_limit says. Unset: every body is buffered.
  BodyStreamer body_streamer;
  uint64_t streamed_body_limit = 6ULL * 1024 * 1024 * 1024;
  // A keep-alive connection with no request for this long is closed.
  std::chrono::milliseconds idle_timeout{60'000};
  // From a request's first byte until its headers are complete (slow-header defence).
  std::chrono::milliseconds header_timeout{15'000};
  // Reading a body, and writing a response.
  std::chrono::milliseconds body_timeout{60'000};
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds (SO_REUSEADDR), listens and starts accepting. IoError when the address cannot be bound.
  // Call once, before or after the io_context starts running.
  Status Start();
  // The bound port (the chosen one when options.port was 0); 0 before Start.
  uint16_t port() const { return port_; }

  // No new connections from now on (the listening socket closes shortly after, on the io
  // context). Existing connections keep being served.
  void StopAccepting();
  // Graceful drain: responses written from now on carry "Connection: close" and end their
  // connection, idle keep-alive connections are closed at once, and a connection reading a
  // request finishes it first. Blocks until every connection has closed (so every in-flight
  // request has been answered and written) or `timeout` passes; then force-closes whatever
  // remains. Returns true when nothing had to be forced. Must not be called from a thread that
  // runs the io_context (it would block that thread); the io_context must be running.
  bool Drain(std::chrono::milliseconds timeout);

  // For health output.
  size_t open_connections() const;
  size_t in_flight_requests() const;

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<ServerState> state_;
  std::shared_ptr<HttpListener> listener_;
  uint16_t port_ = 0;
};

}  // namespace tidepool::protocol::http
