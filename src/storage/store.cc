#include "storage/store.h"

#include "storage/format_version.h"
#include "storage/memory_store.h"
#include "storage/rocksdb_store.h"

namespace tidepool::storage {

Result<std::unique_ptr<Store>> OpenStore(const std::string& data_dir, Durability durability,
                                         KeyFamily key_family) {
  std::unique_ptr<Store> out;
  if (durability == Durability::kMemory) {
    out = std::make_unique<MemoryStore>();
  } else {
    if (data_dir.empty()) return Status::InvalidArgument("empty data dir");
    RocksDbTuning tuning;
    tuning.key_family = key_family;
    Result<std::unique_ptr<RocksDbStore>> store = RocksDbStore::Open(data_dir, tuning);
    if (!store.ok()) return store.status();
    out = std::move(store).value();
  }
  // Before any reader: a data dir of a newer format is refused (FailedPrecondition).
  TP_RETURN_IF_ERROR(CheckFormatVersion(*out, data_dir));
  return out;
}

}  // namespace tidepool::storage
