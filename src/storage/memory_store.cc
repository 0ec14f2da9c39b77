#include "storage/memory_store.h"

#include <mutex>
#include <utility>

#include "storage/batch_check.h"

namespace tidepool::storage {

Result<std::optional<std::string>> MemoryStore::Get(std::string_view key) const {
  std::shared_lock lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MemoryStore::Scan(std::string_view begin, std::string_view end, const Visitor& visit) const {
  std::shared_lock lock(mu_);
  for (auto it = map_.lower_bound(begin); it != map_.end(); ++it) {
    if (!end.empty() && std::string_view(it->first) >= end) break;
    if (!visit(it->first, it->second)) break;
  }
  return Status::Ok();
}

template <bool kMove, typename Ops>
void MemoryStore::Apply(Ops& ops) {
  auto take = [](auto& s) -> decltype(auto) {
    if constexpr (kMove) {
      return std::move(s);
    } else {
      return static_cast<const std::string&>(s);
    }
  };
  std::unique_lock lock(mu_);
  for (auto& op : ops) {
    switch (op.type) {
      case WriteBatch::OpType::kPut: {
        auto it = map_.lower_bound(op.key);
        if (it != map_.end() && it->first == op.key) {
          it->second = take(op.value);
        } else {
          map_.emplace_hint(it, take(op.key), take(op.value));
        }
        break;
      }
      case WriteBatch::OpType::kDelete: {
        auto it = map_.find(op.key);
        if (it != map_.end()) map_.erase(it);
        break;
      }
      case WriteBatch::OpType::kDeleteRange:
        map_.erase(map_.lower_bound(op.key), map_.lower_bound(op.value));
        break;
    }
  }
}

Status MemoryStore::Write(const WriteBatch& batch, bool /*sync*/) {
  TP_RETURN_IF_ERROR(CheckWriteBatch(batch));
  Apply<false>(batch.ops());
  return Status::Ok();
}

Status MemoryStore::WriteOwned(WriteBatch&& batch, bool /*sync*/) {
  TP_RETURN_IF_ERROR(CheckWriteBatch(batch));
  Apply<true>(batch.mutable_ops());
  return Status::Ok();
}

void MemoryStore::CopyFrom(const MemoryStore& other) {
  if (&other == this) return;
  std::scoped_lock lock(mu_, other.mu_);
  map_ = other.map_;
}

size_t MemoryStore::size() const {
  std::shared_lock lock(mu_);
  return map_.size();
}

}  // namespace tidepool::storage
