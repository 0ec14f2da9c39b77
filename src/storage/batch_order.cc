#include "storage/batch_order.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace tidepool::storage {
namespace {

// A point op of one run while sorting: 16 bytes of its key just past the run's common prefix
// (so most comparisons are integer comparisons; 16 because keys often end in a u64 counter
// after a shared prefix and a differing id), and its index in the batch.
struct SortEntry {
  uint64_t high;
  uint64_t low;
  uint32_t index;
};

uint64_t LoadBigEndian(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return __builtin_bswap64(word);
}

// The big-endian value of key[offset, offset + 8), zero bytes standing in past the key's end.
// Where two keys' words (first at offset, then at offset + 8) differ they order like the keys:
// both keys share their first `offset` bytes, and a zero standing in for a missing byte only ties
// with a real zero (the full comparison then decides) or sorts below a real non-zero byte, as the
// shorter key should.
uint64_t WordAt(std::string_view key, size_t offset) {
  if (key.size() >= offset + 8) return LoadBigEndian(key.data() + offset);
  char bytes[8] = {};
  if (key.size() > offset) std::memcpy(bytes, key.data() + offset, key.size() - offset);
  return LoadBigEndian(bytes);
}

// Length of the common prefix of a and b, at most `limit`.
size_t CommonPrefix(std::string_view a, std::string_view b, size_t limit) {
  limit = std::min({limit, a.size(), b.size()});
  size_t i = 0;
  while (i + 8 <= limit && std::memcmp(a.data() + i, b.data() + i, 8) == 0) i += 8;
  while (i < limit && a[i] == b[i]) ++i;
  return i;
}

// Appends to `order` the indices [begin, end) of point ops, sorted by key, equal keys in
// batch order.
void OrderRun(const std::vector<WriteBatch::Op>& ops, uint32_t begin, uint32_t end,
              std::vector<SortEntry>& scratch, std::vector<uint32_t>& order) {
  const std::string_view first = ops[begin].key;
  size_t prefix = first.size();
  for (uint32_t i = begin + 1; i < end && prefix > 0; ++i) {
    prefix = CommonPrefix(first, ops[i].key, prefix);
  }
  auto less = [&](const SortEntry& a, const SortEntry& b) {
    if (a.high != b.high) return a.high < b.high;
    if (a.low != b.low) return a.low < b.low;
    const int c = std::string_view(ops[a.index].key)
                      .substr(prefix)
                      .compare(std::string_view(ops[b.index].key).substr(prefix));
    return c != 0 ? c < 0 : a.index < b.index;
  };
  scratch.clear();
  bool ascending = true;
  for (uint32_t i = begin; i < end; ++i) {
    const std::string_view key = ops[i].key;
    scratch.push_back(SortEntry{WordAt(key, prefix), WordAt(key, prefix + 8), i});
    if (ascending && i > begin) ascending = !less(scratch.back(), scratch[scratch.size() - 2]);
  }
  if (!ascending) std::sort(scratch.begin(), scratch.end(), less);
  for (const SortEntry& e : scratch) order.push_back(e.index);
}

}  // namespace

std::vector<uint32_t> ApplyOrder(const std::vector<WriteBatch::Op>& ops) {
  std::vector<uint32_t> order;
  order.reserve(ops.size());
  std::vector<SortEntry> scratch;
  const auto n = static_cast<uint32_t>(ops.size());
  uint32_t run_begin = 0;
  for (uint32_t i = 0; i <= n; ++i) {
    if (i < n && ops[i].type != WriteBatch::OpType::kDeleteRange) continue;
    if (i > run_begin) OrderRun(ops, run_begin, i, scratch, order);
    if (i < n) order.push_back(i);  // the DeleteRange stays between its runs
    run_begin = i + 1;
  }
  return order;
}

}  // namespace tidepool::storage
