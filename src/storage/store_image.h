// A store image: a list of key/value records in one byte string, for the recovery fuzz targets
// (fuzz/*_recovery_fuzz.cc) and the unit tests that write their seed corpora. Header-only.
//
//   image := entry* tail
//   entry := key_len:u16le key value_len:u16le value
//   tail  := fewer bytes than make a whole entry (ignored)
//
// Keys are relative: the reader prepends a root (a service's key prefix), so that every entry
// of a fuzzed image lands in the keyspace under test.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "storage/key_codec.h"
#include "storage/store.h"
#include "storage/write_batch.h"

namespace tidepool::storage {

// The entries of `image` as one batch of Puts, each key prefixed with `root`.
inline WriteBatch StoreImageBatch(std::string_view image, std::string_view root) {
  WriteBatch batch;
  auto u16 = [&](size_t at) {
    return static_cast<size_t>(static_cast<uint8_t>(image[at])) |
           static_cast<size_t>(static_cast<uint8_t>(image[at + 1])) << 8;
  };
  size_t at = 0;
  while (image.size() - at >= 2) {
    const size_t key_len = u16(at);
    if (image.size() - at - 2 < key_len + 2) break;
    std::string key(root);
    key.append(image.substr(at + 2, key_len));
    at += 2 + key_len;
    const size_t value_len = u16(at);
    if (image.size() - at - 2 < value_len) break;
    batch.Put(std::move(key), std::string(image.substr(at + 2, value_len)));
    at += 2 + value_len;
  }
  return batch;
}

// The image of every record of `store` under `root` (keys stored without it). Records whose
// key or value is over 64 KiB are left out.
inline std::string StoreImageOf(const Store& store, std::string_view root) {
  std::string image;
  auto put16 = [&](size_t n) {
    image.push_back(static_cast<char>(n & 0xff));
    image.push_back(static_cast<char>(n >> 8));
  };
  Status st = store.Scan(root, PrefixEnd(root), [&](std::string_view key, std::string_view value) {
    key.remove_prefix(root.size());
    if (key.size() > 0xffff || value.size() > 0xffff) return true;
    put16(key.size());
    image.append(key);
    put16(value.size());
    image.append(value);
    return true;
  });
  (void)st;  // the image holds what the scan reached
  return image;
}

// How many records of `store` have a key starting with `prefix`.
inline size_t CountRecords(const Store& store, std::string_view prefix) {
  size_t n = 0;
  Status st = store.Scan(prefix, PrefixEnd(prefix), [&n](std::string_view, std::string_view) {
    ++n;
    return true;
  });
  return st.ok() ? n : 0;
}

// Writes `image` as the seed <dir>/<target>/zoo when $TIDEPOOL_WRITE_RECOVERY_SEEDS names a
// directory: how the tests that build every record kind make the recovery fuzz targets' seed
// corpora (TIDEPOOL_WRITE_RECOVERY_SEEDS=fuzz/corpus).
inline void MaybeWriteSeedImage(std::string_view target, const std::string& image) {
  const char* dir = std::getenv("TIDEPOOL_WRITE_RECOVERY_SEEDS");
  if (dir == nullptr || *dir == '\0') return;
  const auto path = std::filesystem::path(dir) / target / "zoo";
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << image;
}

}  // namespace tidepool::storage
