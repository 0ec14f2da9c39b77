// A Lambda function as tidepool keeps it: $LATEST's configuration (exactly the
// FunctionConfiguration document AWS returns), where its code is, and its tags. One JSON value
// per function in the store (keyspace.h):
//
//   {"config": FunctionConfiguration, "code": {"sha": hex SHA-256 of the zip, or "",
//    "dir": the hot-reload directory, or ""}, "tags": {k: v},
//    "concurrency": reserved concurrent executions (absent: none)}
#pragma once

#include <boost/json/object.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tidepool::lambda {

struct FunctionRecord {
  boost::json::object config;
  std::string code_sha;  // the zip's SHA-256, hex; empty for a hot-reload directory
  std::string code_dir;  // hot-reload directory; empty for a zip
  boost::json::object tags;
  std::optional<int64_t> reserved_concurrency;

  std::string Encode() const;
  static Result<FunctionRecord> Decode(std::string_view text);
};

// The string member `key` of `o`, or "" when absent or not a string.
std::string StringMember(const boost::json::object& o, std::string_view key);

// A function in memory. `mu` guards `record` and `pending`.
struct Function {
  std::mutex mu;
  FunctionRecord record;
  bool deleted = false;
};

}  // namespace tidepool::lambda
