// libFuzzer target: the Amazon States Language definition parser and validator, then a short
// run of any definition that parses (tasks answered with their input, timers fired at once,
// Distributed Map runs answered with their inputs for three items, at most 200 steps), with a
// snapshot/restore round trip in the middle; an execution that stops unsuccessfully is
// restored from its snapshot (its redrive point) and redriven for another 100 steps.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string_view>
#include <vector>

#include "services/stepfunctions/asl/definition.h"
#include "services/stepfunctions/asl/execution.h"

using namespace tidepool::sfn::asl;  // NOLINT(google-build-using-namespace): fuzz target

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Diagnostic> diags;
  auto def = Definition::Parse(text, &diags);
  if (!def) {
    if (diags.empty()) __builtin_trap();
    (void)InvalidDefinitionMessage(diags);
    return 0;
  }
  ExecutionInfo info{
      "arn:aws:states:us-east-1:1:execution:m:e", "e", "", "arn", "m", "us-east-1", 0};
  Execution::Options options;
  auto exec = std::make_unique<Execution>(def, info, options);
  std::deque<TimerRequest> timers;
  std::deque<TaskDispatch> tasks;
  std::deque<MapRunDispatch> map_runs;
  auto absorb = [&](Effects fx) {
    for (auto& t : fx.timers) timers.push_back(t);
    for (auto& t : fx.tasks) tasks.push_back(std::move(t));
    for (auto& m : fx.map_runs) map_runs.push_back(std::move(m));
  };
  absorb(exec->Start(boost::json::parse(R"({"a":[1,2,{"b":"c"}],"n":3,"s":"x"})"), 0));
  // A snapshot round trip: what is pending is dropped and comes back from Resume or Redrive.
  auto restore = [&] {
    auto restored = Execution::Restore(def, info, options, exec->Snapshot());
    if (!restored.ok()) __builtin_trap();
    exec = std::move(restored).value();
    timers.clear();
    tasks.clear();
    map_runs.clear();
  };
  int64_t now = 0;
  bool redriven = false;
  for (int step = 0; step < 300; ++step) {
    if (!exec->running()) {
      if (redriven || step >= 200 || !exec->NotRedrivableReason().empty()) break;
      restore();
      absorb(exec->Redrive(now));
      redriven = true;
      continue;
    }
    if (step == 50) {
      restore();
      absorb(exec->Resume(now));
    }
    if (!map_runs.empty()) {
      MapRunDispatch m = std::move(map_runs.front());
      map_runs.pop_front();
      StatesError err;
      auto inputs = exec->MapRunInputs(m.frame, m.epoch,
                                       boost::json::parse(R"([1,{"k":"v"},[2]])").as_array(), &err);
      TaskResult r{inputs.has_value(), nullptr, err};
      if (inputs) r.output = std::move(*inputs);
      absorb(exec->OnMapRunResult(m.frame, m.epoch, std::move(r), now));
    } else if (!tasks.empty()) {
      TaskDispatch t = std::move(tasks.front());
      tasks.pop_front();
      TaskResult r{step % 3 != 0, t.input, {"Fuzz.Error", "c"}};
      absorb(exec->OnTaskResult(t.frame, t.epoch, std::move(r), now));
    } else if (!timers.empty()) {
      TimerRequest t = timers.front();
      timers.pop_front();
      now = std::max(now, t.deadline_micros);
      absorb(exec->OnTimer(t.frame, t.epoch, t.kind, now));
    } else {
      break;
    }
  }
  return 0;
}
