#include "storage/skipped_records.h"

#include <spdlog/spdlog.h>

#include "storage/record_kind.h"

namespace tidepool::storage {

SkippedRecords::~SkippedRecords() {
  if (count_ > kLogged) {
    spdlog::error("{}: recovery skipped {} records in all ({} not logged)", service_, count_,
                  count_ - kLogged);
  }
}

void SkippedRecords::Skip(std::string_view key, std::string_view why) {
  if (++count_ <= kLogged) {
    spdlog::error("{}: recovery skipped the record at {}: {}", service_, PrintableKey(key), why);
  }
}

}  // namespace tidepool::storage
