// RedriveExecution: where a stopped execution continues, and how it continues there.
//
// When an execution stops unsuccessfully, FailExecution keeps the top-level thread's redrive
// point (see execution.h). A Parallel or inline Map state keeps its children's outcomes:
// the outputs of those that succeeded, and for each one that failed or was aborted, its own
// point, recursively, so a redrive reruns only those, each from the state it stopped in. A
// Distributed Map keeps its Map Run, which the owner redrives.
//
// History of a redrive (AWS appends to the original history): ExecutionRedriven
// {redriveCount}; a Parallel or Map state that is continued gets no second
// <Type>StateEntered/Started; each Map iteration that runs again gets MapIterationStarted;
// the states that run again are entered as usual; a redriven Map Run writes MapRunRedriven
// {mapRunArn, redriveCount}.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/stepfunctions/asl/execution.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;

namespace {

enum ChildStatus : int64_t { kNotRun = 0, kSucceededChild = 1, kRerun = 2 };

int64_t Int(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v && v->is_number() ? v->to_number<int64_t>() : 0;
}

}  // namespace

std::string_view Execution::NotRedrivableReason() const {
  if (running()) return "Execution is RUNNING and cannot be redriven.";
  if (status_ == ExecutionStatus::kSucceeded)
    return "Execution is SUCCEEDED and cannot be redriven.";
  if (history_full_ || next_event_id_ >= kMaxHistoryEvents - 1) {
    return "Execution history event limit exceeded.";
  }
  if (redrive_point_.empty()) return "Execution was started before the launch of RedriveExecution.";
  return {};
}

json::object Execution::RedrivePointOf(const Frame& f, bool keep_map_runs) const {
  json::object point{{"state", f.state}, {"input", f.input}, {"vars", f.vars}};
  const State& s = StateOf(f);
  if (s.distributed) {
    const json::object* eff = f.effective.if_object();
    const json::value* arn = eff ? eff->if_contains("map_run") : nullptr;
    if (keep_map_runs && arn && arn->is_string() && eff->contains("request")) {
      point["map_run"] = *eff;
    }
    return point;
  }
  if (s.type != StateType::kParallel && s.type != StateType::kMap) return point;
  // Children to continue only once they were started (the state failing before, in its
  // ItemsPath or Parameters, runs again whole).
  const json::object* eff = f.effective.if_object();
  const json::value* items = eff ? eff->if_contains("items") : nullptr;
  const bool started =
      s.type == StateType::kParallel
          ? f.results.size() == s.branch_scopes.size()
          : items && items->is_array() && items->get_array().size() == f.results.size();
  if (f.failed_children.is_object()) {
    point["children"] = f.failed_children;
  } else if (f.phase == Phase::kChildren && started) {
    point["children"] = ChildrenPoint(f, keep_map_runs);
  }
  return point;
}

json::object Execution::ChildrenPoint(const Frame& p, bool keep_map_runs) const {
  const State& s = StateOf(p);
  const bool map = s.type == StateType::kMap;
  const size_t n = p.results.size();
  json::array points(n, nullptr);
  json::array status(n, json::value(int64_t{kNotRun}));
  for (size_t i = 0; i < n; ++i) {
    // A Parallel starts every branch at once; a Map the iterations below next_item.
    const bool started = !map || static_cast<int64_t>(i) < p.next_item;
    if (started) status[i] = int64_t{kSucceededChild};
  }
  for (const auto& [id, c] : frames_) {
    if (c.parent != p.id || c.index < 0 || static_cast<size_t>(c.index) >= n) continue;
    const auto i = static_cast<size_t>(c.index);
    if (c.fresh) {
      status[i] = int64_t{kNotRun};
      continue;
    }
    status[i] = int64_t{kRerun};
    points[i] = RedrivePointOf(c, keep_map_runs);
  }
  json::object children;
  children["results"] = p.results;
  children["status"] = std::move(status);
  children["points"] = std::move(points);
  if (map) {
    children["effective"] = p.effective;
    children["next_item"] = p.next_item;
    children["max_concurrency"] = p.max_concurrency;
  }
  return children;
}

bool Execution::ValidPoint(const Definition& def, const json::value& point, int scope) {
  const json::object* o = point.if_object();
  if (!o || scope < 0 || scope >= static_cast<int>(def.scopes.size())) return false;
  const json::value* name = o->if_contains("state");
  if (!name || !name->is_string()) return false;
  const State* s = def.scopes[scope].Find(name->get_string());
  if (!s) return false;
  if (const auto* m = o->if_contains("map_run")) {
    const json::object* mo = m->if_object();
    return s->distributed && mo && mo->contains("map_run") && mo->at("map_run").is_string() &&
           mo->contains("request") && mo->at("request").is_object();
  }
  const json::value* c = o->if_contains("children");
  if (!c) return true;
  const json::object* co = c->if_object();
  if (!co || (s->type != StateType::kParallel && s->type != StateType::kMap) || s->distributed) {
    return false;
  }
  const json::value* results = co->if_contains("results");
  const json::value* status = co->if_contains("status");
  const json::value* points = co->if_contains("points");
  if (!results || !status || !points || !results->is_array() || !status->is_array() ||
      !points->is_array()) {
    return false;
  }
  const size_t n = results->get_array().size();
  if (status->get_array().size() != n || points->get_array().size() != n) return false;
  if (s->type == StateType::kParallel && n != s->branch_scopes.size()) return false;
  if (s->type == StateType::kMap) {
    const json::value* eff = co->if_contains("effective");
    const json::object* eo = eff ? eff->if_object() : nullptr;
    const json::value* items = eo ? eo->if_contains("items") : nullptr;
    if (!items || !items->is_array() || items->get_array().size() != n) return false;
  }
  for (size_t i = 0; i < n; ++i) {
    if (!status->get_array()[i].is_int64()) return false;
    if (status->get_array()[i].get_int64() != kRerun) continue;
    const int child_scope =
        s->type == StateType::kParallel ? s->branch_scopes[i] : s->branch_scopes[0];
    if (!ValidPoint(def, points->get_array()[i], child_scope)) return false;
  }
  return true;
}

Effects Execution::Redrive(int64_t now) {
  Effects fx;
  fx_ = &fx;
  now_ = now;
  ++redrive_count_;
  redrive_micros_ = now;
  status_ = ExecutionStatus::kRunning;
  failure_ = {};
  output_.reset();
  stop_micros_ = 0;
  Emit(nullptr, "ExecutionRedriven", "executionRedrivenEventDetails",
       json::object{{"redriveCount", redrive_count_}});
  json::object point = std::move(redrive_point_);
  redrive_point_ = {};
  Frame& root = NewFrame(0, -1, 0, point["input"], next_event_id_ - 1);
  root.state = std::string(point.at("state").get_string());
  if (const auto* v = point.if_contains("vars"); v && v->is_object()) root.vars = v->get_object();
  if (point.contains("children") || point.contains("map_run")) root.redrive = std::move(point);
  if (definition_->timeout_seconds) {
    // The timeout starts over; a timer of an earlier attempt (an older epoch) is ignored.
    execution_deadline_ = DelayDeadline(static_cast<double>(*definition_->timeout_seconds));
    fx.timers.push_back({0, static_cast<uint64_t>(redrive_count_), TimerKind::kExecutionTimeout,
                         execution_deadline_});
  }
  Pump();
  fx_ = nullptr;
  return fx;
}

void Execution::ReEnter(Frame& f, json::object point) {
  const State& s = StateOf(f);
  f.entered_micros = now_;
  f.retry_counts.assign(s.retry.size(), 0);
  f.retrying = false;
  ++f.epoch;
  if (auto* m = point.if_contains("map_run")) {
    json::object eff = std::move(m->as_object());
    const int64_t redrives = Int(eff, "redrives") + 1;
    eff["redrives"] = redrives;
    std::string arn(eff.at("map_run").get_string());
    Emit(&f, "MapRunRedriven", "mapRunRedrivenEventDetails",
         json::object{{"mapRunArn", arn}, {"redriveCount", redrives}});
    f.phase = Phase::kMapRun;
    json::object request = eff.at("request").get_object();
    f.effective = std::move(eff);
    fx_->map_runs.push_back({f.id, f.epoch, std::move(arn), std::move(request), redrives});
    return;
  }
  json::object& children = point.at("children").as_object();
  const bool map = s.type == StateType::kMap;
  f.phase = Phase::kChildren;
  f.results = std::move(children.at("results").as_array());
  f.pending = 0;
  f.started_event = f.last_event;
  if (map) {
    f.effective = std::move(children.at("effective"));
    f.next_item = Int(children, "next_item");
    f.max_concurrency = Int(children, "max_concurrency");
  }
  const json::array& status = children.at("status").as_array();
  json::array& points = children.at("points").as_array();
  std::vector<int64_t> not_run;  // Map iterations started before whose ItemSelector failed
  for (size_t i = 0; i < status.size(); ++i) {
    const int64_t st = status[i].get_int64();
    if (st == kNotRun && map && static_cast<int64_t>(i) < f.next_item) {
      not_run.push_back(static_cast<int64_t>(i));
    }
    if (st != kRerun) continue;
    json::object& child_point = points[i].as_object();
    ++f.pending;
    if (map) {
      Emit(&f, "MapIterationStarted", "mapIterationStartedEventDetails",
           json::object{{"name", s.name}, {"index", static_cast<int64_t>(i)}});
    }
    const int scope = map ? s.branch_scopes[0] : s.branch_scopes[i];
    Frame& c = NewFrame(f.id, static_cast<int64_t>(i), scope, child_point["input"], f.last_event);
    c.state = std::string(child_point.at("state").get_string());
    if (const auto* v = child_point.if_contains("vars"); v && v->is_object()) {
      c.vars = v->get_object();
    }
    if (child_point.contains("children") || child_point.contains("map_run")) {
      c.redrive = std::move(child_point);
    }
  }
  if (!map) {
    if (f.pending == 0) {
      Emit(&f, "ParallelStateSucceeded", nullptr, {});
      json::value results = std::move(f.results);
      f.results = json::array();
      Finish(f, s, std::move(results));
    }
    return;
  }
  // Iterations not run yet: those whose ItemSelector failed, then the ones never started,
  // within MaxConcurrency. A failing ItemSelector fails the Map: look the frame up each time.
  const uint64_t id = f.id;
  const auto n = static_cast<int64_t>(f.results.size());
  size_t k = 0;
  while (running()) {
    auto it = frames_.find(id);
    if (it == frames_.end() || it->second.phase != Phase::kChildren) return;
    Frame& m = it->second;
    if (k < not_run.size()) {
      SpawnIteration(m, s, not_run[k++]);
      continue;
    }
    if (m.next_item >= n || (m.max_concurrency != 0 && m.pending >= m.max_concurrency)) break;
    SpawnIteration(m, s, m.next_item++);
  }
  auto it = frames_.find(id);
  if (!running() || it == frames_.end() || it->second.phase != Phase::kChildren) return;
  if (it->second.pending == 0) {
    Emit(&it->second, "MapStateSucceeded", nullptr, {});
    json::value results = std::move(it->second.results);
    it->second.results = json::array();
    Finish(it->second, s, std::move(results));
  }
}

}  // namespace tidepool::sfn::asl
