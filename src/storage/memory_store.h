// MemoryStore: the Store for `--durability memory`, an ordered map in process memory
// (a ChunkedMap: sorted arrays of moved-in strings, see chunked_map.h).
// Thread-safe: reads share a lock, writes take it exclusively, so a Write is atomic for
// readers. Scan holds the shared lock while visiting (hence `visit` must not call back into
// the store, as the Store contract says).
#pragma once

#include <shared_mutex>
#include <string>

#include "storage/chunked_map.h"
#include "storage/store.h"

namespace tidepool::storage {

class MemoryStore final : public Store {
 public:
  MemoryStore() = default;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  Result<std::optional<std::string>> Get(std::string_view key) const override;
  Status Scan(std::string_view begin, std::string_view end, const Visitor& visit) const override;
  Status Write(const WriteBatch& batch, bool sync) override;
  Status WriteOwned(WriteBatch&& batch, bool sync) override;

  // Replaces the whole content with `other`'s (used by FaultInjectionStore to roll back).
  void CopyFrom(const MemoryStore& other);

  size_t size() const;  // number of keys

 private:
  // Applies `ops` under the exclusive lock; kMove: moves their strings into the map.
  template <bool kMove, typename Ops>
  void Apply(Ops& ops);

  mutable std::shared_mutex mu_;
  ChunkedMap map_;  // guarded by mu_
};

}  // namespace tidepool::storage
