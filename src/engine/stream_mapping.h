// StreamMapping: a mapping from a Kinesis stream or a DynamoDB stream (mapping_engine.h).
//
// Per shard, a reader and ParallelizationFactor lanes. The reader reads in sequence order
// (GetRecords through the service's operations, continuing from the last record read) while
// fewer than (lanes + 1) x BatchSize records (or that many 4 MB batches of data) wait, so the
// next batch is read while the current one runs. Each record goes to the lane its partition key
// (Kinesis) or item key (DynamoDB) hashes to, so records of one key stay in order. Per lane,
// one batch at a time: batch (up to BatchSize records, at most kMaxBatchBytes of data; held
// back while MaximumBatchingWindowInSeconds runs unless full) -> expire (records older than
// MaximumRecordAgeInSeconds go to the on-failure destination) -> filter (records no
// FilterCriteria pattern matches are dropped) -> invoke -> outcome:
//   success: the lane's records are done;
//   batch item failures: the records before the first failed one are done; the failed one is
//     retried with the rest of the batch;
//   function error: retried after a back-off; split in halves first when
//     BisectBatchOnFunctionError is on (splits do not count as retries); once
//     MaximumRetryAttempts is exceeded the batch goes to the on-failure destination and is
//     done. Throttles are retried without counting.
// The shard's stored position moves past a record once it and every record before it are
// done (a contiguous watermark), so a restart re-delivers what a faster lane finished beyond
// a slower one (at least once, as on AWS); the reconciliation ledger runs of the records it
// passes are stored in the same write. A closed shard (resharding) is read to its end and
// every record done before its children start. A new ParallelizationFactor applies once a
// shard has nothing in flight.
//
// Tumbling windows (TumblingWindowInSeconds): a batch holds records of one window only (by
// arrival time, windows aligned to the epoch); its invocation carries the window and the state
// the window's previous invocation returned. A response without a `state` object is a function
// error. Once the window is over (a record of a later window was read, the window's end passed,
// or the shard ended) a final invocation with no records hands the function the last state; it
// is retried until it succeeds.
// With ParallelizationFactor > 1 every lane keeps a window and a state of its own: AWS documents
// the state per shard ("a maximum of 1 MB per shard") and per-key aggregation within a shard
// (Lambda developer guide, "Implementing stateful Kinesis Data Streams processing"), but not how
// concurrent batches of a shard share it; one state per lane keeps each lane's invocations
// concurrent with the others' while all records of a partition key (one lane) are folded into
// one state in order. Each lane's window ends with a final invocation of its own (shardId the
// shard's). A changed factor stops reading the shard until its batches are done and every lane
// closed its window early (final invocations marked isWindowTerminatedEarly); the new lanes
// then start fresh states.
// Window states are stored with the shard's position (stream_mapping_window.cc): one lane as
// "<shard>#window": "<start ms> <state>" ("" when none); several as "<shard>#window/<lane>"
// (mapping_events.h, StoredLaneWindow), each with the lane's last finished sequence number, so
// a restart resumes every window and skips what a lane folded in past the shard's position.
//
// Positions stored per shard: "after:<sequence number>", "done" (a closed shard read to its
// end) or "trim" (start from the oldest record).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/json/array.hpp>

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/mapping_engine.h"
#include "engine/mapping_events.h"

namespace tidepool::engine {

class StreamMapping final : public MappingRunner,
                            public std::enable_shared_from_this<StreamMapping> {
 public:
  StreamMapping(MappingDeps& deps, lambda::MappingViewPtr view);
  void Start() override;
  void Update(lambda::MappingViewPtr view) override;
  void Wake(std::string_view shard_id, std::chrono::steady_clock::time_point written) override;
  void Stop(std::function<void()> stopped) override;
  lambda::MappingViewPtr View() const override {
    std::lock_guard lock(mu_);
    return view_;
  }

  // The positions to store for a new mapping (LATEST fixed now); refuses an unknown stream.
  static Result<std::vector<std::pair<std::string, std::string>>> InitialPositions(
      MappingDeps& deps, const lambda::MappingView& view);

  struct Shard;  // stream_mapping_shard.h
  struct Lane;
  using ShardPtr = std::shared_ptr<Shard>;
  using LanePtr = std::shared_ptr<Lane>;

 private:
  using Ledger = std::vector<lambda::LambdaService::LedgerRun>;

  // stream_mapping.cc: shards, reading, positions.
  void RefreshShards();
  void Pump(const ShardPtr& shard);
  void Read(const ShardPtr& shard, std::string iterator);
  // Hands records just read to their lanes (mu_ held). Returns whether it marked records done
  // at once (a lane's records already in its stored window state): the watermark may move.
  bool Distribute(Shard& shard, boost::json::array& records);
  void ReadAfter(const ShardPtr& shard, std::chrono::milliseconds delay);
  // Stores the position (unless empty), the ledger runs and `windows` (WindowRecords) in one
  // write.
  using Positions = std::vector<std::pair<std::string, std::string>>;
  void SavePosition(const ShardPtr& shard, std::string position, Ledger ledger = {},
                    Positions windows = {});
  // Marks the first `consumed` records of the lane done and pops them (mu_ held); moves the
  // shard's watermark past every leading done record. Returns the new position ("" if it did
  // not move) and the ledger runs to store with it (outcomes other than delivery, in runs).
  std::pair<std::string, Ledger> Consume(Shard& shard, Lane& lane, size_t consumed);
  std::pair<std::string, Ledger> Advance(Shard& shard);  // the watermark part of Consume
  bool ParentsDone(const Shard& shard) const;            // mu_ held
  bool Runnable() const;                                 // mu_ held
  std::chrono::milliseconds Scaled(std::chrono::milliseconds d) const;
  int Source() const;  // index into MappingMetrics
  std::string SeqOf(const boost::json::object& record) const;
  double ArrivalOf(const boost::json::object& record) const;
  size_t LaneOf(const boost::json::object& record, size_t lanes) const;
  size_t LaneCount() const;  // mu_ held
  boost::json::object EventRecord(const Shard& shard, const boost::json::object& record) const;

  // stream_mapping_invoke.cc: batches and their outcomes, per lane.
  void Dispatch(const ShardPtr& shard, const LanePtr& lane);
  void Invoke(const ShardPtr& shard, const LanePtr& lane, std::vector<boost::json::object> batch,
              std::vector<boost::json::object> all, std::chrono::steady_clock::time_point woken);
  void Finish(const ShardPtr& shard, const LanePtr& lane, size_t consumed);
  void Fail(const ShardPtr& shard, const LanePtr& lane, std::vector<boost::json::object> batch,
            size_t consumed, std::string error);
  // Sends the on-failure record of `records` (marking them in the ledger), then runs `then`
  // once it is durable, or at once when the mapping has no destination.
  void SendFailure(const ShardPtr& shard, const std::vector<boost::json::object>& records,
                   std::string condition, int invoke_count, std::string request_id,
                   std::function<void()> then);
  void LaneAfter(const ShardPtr& shard, const LanePtr& lane, std::chrono::milliseconds delay);
  // stream_mapping_window.cc: tumbling windows.
  // The final invocation of the lane's open window (the lane is marked busy); `early` marks it
  // isWindowTerminatedEarly.
  void EndWindow(const ShardPtr& shard, const LanePtr& lane, bool early);
  // Whether the lane's open window is over and its final invocation due (mu_ held).
  bool WindowOver(const Shard& shard, const Lane& lane) const;
  // Whether the shard waits to take a new lane count (mu_ held).
  bool Relaning(const Shard& shard) const;
  int64_t WindowOf(const boost::json::object& record) const;  // mu_ held
  // The stored form of the lane's window (mu_ held). Written whenever the lane's window or
  // `through` changed: after a batch while windows are on, and at a window's end.
  Positions WindowRecords(const Shard& shard, const Lane& lane) const;
  // Empties every window record the shard's current lanes wrote (mu_ held).
  Positions ClearedWindowRecords(const Shard& shard) const;
  // Sets up a new shard's lanes and windows from the loaded positions (mu_ held).
  void LoadWindows(Shard& shard);

  MappingDeps& deps_;
  const bool kinesis_;
  mutable std::mutex mu_;
  lambda::MappingViewPtr view_;  // guarded by mu_
  Filters filters_;              // guarded by mu_
  std::string role_arn_;
  bool stopped_ = false;
  std::function<void()> on_stopped_;
  int in_flight_ = 0;  // invocations running
  bool refreshing_ = false;
  std::map<std::string, ShardPtr> shards_;        // by shard id
  std::map<std::string, std::string> positions_;  // loaded checkpoints, by shard id
};

}  // namespace tidepool::engine
