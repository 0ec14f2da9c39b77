// ApplyOrder: an order in which a store may apply a batch's ops and reach exactly the state
// that applying them in batch order reaches, chosen so that consecutive ops touch ascending
// keys. A store that inserts next to the previous insert (a hinted map insert, RocksDB's
// memtable skiplist "splice") then finds each position in O(1) instead of searching from the
// top: a Kinesis PutRecords batch, for example, is a few runs of ascending keys (one per shard)
// interleaved by partition key, which sorts into a few ascending runs.
//
// The rule: ops between two DeleteRange ops (a "run" of Put/Delete) are sorted by key, and
// ops on the same key keep their batch order (point ops on different keys commute). A
// DeleteRange stays where it is: it does not commute with the point ops around it.
#pragma once

#include <cstdint>
#include <vector>

#include "storage/write_batch.h"

namespace tidepool::storage {

// The indices of `ops` in apply order (see above). Keys compare as unsigned bytes. Pure; O(n)
// when every run is already ascending, O(n log n) otherwise.
std::vector<uint32_t> ApplyOrder(const std::vector<WriteBatch::Op>& ops);

}  // namespace tidepool::storage
