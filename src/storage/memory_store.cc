#include "storage/memory_store.h"

#include <mutex>
#include <utility>
#include <vector>

#include "storage/batch_check.h"
#include "storage/batch_order.h"

namespace tidepool::storage {

Result<std::optional<std::string>> MemoryStore::Get(std::string_view key) const {
  std::shared_lock lock(mu_);
  const ChunkedMap::Position p = map_.LowerBound(key);
  if (map_.IsEnd(p) || map_.at(p).key != key) return std::optional<std::string>();
  return std::optional<std::string>(map_.at(p).value);
}

Status MemoryStore::Scan(std::string_view begin, std::string_view end, const Visitor& visit) const {
  std::shared_lock lock(mu_);
  for (ChunkedMap::Position p = map_.LowerBound(begin); !map_.IsEnd(p); p = map_.Next(p)) {
    const ChunkedMap::Entry& e = map_.at(p);
    if (!end.empty() && std::string_view(e.key) >= end) break;
    if (!visit(e.key, e.value)) break;
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
  const std::vector<uint32_t> order = ApplyOrder(ops);
  std::unique_lock lock(mu_);
  // Within a run of point ops keys ascend (batch_order.h), so every entry before `pos` is
  // below the current key: its lower bound is `pos` or the entry after it in the common cases
  // (the same key again; the next key appended after the previous one).
  ChunkedMap::Position pos;
  bool hinted = false;
  auto lower_bound = [&](std::string_view key) {
    if (hinted) {
      if (map_.IsEnd(pos) || std::string_view(map_.at(pos).key) >= key) return pos;
      const ChunkedMap::Position next = map_.Next(pos);
      if (map_.IsEnd(next) || std::string_view(map_.at(next).key) >= key) return next;
    }
    return map_.LowerBound(key);
  };
  for (const uint32_t i : order) {
    auto& op = ops[i];
    switch (op.type) {
      case WriteBatch::OpType::kPut: {
        pos = lower_bound(op.key);
        if (!map_.IsEnd(pos) && map_.at(pos).key == op.key) {
          map_.at(pos).value = take(op.value);
        } else {
          pos = map_.Insert(pos, take(op.key), take(op.value));
        }
        hinted = true;
        break;
      }
      case WriteBatch::OpType::kDelete: {
        pos = lower_bound(op.key);
        if (!map_.IsEnd(pos) && map_.at(pos).key == op.key) pos = map_.Erase(pos);
        hinted = true;
        break;
      }
      case WriteBatch::OpType::kDeleteRange:
        map_.EraseRange(map_.LowerBound(op.key), map_.LowerBound(op.value));
        hinted = false;  // the next run starts over
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
