// Workload: what each connection of a closed-loop run sends next, and what a reply counts for.
// Called only from the driver's single event-loop thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "signed_request_builder.h"

namespace tidepool::bench {

class Workload {
 public:
  virtual ~Workload() = default;

  // The next request for connection `connection` (0-based), or nullopt when that connection
  // has nothing more to do.
  virtual std::optional<HttpRequest> Next(size_t connection) = 0;

  // Consumes a 200 reply to connection `connection`'s last request; returns how many records
  // it accounts for (0 for a request that carries none).
  virtual uint64_t OnReply(size_t connection, const std::string& body) = 0;
};

}  // namespace tidepool::bench
