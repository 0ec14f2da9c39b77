// Map Runs: how a Distributed Map's request (asl::MapRunDispatch) becomes child executions.
//
// source (inline items, or S3 through the ObjectStore) -> the parent's ItemSelector and
// ItemBatcher (asl::Execution::MapRunInputs) -> child executions, at most max_concurrency
// running -> outcome counts against the tolerated failures -> ResultWriter (S3) -> the parent's
// OnMapRunResult.
//
// Durability: the run's record ('r') is written when it starts, when its items are read, when
// UpdateMapRun changes it and when it ends. Children are ordinary executions (STANDARD ones
// persist themselves) whose start record names the run; Recover counts their outcomes and the
// parent's Resume re-dispatches the run, which starts only the children not yet started.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <algorithm>

#include "core/arn.h"
#include "core/encoding.h"
#include "services/stepfunctions/asl/distributed_map.h"
#include "services/stepfunctions/keyspace.h"
#include "services/stepfunctions/stepfunctions_service.h"

namespace tidepool::sfn {
namespace json = boost::json;

namespace {

constexpr std::string_view kItemReaderFailed = "States.ItemReaderFailed";
constexpr std::string_view kThresholdExceeded = "States.ExceedToleratedFailureThreshold";

std::string Str(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t Int(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v && v->is_number() ? v->to_number<int64_t>() : 0;
}

// The uuid at the end of a Map Run ARN.
std::string_view RunUuid(std::string_view arn) { return arn.substr(arn.rfind(':') + 1); }

// A child's name: the run's uuid with the index in its last 12 hex digits, so that the same
// index names the same child after a restart.
std::string ChildName(std::string_view run_arn, int64_t index) {
  std::string_view uuid = RunUuid(run_arn);
  return fmt::format("{}{:012x}", uuid.substr(0, uuid.size() >= 12 ? uuid.size() - 12 : 0), index);
}

// The items in a child's input: a batch's Items, else one.
int64_t ItemCount(const json::object& request, const json::value& input) {
  const json::object* o = input.if_object();
  const json::value* batch = o ? o->if_contains("Items") : nullptr;
  return request.contains("batcher") && batch && batch->is_array()
             ? static_cast<int64_t>(batch->get_array().size())
             : 1;
}

// InputType MANIFEST: the data files an S3 Inventory manifest names, read one after another
// (gunzipped; CSV rows keyed by the manifest's fileSchema) until `max_items` (0: all).
struct InventoryRead {
  ObjectStore* objects = nullptr;
  std::string account, region;
  asl::InventoryManifest manifest;
  size_t next = 0;
  int64_t max_items = 0;
  json::array items;
  std::function<void(Result<json::array>)> deliver;
};

void ReadInventoryFiles(const std::shared_ptr<InventoryRead>& st) {
  const bool full = st->max_items > 0 && static_cast<int64_t>(st->items.size()) >= st->max_items;
  if (full || st->next >= st->manifest.keys.size()) {
    if (full) st->items.resize(static_cast<size_t>(st->max_items));
    return st->deliver(std::move(st->items));
  }
  std::string key = st->manifest.keys[st->next++];
  st->objects->Get(
      st->account, st->region, st->manifest.bucket, key, [st, key](Result<std::string> body) {
        if (!body.ok()) return st->deliver(body.status());
        auto plain = asl::MaybeGunzip(*body);
        if (!plain.ok()) {
          return st->deliver(
              Status::InvalidArgument(fmt::format("{}: {}", key, plain.status().message())));
        }
        asl::ItemReaderSpec csv;
        csv.input_type = "CSV";
        csv.csv_header_location = "GIVEN";
        csv.csv_headers = st->manifest.columns;
        auto rows = asl::DecodeItems(csv, *plain, 0);
        if (!rows.ok()) {
          return st->deliver(
              Status::InvalidArgument(fmt::format("{}: {}", key, rows.status().message())));
        }
        for (auto& row : *rows) st->items.push_back(std::move(row));
        ReadInventoryFiles(st);
      });
}

}  // namespace

void StepFunctionsService::SizeChildrenLocked(MapRun& run) {
  if (run.children.size() == run.inputs.size()) return;
  run.children.resize(run.inputs.size());
  run.outcome.resize(run.inputs.size(), 0);
  run.total_items = 0;
  for (const auto& in : run.inputs) run.total_items += ItemCount(run.request, in);
}

void StepFunctionsService::AttachMapRunChildren() {
  std::unique_lock lock(mu_);
  for (auto& [arn, run] : map_runs_) {
    std::lock_guard run_lock(run->mu);
    SizeChildrenLocked(*run);
  }
  for (auto& [arn, ex] : executions_) {
    if (ex->map_run_arn.empty()) continue;
    auto it = map_runs_.find(ex->map_run_arn);
    if (it == map_runs_.end()) continue;
    MapRun& run = *it->second;
    std::lock_guard run_lock(run.mu);
    const auto i = static_cast<size_t>(ex->map_run_index);
    if (i >= run.children.size()) continue;
    run.children[i] = ex;
    run.next = std::max<int64_t>(run.next, ex->map_run_index + 1);
    auto queued = std::find(run.redrive_queue.begin(), run.redrive_queue.end(), ex->map_run_index);
    std::lock_guard ex_lock(ex->mu);
    if (ex->run->running()) {
      ++run.running;
      // Redriven before the crash, after the run's record was written.
      if (queued != run.redrive_queue.end()) run.redrive_queue.erase(queued);
    } else if (queued == run.redrive_queue.end()) {
      run.outcome[i] = static_cast<uint8_t>(ex->run->status()) + 1;
    }
  }
}

StepFunctionsService::MapRunPtr StepFunctionsService::FindMapRun(std::string_view arn) const {
  std::shared_lock lock(mu_);
  auto it = map_runs_.find(std::string(arn));
  return it == map_runs_.end() ? nullptr : it->second;
}

json::object StepFunctionsService::MapRunRecord(const MapRun& run) const {
  json::object o{{"arn", run.arn},
                 {"execution_arn", run.execution_arn},
                 {"machine_name", run.machine_name},
                 {"role", run.role},
                 {"account", run.account},
                 {"region", run.region},
                 {"frame", run.frame},
                 {"epoch", run.epoch},
                 {"request", run.request},
                 {"status", run.status},
                 {"start", run.start},
                 {"stop", run.stop},
                 {"max_concurrency", run.max_concurrency},
                 {"results_written", run.results_written}};
  if (!run.error.empty()) o["error"] = run.error;
  if (!run.cause.empty()) o["cause"] = run.cause;
  if (run.has_tolerated_count) o["tolerated_count"] = run.tolerated_count;
  if (run.has_tolerated_percentage) o["tolerated_percentage"] = run.tolerated_percentage;
  if (run.items_ready) o["inputs"] = run.inputs;
  if (run.redrive_count > 0) {
    json::array queue;
    for (int64_t i : run.redrive_queue) queue.push_back(i);
    o["redrive_count"] = run.redrive_count;
    o["redrive_date"] = run.redrive_date;
    o["redrive_queue"] = std::move(queue);
  }
  return o;
}

Result<StepFunctionsService::MapRunPtr> StepFunctionsService::DecodeMapRun(const json::object& o) {
  auto run = std::make_shared<MapRun>();
  run->arn = Str(o, "arn");
  run->execution_arn = Str(o, "execution_arn");
  run->machine_name = Str(o, "machine_name");
  run->role = Str(o, "role");
  run->account = Str(o, "account");
  run->region = Str(o, "region");
  run->frame = static_cast<uint64_t>(Int(o, "frame"));
  run->epoch = static_cast<uint64_t>(Int(o, "epoch"));
  const auto* req = o.if_contains("request");
  if (!req || !req->is_object() || run->arn.empty()) {
    return Status::Corruption("map run record without arn or request");
  }
  run->request = req->get_object();
  std::vector<asl::Diagnostic> diags;
  run->processor = asl::Definition::Parse(Str(run->request, "processor"), &diags);
  if (!run->processor) return Status::Corruption("map run processor does not parse");
  run->status = Str(o, "status");
  if (const auto* v = o.if_contains("start"); v && v->is_number()) {
    run->start = v->to_number<double>();
  }
  if (const auto* v = o.if_contains("stop"); v && v->is_number()) {
    run->stop = v->to_number<double>();
  }
  run->max_concurrency = Int(o, "max_concurrency");
  run->error = Str(o, "error");
  run->cause = Str(o, "cause");
  run->results_written = Int(o, "results_written");
  if (const auto* v = o.if_contains("tolerated_count"); v && v->is_number()) {
    run->has_tolerated_count = true;
    run->tolerated_count = v->to_number<int64_t>();
  }
  if (const auto* v = o.if_contains("tolerated_percentage"); v && v->is_number()) {
    run->has_tolerated_percentage = true;
    run->tolerated_percentage = v->to_number<double>();
  }
  if (const auto* v = o.if_contains("inputs"); v && v->is_array()) {
    run->items_ready = true;
    run->inputs = v->get_array();
  }
  run->redrive_count = Int(o, "redrive_count");
  if (const auto* v = o.if_contains("redrive_date"); v && v->is_number()) {
    run->redrive_date = v->to_number<double>();
  }
  if (const auto* v = o.if_contains("redrive_queue"); v && v->is_array()) {
    for (const auto& i : v->get_array()) {
      if (!i.is_int64() || i.get_int64() < 0) return Status::Corruption("map run redrive queue");
      run->redrive_queue.push_back(i.get_int64());
    }
  }
  std::string label = Str(run->request, "label");
  auto parts = Arn::Parse(run->arn);
  if (!parts) return Status::Corruption("map run arn does not parse");
  run->child_machine_arn = fmt::format("arn:aws:states:{}:{}:stateMachine:{}/{}", run->region,
                                       run->account, run->machine_name, label);
  return run;
}

void StepFunctionsService::PersistMapRun(MapRun& run) {
  storage::WriteBatch batch;
  batch.Put(keyspace::Key('r', run.uid), json::serialize(MapRunRecord(run)));
  Status st = commits_.Submit(std::move(batch), [arn = run.arn](const Status& s) {
    if (!s.ok())
      spdlog::error("stepfunctions: commit for map run {} failed: {}", arn, s.ToString());
  });
  if (!st.ok())
    spdlog::error("stepfunctions: map run {} not persisted: {}", run.arn, st.ToString());
}

void StepFunctionsService::StartMapRun(const ExecutionPtr& parent, asl::MapRunDispatch d) {
  if (MapRunPtr existing = FindMapRun(d.map_run_arn)) {
    if (d.redrive_count > 0 && RedriveMapRun(existing, d)) return;
    // Resume after a restart: the run and its children were recovered.
    bool ended, ready;
    {
      std::lock_guard lock(existing->mu);
      ended = existing->status != "RUNNING";
      ready = existing->items_ready;
    }
    if (ended) return EndMapRun(existing, std::nullopt);  // report again (idempotent)
    if (!ready) return ReadMapRunItems(existing);
    return PumpMapRun(existing);
  }
  auto run = std::make_shared<MapRun>();
  run->uid = NextUid();
  run->arn = d.map_run_arn;
  run->execution_arn = parent->arn;
  run->account = parent->account;
  run->region = parent->region;
  run->frame = d.frame;
  run->epoch = d.epoch;
  {
    std::lock_guard lock(parent->mu);
    run->machine_name = parent->run->info().state_machine_name;
    run->role = parent->run->info().role_arn;
  }
  run->request = std::move(d.request);
  std::vector<asl::Diagnostic> diags;
  run->processor = asl::Definition::Parse(Str(run->request, "processor"), &diags);
  run->start = static_cast<double>(clock_.NowMicros()) / 1e6;
  run->max_concurrency = Int(run->request, "max_concurrency");
  if (const auto* v = run->request.if_contains("tolerated_count")) {
    run->has_tolerated_count = true;
    run->tolerated_count = v->to_number<int64_t>();
  }
  if (const auto* v = run->request.if_contains("tolerated_percentage")) {
    run->has_tolerated_percentage = true;
    run->tolerated_percentage = v->to_number<double>();
  }
  run->child_machine_arn = fmt::format("arn:aws:states:{}:{}:stateMachine:{}/{}", run->region,
                                       run->account, run->machine_name, Str(run->request, "label"));
  {
    std::unique_lock lock(mu_);
    map_runs_[run->arn] = run;
  }
  {
    std::lock_guard lock(run->mu);
    PersistMapRun(*run);
  }
  if (!run->processor) {
    // The processor was validated with the parent's definition; this is a broken invariant.
    return EndMapRun(run, asl::StatesError{"States.Runtime", "The ItemProcessor does not parse"});
  }
  ReadMapRunItems(run);
}

void StepFunctionsService::ReadMapRunItems(const MapRunPtr& run) {
  if (const auto* items = run->request.if_contains("items")) {
    return OnMapRunItems(run, items->get_array());
  }
  const json::object& r = run->request.at("reader").get_object();
  if (objects_ == nullptr) {
    return OnMapRunItems(run, Status::Unavailable("S3 is not available to Step Functions"));
  }
  const json::object* args = r.at("arguments").if_object();
  std::string bucket = args ? Str(*args, "Bucket") : "";
  if (bucket.empty()) {
    return OnMapRunItems(run, Status::InvalidArgument("The ItemReader's parameters need a Bucket"));
  }
  const int64_t max_items = Int(r, "max_items");
  std::weak_ptr<MapRun> weak = run;
  auto deliver = [this, alive = alive_, weak](Result<json::array> items) {
    boost::asio::post(io_, [this, alive, weak, items = std::move(items)]() mutable {
      if (!*alive) return;
      if (MapRunPtr run = weak.lock()) OnMapRunItems(run, std::move(items));
    });
  };
  if (Str(r, "resource").ends_with(":listObjectsV2")) {
    objects_->List(
        run->account, run->region, bucket, Str(*args, "Prefix"),
        [deliver, max_items](Result<json::array> items) {
          if (items.ok() && max_items > 0 && static_cast<int64_t>(items->size()) > max_items) {
            items->resize(static_cast<size_t>(max_items));
          }
          deliver(std::move(items));
        });
    return;
  }
  asl::ItemReaderSpec spec;
  spec.input_type = Str(r, "input_type");
  spec.items_pointer = Str(r, "items_pointer");
  spec.csv_header_location = Str(r, "csv_header_location");
  for (const auto& h : r.at("csv_headers").get_array()) {
    if (h.is_string()) spec.csv_headers.emplace_back(h.get_string());
  }
  std::string delimiter = Str(r, "csv_delimiter");
  spec.csv_delimiter = delimiter.empty() ? ',' : delimiter[0];
  if (spec.input_type == "MANIFEST") {
    objects_->Get(run->account, run->region, bucket, Str(*args, "Key"),
                  [objects = objects_, account = run->account, region = run->region, deliver,
                   max_items](Result<std::string> body) {
                    if (!body.ok()) return deliver(body.status());
                    auto manifest = asl::ParseInventoryManifest(*body);
                    if (!manifest.ok()) return deliver(manifest.status());
                    auto st = std::make_shared<InventoryRead>();
                    st->objects = objects;
                    st->account = account;
                    st->region = region;
                    st->manifest = std::move(manifest).value();
                    st->max_items = max_items;
                    st->deliver = deliver;
                    ReadInventoryFiles(st);
                  });
    return;
  }
  objects_->Get(run->account, run->region, bucket, Str(*args, "Key"),
                [deliver, spec, max_items](Result<std::string> body) {
                  if (!body.ok()) return deliver(body.status());
                  deliver(asl::DecodeItems(spec, *body, max_items));
                });
}

void StepFunctionsService::OnMapRunItems(const MapRunPtr& run, Result<json::array> items) {
  if (!items.ok()) {
    return EndMapRun(run,
                     asl::StatesError{std::string(kItemReaderFailed), items.status().message()});
  }
  ExecutionPtr parent = FindExecution(run->execution_arn);
  if (!parent) return;
  asl::StatesError err;
  std::optional<json::array> inputs;
  {
    std::lock_guard lock(parent->mu);
    inputs = parent->run->MapRunInputs(run->frame, run->epoch, std::move(items).value(), &err);
  }
  if (!inputs) return EndMapRun(run, std::move(err));
  {
    std::lock_guard lock(run->mu);
    if (run->status != "RUNNING") return;
    run->inputs = std::move(*inputs);
    run->items_ready = true;
    PersistMapRun(*run);
  }
  PumpMapRun(run);
}

void StepFunctionsService::PumpMapRun(const MapRunPtr& run) {
  bool all_ended = false;
  std::optional<asl::StatesError> failure;
  {
    std::lock_guard lock(run->mu);
    if (run->status != "RUNNING" || !run->items_ready || run->finishing) return;
    const auto n = static_cast<int64_t>(run->inputs.size());
    SizeChildrenLocked(*run);
    failure = ThresholdExceededLocked(*run);
    if (failure) all_ended = true;
    if (!failure) PumpRedriveQueueLocked(*run);
    // Children a restart lost before they were recorded (below `next`) start first.
    for (int64_t i = 0; i < run->next && !failure; ++i) {
      const bool queued = std::find(run->redrive_queue.begin(), run->redrive_queue.end(), i) !=
                          run->redrive_queue.end();
      if (!run->children[i] && !run->outcome[i] && !queued) {
        run->children[i] = StartChildLocked(*run, i);
        ++run->running;
      }
    }
    while (!failure && run->next < n &&
           (run->max_concurrency == 0 || run->running < run->max_concurrency)) {
      int64_t i = run->next++;
      run->children[i] = StartChildLocked(*run, i);
      ++run->running;
    }
    all_ended = all_ended || (run->next == n && run->running == 0 && run->redrive_queue.empty());
  }
  if (all_ended) EndMapRun(run, std::move(failure));
}

StepFunctionsService::ExecutionPtr StepFunctionsService::StartChildLocked(MapRun& run,
                                                                          int64_t index) {
  const bool express = Str(run.request, "execution_type") == "EXPRESS";
  std::string label = Str(run.request, "label");
  std::string name = ChildName(run.arn, index);
  std::string machine = fmt::format("{}/{}", run.machine_name, label);
  auto ex = std::make_shared<ExecutionRecord>();
  ex->uid = NextUid();
  ex->express = express;
  ex->arn = express ? fmt::format("arn:aws:states:{}:{}:express:{}:{}:{}", run.region, run.account,
                                  machine, name, NewUuid())
                    : fmt::format("arn:aws:states:{}:{}:execution:{}:{}", run.region, run.account,
                                  machine, name);
  ex->name = name;
  ex->machine_arn = run.child_machine_arn;
  const json::value& input = run.inputs[index];
  ex->input_text = json::serialize(input);
  ex->definition_text = Str(run.request, "processor");
  ex->account = run.account;
  ex->region = run.region;
  ex->map_run_arn = run.arn;
  ex->map_run_index = index;
  ex->item_count = ItemCount(run.request, input);
  const int64_t now = clock_.NowMicros();
  ex->start = static_cast<double>(now) / 1e6;
  asl::ExecutionInfo info{ex->arn, name, run.role, ex->machine_arn, machine, ex->region, now};
  ex->run = std::make_unique<asl::Execution>(run.processor, std::move(info), InterpreterOptions());
  {
    std::unique_lock lock(mu_);
    executions_[ex->arn] = ex;
  }
  std::lock_guard lock(ex->mu);
  asl::Effects fx = ex->run->Start(input, now);
  storage::WriteBatch start_record;
  if (!express) {
    json::object record = StartRecord(*ex);
    record["map_run"] = ex->map_run_arn;
    record["map_run_index"] = index;
    record["item_count"] = ex->item_count;
    start_record.Put(keyspace::Key('e', ex->uid), json::serialize(record));
  }
  ApplyEffects(ex, std::move(fx), {}, std::move(start_record));
  return ex;
}

void StepFunctionsService::OnChildEnded(const ExecutionPtr& child) {
  MapRunPtr run = FindMapRun(child->map_run_arn);
  if (!run) return;
  uint8_t outcome;
  {
    std::lock_guard lock(child->mu);
    if (child->run->running()) return;  // redriven since
    outcome = static_cast<uint8_t>(child->run->status()) + 1;
  }
  {
    std::lock_guard lock(run->mu);
    const auto i = static_cast<size_t>(child->map_run_index);
    if (i >= run->outcome.size() || run->outcome[i] != 0) return;
    run->outcome[i] = outcome;
    --run->running;
  }
  PumpMapRun(run);
}

std::optional<asl::StatesError> StepFunctionsService::ThresholdExceededLocked(const MapRun& run) {
  int64_t failed_items = 0;
  for (size_t k = 0; k < run.outcome.size(); ++k) {
    const auto succeeded = static_cast<uint8_t>(asl::ExecutionStatus::kSucceeded) + 1;
    if (run.outcome[k] != 0 && run.outcome[k] != succeeded && run.children[k]) {
      failed_items += run.children[k]->item_count;
    }
  }
  bool exceeded = false;
  if (!run.has_tolerated_count && !run.has_tolerated_percentage) exceeded = failed_items > 0;
  if (run.has_tolerated_count && failed_items > run.tolerated_count) exceeded = true;
  if (run.has_tolerated_percentage && run.total_items > 0 &&
      static_cast<double>(failed_items) * 100.0 / static_cast<double>(run.total_items) >
          run.tolerated_percentage) {
    exceeded = true;
  }
  if (!exceeded) return std::nullopt;
  return asl::StatesError{std::string(kThresholdExceeded),
                          "The specified tolerated failure threshold was exceeded"};
}

void StepFunctionsService::AbortMapRunsOf(const std::string& execution_arn) {
  std::vector<MapRunPtr> runs;
  {
    std::shared_lock lock(mu_);
    for (const auto& [arn, run] : map_runs_) {
      if (run->execution_arn == execution_arn) runs.push_back(run);
    }
  }
  for (const auto& run : runs) {
    std::vector<ExecutionPtr> children;
    {
      std::lock_guard lock(run->mu);
      if (run->status != "RUNNING") continue;
      run->status = "ABORTED";
      run->stop = static_cast<double>(clock_.NowMicros()) / 1e6;
      PersistMapRun(*run);
      children = run->children;
    }
    for (const auto& child : children) {
      if (!child) continue;
      std::lock_guard lock(child->mu);
      if (!child->run->running()) continue;
      ApplyEffects(child, child->run->Stop("", "The Map Run was aborted", clock_.NowMicros()));
    }
  }
}

}  // namespace tidepool::sfn
