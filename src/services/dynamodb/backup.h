// Backup: one on-demand backup of a table (CreateBackup), its metadata in memory and in the
// store (keyspace 'b'); its items live under keyspace 'k'. A backup is immutable once made.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>

#include "core/result.h"

namespace tidepool::dynamodb {

namespace json = boost::json;

struct Backup {
  uint64_t uid = 0;  // keyspace uid, from the tables' counter
  std::string account, region, arn, name;
  double created = 0;  // epoch seconds
  // The source table as it was: its persisted metadata (Table::ToJson) and facts.
  json::object table_meta;
  std::string table_name, table_arn, table_id;
  double table_created = 0;
  int64_t item_count = 0, size_bytes = 0;

  // Persisted form (keyspace 'b').
  json::object ToJson() const;
  static Result<Backup> FromJson(const json::object& o);
  // BackupDetails, BackupSummary and BackupDescription as the API returns them.
  json::object Details(std::string_view status) const;
  json::object Summary() const;
  json::object Description(std::string_view status) const;
};

}  // namespace tidepool::dynamodb
