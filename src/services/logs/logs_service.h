// LogsService: Amazon CloudWatch Logs (AWS JSON 1.1, target prefix Logs_20140328).
//
// Kinds of state and where they live (keyspace.h):
//   - log groups and streams: one JSON value each in the store, mirrored in memory (a group
//     holds its streams); a stream's record is rewritten in every batch that adds its events;
//   - events: only in the store, ordered by group, time and seq, read with Store::Scan.
// State is namespaced by the caller's account and region.
//
// Writes: PutLogEvents and every change of a group or stream is one WriteBatch submitted while
// holding the group's lock, acknowledged once durable. Function output (Ingest) is buffered and
// written in batches without a caller waiting: best effort, like AWS's asynchronous delivery.
// Retention: reads skip events older than the group's retention; a sweeper deletes them.
//
// Thread-safety: all public methods may be called from any thread; Invoke never blocks on the
// disk. The service must outlive the io_context's pending handlers and the CommitQueue's
// pending completions (stop both before destroying it), as for the other services.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "protocol/service.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::logs {

struct LogsOptions {
  // How often expired events are deleted, in AWS time (times time_scale).
  int64_t sweep_interval_ms = 60'000;
  double time_scale = 1.0;
  // Function output waiting to be written beyond this many bytes is dropped (oldest first).
  size_t max_pending_bytes = 64 << 20;
};

// One line of output for Ingest.
struct IngestedLine {
  int64_t timestamp_ms = 0;
  std::string message;
};

class LogsService final : public protocol::Service {
 public:
  LogsService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
              boost::asio::io_context& io, LogsOptions options);
  ~LogsService() override;
  LogsService(const LogsService&) = delete;
  LogsService& operator=(const LogsService&) = delete;

  // Loads groups and streams. Records that fail to decode are logged and skipped. Call once,
  // before serving.
  Status Recover();
  // Runs SweepExpired every options.sweep_interval_ms (scaled) on the io_context.
  void StartRetentionSweeper();

  std::string_view Name() const override { return "logs"; }
  const protocol::model::ServiceModel& Model() const override;
  void Invoke(protocol::CallPtr call) override;
  boost::json::object Health() const override;

  // Appends `lines` to stream `stream` of group `group` (both created when missing), for
  // function output. Returns at once: the lines are written in a later batch that nobody
  // waits for. Never blocks; safe under other components' locks.
  void Ingest(const std::string& account, const std::string& region, const std::string& group,
              const std::string& stream, std::vector<IngestedLine> lines);
  // Deletes events older than their group's retention, and streams that held only those.
  void SweepExpired();

 private:
  using Handler = void (LogsService::*)(protocol::CallPtr);
  friend struct LogsServiceTable;

  struct LogStream {
    uint64_t uid = 0;
    std::string name;
    int64_t created = 0;
    int64_t first_event = -1, last_event = -1;  // epoch ms; -1 before the first event
    int64_t last_ingestion = -1;
    uint64_t stored_bytes = 0;
    uint64_t last_seq = 0;
    uint64_t uploads = 0;  // PutLogEvents calls, for nextSequenceToken
  };
  struct LogGroup {
    std::mutex mu;
    uint64_t uid = 0;
    std::string account, region, name;
    int64_t created = 0;
    int retention_days = 0;  // 0: never expire
    std::string kms_key, log_group_class = "STANDARD";
    bool deletion_protection = false;
    std::map<std::string, std::string> tags;
    std::map<std::string, LogStream> streams;  // by name; guarded by mu
    bool deleted = false;                      // guarded by mu
  };
  using GroupPtr = std::shared_ptr<LogGroup>;
  struct PendingLines {
    std::string account, region, group, stream;
    std::vector<IngestedLine> lines;
  };

  // --- group_ops.cc
  void CreateLogGroup(protocol::CallPtr call);
  void DeleteLogGroup(protocol::CallPtr call);
  void DescribeLogGroups(protocol::CallPtr call);
  void ListLogGroups(protocol::CallPtr call);
  void CreateLogStream(protocol::CallPtr call);
  void DeleteLogStream(protocol::CallPtr call);
  void DescribeLogStreams(protocol::CallPtr call);
  void PutRetentionPolicy(protocol::CallPtr call);
  void DeleteRetentionPolicy(protocol::CallPtr call);
  // tags (group_ops.cc)
  void TagResource(protocol::CallPtr call);
  void UntagResource(protocol::CallPtr call);
  void ListTagsForResource(protocol::CallPtr call);
  void TagLogGroup(protocol::CallPtr call);
  void UntagLogGroup(protocol::CallPtr call);
  void ListTagsLogGroup(protocol::CallPtr call);
  void AddTags(protocol::CallPtr call, Result<GroupPtr> group);
  void RemoveTags(protocol::CallPtr call, Result<GroupPtr> group, std::string_view keys_member);
  void ReplyTags(protocol::CallPtr call, Result<GroupPtr> group);
  // --- event_ops.cc
  void PutLogEvents(protocol::CallPtr call);
  void GetLogEvents(protocol::CallPtr call);
  void FilterLogEvents(protocol::CallPtr call);

  // --- logs_service.cc: shared helpers
  static std::string RegistryKey(std::string_view account, std::string_view region,
                                 std::string_view name);
  GroupPtr FindGroup(std::string_view account, std::string_view region,
                     std::string_view name) const;
  // The group a call names by logGroupName and/or logGroupIdentifier (a name or an ARN).
  Result<GroupPtr> ResolveGroup(const protocol::Call& call) const;
  // The group a resource ARN names (TagResource and friends).
  Result<GroupPtr> ResolveGroupArn(std::string_view arn) const;
  std::vector<GroupPtr> GroupsOf(std::string_view account, std::string_view region) const;
  static std::string GroupArn(const LogGroup& g);  // without the trailing ":*"
  static std::string GroupRecord(const LogGroup& g);
  static std::string StreamRecord(const LogStream& s);
  boost::json::object DescribeGroup(const LogGroup& g) const;  // caller holds g.mu
  // Events older than this are expired (epoch ms); INT64_MIN without retention.
  int64_t RetentionCutoff(const LogGroup& g) const;
  uint64_t NextUid() { return next_uid_.fetch_add(1); }
  uint64_t NextSeq() { return next_seq_.fetch_add(1); }
  // Persists `g`'s record (caller holds g.mu) plus `extra`, then replies `output`.
  void CommitGroup(LogGroup& g, protocol::CallPtr call, boost::json::object output = {});
  bool Submit(storage::WriteBatch batch, protocol::CallPtr call,
              std::function<void(const Status&)> done);
  void Unsupported(protocol::CallPtr call);
  static void Fail(const protocol::CallPtr& call, const Status& status);
  // Adds one event to `st` of `g` (caller holds g.mu): its key and value go in `batch`, the
  // stream's bounds and counters change in memory (the caller writes StreamRecord).
  void StageEvent(LogGroup& g, LogStream& st, int64_t timestamp, std::string_view message,
                  int64_t now, storage::WriteBatch* batch);
  // --- ingest.cc
  void FlushIngested();
  GroupPtr FindOrCreateGroup(const std::string& account, const std::string& region,
                             const std::string& name, storage::WriteBatch* batch);
  void ScheduleSweep();

  storage::Store& store_;
  storage::CommitQueue& commits_;
  const Clock& clock_;
  boost::asio::io_context& io_;
  const LogsOptions options_;
  std::shared_ptr<std::atomic<bool>> alive_;
  std::atomic<uint64_t> next_uid_{1};
  std::atomic<uint64_t> next_seq_{1};

  mutable std::shared_mutex registry_mu_;
  std::map<std::string, GroupPtr> groups_;  // by RegistryKey: sorted by name per account/region

  std::mutex pending_mu_;
  std::deque<PendingLines> pending_;  // guarded by pending_mu_
  size_t pending_bytes_ = 0;          // guarded by pending_mu_
  bool flush_posted_ = false;         // guarded by pending_mu_
  std::atomic<uint64_t> ingested_lines_{0}, dropped_lines_{0};
  std::unique_ptr<boost::asio::steady_timer> sweep_timer_;
};

}  // namespace tidepool::logs
