// ChunkedMap: MemoryStore's ordered map of byte strings, kept as a sequence of sorted chunks
// of at most kMaxChunk entries (a one-level B+tree). Each entry owns its key and value
// strings, which Insert moves in, so an insert allocates nothing but the occasional chunk, and
// a scan walks contiguous arrays.
//
// Tuned for keys that arrive in ascending runs (a store applies batches in batch_order.h's
// order): an insert right after the previous one costs O(1) given its Position, an insert in
// front of a chunk's first entry goes to the end of the chunk before instead, and a full
// chunk splits at the insert point, so appending leaves full chunks behind.
//
// Positions: {chunk, index} names an entry; {chunk_count, 0} is end(). Insert and Erase
// invalidate every Position except the one they return. Not thread-safe (MemoryStore locks).
// Keys compare as unsigned bytes; keys are unique.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tidepool::storage {

class ChunkedMap {
 public:
  struct Entry {
    std::string key;
    std::string value;
  };
  struct Position {
    size_t chunk = 0;
    size_t index = 0;
  };
  static constexpr size_t kMaxChunk = 128;

  ChunkedMap() = default;
  ~ChunkedMap();
  ChunkedMap(const ChunkedMap& other);
  ChunkedMap& operator=(const ChunkedMap& other);
  ChunkedMap(ChunkedMap&& other) = delete;
  ChunkedMap& operator=(ChunkedMap&& other) = delete;

  size_t size() const { return size_; }
  Position end() const { return Position{chunks_.size(), 0}; }
  bool IsEnd(Position p) const { return p.chunk == chunks_.size(); }
  // `p` must name an entry (not end()).
  const Entry& at(Position p) const { return (*chunks_[p.chunk])[p.index]; }
  Entry& at(Position p) { return (*chunks_[p.chunk])[p.index]; }
  Position Next(Position p) const {
    return p.index + 1 < chunks_[p.chunk]->size() ? Position{p.chunk, p.index + 1}
                                                  : Position{p.chunk + 1, 0};
  }

  // The first entry whose key is >= key, or end(). O(log n).
  Position LowerBound(std::string_view key) const;

  // Inserts {key, value} at `p`, which must be LowerBound(key) for a key not present.
  // Returns the new entry's position.
  Position Insert(Position p, std::string key, std::string value);

  // Removes the entry at `p`; returns the position of the entry that followed it.
  Position Erase(Position p);

  // Removes the entries in [from, to); `from` must not be after `to`.
  void EraseRange(Position from, Position to);

  void Clear();

 private:
  using Chunk = std::vector<Entry>;  // sorted, never empty, capacity kMaxChunk
  static Chunk* NewChunk();

  std::vector<Chunk*> chunks_;  // owned; raw pointers so that inserting one is a memmove
  size_t size_ = 0;
};

}  // namespace tidepool::storage
