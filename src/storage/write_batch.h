// WriteBatch: an ordered list of puts and deletes applied atomically by Store::Write.
// Not thread-safe; build it on one thread, then hand it to the CommitQueue.
#pragma once

#include <concepts>
#include <string>
#include <string_view>
#include <vector>

namespace tidepool::storage {

class WriteBatch {
 public:
  enum class OpType { kPut, kDelete, kDeleteRange };
  struct Op {
    OpType type;
    std::string key;    // for kDeleteRange: the first key removed
    std::string value;  // for kDeleteRange: the end key (exclusive)
  };

  void Put(std::string_view key, std::string_view value) {
    bytes_ += key.size() + value.size();
    ops_.push_back({OpType::kPut, std::string(key), std::string(value)});
  }
  // Put of two strings built for the batch (temporaries, std::move): moved in, not copied.
  template <typename K, typename V>
  requires std::same_as<K, std::string> && std::same_as<V, std::string>
  void Put(K&& key, V&& value) { PutOwned(std::move(key), std::move(value)); }
  // Put for strings the caller built for the batch: they are moved in, not copied.
  void PutOwned(std::string key, std::string value) {
    bytes_ += key.size() + value.size();
    ops_.push_back({OpType::kPut, std::move(key), std::move(value)});
  }
  void Reserve(size_t ops) { ops_.reserve(ops); }
  void Delete(std::string_view key) {
    bytes_ += key.size();
    ops_.push_back({OpType::kDelete, std::string(key), {}});
  }
  // Delete of a key built for the batch (a temporary, std::move): moved in, not copied.
  template <typename K>
  requires std::same_as<K, std::string>
  void Delete(K&& key) {
    bytes_ += key.size();
    ops_.push_back({OpType::kDelete, std::move(key), {}});
  }
  // Removes every key in [begin, end).
  void DeleteRange(std::string_view begin, std::string_view end) {
    bytes_ += begin.size() + end.size();
    ops_.push_back({OpType::kDeleteRange, std::string(begin), std::string(end)});
  }
  void Append(WriteBatch&& other) {
    bytes_ += other.bytes_;
    for (auto& op : other.ops_) ops_.push_back(std::move(op));
    other.Clear();
  }
  void Clear() {
    ops_.clear();
    bytes_ = 0;
  }

  const std::vector<Op>& ops() const { return ops_; }
  // For a store that consumes the batch (Store::WriteOwned) and moves the strings out.
  std::vector<Op>& mutable_ops() { return ops_; }
  bool empty() const { return ops_.empty(); }
  size_t ByteSize() const { return bytes_; }  // keys + values, for group-size limits

 private:
  std::vector<Op> ops_;
  size_t bytes_ = 0;
};

}  // namespace tidepool::storage
