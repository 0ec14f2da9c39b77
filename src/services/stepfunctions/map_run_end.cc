// The end of a Map Run: its outcome, the ResultWriter's files and the report to the parent.
//
// ResultWriter layout (as AWS writes it), under <Prefix>/<map run uuid>/:
//   manifest.json     {"DestinationBucket", "MapRunArn",
//                      "ResultFiles": {"FAILED": [{"Key","Size"}], "PENDING": [...],
//                                      "SUCCEEDED": [...]}}
//   SUCCEEDED_0.json  [{"ExecutionArn", "Input", "InputDetails", "Name", "Output",
//                       "OutputDetails", "RedriveCount", "RedriveStatus", "StartDate",
//                       "StateMachineArn", "Status", "StopDate"}...]
//   FAILED_0.json     the same with "Error" and "Cause" instead of "Output"
//   PENDING_0.json    the children never started: {"Input", "Status": "PENDING"}
// The Map state's result is then {"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}.
// WriterConfig: Transformation COMPACT/FLATTEN writes the outputs of the children that
// succeeded instead of their entries (asl::TransformResults); OutputType JSONL writes one
// value per line into <KIND>_0.jsonl. With WriterConfig alone nothing is written and the
// transformed results are the Map state's result.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "services/stepfunctions/asl/choice.h"
#include "services/stepfunctions/asl/distributed_map.h"
#include "services/stepfunctions/stepfunctions_service.h"

namespace tidepool::sfn {
namespace json = boost::json;

namespace {

constexpr std::string_view kResultWriterFailed = "States.ResultWriterFailed";

// What a finished child contributes: its ResultWriter entry and its slot in the Map's output.
struct ChildResult {
  std::string status;  // SUCCEEDED | FAILED | TIMED_OUT | ABORTED | PENDING
  json::object entry;
  json::value output;
};

ChildResult Describe(asl::Execution& run, const std::string& arn, const std::string& name,
                     const std::string& machine_arn, const std::string& input_text) {
  ChildResult r;
  r.status = std::string(asl::ExecutionStatusName(run.status()));
  r.entry = json::object{
      {"ExecutionArn", arn},
      {"Input", input_text},
      {"InputDetails", json::object{{"Included", true}}},
      {"Name", name},
      {"RedriveCount", run.redrive_count()},
      {"RedriveStatus", run.NotRedrivableReason().empty() ? "REDRIVABLE" : "NOT_REDRIVABLE"},
      {"StartDate", asl::FormatTimestamp(run.info().start_micros)},
      {"StateMachineArn", machine_arn},
      {"Status", r.status},
      {"StopDate", asl::FormatTimestamp(run.stop_micros())}};
  if (!run.NotRedrivableReason().empty()) {
    r.entry["RedriveStatusReason"] = run.NotRedrivableReason();
  }
  if (run.status() == asl::ExecutionStatus::kSucceeded) {
    r.output = run.output() ? *run.output() : json::value(nullptr);
    r.entry["Output"] = json::serialize(r.output);
    r.entry["OutputDetails"] = json::object{{"Included", true}};
  } else {
    r.entry["Error"] = run.failure().error;
    r.entry["Cause"] = run.failure().cause;
    r.output = json::object{{"Error", run.failure().error}, {"Cause", run.failure().cause}};
  }
  return r;
}

}  // namespace

void StepFunctionsService::EndMapRun(const MapRunPtr& run,
                                     std::optional<asl::StatesError> failure) {
  std::vector<ExecutionPtr> children;
  json::array inputs;
  {
    std::lock_guard lock(run->mu);
    if (run->finishing) return;
    if (run->status == "ABORTED") return;
    if (run->status == "FAILED" && !failure) failure = asl::StatesError{run->error, run->cause};
    run->finishing = true;
    children = run->children;
    inputs = run->inputs;
  }
  if (failure) {
    // The run failed: the children still running are stopped (they count as aborted).
    for (const auto& child : children) {
      if (!child) continue;
      std::lock_guard lock(child->mu);
      if (!child->run->running()) continue;
      ApplyEffects(child, child->run->Stop("", "The Map Run failed", clock_.NowMicros()));
    }
  }
  json::array results;  // one ChildResult per index, as {"status", "entry", "output"}
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ExecutionPtr& child = i < children.size() ? children[i] : nullptr;
    if (!child) {
      results.push_back(json::object{
          {"status", "PENDING"},
          {"entry", json::object{{"Input", json::serialize(inputs[i])}, {"Status", "PENDING"}}},
          {"output", nullptr}});
      continue;
    }
    std::lock_guard lock(child->mu);
    ChildResult r =
        Describe(*child->run, child->arn, child->name, child->machine_arn, child->input_text);
    results.push_back(json::object{
        {"status", r.status}, {"entry", std::move(r.entry)}, {"output", std::move(r.output)}});
  }
  if (run->request.contains("writer")) {
    return WriteMapRunResults(run, std::move(failure), std::move(results));
  }
  if (failure) return ReportMapRun(run, {false, nullptr, std::move(*failure)});
  json::array outputs;
  for (auto& r : results) outputs.push_back(std::move(r.as_object()["output"]));
  ReportMapRun(run, {true, std::move(outputs), {}});
}

void StepFunctionsService::WriteMapRunResults(const MapRunPtr& run,
                                              std::optional<asl::StatesError> failure,
                                              json::array results) {
  const json::object& w = run->request.at("writer").get_object();
  auto text = [&](std::string_view k, std::string_view fallback) {
    const json::value* v = w.if_contains(k);
    return std::string(v && v->is_string() ? std::string_view(v->get_string()) : fallback);
  };
  const std::string transformation = text("transformation", "NONE");
  const std::string output_type = text("output_type", "JSON");
  if (!w.contains("bucket")) {
    if (failure) return ReportMapRun(run, {false, nullptr, std::move(*failure)});
    return ReportMapRun(run, {true, asl::TransformResults(results, transformation), {}});
  }
  std::string bucket(w.at("bucket").get_string());
  std::string prefix(w.at("prefix").get_string());
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::string_view uuid = std::string_view(run->arn).substr(run->arn.rfind(':') + 1);
  std::string dir = prefix.empty() ? std::string(uuid) : fmt::format("{}/{}", prefix, uuid);
  json::array by_kind[3];  // SUCCEEDED, FAILED, PENDING
  int64_t written = 0;
  for (auto& r : results) {
    json::object& o = r.as_object();
    std::string_view status = o.at("status").get_string();
    int k = status == "SUCCEEDED" ? 0 : status == "PENDING" ? 2 : 1;
    if (k != 2) ++written;
    by_kind[k].push_back(std::move(o));
  }
  static constexpr std::string_view kKinds[3] = {"SUCCEEDED", "FAILED", "PENDING"};
  json::object files{
      {"FAILED", json::array()}, {"PENDING", json::array()}, {"SUCCEEDED", json::array()}};
  std::vector<std::pair<std::string, std::string>> puts;  // key, body
  for (int k = 0; k < 3; ++k) {
    if (by_kind[k].empty()) continue;
    std::string key =
        fmt::format("{}/{}_0.{}", dir, kKinds[k], output_type == "JSONL" ? "jsonl" : "json");
    std::string body =
        asl::SerializeResults(asl::TransformResults(by_kind[k], transformation), output_type);
    files[kKinds[k]].as_array().push_back(
        json::object{{"Key", key}, {"Size", static_cast<int64_t>(body.size())}});
    puts.emplace_back(std::move(key), std::move(body));
  }
  std::string manifest_key = dir + "/manifest.json";
  puts.emplace_back(manifest_key, json::serialize(json::object{{"DestinationBucket", bucket},
                                                               {"MapRunArn", run->arn},
                                                               {"ResultFiles", files}}));
  json::value output = json::object{
      {"MapRunArn", run->arn},
      {"ResultWriterDetails", json::object{{"Bucket", bucket}, {"Key", manifest_key}}}};
  if (objects_ == nullptr) {
    return ReportMapRun(
        run, {false,
              nullptr,
              {std::string(kResultWriterFailed), "S3 is not available to Step Functions"}});
  }
  // The files, then (once all are written) the manifest; the first error fails the run.
  struct Pending {
    std::mutex mu;
    size_t left = 0;
    std::string error;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = puts.size() - 1;
  auto manifest = std::make_shared<std::pair<std::string, std::string>>(std::move(puts.back()));
  puts.pop_back();
  auto finish = [this, alive = alive_, run, failure, output, written](Status st) mutable {
    if (!*alive) return;
    if (!st.ok()) {
      return ReportMapRun(run, {false, nullptr, {std::string(kResultWriterFailed), st.message()}});
    }
    {
      std::lock_guard lock(run->mu);
      run->results_written = written;
    }
    if (failure) return ReportMapRun(run, {false, nullptr, std::move(*failure)});
    ReportMapRun(run, {true, std::move(output), {}});
  };
  auto write_manifest = [this, run, bucket, manifest, finish](const std::string& error) mutable {
    if (!error.empty()) return finish(Status::Unavailable(error));
    objects_->Put(run->account, run->region, bucket, manifest->first, manifest->second, finish);
  };
  if (puts.empty()) return write_manifest("");
  for (auto& [key, body] : puts) {
    objects_->Put(run->account, run->region, bucket, key, std::move(body),
                  [pending, write_manifest](Status st) mutable {
                    std::string error;
                    {
                      std::lock_guard lock(pending->mu);
                      if (!st.ok() && pending->error.empty()) pending->error = st.message();
                      if (--pending->left > 0) return;
                      error = pending->error;
                    }
                    write_manifest(error);
                  });
  }
}

void StepFunctionsService::ReportMapRun(const MapRunPtr& run, asl::TaskResult result) {
  {
    std::lock_guard lock(run->mu);
    run->status = result.ok ? "SUCCEEDED" : "FAILED";
    run->error = result.ok ? "" : result.error.error;
    run->cause = result.ok ? "" : result.error.cause;
    run->stop = static_cast<double>(clock_.NowMicros()) / 1e6;
    run->finishing = false;
    PersistMapRun(*run);
  }
  ExecutionPtr parent = FindExecution(run->execution_arn);
  if (!parent) return;
  std::lock_guard lock(parent->mu);
  asl::Effects fx =
      parent->run->OnMapRunResult(run->frame, run->epoch, std::move(result), clock_.NowMicros());
  if (fx.events.empty()) return;
  ApplyEffects(parent, std::move(fx));
}

}  // namespace tidepool::sfn
