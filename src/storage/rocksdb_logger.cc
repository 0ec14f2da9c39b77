#include "storage/rocksdb_logger.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace tidepool::storage {

void RocksDbLogger::LogHeader(const char* /*format*/, va_list /*ap*/) {}

// RocksDB calls the level-less form only through the default Logv(level, ...), which this
// class overrides; anything arriving here has no level, so treat it as INFO and drop it.
void RocksDbLogger::Logv(const char* /*format*/, va_list /*ap*/) {}

void RocksDbLogger::Logv(rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  if (level < rocksdb::InfoLogLevel::WARN_LEVEL || level == rocksdb::InfoLogLevel::HEADER_LEVEL) {
    return;
  }
  char text[1024];
  const int n = std::vsnprintf(text, sizeof(text), format, ap);
  if (n < 0) return;
  switch (level) {
    case rocksdb::InfoLogLevel::WARN_LEVEL:
      spdlog::warn("rocksdb: {}", text);
      break;
    case rocksdb::InfoLogLevel::ERROR_LEVEL:
      spdlog::error("rocksdb: {}", text);
      break;
    default:
      spdlog::critical("rocksdb: {}", text);
      break;
  }
}

}  // namespace tidepool::storage
