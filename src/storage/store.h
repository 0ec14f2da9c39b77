// The store: an ordered key-value map of byte strings, shared by every service. Each service
// owns a keyspace (a key prefix) and documents its key grammar at the top of its keyspace file.
//
// Writes go through the CommitQueue (commit_queue.h), never straight to Store::Write from a
// request path. Reads (Get, Scan) may be called from any thread at any time and see every
// batch whose Write has returned.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/write_batch.h"

namespace tidepool::storage {

// How acknowledged writes are kept (`tidepool serve --durability`).
enum class Durability {
  kSync,    // each commit group is fsynced before any request in it is acknowledged
  kAsync,   // written to the OS; a process crash loses nothing, a machine crash may
  kMemory,  // nothing on disk; everything is gone when the process exits
};

// Parses "sync" | "async" | "memory".
std::optional<Durability> ParseDurability(std::string_view text);

class Store {
 public:
  virtual ~Store() = default;

  // The value at `key`, or nullopt when absent.
  virtual Result<std::optional<std::string>> Get(std::string_view key) const = 0;

  // Visits keys in [begin, end) in ascending byte order; an empty `end` means "no upper
  // bound". Stops early when `visit` returns false. `visit` must not call back into the store.
  using Visitor = std::function<bool(std::string_view key, std::string_view value)>;
  virtual Status Scan(std::string_view begin, std::string_view end, const Visitor& visit) const = 0;

  // Applies `batch` atomically. `sync` asks for an fsync before returning (ignored by the
  // in-memory store). Thread-safe, but only the CommitQueue calls it on the request path.
  virtual Status Write(const WriteBatch& batch, bool sync) = 0;

  // Like Write, for a batch the caller gives up: a store may move its keys and values in
  // instead of copying them (the in-memory store does). `batch` is left valid, unspecified.
  virtual Status WriteOwned(WriteBatch&& batch, bool sync) { return Write(batch, sync); }
};

// A key family is a run of keys written mostly in ascending order, such as one shard's records
// or one queue's messages. Given a key, a KeyFamily returns the length of the prefix its
// family shares, or 0 when the key belongs to no family. The RocksDB store then inserts a key
// into its memtable from where the family's last key went, instead of searching from the
// skiplist's top. Only speed depends on it: a key may belong to any family or to none, except
// that a family key with a zero byte appended must belong to none (RocksDbStore::Write).
using KeyFamily = size_t (*)(std::string_view key);

// Opens the store for `durability`: RocksDB in `data_dir` (created if missing) for kSync and
// kAsync, an in-memory map for kMemory (data_dir and key_family unused).
Result<std::unique_ptr<Store>> OpenStore(const std::string& data_dir, Durability durability,
                                         KeyFamily key_family = nullptr);

}  // namespace tidepool::storage
