#include "storage/fault_injection_store.h"

#include <mutex>
#include <utility>

namespace tidepool::storage {

Result<std::optional<std::string>> FaultInjectionStore::Get(std::string_view key) const {
  std::shared_lock lock(mu_);
  return visible_.Get(key);
}

Status FaultInjectionStore::Scan(std::string_view begin, std::string_view end,
                                 const Visitor& visit) const {
  std::shared_lock lock(mu_);
  return visible_.Scan(begin, end, visit);
}

Status FaultInjectionStore::Write(const WriteBatch& batch, bool sync) {
  std::unique_lock lock(mu_);
  if (!write_error_.ok()) return write_error_;
  TP_RETURN_IF_ERROR(visible_.Write(batch, sync));
  ++writes_;
  unsynced_.push_back(batch);
  if (sync) {
    ++synced_writes_;
    for (const WriteBatch& pending : unsynced_) {
      // Each was already applied to visible_, so it cannot be rejected here.
      Status s = durable_.Write(pending, true);
      if (!s.ok()) return Status::Internal("fault injection store diverged: " + s.ToString());
    }
    unsynced_.clear();
  }
  return Status::Ok();
}

void FaultInjectionStore::DropUnsyncedData() {
  std::unique_lock lock(mu_);
  unsynced_.clear();
  visible_.CopyFrom(durable_);
}

void FaultInjectionStore::InjectWriteError(Status error) {
  std::unique_lock lock(mu_);
  write_error_ = std::move(error);
}

uint64_t FaultInjectionStore::writes() const {
  std::shared_lock lock(mu_);
  return writes_;
}

uint64_t FaultInjectionStore::synced_writes() const {
  std::shared_lock lock(mu_);
  return synced_writes_;
}

uint64_t FaultInjectionStore::unsynced_batches() const {
  std::shared_lock lock(mu_);
  return unsynced_.size();
}

}  // namespace tidepool::storage
