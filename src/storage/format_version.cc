#include "storage/format_version.h"

#include <fmt/format.h>

#include "storage/key_codec.h"

namespace tidepool::storage {

std::string FormatVersionKey() { return std::string("tidepool\0format", 15); }

std::vector<RecordKind> StoreRecordKinds() {
  return {{"store", "format-version", FormatVersionKey()}};
}

Status CheckFormatVersion(Store& store, std::string_view data_dir) {
  auto stored = store.Get(FormatVersionKey());
  if (!stored.ok()) return stored.status();
  uint32_t version = 0;
  if (stored->has_value()) {
    std::string_view v = **stored;
    if (!ReadU32BE(&v, &version) || !v.empty() || version == 0) {
      return Status::Corruption(
          fmt::format("data dir {} is damaged: its format version record is unreadable", data_dir));
    }
  } else {
    // No version: a new store, or one written before versions were recorded (format 1).
    version = 1;
  }
  if (version > kStoreFormatVersion) {
    return Status::FailedPrecondition(
        fmt::format("data dir {} was written by a newer tidepool (store format {}; this "
                    "tidepool reads formats up to {}): run that version or a newer one",
                    data_dir, version, kStoreFormatVersion));
  }
  // Upgrade steps from `version` to kStoreFormatVersion go here (none yet: 1 is the first).
  if (stored->has_value() && version == kStoreFormatVersion) return Status::Ok();
  WriteBatch batch;
  std::string value;
  AppendU32BE(&value, kStoreFormatVersion);
  batch.Put(FormatVersionKey(), std::move(value));
  return store.Write(batch, /*sync=*/true);
}

}  // namespace tidepool::storage
