// Redriving a Map Run: the parent's RedriveExecution reached a Distributed Map whose Map Run
// did not succeed (asl::MapRunDispatch::redrive_count > 0).
//
// As AWS documents it (Redriving Map Runs): the children that succeeded keep their results;
// STANDARD children that failed, timed out or were aborted are redriven with
// RedriveExecution (same ARN, from the state they stopped in), EXPRESS ones are started
// again from the ItemProcessor's first state; children never started start; at most
// MaxConcurrency run at once, the others wait as "pending redrive". A run whose items were
// never read (States.ItemReaderFailed, or stopped before) reads them again.
//
// Durability: the run's record (with the redrive count and the queue of children still to
// rerun) is written when the redrive starts and whenever a queued child is rerun; a STANDARD
// child's redrive is committed with its own state before that record (one commit queue).
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/stepfunctions/stepfunctions_service.h"

namespace tidepool::sfn {

namespace {

bool IsExpress(const boost::json::object& request) {
  const auto* t = request.if_contains("execution_type");
  return t && t->is_string() && t->get_string() == "EXPRESS";
}

}  // namespace

bool StepFunctionsService::RedriveMapRun(const MapRunPtr& run, const asl::MapRunDispatch& d) {
  bool ready = false;
  {
    std::lock_guard lock(run->mu);
    if (d.redrive_count <= run->redrive_count) return false;
    run->frame = d.frame;
    run->epoch = d.epoch;
    run->redrive_count = d.redrive_count;
    run->redrive_date = static_cast<double>(clock_.NowMicros()) / 1e6;
    run->status = "RUNNING";
    run->error.clear();
    run->cause.clear();
    run->stop = 0;
    run->finishing = false;
    run->redrive_queue.clear();
    ready = run->items_ready;
    if (ready) {
      SizeChildrenLocked(*run);
      const auto succeeded = static_cast<uint8_t>(asl::ExecutionStatus::kSucceeded) + 1;
      const bool express = IsExpress(run->request);
      for (size_t i = 0; i < run->children.size(); ++i) {
        const ExecutionPtr& child = run->children[i];
        if (!child || run->outcome[i] == 0 || run->outcome[i] == succeeded) continue;
        if (!express) {
          std::lock_guard child_lock(child->mu);
          // A child that cannot be redriven (its history is full) keeps its failure.
          if (!child->run->NotRedrivableReason().empty()) continue;
        }
        run->outcome[i] = 0;
        run->redrive_queue.push_back(static_cast<int64_t>(i));
      }
    }
    PersistMapRun(*run);
  }
  if (!ready) {
    ReadMapRunItems(run);
  } else {
    PumpMapRun(run);
  }
  return true;
}

bool StepFunctionsService::PumpRedriveQueueLocked(MapRun& run) {
  bool started = false;
  const bool express = IsExpress(run.request);
  while (!run.redrive_queue.empty() &&
         (run.max_concurrency == 0 || run.running < run.max_concurrency)) {
    const int64_t i = run.redrive_queue.front();
    run.redrive_queue.pop_front();
    if (i < 0 || static_cast<size_t>(i) >= run.children.size()) continue;
    ExecutionPtr& child = run.children[static_cast<size_t>(i)];
    if (!child || express) {
      child = StartChildLocked(run, i);
    } else {
      std::lock_guard child_lock(child->mu);
      if (!child->run->running()) {
        ApplyEffects(child, child->run->Redrive(clock_.NowMicros()));
      }
    }
    ++run.running;
    started = true;
  }
  if (started) PersistMapRun(run);
  return started;
}

}  // namespace tidepool::sfn
