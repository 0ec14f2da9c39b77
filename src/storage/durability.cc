#include "storage/store.h"

namespace tidepool::storage {

std::optional<Durability> ParseDurability(std::string_view text) {
  if (text == "sync") return Durability::kSync;
  if (text == "async") return Durability::kAsync;
  if (text == "memory") return Durability::kMemory;
  return std::nullopt;
}

}  // namespace tidepool::storage
