#include "protocol/http/server_state.h"

namespace tidepool::protocol::http {

uint64_t ServerState::Register(std::weak_ptr<HttpConnection> connection) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  connections_.emplace(id, std::move(connection));
  return id;
}

void ServerState::Unregister(uint64_t id) {
  std::lock_guard lock(mu_);
  connections_.erase(id);
  if (connections_.empty()) no_connections_.notify_all();
}

std::vector<std::shared_ptr<HttpConnection>> ServerState::Connections() const {
  std::vector<std::shared_ptr<HttpConnection>> out;
  std::lock_guard lock(mu_);
  out.reserve(connections_.size());
  for (const auto& [id, weak] : connections_) {
    if (auto c = weak.lock()) out.push_back(std::move(c));
  }
  return out;
}

bool ServerState::WaitForNoConnections(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return no_connections_.wait_until(lock, deadline, [&] { return connections_.empty(); });
}

size_t ServerState::open_connections() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

}  // namespace tidepool::protocol::http
