// CheckWriteBatch: the validity rule every Store applies before writing a batch, so that a
// batch is either applied whole or rejected whole, identically in every store.
#pragma once

#include "core/status.h"
#include "storage/write_batch.h"

namespace tidepool::storage {

// InvalidArgument when a DeleteRange has begin > end (byte order; an empty end is the
// smallest key, not "unbounded"). begin == end is a valid, empty range. Pure, thread-safe.
Status CheckWriteBatch(const WriteBatch& batch);

}  // namespace tidepool::storage
