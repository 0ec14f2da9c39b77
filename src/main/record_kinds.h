// The record kinds of every service in this binary, and the census report of
// GET /_tidepool/store/kinds (see storage/record_kind.h).
#pragma once

#include <boost/json/object.hpp>

#include <vector>

#include "core/result.h"
#include "storage/record_kind.h"
#include "storage/store.h"

namespace tidepool::cli {

// The store's own kinds and every service keyspace's, in a fixed order. A service that stores
// anything joins this list.
std::vector<storage::RecordKind> AllRecordKinds();

// {"kinds":[{"service":"sqs","kind":"message","records":3},...],"unclassified":0,
//  "unclassified_examples":[...]}: one scan of the whole store. For tests and tools, not for
// a hot path.
Result<boost::json::object> RecordCensusReport(const storage::Store& store);

}  // namespace tidepool::cli
