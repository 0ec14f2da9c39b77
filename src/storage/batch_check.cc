#include "storage/batch_check.h"

#include <string>

namespace tidepool::storage {

Status CheckWriteBatch(const WriteBatch& batch) {
  for (const WriteBatch::Op& op : batch.ops()) {
    if (op.type == WriteBatch::OpType::kDeleteRange && op.key > op.value) {
      return Status::InvalidArgument("DeleteRange end key sorts before its begin key");
    }
  }
  return Status::Ok();
}

}  // namespace tidepool::storage
