// StreamMapping: a mapping from a Kinesis stream or a DynamoDB stream (mapping_engine.h).
//
// Per shard, one batch at a time, in sequence order: read (GetRecords through the service's
// operations, continuing from the last record read) -> batch (up to BatchSize records, at most
// kMaxBatchBytes of data; held back while MaximumBatchingWindowInSeconds runs unless full) ->
// expire (records older than MaximumRecordAgeInSeconds go to the on-failure destination) ->
// filter (records no FilterCriteria pattern matches are dropped) -> invoke -> outcome:
//   success: the shard's position moves past the batch (stored);
//   batch item failures: the position moves to just before the first failed record, which is
//     retried with the rest of the batch;
//   function error: retried after a back-off; split in halves first when
//     BisectBatchOnFunctionError is on (splits do not count as retries); once
//     MaximumRetryAttempts is exceeded the batch goes to the on-failure destination and the
//     shard moves on. Throttles are retried without counting.
// A closed shard (resharding) is read to its end before its children start.
//
// Tumbling windows (TumblingWindowInSeconds): a batch holds records of one window only (by
// arrival time, windows aligned to the epoch); its invocation carries the window and the
// state the window's previous invocation returned. A response without a `state` object is a
// function error. Once the window is over (a record of a later window was read, the window's
// end passed, or the shard ended) a final invocation with no records hands the function the
// last state; it is retried until it succeeds. The open window and its state are stored with
// the shard's position (position "<shard>#window": "<start ms> <state>", "" when none), so a
// restart resumes the window.
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

 private:
  struct Shard;
  using ShardPtr = std::shared_ptr<Shard>;

  void RefreshShards();
  void Pump(const ShardPtr& shard);
  void Read(const ShardPtr& shard, std::string iterator);
  void Dispatch(const ShardPtr& shard);
  void Invoke(const ShardPtr& shard, std::vector<boost::json::object> batch,
              std::vector<boost::json::object> all, std::chrono::steady_clock::time_point woken);
  void Finish(const ShardPtr& shard, size_t consumed, const std::string& last_seq);
  void Fail(const ShardPtr& shard, std::vector<boost::json::object> batch, size_t consumed,
            std::string error);
  void SendFailure(const ShardPtr& shard, const std::vector<boost::json::object>& records,
                   std::string condition, int invoke_count, std::string request_id);
  void After(const ShardPtr& shard, std::chrono::milliseconds delay);
  // The final invocation of the shard's open tumbling window (its batch is over: busy is set).
  void EndWindow(const ShardPtr& shard);
  // Whether the shard's open window is over and its final invocation due (mu_ held).
  bool WindowOver(const Shard& shard) const;
  int64_t WindowOf(const boost::json::object& record) const;  // mu_ held
  std::string WindowText(const Shard& shard) const;           // mu_ held
  void SavePosition(const ShardPtr& shard, std::string position,
                    std::vector<lambda::LambdaService::LedgerRun> ledger = {});
  // Pops `consumed` records off the buffer (mu_ held); returns the ledger runs to store with
  // the position that passes them (outcomes other than delivery, merged into runs).
  std::vector<lambda::LambdaService::LedgerRun> Consume(Shard& shard, size_t consumed);
  bool ParentsDone(const Shard& shard) const;  // mu_ held
  bool Runnable() const;                       // mu_ held
  std::chrono::milliseconds Scaled(std::chrono::milliseconds d) const;
  int Source() const;  // index into MappingMetrics
  std::string SeqOf(const boost::json::object& record) const;
  double ArrivalOf(const boost::json::object& record) const;
  boost::json::object EventRecord(const Shard& shard, const boost::json::object& record) const;

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
