#include "services/kinesis/views.h"

#include "services/kinesis/sequence_number.h"

namespace tidepool::kinesis {
namespace json = boost::json;

double TimestampValue(int64_t micros) { return static_cast<double>(micros / 1000) / 1000.0; }

std::string StartingSequenceNumber(const Stream& stream, const Shard& shard) {
  return SequenceNumber{StreamTag(stream.uid), shard.index, 0}.ToString();
}

std::string EndingSequenceNumber(const Stream& stream, const Shard& shard) {
  return SequenceNumber{StreamTag(stream.uid), shard.index, shard.ending_counter}.ToString();
}

json::object ShardView(const Stream& stream, const Shard& shard) {
  json::object o;
  o["ShardId"] = ShardIdOf(shard.index);
  if (shard.parent) o["ParentShardId"] = ShardIdOf(*shard.parent);
  if (shard.adjacent_parent) o["AdjacentParentShardId"] = ShardIdOf(*shard.adjacent_parent);
  o["HashKeyRange"] = json::object{{"StartingHashKey", FormatHashKey(shard.start_hash)},
                                   {"EndingHashKey", FormatHashKey(shard.end_hash)}};
  json::object range{{"StartingSequenceNumber", StartingSequenceNumber(stream, shard)}};
  if (!shard.open()) range["EndingSequenceNumber"] = EndingSequenceNumber(stream, shard);
  o["SequenceNumberRange"] = std::move(range);
  return o;
}

json::array ChildShardsView(const Stream& stream, const Shard& shard) {
  json::array children;
  if (!shard.closed_micros) return children;
  // Children are created at the instant their parents close and cover part of their range
  // (UpdateShardCount may give a child more parents than the two it can name).
  for (const auto& child : stream.shards) {
    if (child->created_micros != *shard.closed_micros || child->index <= shard.index ||
        child->end_hash < shard.start_hash || child->start_hash > shard.end_hash ||
        !child->parent) {
      continue;
    }
    json::array parents{ShardIdOf(*child->parent)};
    if (child->adjacent_parent) parents.emplace_back(ShardIdOf(*child->adjacent_parent));
    children.emplace_back(json::object{
        {"ShardId", ShardIdOf(child->index)},
        {"ParentShards", std::move(parents)},
        {"HashKeyRange", json::object{{"StartingHashKey", FormatHashKey(child->start_hash)},
                                      {"EndingHashKey", FormatHashKey(child->end_hash)}}}});
  }
  return children;
}

json::array EnhancedMonitoringView(const Stream& stream) {
  json::array metrics;
  for (const auto& m : stream.metrics) metrics.emplace_back(m);
  return json::array{json::object{{"ShardLevelMetrics", std::move(metrics)}}};
}

json::object StreamModeView(const Stream& stream) {
  return json::object{{"StreamMode", stream.mode}};
}

}  // namespace tidepool::kinesis
