// Ids for fuzzed importers: a counter padded to `n` characters, so every id asked for is new
// (as the services' random ids are) and runs are reproducible. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tidepool::fuzz {

inline std::string CountingId(size_t n) {
  static uint64_t next = 0;
  std::string id = std::to_string(++next);
  id.resize(n, 'x');
  return id;
}

}  // namespace tidepool::fuzz
