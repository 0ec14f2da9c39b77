// GET /_tidepool/health: what the running server reports about itself.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "engine/sns_delivery.h"
#include "protocol/http/http_server.h"
#include "protocol/service.h"
#include "storage/commit_queue.h"

namespace tidepool::cli {

// Everything the health report reads; all referenced objects must outlive the report's use.
struct HealthSources {
  std::chrono::steady_clock::time_point started;
  std::string durability;
  std::vector<const protocol::Service*> services;
  const protocol::http::HttpServer* server = nullptr;
  const storage::CommitQueue* commits = nullptr;
  const engine::SnsDelivery* sns_delivery = nullptr;
};

// {"version":..., "uptime_seconds":..., "durability":..., "services":{name: {...}},
//  "http":{"open_connections":..,"in_flight_requests":..}, "store":{"batches":..,"groups":..},
//  "engine":{"sns_delivery":{"delivered","retries","dead_lettered","failed","unsubscribed",
//  "pending","parked"}}}
// Thread-safe as far as the sources' own accessors are.
boost::json::object HealthReport(const HealthSources& sources);

}  // namespace tidepool::cli
