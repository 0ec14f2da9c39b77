// SeqRanges: a set of outbox seqs kept as disjoint closed ranges [first, last]. The delivery
// engine records in it the entries that wait in the outbox only (no room in memory): they
// mostly arrive in ascending order, so a backlog of any length costs one range, plus one per
// gap that out-of-order commits (entries of different topics) leave until they fill in.
//
// Not thread-safe (the engine's mutex guards it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>

namespace tidepool::engine {

class SeqRanges {
 public:
  void Insert(uint64_t seq);
  // Inserts every seq of [first, last]; nothing when first > last.
  void InsertRange(uint64_t first, uint64_t last);
  // Removes every seq of [first, last]; nothing when first > last.
  void EraseRange(uint64_t first, uint64_t last);
  bool Contains(uint64_t seq) const;
  bool empty() const { return ranges_.empty(); }
  size_t range_count() const { return ranges_.size(); }
  // The lowest range. Requires !empty().
  std::pair<uint64_t, uint64_t> Front() const { return *ranges_.begin(); }

 private:
  std::map<uint64_t, uint64_t> ranges_;  // first -> last; disjoint and not adjacent
};

}  // namespace tidepool::engine
