#include "engine/mapping_engine.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "engine/queue_mapping.h"
#include "engine/stream_mapping.h"
#include "services/lambda/keyspace.h"
#include "services/lambda/lambda_errors.h"

namespace tidepool::engine {
namespace json = boost::json;

MappingEngine::MappingEngine(MappingDeps deps) : deps_(std::move(deps)) {}

MappingEngine::~MappingEngine() { Stop(); }

void MappingEngine::Start() {
  kinesis_listener_ = deps_.kinesis.AddRecordListener([this](const kinesis::RecordsCommitted& r) {
    WakeSource(r.stream_arn, kinesis::ShardIdOf(r.shard_index));
  });
  dynamodb_listener_ = deps_.dynamodb.AddStreamListener(
      [this](const dynamodb::StreamRecordsCommitted& r) { WakeSource(r.stream_arn, ""); });
  deps_.lambda.SetMappingObserver(this);
}

void MappingEngine::Stop() {
  if (stopped_.exchange(true)) return;
  if (kinesis_listener_ != 0) deps_.kinesis.RemoveRecordListener(kinesis_listener_);
  if (dynamodb_listener_ != 0) deps_.dynamodb.RemoveStreamListener(dynamodb_listener_);
  std::map<std::string, std::shared_ptr<MappingRunner>> runners;
  {
    std::unique_lock lock(mu_);
    runners.swap(runners_);
    by_source_.clear();
  }
  for (auto& [uuid, r] : runners) r->Stop([] {});
}

void MappingEngine::WakeSource(std::string_view source_arn, std::string_view shard_id) {
  std::vector<std::shared_ptr<MappingRunner>> wake;
  {
    std::shared_lock lock(mu_);
    auto [begin, end] = by_source_.equal_range(source_arn);
    for (auto it = begin; it != end; ++it) wake.push_back(it->second);
  }
  if (wake.empty()) return;
  // Listeners run as commit completions: the reads happen on an io thread.
  std::string shard(shard_id);
  const auto written = std::chrono::steady_clock::now();
  boost::asio::post(deps_.io, [wake = std::move(wake), shard = std::move(shard), written] {
    for (const auto& r : wake) r->Wake(shard, written);
  });
}

Status MappingEngine::PrepareMapping(const lambda::MappingView& mapping,
                                     storage::WriteBatch* batch) {
  if (mapping.source == lambda::MappingSource::kSqs) {
    Status s = QueueMapping::Check(deps_, mapping);
    return s.ok() ? s : lambda::InvalidParameter(s.message());
  }
  auto positions = StreamMapping::InitialPositions(deps_, mapping);
  if (!positions.ok()) return lambda::InvalidParameter(positions.status().message());
  // Staged into the Create batch through the Lambda service's keyspace.
  for (auto& [shard, position] : *positions) {
    batch->Put(lambda::keyspace::CheckpointKey(mapping.uuid, shard), position);
  }
  return Status::Ok();
}

void MappingEngine::MappingChanged(lambda::MappingViewPtr mapping) {
  if (stopped_) return;
  std::shared_ptr<MappingRunner> runner;
  bool fresh = false;
  {
    std::unique_lock lock(mu_);
    auto it = runners_.find(mapping->uuid);
    if (it != runners_.end()) {
      runner = it->second;
    } else {
      if (mapping->source == lambda::MappingSource::kSqs) {
        runner = std::make_shared<QueueMapping>(deps_, mapping);
      } else {
        runner = std::make_shared<StreamMapping>(deps_, mapping);
      }
      runners_[mapping->uuid] = runner;
      by_source_.emplace(mapping->source_arn, runner);
      fresh = true;
    }
  }
  if (fresh) {
    runner->Start();
  } else {
    runner->Update(std::move(mapping));
  }
}

void MappingEngine::MappingDeleted(const std::string& uuid, std::function<void()> stopped) {
  std::shared_ptr<MappingRunner> runner;
  {
    std::unique_lock lock(mu_);
    auto it = runners_.find(uuid);
    if (it != runners_.end()) {
      runner = it->second;
      runners_.erase(it);
      for (auto s = by_source_.begin(); s != by_source_.end();) {
        s = s->second == runner ? by_source_.erase(s) : std::next(s);
      }
    }
  }
  if (runner) {
    runner->Stop(std::move(stopped));
  } else {
    stopped();
  }
}

json::object MappingEngine::Health() const {
  std::shared_lock lock(mu_);
  return json::object{{"mappings", runners_.size()}};
}

}  // namespace tidepool::engine
