// The accept loop of an HttpServer. Accepted sockets get TCP_NODELAY and their own strand.
// Ownership: shared_ptr, kept alive by its pending accept. Thread-safety: Stop() may be called
// from any thread; everything else runs on the listener's strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <memory>

#include "core/result.h"
#include "protocol/http/http_connection.h"

namespace tidepool::protocol::http {

class ServerState;

class HttpListener : public std::enable_shared_from_this<HttpListener> {
 public:
  HttpListener(boost::asio::io_context& io, std::shared_ptr<ServerState> state);

  // Binds and listens (synchronously); returns the bound port.
  Result<uint16_t> Listen(const std::string& host, uint16_t port, int backlog);
  // Starts the accept loop.
  void Run();
  // Closes the listening socket (asynchronously, on the strand).
  void Stop();

 private:
  void Accept();
  void OnAccept(boost::system::error_code ec, ConnectionSocket socket);

  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::shared_ptr<ServerState> state_;
};

}  // namespace tidepool::protocol::http
