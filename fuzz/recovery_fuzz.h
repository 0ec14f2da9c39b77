// What the *_recovery fuzz targets share: a memory store filled from the fuzz input, a store
// image (storage/store_image.h) of records under one service's key root, with the commit
// queue, clock and io_context a service runs on, and logging off (recovery logs every record
// it skips).
#pragma once

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/clock.h"
#include "storage/commit_queue.h"
#include "storage/memory_store.h"
#include "storage/store_image.h"

namespace tidepool::fuzzing {

struct RecoveryFuzzEnv {
  // Fills the store from the input; false when the store refused the batch.
  bool Load(const uint8_t* data, size_t size, std::string_view root) {
    static const bool quiet = [] {
      spdlog::set_level(spdlog::level::off);
      return true;
    }();
    (void)quiet;
    const std::string_view image(reinterpret_cast<const char*>(data), size);
    return store.Write(storage::StoreImageBatch(image, root), false).ok();
  }

  storage::MemoryStore store;
  boost::asio::io_context io;
  storage::CommitQueue commits{store, storage::Durability::kMemory};
  FakeClock clock;
};

}  // namespace tidepool::fuzzing
