#include "storage/rocksdb_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "storage/batch_check.h"
#include "storage/batch_order.h"
#include "storage/rocksdb_logger.h"

namespace tidepool::storage {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::Ok();
  std::string message = std::string(context) + ": " + s.ToString();
  switch (s.code()) {
    case rocksdb::Status::kOk:
      return Status::Ok();
    case rocksdb::Status::kNotFound:
      return Status::NotFound(std::move(message));
    case rocksdb::Status::kCorruption:
      return Status::Corruption(std::move(message));
    case rocksdb::Status::kInvalidArgument:
      return Status::InvalidArgument(std::move(message));
    case rocksdb::Status::kNotSupported:
      return Status::FailedPrecondition(std::move(message));
    case rocksdb::Status::kIOError:
      if (s.IsNoSpace()) return Status::ResourceExhausted(std::move(message));
      return Status::IoError(std::move(message));
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTimedOut:
    case rocksdb::Status::kTryAgain:
    case rocksdb::Status::kShutdownInProgress:
      return Status::Unavailable(std::move(message));
    default:
      return Status::Internal(std::move(message));
  }
}

// RocksDB reports a held LOCK file as an IOError whose text names the lock ("While lock
// file: <dir>/LOCK: Resource temporarily unavailable" from another process, "lock hold by
// current process" from this one). There is no dedicated code, so match the text.
bool IsLockHeld(const rocksdb::Status& s) {
  if (!s.IsIOError()) return false;
  const std::string text = s.ToString();
  return text.find("lock file") != std::string::npos ||
         text.find("lock hold by current process") != std::string::npos;
}

// Adapts a KeyFamily to RocksDB's memtable insert hints: the memtable keeps, per family
// prefix, where its last key went, and starts the next insert of that family there.
class KeyFamilyHint final : public rocksdb::SliceTransform {
 public:
  explicit KeyFamilyHint(KeyFamily family) : family_(family) {}
  const char* Name() const override { return "tidepool.KeyFamilyHint"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), Length(key));
  }
  bool InDomain(const rocksdb::Slice& key) const override { return Length(key) > 0; }

 private:
  size_t Length(const rocksdb::Slice& key) const {
    return std::min(family_(std::string_view(key.data(), key.size())), key.size());
  }
  KeyFamily family_;
};

rocksdb::Options MakeOptions(const RocksDbTuning& tuning) {
  rocksdb::Options options;
  if (tuning.key_family != nullptr) {
    // Debian's RocksDB keeps its assertions, so a memtable insert that searches the skiplist
    // from the top costs ~6k instructions; from a hint next to the key, a fraction of that
    // (sync SQS send+receive+delete: -8% instructions per request). RocksDB ignores hints
    // for concurrent memtable writes, and there is one writer anyway: the commit queue.
    options.memtable_insert_with_hint_prefix_extractor =
        std::make_shared<KeyFamilyHint>(tuning.key_family);
    options.allow_concurrent_memtable_write = false;
  }
  options.create_if_missing = true;
  options.max_background_jobs = tuning.max_background_jobs;
  options.max_open_files = tuning.max_open_files;
  options.table_cache_numshardbits = 4;
  options.write_buffer_size = tuning.write_buffer_bytes;
  options.max_write_buffer_number = 2;
  options.db_write_buffer_size = 2 * tuning.write_buffer_bytes;
  options.max_total_wal_size = 4 * tuning.write_buffer_bytes;
  options.avoid_unnecessary_blocking_io = true;
  options.skip_stats_update_on_db_open = true;
  options.skip_checking_sst_file_sizes_on_db_open = true;
  options.stats_dump_period_sec = 0;
  options.stats_persist_period_sec = 0;
  // Warnings and errors go to tidepool's log; no LOG file, no options dump at each open.
  options.info_log = std::make_shared<RocksDbLogger>();
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // Start fast: replay the WAL into the memtable without writing an SST file at open. The
  // destructor flushes the memtable, so a clean restart has (almost) no WAL to replay.
  options.avoid_flush_during_recovery = true;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(tuning.block_cache_bytes, /*num_shard_bits=*/2);
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace

Result<std::unique_ptr<RocksDbStore>> RocksDbStore::Open(const std::string& dir,
                                                         const RocksDbTuning& tuning) {
  try {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::IoError("cannot create data dir " + dir + ": " + ec.message());

    // Compactions (the LOW pool) run at low CPU priority. On a small machine they took a
    // third of the core from requests during write bursts (sync PutRecords: 448-466k ->
    // 548-582k records/s); they catch up when requests leave room, and RocksDB's write
    // stalls bound the debt. Flushes (HIGH pool) keep normal priority: writes wait on them.
    rocksdb::Status priority = rocksdb::Env::Default()->LowerThreadPoolCPUPriority(
        rocksdb::Env::Priority::LOW, rocksdb::CpuPriority::kLow);
    if (!priority.ok()) spdlog::debug("compaction priority unchanged: {}", priority.ToString());

    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(MakeOptions(tuning), dir, &raw);
    std::unique_ptr<rocksdb::DB> db(raw);
    if (IsLockHeld(s)) {
      return Status::FailedPrecondition(
          "data dir " + dir + " is in use by another tidepool process (" + s.ToString() + ")");
    }
    if (s.IsCorruption()) {
      return Status::Corruption("data dir " + dir + " is damaged and cannot be opened (" +
                                s.ToString() + ")");
    }
    if (!s.ok()) return FromRocks(s, "cannot open data dir " + dir);
    return std::unique_ptr<RocksDbStore>(new RocksDbStore(dir, std::move(db), tuning.key_family));
  } catch (const std::exception& e) {
    return Status::Internal("cannot open data dir " + dir + ": " + e.what());
  }
}

RocksDbStore::RocksDbStore(std::string dir, std::unique_ptr<rocksdb::DB> db, KeyFamily key_family)
    : dir_(std::move(dir)), db_(std::move(db)), key_family_(key_family) {}

RocksDbStore::~RocksDbStore() {
  try {
    rocksdb::FlushOptions flush;
    flush.allow_write_stall = true;
    rocksdb::Status s = db_->Flush(flush);
    if (!s.ok()) spdlog::warn("flushing data dir {} at close: {}", dir_, s.ToString());
    s = db_->Close();
    if (!s.ok()) spdlog::warn("closing data dir {}: {}", dir_, s.ToString());
    db_.reset();
  } catch (const std::exception& e) {
    spdlog::error("closing data dir {}: {}", dir_, e.what());
  }
}

Result<std::optional<std::string>> RocksDbStore::Get(std::string_view key) const {
  try {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ToSlice(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "store get");
    return std::optional<std::string>(std::move(value));
  } catch (const std::exception& e) {
    return Status::Internal(std::string("store get: ") + e.what());
  }
}

Status RocksDbStore::Scan(std::string_view begin, std::string_view end,
                          const Visitor& visit) const {
  try {
    rocksdb::ReadOptions read_options;
    rocksdb::Slice upper = ToSlice(end);
    if (!end.empty()) read_options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
    for (it->Seek(ToSlice(begin)); it->Valid(); it->Next()) {
      const rocksdb::Slice k = it->key();
      const rocksdb::Slice v = it->value();
      if (!visit(std::string_view(k.data(), k.size()), std::string_view(v.data(), v.size()))) {
        break;
      }
    }
    return FromRocks(it->status(), "store scan");
  } catch (const std::exception& e) {
    return Status::Internal(std::string("store scan: ") + e.what());
  }
}

Status RocksDbStore::Write(const WriteBatch& batch, bool sync) {
  TP_RETURN_IF_ERROR(CheckWriteBatch(batch));
  try {
    rocksdb::WriteBatch rocks_batch(/*reserved_bytes=*/batch.ByteSize() + 16 * batch.ops().size());
    // In key order within each run of point ops: the memtable's skiplist then inserts each
    // key next to the previous one instead of searching from its top (batch_order.h).
    for (const uint32_t i : ApplyOrder(batch.ops())) {
      const WriteBatch::Op& op = batch.ops()[i];
      rocksdb::Status s;
      switch (op.type) {
        case WriteBatch::OpType::kPut:
          s = rocks_batch.Put(ToSlice(op.key), ToSlice(op.value));
          break;
        case WriteBatch::OpType::kDelete:
          s = rocks_batch.Delete(ToSlice(op.key));
          break;
        case WriteBatch::OpType::kDeleteRange:
          if (op.key == op.value) continue;  // empty range
          if (key_family_ != nullptr && key_family_(op.key) > 0) {
            // RocksDB 7.8 keeps one insert hint per family for both the point skiplist and
            // the range tombstone skiplist (fixed upstream in 9.2, PR 12558): a range
            // tombstone that starts at a family key would be inserted from a node of the
            // other list. Delete(b) + DeleteRange(b "\0", e) removes exactly [b, e).
            std::string after = op.key + '\0';
            if (key_family_(after) > 0) {
              return Status::Internal(
                  "store write: a range starts at a key family member "
                  "whose successor is one too");
            }
            s = rocks_batch.Delete(ToSlice(op.key));
            if (s.ok() && after != op.value) {
              s = rocks_batch.DeleteRange(ToSlice(after), ToSlice(op.value));
            }
            break;
          }
          s = rocks_batch.DeleteRange(ToSlice(op.key), ToSlice(op.value));
          break;
      }
      if (!s.ok()) return FromRocks(s, "store write");
    }
    rocksdb::WriteOptions write_options;
    write_options.sync = sync;
    return FromRocks(db_->Write(write_options, &rocks_batch), "store write");
  } catch (const std::exception& e) {
    return Status::Internal(std::string("store write: ") + e.what());
  }
}

}  // namespace tidepool::storage
