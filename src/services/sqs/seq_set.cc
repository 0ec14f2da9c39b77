#include "services/sqs/seq_set.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace tidepool::sqs {

SeqSet::Iterator& SeqSet::Iterator::operator++() {
  if (++index_ == (*chunks_)[chunk_].size()) {
    ++chunk_;
    index_ = 0;
  }
  return *this;
}

size_t SeqSet::ChunkFor(uint64_t v) const {
  auto it = std::partition_point(chunks_.begin(), chunks_.end(),
                                 [v](const std::vector<uint64_t>& c) { return c.back() < v; });
  return static_cast<size_t>(it - chunks_.begin());
}

SeqSet::Iterator SeqSet::upper_bound(uint64_t v) const {
  const size_t c = v == UINT64_MAX ? chunks_.size() : ChunkFor(v + 1);
  if (c == chunks_.size()) return end();
  const auto& chunk = chunks_[c];
  return Iterator(
      &chunks_, c,
      static_cast<size_t>(std::upper_bound(chunk.begin(), chunk.end(), v) - chunk.begin()));
}

bool SeqSet::insert(uint64_t v) {
  size_t c = ChunkFor(v);
  if (c == chunks_.size()) {
    // Greater than every value: append.
    if (chunks_.empty() || chunks_.back().size() >= kMaxChunk) chunks_.emplace_back();
    chunks_.back().push_back(v);
    ++size_;
    return true;
  }
  auto& chunk = chunks_[c];
  auto pos = std::lower_bound(chunk.begin(), chunk.end(), v);
  if (*pos == v) return false;
  chunk.insert(pos, v);
  ++size_;
  if (chunk.size() > kMaxChunk) {
    std::vector<uint64_t> upper(chunk.begin() + static_cast<std::ptrdiff_t>(chunk.size() / 2),
                                chunk.end());
    chunk.resize(chunk.size() / 2);
    chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(c) + 1, std::move(upper));
  }
  return true;
}

size_t SeqSet::erase(uint64_t v) {
  const size_t c = ChunkFor(v);
  if (c == chunks_.size()) return 0;
  auto& chunk = chunks_[c];
  auto pos = std::lower_bound(chunk.begin(), chunk.end(), v);
  if (*pos != v) return 0;
  chunk.erase(pos);
  --size_;
  if (chunk.empty()) chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(c));
  return 1;
}

bool SeqSet::contains(uint64_t v) const {
  const size_t c = ChunkFor(v);
  return c < chunks_.size() && std::binary_search(chunks_[c].begin(), chunks_[c].end(), v);
}

void SeqSet::clear() {
  chunks_.clear();
  size_ = 0;
}

}  // namespace tidepool::sqs
