#include "storage/store.h"

#include "storage/memory_store.h"
#include "storage/rocksdb_store.h"

namespace tidepool::storage {

Result<std::unique_ptr<Store>> OpenStore(const std::string& data_dir, Durability durability,
                                         KeyFamily key_family) {
  if (durability == Durability::kMemory) {
    return std::unique_ptr<Store>(std::make_unique<MemoryStore>());
  }
  if (data_dir.empty()) return Status::InvalidArgument("empty data dir");
  RocksDbTuning tuning;
  tuning.key_family = key_family;
  Result<std::unique_ptr<RocksDbStore>> store = RocksDbStore::Open(data_dir, tuning);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace tidepool::storage
