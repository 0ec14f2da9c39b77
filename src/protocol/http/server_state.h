// State shared by a server's listener and its connections: options, the handler, counters and
// the registry of open connections used by Drain. Held by shared_ptr so that connections may
// outlive the HttpServer object (until the io_context destroys their handlers).
// Thread-safety: every method is safe from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "protocol/http/http_server.h"

namespace tidepool::protocol::http {

class HttpConnection;

class ServerState {
 public:
  ServerState(HttpServerOptions options, Handler handler)
      : options_(std::move(options)), handler_(std::move(handler)) {}

  const HttpServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }

  // Connections register when they start and unregister when destroyed.
  uint64_t Register(std::weak_ptr<HttpConnection> connection);
  void Unregister(uint64_t id);
  std::vector<std::shared_ptr<HttpConnection>> Connections() const;

  void RequestStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void RequestFinished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

  bool accepting() const { return accepting_.load(std::memory_order_acquire); }
  void StopAccepting() { accepting_.store(false, std::memory_order_release); }
  bool draining() const { return draining_.load(std::memory_order_acquire); }
  void BeginDrain() { draining_.store(true, std::memory_order_release); }

  // Blocks until no connection is registered or `deadline` passes; true when none is left.
  bool WaitForNoConnections(std::chrono::steady_clock::time_point deadline);

  size_t open_connections() const;
  size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  const HttpServerOptions options_;
  const Handler handler_;
  std::atomic<size_t> in_flight_{0};
  std::atomic<bool> accepting_{true};
  std::atomic<bool> draining_{false};

  mutable std::mutex mu_;
  std::condition_variable no_connections_;
  uint64_t next_id_ = 1;                                                     // guarded by mu_
  std::unordered_map<uint64_t, std::weak_ptr<HttpConnection>> connections_;  // guarded by mu_
};

}  // namespace tidepool::protocol::http
