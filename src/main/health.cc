#include "main/health.h"

namespace tidepool::cli {

boost::json::object HealthReport(const HealthSources& s) {
  boost::json::object report;
  report["version"] = TIDEPOOL_VERSION;
  report["status"] = "running";
  auto uptime = std::chrono::steady_clock::now() - s.started;
  report["uptime_seconds"] = std::chrono::duration<double>(uptime).count();
  report["durability"] = s.durability;
  boost::json::object services;
  for (const auto* service : s.services) services[service->Name()] = service->Health();
  report["services"] = std::move(services);
  if (s.server) {
    report["http"] = {{"open_connections", s.server->open_connections()},
                      {"in_flight_requests", s.server->in_flight_requests()}};
  }
  if (s.commits) {
    auto stats = s.commits->stats();
    report["store"] = {{"batches", stats.batches}, {"commit_groups", stats.groups}};
  }
  if (s.sns_delivery) {
    auto d = s.sns_delivery->stats();
    report["engine"] = {{"sns_delivery",
                         {{"delivered", d.delivered},
                          {"retries", d.retries},
                          {"dead_lettered", d.dead_lettered},
                          {"failed", d.failed},
                          {"unsubscribed", d.unsubscribed},
                          {"pending", d.pending},
                          {"parked", d.parked}}}};
  }
  return report;
}

}  // namespace tidepool::cli
