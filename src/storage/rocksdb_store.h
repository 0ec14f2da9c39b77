// RocksDbStore: the Store for `--durability sync|async`, one RocksDB database (default column
// family only) in a data directory that it locks for its lifetime.
//
// Tuned for a small idle footprint and a fast start rather than bulk throughput: a small LRU
// block cache, small memtables, one or two background threads, a bounded table cache, no
// statistics, no periodic stats dumps. The WAL is always on: `sync` only chooses whether a
// Write fsyncs it before returning, so a process crash never loses a returned Write.
//
// Thread-safe (RocksDB is). Every RocksDB call is wrapped so no exception leaves this class;
// RocksDB statuses map to tidepool ones (IoError, Corruption, ResourceExhausted...).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "storage/store.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace tidepool::storage {

struct RocksDbTuning {
  size_t block_cache_bytes = 8 << 20;   // shared LRU cache for data, index and filter blocks
  size_t write_buffer_bytes = 8 << 20;  // one memtable; at most two exist at a time
  int max_open_files = 128;             // table readers kept open
  int max_background_jobs = 2;          // flush + compaction threads
  KeyFamily key_family = nullptr;       // memtable insert hints (store.h); none when null
};

class RocksDbStore final : public Store {
 public:
  // Opens (creating if missing, with parent directories) the database in `dir`. Fails with
  // FailedPrecondition "data dir <dir> is in use by another tidepool process" when another
  // process (or another RocksDbStore in this one) holds it.
  static Result<std::unique_ptr<RocksDbStore>> Open(const std::string& dir,
                                                    const RocksDbTuning& tuning = {});

  ~RocksDbStore() override;  // closes the database and releases the directory lock
  RocksDbStore(const RocksDbStore&) = delete;
  RocksDbStore& operator=(const RocksDbStore&) = delete;

  Result<std::optional<std::string>> Get(std::string_view key) const override;
  Status Scan(std::string_view begin, std::string_view end, const Visitor& visit) const override;
  Status Write(const WriteBatch& batch, bool sync) override;

  const std::string& dir() const { return dir_; }

 private:
  RocksDbStore(std::string dir, std::unique_ptr<rocksdb::DB> db, KeyFamily key_family);

  const std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  const KeyFamily key_family_;
};

}  // namespace tidepool::storage
