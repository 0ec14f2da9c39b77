// `tidepool reconcile`: asks a running tidepool whether every record of a stream, every
// message of a queue, or every event of a function's mappings reached an outcome (GET
// /_tidepool/reconcile, engine/mapping_engine.h) and prints the answer.
#pragma once

#include <string>

namespace tidepool::cli {

struct ReconcileOptions {
  std::string endpoint = "http://127.0.0.1:4566";
  // Exactly one of: a stream name (in --account/--region) or ARN; a queue URL or ARN; a
  // function name or ARN.
  std::string stream, queue, function;
  std::string account = "000000000000";
  std::string region = "us-east-1";
  bool json = false;
};

// Prints the report; returns 0 when every record is accounted for, 1 when some are not, 2 when
// the server cannot be asked or answers an error.
int RunReconcile(const ReconcileOptions& options);

}  // namespace tidepool::cli
