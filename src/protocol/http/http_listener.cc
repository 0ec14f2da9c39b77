#include "protocol/http/http_listener.h"

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>

#include "protocol/http/http_connection.h"
#include "protocol/http/server_state.h"

namespace tidepool::protocol::http {
namespace net = boost::asio;
using net::ip::tcp;

HttpListener::HttpListener(net::io_context& io, std::shared_ptr<ServerState> state)
    : io_(io),
      strand_(net::make_strand(io)),
      acceptor_(strand_),
      retry_timer_(strand_),
      state_(std::move(state)) {}

Result<uint16_t> HttpListener::Listen(const std::string& host, uint16_t port, int backlog) {
  boost::system::error_code ec;
  tcp::endpoint endpoint;
  net::ip::address address = net::ip::make_address(host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, port);
  } else {
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) {
      return Status::IoError("cannot resolve listen host '" + host + "': " + ec.message());
    }
    endpoint = results.begin()->endpoint();
  }
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(backlog, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return Status::IoError("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                           ec.message());
  }
  return acceptor_.local_endpoint().port();
}

void HttpListener::Run() {
  net::dispatch(strand_, [self = shared_from_this()] { self->Accept(); });
}

void HttpListener::Stop() {
  net::dispatch(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->retry_timer_.cancel();
    self->acceptor_.close(ignored);
  });
}

void HttpListener::Accept() {
  if (!acceptor_.is_open()) return;
  acceptor_.async_accept(
      ConnectionStrand(io_.get_executor()),
      [self = shared_from_this()](boost::system::error_code ec, ConnectionSocket socket) {
        self->OnAccept(ec, std::move(socket));
      });
}

void HttpListener::OnAccept(boost::system::error_code ec, ConnectionSocket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Typically EMFILE: back off briefly instead of spinning.
    spdlog::warn("accept failed: {}", ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(50));
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wec) {
      if (!wec) self->Accept();
    });
    return;
  }
  if (!state_->accepting()) {
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  boost::system::error_code opt_ec;
  socket.set_option(tcp::no_delay(true), opt_ec);
  std::make_shared<HttpConnection>(std::move(socket), state_)->Start();
  Accept();
}

}  // namespace tidepool::protocol::http
