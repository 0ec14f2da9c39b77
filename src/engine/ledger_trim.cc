// MappingEngine's ledger sweep: keeps each stream mapping's ledger (keyspace 'l' of Lambda)
// as bounded as its stream. A run [first, last] of a shard is deleted once every record in it
// left the stream: `last` is before the shard's oldest readable record, the shard has no
// readable record (all expired), the shard is gone, or the stream is deleted. The stream is
// read through its own operations (ListShards / DescribeStream, GetShardIterator
// TRIM_HORIZON, GetRecords with Limit 1), like the mappings read it.
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <map>
#include <set>

#include "engine/mapping_engine.h"
#include "engine/service_client.h"

namespace tidepool::engine {
namespace json = boost::json;

namespace {

constexpr std::chrono::seconds kSweepInterval{60};

// Sequence numbers are decimal: shorter is smaller, then digit by digit.
bool SeqBefore(std::string_view a, std::string_view b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

// One mapping's sweep: the oldest readable sequence number of each shard ("" when none).
struct Sweep {
  lambda::MappingViewPtr view;
  bool kinesis = true;
  bool stream_gone = false;
  size_t pending = 0;
  std::map<std::string, std::string> oldest;  // by shard id
};

}  // namespace

void MappingEngine::ArmLedgerSweep() {
  auto alive = alive_;
  ledger_timer_ = std::make_shared<boost::asio::steady_timer>(deps_.io);
  ledger_timer_->expires_after(std::chrono::duration_cast<std::chrono::milliseconds>(
      kSweepInterval * deps_.options.time_scale));
  ledger_timer_->async_wait([this, alive](const boost::system::error_code& ec) {
    if (ec || !*alive || stopped_) return;
    std::vector<lambda::MappingViewPtr> views;
    {
      std::shared_lock lock(mu_);
      for (const auto& [uuid, r] : runners_) views.push_back(r->View());
    }
    for (const auto& v : views) {
      if (v->source != lambda::MappingSource::kSqs) TrimLedger(v);
    }
    ArmLedgerSweep();
  });
}

void MappingEngine::TrimLedger(const lambda::MappingViewPtr& view) {
  auto sweep = std::make_shared<Sweep>();
  sweep->view = view;
  sweep->kinesis = view->source == lambda::MappingSource::kKinesis;
  protocol::Service& service = sweep->kinesis
                                   ? static_cast<protocol::Service&>(deps_.kinesis)
                                   : static_cast<protocol::Service&>(deps_.dynamodb_streams);
  auto alive = alive_;
  // Once every shard answered: delete the runs no readable record is in.
  auto finish = [this, alive, sweep] {
    if (!*alive) return;
    auto runs = deps_.lambda.LoadLedger(sweep->view->uuid);
    if (!runs.ok()) return;
    std::vector<std::pair<std::string, std::string>> gone;
    for (const auto& run : *runs) {
      const size_t space = run.value.find(' ', 2);
      const std::string last = run.value.size() > 2 ? run.value.substr(2, space - 2) : "";
      auto it = sweep->oldest.find(run.shard);
      if (sweep->stream_gone || it == sweep->oldest.end() || it->second.empty() ||
          SeqBefore(last, it->second)) {
        gone.emplace_back(run.shard, run.first);
      }
    }
    if (gone.empty()) return;
    const std::string uuid = sweep->view->uuid;
    const size_t n = gone.size();
    deps_.lambda.DeleteLedgerRuns(uuid, gone, [uuid, n](const Status& s) {
      if (!s.ok()) {
        spdlog::warn("mapping {}: cannot trim its ledger: {}", uuid, s.ToString());
      } else {
        spdlog::debug("mapping {}: {} ledger runs trimmed", uuid, n);
      }
    });
  };
  json::object list;
  list[sweep->kinesis ? "StreamARN" : "StreamArn"] = view->source_arn;
  CallService(
      deps_.io, service, sweep->kinesis ? "ListShards" : "DescribeStream", list, view->account,
      view->region, [this, alive, sweep, &service, finish](ServiceOutcome outcome) {
        if (!*alive) return;
        if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
          if (err->code != "ResourceNotFoundException") return;  // try again next sweep
          sweep->stream_gone = true;
          return finish();
        }
        const json::object& out = std::get<json::value>(outcome).as_object();
        const json::value* shards = out.if_contains("Shards");
        if (const json::value* d = out.if_contains("StreamDescription"); d && d->is_object()) {
          shards = d->get_object().if_contains("Shards");
        }
        std::vector<std::string> ids;
        if (shards != nullptr && shards->is_array()) {
          for (const auto& s : shards->get_array()) {
            if (s.is_object()) ids.push_back(JsonString(s.get_object(), "ShardId"));
          }
        }
        if (ids.empty()) return finish();
        sweep->pending = ids.size();
        for (const std::string& id : ids) {
          sweep->oldest[id] = "";
          json::object at{{"ShardId", id}, {"ShardIteratorType", "TRIM_HORIZON"}};
          at[sweep->kinesis ? "StreamARN" : "StreamArn"] = sweep->view->source_arn;
          auto done_one = [sweep, finish] {
            if (--sweep->pending == 0) finish();
          };
          CallService(
              deps_.io, service, "GetShardIterator", at, sweep->view->account, sweep->view->region,
              [this, alive, sweep, &service, id, done_one](ServiceOutcome it_outcome) {
                if (!*alive) return;
                const auto* it = std::get_if<json::value>(&it_outcome);
                const std::string iterator =
                    it && it->is_object() ? JsonString(it->get_object(), "ShardIterator") : "";
                if (iterator.empty()) {
                  // Unreadable now: keep the shard's runs (an empty oldest would drop them).
                  sweep->oldest.erase(id);
                  sweep->oldest[id] = "0";
                  return done_one();
                }
                CallService(
                    deps_.io, service, "GetRecords",
                    json::object{{"ShardIterator", iterator}, {"Limit", 1}}, sweep->view->account,
                    sweep->view->region, [alive, sweep, id, done_one](ServiceOutcome rec_outcome) {
                      if (!*alive) return;
                      const auto* out = std::get_if<json::value>(&rec_outcome);
                      const json::value* records = out && out->is_object()
                                                       ? out->get_object().if_contains("Records")
                                                       : nullptr;
                      if (out == nullptr) {
                        sweep->oldest[id] = "0";  // unknown: keep the runs
                      } else if (records && records->is_array() && !records->get_array().empty() &&
                                 records->get_array()[0].is_object()) {
                        const json::object& r = records->get_array()[0].get_object();
                        const json::value* d = r.if_contains("dynamodb");
                        sweep->oldest[id] = d && d->is_object()
                                                ? JsonString(d->get_object(), "SequenceNumber")
                                                : JsonString(r, "SequenceNumber");
                      }
                      done_one();
                    });
              });
        }
      });
}

}  // namespace tidepool::engine
