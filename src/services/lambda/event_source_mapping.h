// Event source mappings as the Lambda API keeps them, and what the engine sees of them.
//
// The Lambda service owns the configuration (CreateEventSourceMapping and friends, stored as a
// MappingRecord per mapping, keyspace.h) and each mapping's checkpoints (opaque position texts
// the engine writes through LambdaService::SaveCheckpoints). The engine (src/engine/mappings/)
// runs the mappings: it learns of them through a MappingObserver and reads/writes nothing of the
// Lambda keyspace itself.
//
// One JSON value per mapping in the store:
//   {"config": EventSourceMappingConfiguration (exactly the document AWS returns, with the
//    State of the last committed transition), "tags": {k: v}, "enabled": bool (what the user
//    asked for: the state a transition ends in), "revision": n (bumped by every update)}
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/write_batch.h"

namespace tidepool::lambda {

enum class MappingSource : uint8_t { kKinesis, kDynamoDbStream, kSqs };

struct MappingRecord {
  boost::json::object config;
  boost::json::object tags;
  bool enabled = true;
  uint64_t revision = 1;

  std::string Encode() const;
  static Result<MappingRecord> Decode(std::string_view text);
};

// A mapping in memory. `mu` guards `record`, `deleted` and `last_result`.
struct Mapping {
  std::mutex mu;
  MappingRecord record;
  bool deleted = false;
  std::string last_result = "No records processed";  // LastProcessingResult (streams)
};

// An immutable snapshot of a mapping's settings, for the engine.
struct MappingView {
  std::string uuid;
  std::string function_arn;
  std::string source_arn;
  MappingSource source = MappingSource::kKinesis;
  std::string account;  // of the function (and the source)
  std::string region;
  bool enabled = true;
  uint64_t revision = 1;
  int64_t batch_size = 100;
  int64_t batching_window_seconds = 0;
  std::string starting_position;        // TRIM_HORIZON | LATEST | AT_TIMESTAMP (streams)
  double starting_timestamp = 0;        // AT_TIMESTAMP: epoch seconds
  int64_t maximum_record_age = -1;      // seconds; -1: records never expire for the mapping
  int64_t maximum_retry_attempts = -1;  // -1: until the records expire
  bool bisect_on_error = false;
  bool report_batch_item_failures = false;
  std::vector<std::string> filter_patterns;  // FilterCriteria.Filters[].Pattern (OR)
  std::string on_failure_arn;                // DestinationConfig.OnFailure.Destination
  int64_t maximum_concurrency = 0;           // SQS ScalingConfig; 0: the default
  int64_t tumbling_window_seconds = 0;       // streams; 0: no tumbling windows
  int64_t parallelization_factor = 1;        // streams: concurrent batches per shard (1-10)
};
using MappingViewPtr = std::shared_ptr<const MappingView>;

// The view of `record` (uuid and ARNs from its config).
MappingViewPtr ViewOf(const MappingRecord& record);

// What the Lambda service tells the engine. Calls come from commit completions and request
// threads: keep them short, never block, never call back into the service synchronously
// except for SaveCheckpoints/LoadCheckpoints/SetLastProcessingResult.
class MappingObserver {
 public:
  virtual ~MappingObserver() = default;
  // A new mapping is about to be committed: stage its starting positions into `batch` (a
  // stream mapping's LATEST is fixed here, so no record acknowledged after the Create reply is
  // skipped), or refuse it (the event source does not exist) with an InvalidParameterValue
  // status. Runs on the request thread.
  virtual Status PrepareMapping(const MappingView& mapping, storage::WriteBatch* batch) = 0;
  // The mapping is committed with these settings (created, recovered, updated, enabled or
  // disabled): run it accordingly.
  virtual void MappingChanged(MappingViewPtr mapping) = 0;
  // The mapping is being deleted: stop it, then call `stopped` (any thread) once no batch of
  // it is in flight any more; its record and checkpoints are deleted after that.
  virtual void MappingDeleted(const std::string& uuid, std::function<void()> stopped) = 0;
};

}  // namespace tidepool::lambda
