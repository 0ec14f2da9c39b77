// RocksDbLogger: RocksDB's info log routed to spdlog, warnings and errors only.
//
// Replaces the LOG file RocksDB would otherwise create in the data dir: no file is opened or
// written at DB::Open, and the options dump RocksDB writes at every open (HEADER level) is
// dropped. WARN maps to spdlog::warn, ERROR to spdlog::error, FATAL to spdlog::critical; DEBUG
// and INFO are dropped before formatting. Thread-safe (spdlog is; no state of its own).
#pragma once

#include <rocksdb/env.h>

#include <cstdarg>

namespace tidepool::storage {

class RocksDbLogger final : public rocksdb::Logger {
 public:
  RocksDbLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  void LogHeader(const char* format, va_list ap) override;
  void Logv(const char* format, va_list ap) override;
  void Logv(rocksdb::InfoLogLevel level, const char* format, va_list ap) override;
};

}  // namespace tidepool::storage
