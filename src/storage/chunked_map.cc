#include "storage/chunked_map.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace tidepool::storage {

ChunkedMap::~ChunkedMap() { Clear(); }

ChunkedMap::ChunkedMap(const ChunkedMap& other) { *this = other; }

ChunkedMap& ChunkedMap::operator=(const ChunkedMap& other) {
  if (&other == this) return *this;
  Clear();
  chunks_.reserve(other.chunks_.size());
  for (const Chunk* c : other.chunks_) {
    Chunk* copy = NewChunk();
    copy->assign(c->begin(), c->end());
    chunks_.push_back(copy);
  }
  size_ = other.size_;
  return *this;
}

void ChunkedMap::Clear() {
  for (Chunk* c : chunks_) delete c;
  chunks_.clear();
  size_ = 0;
}

ChunkedMap::Chunk* ChunkedMap::NewChunk() {
  auto* chunk = new Chunk();
  chunk->reserve(kMaxChunk);
  return chunk;
}

ChunkedMap::Position ChunkedMap::LowerBound(std::string_view key) const {
  // The first chunk whose last key is >= key holds the answer.
  auto chunk = std::partition_point(chunks_.begin(), chunks_.end(), [&](const Chunk* c) {
    return std::string_view(c->back().key) < key;
  });
  if (chunk == chunks_.end()) return end();
  auto entry = std::partition_point((*chunk)->begin(), (*chunk)->end(),
                                    [&](const Entry& e) { return std::string_view(e.key) < key; });
  return Position{static_cast<size_t>(chunk - chunks_.begin()),
                  static_cast<size_t>(entry - (*chunk)->begin())};
}

ChunkedMap::Position ChunkedMap::Insert(Position p, std::string key, std::string value) {
  ++size_;
  if (chunks_.empty()) {
    chunks_.push_back(NewChunk());
    chunks_[0]->push_back(Entry{std::move(key), std::move(value)});
    return Position{0, 0};
  }
  // In front of a chunk's first entry is also just after the previous chunk's last entry:
  // appending there moves nothing.
  if (p.index == 0 && p.chunk > 0) p = Position{p.chunk - 1, chunks_[p.chunk - 1]->size()};
  Chunk& chunk = *chunks_[p.chunk];
  if (chunk.size() < kMaxChunk) {
    chunk.insert(chunk.begin() + static_cast<ptrdiff_t>(p.index),
                 Entry{std::move(key), std::move(value)});
    return p;
  }
  // Full: the entries from the insert point on move to a new chunk after this one, and the
  // new entry ends this chunk (or starts the new one when it goes after every entry).
  Chunk* tail = NewChunk();
  chunks_.insert(chunks_.begin() + static_cast<ptrdiff_t>(p.chunk) + 1, tail);
  if (p.index == chunk.size()) {
    tail->push_back(Entry{std::move(key), std::move(value)});
    return Position{p.chunk + 1, 0};
  }
  const auto split = chunk.begin() + static_cast<ptrdiff_t>(p.index);
  tail->assign(std::make_move_iterator(split), std::make_move_iterator(chunk.end()));
  chunk.erase(split, chunk.end());
  chunk.push_back(Entry{std::move(key), std::move(value)});
  return p;
}

ChunkedMap::Position ChunkedMap::Erase(Position p) {
  Chunk& chunk = *chunks_[p.chunk];
  chunk.erase(chunk.begin() + static_cast<ptrdiff_t>(p.index));
  --size_;
  if (chunk.empty()) {
    delete &chunk;
    chunks_.erase(chunks_.begin() + static_cast<ptrdiff_t>(p.chunk));
    return Position{p.chunk, 0};
  }
  return p.index < chunk.size() ? p : Position{p.chunk + 1, 0};
}

void ChunkedMap::EraseRange(Position from, Position to) {
  if (from.chunk == to.chunk) {
    if (from.index >= to.index) return;
    Chunk& chunk = *chunks_[from.chunk];  // `to` names an entry of it: it stays non-empty
    chunk.erase(chunk.begin() + static_cast<ptrdiff_t>(from.index),
                chunk.begin() + static_cast<ptrdiff_t>(to.index));
    size_ -= to.index - from.index;
    return;
  }
  // Chunks [drop_begin, drop_end) are emptied whole.
  size_t drop_begin = from.chunk;
  if (from.index > 0) {
    Chunk& first = *chunks_[from.chunk];
    size_ -= first.size() - from.index;
    first.erase(first.begin() + static_cast<ptrdiff_t>(from.index), first.end());
    ++drop_begin;
  }
  const size_t drop_end = to.chunk;
  if (!IsEnd(to) && to.index > 0) {
    Chunk& last = *chunks_[to.chunk];
    last.erase(last.begin(), last.begin() + static_cast<ptrdiff_t>(to.index));
    size_ -= to.index;
  }
  for (size_t i = drop_begin; i < drop_end; ++i) {
    size_ -= chunks_[i]->size();
    delete chunks_[i];
  }
  chunks_.erase(chunks_.begin() + static_cast<ptrdiff_t>(drop_begin),
                chunks_.begin() + static_cast<ptrdiff_t>(drop_end));
}

}  // namespace tidepool::storage
