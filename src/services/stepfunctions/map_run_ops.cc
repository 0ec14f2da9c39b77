// Map Run operations: ListMapRuns, DescribeMapRun, UpdateMapRun, and ListExecutions with a
// mapRunArn (the Map Run's child executions).
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>

#include "protocol/input.h"
#include "services/stepfunctions/names.h"
#include "services/stepfunctions/sfn_errors.h"
#include "services/stepfunctions/stepfunctions_service.h"

namespace tidepool::sfn {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputStringView;

namespace {

Result<std::string> CheckMapRunArn(std::string_view arn) {
  if (!arn.starts_with("arn:aws:states:") || arn.find(":mapRun:") == std::string_view::npos) {
    return SfnStatus(SfnError::kInvalidArn, fmt::format("Invalid Arn: '{}'", arn));
  }
  return std::string(arn);
}

Status MapRunNotFound(std::string_view arn) {
  return SfnStatus(SfnError::kResourceNotFound,
                   fmt::format("Resource not found: 'Map Run {} does not exist'", arn));
}

}  // namespace

json::object StepFunctionsService::MapRunCounts(const MapRun& run, bool items,
                                                int64_t results_written) {
  int64_t by[6] = {0, 0, 0, 0, 0, 0};  // index: asl::ExecutionStatus + 1; 0 = running
  int64_t started = 0, pending_redrive = 0;
  for (size_t i = 0; i < run.children.size(); ++i) {
    if (!run.children[i]) continue;
    int64_t n = items ? run.children[i]->item_count : 1;
    started += n;
    if (std::find(run.redrive_queue.begin(), run.redrive_queue.end(), static_cast<int64_t>(i)) !=
        run.redrive_queue.end()) {
      pending_redrive += n;
      continue;
    }
    by[run.outcome[i]] += n;
  }
  int64_t total = items ? run.total_items : static_cast<int64_t>(run.inputs.size());
  auto at = [&](asl::ExecutionStatus s) { return by[static_cast<int>(s) + 1]; };
  return json::object{{"pending", total - started},
                      {"running", by[0]},
                      {"succeeded", at(asl::ExecutionStatus::kSucceeded)},
                      {"failed", at(asl::ExecutionStatus::kFailed)},
                      {"timedOut", at(asl::ExecutionStatus::kTimedOut)},
                      {"aborted", at(asl::ExecutionStatus::kAborted)},
                      {"total", total},
                      {"resultsWritten", results_written},
                      {"failuresNotRedrivable", 0},
                      {"pendingRedrive", pending_redrive}};
}

void StepFunctionsService::ListMapRuns(CallPtr call) {
  const auto& in = call->input();
  auto ex = ResolveExecution(InputStringView(in, "executionArn").value_or(""));
  if (!ex.ok()) return Fail(call, ex.status());
  auto start = ParsePageToken(InputStringView(in, "nextToken"));
  if (!start.ok()) return Fail(call, start.status());
  std::vector<MapRunPtr> runs;
  {
    std::shared_lock lock(mu_);
    for (const auto& [arn, run] : map_runs_) {
      if (run->execution_arn == (*ex)->arn) runs.push_back(run);
    }
  }
  std::sort(runs.begin(), runs.end(),
            [](const MapRunPtr& a, const MapRunPtr& b) { return a->start > b->start; });
  std::map<std::string, MapRunPtr> by_order;  // ListPage walks a map: key by position
  for (size_t i = 0; i < runs.size(); ++i) by_order[fmt::format("{:010}", i)] = runs[i];
  auto [list, next] = ListPage(by_order, "", *start,
                               protocol::InputInt(in, "maxResults").value_or(0), [](MapRun& run) {
                                 std::lock_guard lock(run.mu);
                                 json::object item{{"executionArn", run.execution_arn},
                                                   {"mapRunArn", run.arn},
                                                   {"stateMachineArn", run.child_machine_arn},
                                                   {"startDate", run.start}};
                                 if (run.status != "RUNNING") item["stopDate"] = run.stop;
                                 return item;
                               });
  json::object out{{"mapRuns", std::move(list)}};
  if (!next.empty()) out["nextToken"] = next;
  call->Reply(std::move(out));
}

void StepFunctionsService::DescribeMapRun(CallPtr call) {
  auto arn = CheckMapRunArn(InputStringView(call->input(), "mapRunArn").value_or(""));
  if (!arn.ok()) return Fail(call, arn.status());
  MapRunPtr run = FindMapRun(*arn);
  if (!run) return Fail(call, MapRunNotFound(*arn));
  std::lock_guard lock(run->mu);
  int64_t items_written = 0;
  if (run->results_written > 0) {
    for (size_t i = 0; i < run->children.size(); ++i) {
      if (run->children[i] && run->outcome[i]) items_written += run->children[i]->item_count;
    }
  }
  json::object out{{"mapRunArn", run->arn},
                   {"executionArn", run->execution_arn},
                   {"status", run->status},
                   {"startDate", run->start},
                   {"maxConcurrency", run->max_concurrency},
                   {"toleratedFailurePercentage", run->tolerated_percentage},
                   {"toleratedFailureCount", run->tolerated_count},
                   {"itemCounts", MapRunCounts(*run, true, items_written)},
                   {"executionCounts", MapRunCounts(*run, false, run->results_written)},
                   {"redriveCount", run->redrive_count}};
  if (run->redrive_count > 0) out["redriveDate"] = run->redrive_date;
  if (run->status != "RUNNING") out["stopDate"] = run->stop;
  call->Reply(std::move(out));
}

void StepFunctionsService::UpdateMapRun(CallPtr call) {
  const auto& in = call->input();
  auto arn = CheckMapRunArn(InputStringView(in, "mapRunArn").value_or(""));
  if (!arn.ok()) return Fail(call, arn.status());
  auto concurrency = protocol::InputInt(in, "maxConcurrency");
  auto count = protocol::InputInt(in, "toleratedFailureCount");
  std::optional<double> pct;
  if (const auto* v = in.if_contains("toleratedFailurePercentage"); v && v->is_number()) {
    pct = v->to_number<double>();
  }
  if (!concurrency && !count && !pct) {
    return Fail(call, SfnStatus(SfnError::kValidation,
                                "At least one of maxConcurrency, toleratedFailurePercentage or "
                                "toleratedFailureCount must be given"));
  }
  if ((concurrency && *concurrency < 0) || (count && *count < 0) ||
      (pct && (*pct < 0 || *pct > 100))) {
    return Fail(call, SfnStatus(SfnError::kValidation,
                                "maxConcurrency and toleratedFailureCount must be >= 0 and "
                                "toleratedFailurePercentage between 0 and 100"));
  }
  MapRunPtr run = FindMapRun(*arn);
  if (!run) return Fail(call, MapRunNotFound(*arn));
  {
    std::lock_guard lock(run->mu);
    if (run->status != "RUNNING") {
      return Fail(call, SfnStatus(SfnError::kValidation,
                                  fmt::format("Map Run {} is {}: it cannot be updated", run->arn,
                                              run->status)));
    }
    if (concurrency) run->max_concurrency = *concurrency;
    if (count) {
      run->has_tolerated_count = true;
      run->tolerated_count = *count;
    }
    if (pct) {
      run->has_tolerated_percentage = true;
      run->tolerated_percentage = *pct;
    }
    PersistMapRun(*run);
  }
  call->Reply(json::object{});
  PumpMapRun(run);
}

void StepFunctionsService::ListMapRunExecutions(CallPtr call, const std::string& map_run_arn) {
  const auto& in = call->input();
  auto arn = CheckMapRunArn(map_run_arn);
  if (!arn.ok()) return Fail(call, arn.status());
  MapRunPtr run = FindMapRun(*arn);
  if (!run) return Fail(call, MapRunNotFound(*arn));
  auto start = ParsePageToken(InputStringView(in, "nextToken"));
  if (!start.ok()) return Fail(call, start.status());
  const std::string filter(InputStringView(in, "statusFilter").value_or(""));
  std::vector<ExecutionPtr> children;
  {
    std::lock_guard lock(run->mu);
    children = run->children;
  }
  std::map<std::string, ExecutionPtr> by_order;  // newest first, as ListExecutions lists
  for (size_t i = 0; i < children.size(); ++i) {
    if (!children[i]) continue;
    if (!filter.empty()) {
      std::lock_guard lock(children[i]->mu);
      if (asl::ExecutionStatusName(children[i]->run->status()) != filter) continue;
    }
    by_order[fmt::format("{:010}", children.size() - i)] = children[i];
  }
  auto [list, next] = ListPage(
      by_order, "", *start, protocol::InputInt(in, "maxResults").value_or(0),
      [](ExecutionRecord& ex) {
        std::lock_guard lock(ex.mu);
        json::object item{
            {"executionArn", ex.arn},    {"stateMachineArn", ex.machine_arn},
            {"name", ex.name},           {"status", asl::ExecutionStatusName(ex.run->status())},
            {"startDate", ex.start},     {"mapRunArn", ex.map_run_arn},
            {"itemCount", ex.item_count}};
        if (!ex.express) item["redriveCount"] = ex.run->redrive_count();
        if (!ex.run->running()) {
          item["stopDate"] = static_cast<double>(ex.run->stop_micros()) / 1e6;
        }
        return item;
      });
  json::object out{{"executions", std::move(list)}};
  if (!next.empty()) out["nextToken"] = next;
  call->Reply(std::move(out));
}

}  // namespace tidepool::sfn
