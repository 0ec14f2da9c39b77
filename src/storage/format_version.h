// The store's format version: which layout of keys and values a data dir holds, so that a
// tidepool never reads a data dir it does not understand.
//
//   key := "tidepool\0" "format"   -> version:u32be
//
// A store created by this build gets kStoreFormatVersion. A data dir written before versions
// were recorded holds format 1 (the layouts in the keyspace files as they were then) and is
// marked 1 when first opened. How a version is upgraded: a change that alters how an existing
// record kind is stored raises kStoreFormatVersion and adds an upgrade step from the previous
// version (a function that rewrites that kind's records in batches and then writes the new
// version in the last batch, so a crash mid-upgrade reruns the step). CheckFormatVersion runs
// the steps from the stored version up to the current one before any service recovers. New
// record kinds and new optional fields in JSON values need no new version: older records
// still decode. A data dir of a newer version than this build knows is refused.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/record_kind.h"
#include "storage/store.h"

namespace tidepool::storage {

inline constexpr uint32_t kStoreFormatVersion = 1;

std::string FormatVersionKey();
// The storage layer's own record kinds (the format version).
std::vector<RecordKind> StoreRecordKinds();

// Makes sure this build can use `store` (the data dir named `data_dir`, for messages):
// records the version in a store that has none (a new or pre-version data dir), upgrades an
// older one, and returns FailedPrecondition for a newer one, Corruption for an unreadable
// version record. Call once after opening, before any other reader or writer.
Status CheckFormatVersion(Store& store, std::string_view data_dir);

}  // namespace tidepool::storage
