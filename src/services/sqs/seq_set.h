// SeqSet: an ordered set of message seqs, kept as a sequence of sorted chunks of at most
// kMaxChunk values. A value costs about 8 bytes (std::set<uint64_t> takes a 48-byte node per
// value); a queue's ready index holds one per visible message. Seqs mostly arrive in ascending
// order (an append to the last chunk) and leave from the front (a move within one chunk).
//
// Iterators (and values read through them) are invalidated by insert, erase and clear.
// Not thread-safe (the owning Queue's mu guards it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tidepool::sqs {

class SeqSet {
 public:
  static constexpr size_t kMaxChunk = 256;

  class Iterator {
   public:
    uint64_t operator*() const { return (*chunks_)[chunk_][index_]; }
    Iterator& operator++();
    bool operator==(const Iterator& other) const = default;

   private:
    friend class SeqSet;
    Iterator(const std::vector<std::vector<uint64_t>>* chunks, size_t chunk, size_t index)
        : chunks_(chunks), chunk_(chunk), index_(index) {}
    const std::vector<std::vector<uint64_t>>* chunks_;
    size_t chunk_;
    size_t index_;
  };

  Iterator begin() const { return Iterator(&chunks_, 0, 0); }
  Iterator end() const { return Iterator(&chunks_, chunks_.size(), 0); }
  // The first value greater than `v`.
  Iterator upper_bound(uint64_t v) const;

  // False when `v` was already there.
  bool insert(uint64_t v);
  // How many values were removed (0 or 1).
  size_t erase(uint64_t v);
  bool contains(uint64_t v) const;
  void clear();
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

 private:
  // The first chunk whose last value is >= v (chunks_.size() when none is).
  size_t ChunkFor(uint64_t v) const;

  std::vector<std::vector<uint64_t>> chunks_;  // each sorted and non-empty; chunk i < chunk i+1
  size_t size_ = 0;
};

}  // namespace tidepool::sqs
