// FaultInjectionStore: a Store for tests that simulates a machine crash, in the spirit of
// LevelDB's FaultInjectionTestEnv. It tracks which writes reached "disk":
//
//   - Write(batch, sync=true) makes that batch and every earlier unsynced one durable, like
//     an fsync of a write-ahead log.
//   - Write(batch, sync=false) is visible to reads at once but stays unsynced.
//   - DropUnsyncedData() forgets every unsynced write, leaving exactly what a process restarted
//     after a power loss would read.
//
// It can also fail writes on demand (InjectWriteError) to test error paths above the store.
// Thread-safe.
#pragma once

#include <cstdint>
#include <shared_mutex>
#include <vector>

#include "storage/memory_store.h"
#include "storage/store.h"

namespace tidepool::storage {

class FaultInjectionStore final : public Store {
 public:
  FaultInjectionStore() = default;
  FaultInjectionStore(const FaultInjectionStore&) = delete;
  FaultInjectionStore& operator=(const FaultInjectionStore&) = delete;

  Result<std::optional<std::string>> Get(std::string_view key) const override;
  Status Scan(std::string_view begin, std::string_view end, const Visitor& visit) const override;
  Status Write(const WriteBatch& batch, bool sync) override;

  // Simulates a machine crash and restart: reads afterwards see only synced writes.
  void DropUnsyncedData();

  // Every later Write fails with `error` (and applies nothing) until called with OK.
  void InjectWriteError(Status error);

  uint64_t writes() const;            // Write calls that succeeded
  uint64_t synced_writes() const;     // ... of which had sync=true
  uint64_t unsynced_batches() const;  // writes currently at risk

 private:
  mutable std::shared_mutex mu_;      // exclusive for Write/Drop, shared for reads
  MemoryStore visible_;               // everything written (what reads see)
  MemoryStore durable_;               // everything synced (what survives a crash)
  std::vector<WriteBatch> unsynced_;  // guarded by mu_; written, not yet synced, in order
  Status write_error_;                // guarded by mu_
  uint64_t writes_ = 0;               // guarded by mu_
  uint64_t synced_writes_ = 0;        // guarded by mu_
};

}  // namespace tidepool::storage
