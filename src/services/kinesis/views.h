// Output fragments shared by several operations (Describe*, ListShards, GetRecords...).
// Every function requires the stream's mu held. Pure otherwise.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>

#include "services/kinesis/stream.h"

namespace tidepool::kinesis {

// Epoch seconds as the protocol's timestamp value (millisecond precision, as AWS).
double TimestampValue(int64_t micros);

std::string StartingSequenceNumber(const Stream& stream, const Shard& shard);
std::string EndingSequenceNumber(const Stream& stream, const Shard& shard);

// The Shard shape: ShardId, ParentShardId, AdjacentParentShardId, HashKeyRange,
// SequenceNumberRange.
boost::json::object ShardView(const Stream& stream, const Shard& shard);
// The ChildShard list of a closed shard (the shards whose parent it is).
boost::json::array ChildShardsView(const Stream& stream, const Shard& shard);
// [{"ShardLevelMetrics": [...]}]
boost::json::array EnhancedMonitoringView(const Stream& stream);
boost::json::object StreamModeView(const Stream& stream);

}  // namespace tidepool::kinesis
