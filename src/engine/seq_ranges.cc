#include "engine/seq_ranges.h"

#include <algorithm>
#include <iterator>
#include <limits>

namespace tidepool::engine {

void SeqRanges::Insert(uint64_t seq) { InsertRange(seq, seq); }

void SeqRanges::InsertRange(uint64_t first, uint64_t last) {
  if (first > last) return;
  // Merge with a range that overlaps or touches [first, last] from the left...
  auto it = ranges_.upper_bound(first);
  if (it != ranges_.begin()) {
    auto prev = std::prev(it);
    if (prev->second == std::numeric_limits<uint64_t>::max() || prev->second + 1 >= first) {
      first = prev->first;
      last = std::max(last, prev->second);
      it = ranges_.erase(prev);
    }
  }
  // ...and with every range that starts inside it or right after it.
  while (it != ranges_.end() &&
         (last == std::numeric_limits<uint64_t>::max() || it->first <= last + 1)) {
    last = std::max(last, it->second);
    it = ranges_.erase(it);
  }
  ranges_.emplace(first, last);
}

void SeqRanges::EraseRange(uint64_t first, uint64_t last) {
  if (first > last) return;
  auto it = ranges_.upper_bound(first);
  if (it != ranges_.begin()) {
    auto prev = std::prev(it);
    if (prev->second >= first) {  // overlaps from the left: keep its part before `first`
      const uint64_t prev_last = prev->second;
      if (prev->first < first) {
        prev->second = first - 1;
      } else {
        ranges_.erase(prev);
      }
      if (prev_last > last) {  // and its part after `last`
        ranges_.emplace(last + 1, prev_last);
        return;
      }
    }
  }
  it = ranges_.lower_bound(first);
  while (it != ranges_.end() && it->first <= last) {
    if (it->second > last) {
      const uint64_t tail_last = it->second;
      ranges_.erase(it);
      ranges_.emplace(last + 1, tail_last);
      return;
    }
    it = ranges_.erase(it);
  }
}

bool SeqRanges::Contains(uint64_t seq) const {
  auto it = ranges_.upper_bound(seq);
  if (it == ranges_.begin()) return false;
  return std::prev(it)->second >= seq;
}

}  // namespace tidepool::engine
