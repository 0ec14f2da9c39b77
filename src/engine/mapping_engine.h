// MappingEngine: event source mappings, run. source: a Kinesis shard, a DynamoDB stream or an
// SQS queue, read through the service's own operations (service_client.h) -> invoke: the
// mapping's function, in process (LambdaService::InvokeFunction) with AWS's event payload
// (mapping_events.h) -> outcome: checkpoint (streams) or delete (queues); failures retried,
// bisected, sent to the on-failure destination or left to the queue's redrive policy.
//
// Wake-ups, not polls: a commit of records to a stream or of messages to a queue calls the
// service's listener, which wakes the mappings of that source; a queue mapping parks an
// in-process long poll that the queue answers the moment a message is sendable. Batching
// windows and retry back-offs are timers (scaled by --time-scale).
//
// Ledger: stream mappings record outcomes other than delivery (filtered, expired, sent to the
// on-failure destination, dropped) as runs of sequence numbers with their positions
// (Reconcile reads both); a sweep drops the runs of records that left the stream.
//
// Positions: a stream mapping stores each shard's position (the sequence number it has
// processed up to) through LambdaService::SaveCheckpoints after every batch; after a restart
// it resumes there (at least once, never skipping). LATEST is fixed when the mapping is
// created (PrepareMapping), so nothing acknowledged after the Create reply is missed.
//
// Thread-safety: all public methods may be called from any thread. The services and the
// io_context must outlive the engine; Stop() before destroying it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "engine/hop_metrics.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/kinesis/kinesis_service.h"
#include "services/lambda/lambda_service.h"
#include "services/s3/s3_service.h"
#include "services/sns/sns_service.h"
#include "services/sqs/sqs_service.h"

namespace tidepool::engine {

struct MappingEngineOptions {
  double time_scale = 1.0;  // multiplies retry back-offs, batching windows and the ledger sweep
  int sqs_default_concurrency = 5;  // concurrent batches of a queue mapping (AWS starts 5 pollers)
};

// What a running mapping needs from the rest of the process.
struct MappingDeps {
  lambda::LambdaService& lambda;
  kinesis::KinesisService& kinesis;
  dynamodb::DynamoDbService& dynamodb;
  dynamodb::DynamoDbStreamsService& dynamodb_streams;
  sqs::SqsService& sqs;
  sns::SnsService& sns;
  s3::S3Service& s3;  // on-failure records to buckets
  boost::asio::io_context& io;
  MappingMetrics& metrics;
  MappingEngineOptions options;
};

// One running mapping (stream_mapping.h, queue_mapping.h).
class MappingRunner {
 public:
  virtual ~MappingRunner() = default;
  virtual void Start() = 0;
  // New settings (enabled or not); a disabled runner keeps its positions and stops reading.
  virtual void Update(lambda::MappingViewPtr view) = 0;
  // New records or messages may be readable (shard_id empty: any shard), committed (acked to
  // their producer) at `written`.
  virtual void Wake(std::string_view shard_id, std::chrono::steady_clock::time_point written) = 0;
  // Stops for good; `stopped` runs once no batch is in flight any more.
  virtual void Stop(std::function<void()> stopped) = 0;
  virtual lambda::MappingViewPtr View() const = 0;
};

class MappingEngine final : public lambda::MappingObserver {
 public:
  explicit MappingEngine(MappingDeps deps);
  ~MappingEngine() override;
  MappingEngine(const MappingEngine&) = delete;
  MappingEngine& operator=(const MappingEngine&) = delete;

  // Listens to the sources and starts every recovered mapping. Call once, after the services
  // recovered and once functions can reach this process.
  void Start();
  // Stops every mapping (no new batches); in-flight batches end on their own.
  void Stop();

  Status PrepareMapping(const lambda::MappingView& mapping, storage::WriteBatch* batch) override;
  void MappingChanged(lambda::MappingViewPtr mapping) override;
  void MappingDeleted(const std::string& uuid, std::function<void()> stopped) override;

  boost::json::object Health() const;

  // The reconciliation of Kinesis stream `stream_arn` (what `tidepool reconcile` prints): per
  // mapping of the stream and shard, how many readable records there are, how many reached
  // each outcome (from the mapping's stored position and ledger), and the sequence numbers of
  // those that have not reached one yet. "complete" is true when every record of every shard
  // is accounted for by every mapping (and the stream has a mapping, or no records). Reads the
  // store synchronously.
  Result<boost::json::object> Reconcile(std::string_view stream_arn) const;
  // The reconciliation of SQS queue `queue_arn` (reconcile_sources.cc): its mappings, how many
  // messages are still visible, in flight or delayed, and how many its dead-letter queue holds;
  // "complete" when none is left in the queue. `done` runs once, on an io thread.
  using ReportDone = std::function<void(Result<boost::json::object>)>;
  void ReconcileQueue(const std::string& queue_arn, ReportDone done) const;
  // Every source of the mappings of function `function_arn` (any qualifier), reconciled:
  // {"function", "sources": [stream or queue reports, of this function's mappings only],
  // "complete"}. DynamoDB stream sources are listed with "reconciled": false.
  void ReconcileFunction(const std::string& function_arn, ReportDone done) const;

 private:
  void WakeSource(std::string_view source_arn, std::string_view shard_id);
  // The ledger sweep (ledger_trim.cc): every 60 s (times time_scale) each stream mapping's
  // ledger loses the runs whose records left the stream (past its retention, a shard gone, the
  // stream deleted), so the ledger stays as bounded as the stream.
  void ArmLedgerSweep();
  void TrimLedger(const lambda::MappingViewPtr& view);

 public:
  MappingMetrics& metrics() { return deps_.metrics; }

 private:
  MappingDeps deps_;
  uint64_t kinesis_listener_ = 0;
  uint64_t dynamodb_listener_ = 0;
  std::atomic<bool> stopped_{false};
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  std::shared_ptr<boost::asio::steady_timer> ledger_timer_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<MappingRunner>> runners_;  // by UUID
  std::multimap<std::string, std::shared_ptr<MappingRunner>, std::less<>> by_source_;
};

}  // namespace tidepool::engine
