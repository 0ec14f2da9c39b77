#include "protocol/http/http_server.h"

#include "protocol/http/http_connection.h"
#include "protocol/http/http_listener.h"
#include "protocol/http/server_state.h"

namespace tidepool::protocol::http {

HttpServer::HttpServer(boost::asio::io_context& io, HttpServerOptions options, Handler handler)
    : io_(io), state_(std::make_shared<ServerState>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() {
  if (listener_) listener_->Stop();
}

Status HttpServer::Start() {
  if (listener_) return Status::FailedPrecondition("HttpServer already started");
  auto listener = std::make_shared<HttpListener>(io_, state_);
  const HttpServerOptions& options = state_->options();
  Result<uint16_t> port = listener->Listen(options.host, options.port, options.backlog);
  if (!port.ok()) return port.status();
  port_ = *port;
  listener_ = std::move(listener);
  listener_->Run();
  return Status::Ok();
}

void HttpServer::StopAccepting() {
  state_->StopAccepting();
  if (listener_) listener_->Stop();
}

bool HttpServer::Drain(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  StopAccepting();
  state_->BeginDrain();
  for (const auto& connection : state_->Connections()) connection->CloseWhenIdle();
  if (state_->WaitForNoConnections(deadline)) return true;
  for (const auto& connection : state_->Connections()) connection->ForceClose();
  // Give the forced closes a moment to run so that the counters settle.
  state_->WaitForNoConnections(std::chrono::steady_clock::now() + std::chrono::milliseconds(500));
  return false;
}

size_t HttpServer::open_connections() const { return state_->open_connections(); }
size_t HttpServer::in_flight_requests() const { return state_->in_flight(); }

}  // namespace tidepool::protocol::http
