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
  ArmLedgerSweep();
}

void MappingEngine::Stop() {
  if (stopped_.exchange(true)) return;
  alive_->store(false);
  if (ledger_timer_) ledger_timer_->cancel();
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
  deps_.metrics.ForgetIteratorAges(uuid);
  if (runner) {
    runner->Stop(std::move(stopped));
  } else {
    stopped();
  }
}

namespace {

// Sequence numbers are decimal: shorter is smaller, then digit by digit.
bool SeqLess(std::string_view a, std::string_view b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

}  // namespace

Result<json::object> MappingEngine::Reconcile(std::string_view stream_arn) const {
  auto shards = deps_.kinesis.RecordSequenceNumbers(stream_arn);
  if (!shards.ok()) return shards.status();
  std::vector<lambda::MappingViewPtr> views;
  {
    std::shared_lock lock(mu_);
    auto [begin, end] = by_source_.equal_range(stream_arn);
    for (auto it = begin; it != end; ++it) views.push_back(it->second->View());
  }
  bool complete = true;
  size_t total = 0;
  for (const auto& [shard, seqs] : *shards) total += seqs.size();
  if (views.empty() && total > 0) complete = false;
  json::array mappings;
  for (const auto& view : views) {
    auto positions = deps_.lambda.LoadCheckpoints(view->uuid);
    if (!positions.ok()) return positions.status();
    auto ledger = deps_.lambda.LoadLedger(view->uuid);
    if (!ledger.ok()) return ledger.status();
    std::map<std::string, std::string> position_of(positions->begin(), positions->end());
    json::array shard_rows;
    for (const auto& [shard, seqs] : *shards) {
      const std::string& pos = position_of[shard];
      const bool done = pos == "done";
      const std::string after = pos.rfind("after:", 0) == 0 ? pos.substr(6) : std::string();
      // The runs of this shard: [first, last] -> outcome.
      std::vector<std::tuple<std::string, std::string, char>> runs;
      for (const auto& run : *ledger) {
        if (run.shard != shard || run.value.size() < 3) continue;
        const size_t space = run.value.find(' ', 2);
        runs.emplace_back(run.first, run.value.substr(2, space - 2), run.value[0]);
      }
      std::map<char, uint64_t> counts;
      json::array pending;
      for (const std::string& seq : seqs) {
        const bool processed = done || (!after.empty() && !SeqLess(after, seq));
        if (!processed) {
          pending.emplace_back(seq);
          continue;
        }
        char outcome = 'd';
        for (const auto& [first, last, o] : runs) {
          if (!SeqLess(seq, first) && !SeqLess(last, seq)) outcome = o;
        }
        ++counts[outcome];
      }
      if (!pending.empty()) complete = false;
      shard_rows.push_back(json::object{{"shard", shard},
                                        {"records", seqs.size()},
                                        {"delivered", counts['d']},
                                        {"filtered", counts['f']},
                                        {"expired", counts['e']},
                                        {"on_failure", counts['o']},
                                        {"dropped", counts['x']},
                                        {"pending", std::move(pending)}});
    }
    mappings.push_back(json::object{{"uuid", view->uuid},
                                    {"function", view->function_arn},
                                    {"enabled", view->enabled},
                                    {"shards", std::move(shard_rows)}});
  }
  return json::object{{"stream", stream_arn},
                      {"records", total},
                      {"mappings", std::move(mappings)},
                      {"complete", complete}};
}

json::object MappingEngine::Health() const {
  std::shared_lock lock(mu_);
  return json::object{{"mappings", runners_.size()}};
}

}  // namespace tidepool::engine
