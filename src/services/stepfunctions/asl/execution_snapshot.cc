// Execution::Snapshot / Restore / Resume: an execution as one JSON document.
//
//   snapshot := {"v":1, "status":S, "input":J, "output":J?, "error":s, "cause":s, "stop":i,
//                "next_event":i, "next_frame":i, "exec_deadline":i, "frames":[frame...],
//                "redrive":{"count":i, "at":i, point members (execution.h)?}?}
//   frame    := {"id","parent","index","scope","state","input","phase","retrying","epoch",
//                "deadline","task_deadline","hb_deadline","hb_seconds","retry":[i...],
//                "effective","token","entered","last_event","results","pending","next_item",
//                "max_concurrency","started_event","vars":{name:J...}}
#include <boost/json.hpp>

#include "services/stepfunctions/asl/execution.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;

namespace {

int64_t I(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());
  return 0;
}

std::string S(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

json::object Execution::Snapshot() const {
  json::object o{{"v", 1},
                 {"status", ExecutionStatusName(status_)},
                 {"input", input_},
                 {"error", failure_.error},
                 {"cause", failure_.cause},
                 {"stop", stop_micros_},
                 {"next_event", next_event_id_},
                 {"next_frame", next_frame_id_},
                 {"exec_deadline", execution_deadline_}};
  if (output_) o["output"] = *output_;
  if (redrive_count_ > 0 || !redrive_point_.empty()) {
    json::object r = redrive_point_;  // the point's members, if any
    r["count"] = redrive_count_;
    r["at"] = redrive_micros_;
    o["redrive"] = std::move(r);
  }
  json::array frames;
  for (const auto& [id, f] : frames_) {
    json::array retry;
    for (int64_t c : f.retry_counts) retry.push_back(c);
    frames.push_back(json::object{{"id", f.id},
                                  {"parent", f.parent},
                                  {"index", f.index},
                                  {"scope", f.scope},
                                  {"state", f.state},
                                  {"input", f.input},
                                  {"phase", static_cast<int>(f.phase)},
                                  {"retrying", f.retrying},
                                  {"epoch", f.epoch},
                                  {"deadline", f.deadline},
                                  {"task_deadline", f.task_deadline},
                                  {"hb_deadline", f.heartbeat_deadline},
                                  {"hb_seconds", f.heartbeat_seconds},
                                  {"retry", std::move(retry)},
                                  {"effective", f.effective},
                                  {"token", f.task_token},
                                  {"entered", f.entered_micros},
                                  {"last_event", f.last_event},
                                  {"results", f.results},
                                  {"pending", f.pending},
                                  {"next_item", f.next_item},
                                  {"max_concurrency", f.max_concurrency},
                                  {"started_event", f.started_event},
                                  {"vars", f.vars}});
  }
  o["frames"] = std::move(frames);
  return o;
}

Result<std::unique_ptr<Execution>> Execution::Restore(std::shared_ptr<const Definition> definition,
                                                      ExecutionInfo info, Options options,
                                                      const json::object& snap) {
  auto e = std::make_unique<Execution>(std::move(definition), std::move(info), options);
  std::string status = S(snap, "status");
  e->status_ = status == "SUCCEEDED"   ? ExecutionStatus::kSucceeded
               : status == "FAILED"    ? ExecutionStatus::kFailed
               : status == "TIMED_OUT" ? ExecutionStatus::kTimedOut
               : status == "ABORTED"   ? ExecutionStatus::kAborted
                                       : ExecutionStatus::kRunning;
  if (const auto* v = snap.if_contains("input")) e->input_ = *v;
  if (const auto* v = snap.if_contains("output")) e->output_ = *v;
  e->failure_ = {S(snap, "error"), S(snap, "cause")};
  e->stop_micros_ = I(snap, "stop");
  e->next_event_id_ = static_cast<uint64_t>(I(snap, "next_event"));
  e->next_frame_id_ = static_cast<uint64_t>(I(snap, "next_frame"));
  e->execution_deadline_ = I(snap, "exec_deadline");
  if (const auto* r = snap.if_contains("redrive"); r && r->is_object()) {
    const json::object& ro = r->get_object();
    e->redrive_count_ = I(ro, "count");
    e->redrive_micros_ = I(ro, "at");
    if (ro.contains("state")) {
      json::object point = ro;
      point.erase("count");
      point.erase("at");
      if (!ValidPoint(*e->definition_, point, 0)) {
        return Status::Corruption("execution redrive point names an unknown state");
      }
      e->redrive_point_ = std::move(point);
    }
  }
  if (e->next_event_id_ == 0 || e->next_frame_id_ == 0) {
    return Status::Corruption("execution snapshot without counters");
  }
  const auto* frames = snap.if_contains("frames");
  if (frames && frames->is_array()) {
    for (const auto& fv : frames->get_array()) {
      const auto* fo = fv.if_object();
      if (!fo) return Status::Corruption("execution frame is not an object");
      Frame f;
      f.id = static_cast<uint64_t>(I(*fo, "id"));
      f.parent = static_cast<uint64_t>(I(*fo, "parent"));
      f.index = I(*fo, "index");
      f.scope = static_cast<int>(I(*fo, "scope"));
      f.state = S(*fo, "state");
      if (f.scope < 0 || f.scope >= static_cast<int>(e->definition_->scopes.size()) ||
          !e->definition_->scopes[f.scope].Find(f.state)) {
        return Status::Corruption("execution frame names an unknown state");
      }
      if (const auto* v = fo->if_contains("input")) f.input = *v;
      int64_t phase = I(*fo, "phase");
      if (phase < 0 || phase > static_cast<int>(Phase::kMapRun)) {
        return Status::Corruption("execution frame has an unknown phase");
      }
      f.phase = static_cast<Phase>(phase);
      if (f.phase == Phase::kMapRun) {
        const auto* eff = fo->if_contains("effective");
        const auto* eo = eff ? eff->if_object() : nullptr;
        if (!eo || !eo->contains("map_run") || !eo->at("map_run").is_string() ||
            !eo->contains("request") || !eo->at("request").is_object()) {
          return Status::Corruption("execution frame waits for a Map Run it does not name");
        }
      }
      if (const auto* v = fo->if_contains("retrying"); v && v->is_bool())
        f.retrying = v->get_bool();
      f.epoch = static_cast<uint64_t>(I(*fo, "epoch"));
      f.deadline = I(*fo, "deadline");
      f.task_deadline = I(*fo, "task_deadline");
      f.heartbeat_deadline = I(*fo, "hb_deadline");
      f.heartbeat_seconds = I(*fo, "hb_seconds");
      if (const auto* r = fo->if_contains("retry"); r && r->is_array()) {
        for (const auto& c : r->get_array())
          f.retry_counts.push_back(c.is_int64() ? c.get_int64() : 0);
      }
      if (const auto* v = fo->if_contains("effective")) f.effective = *v;
      f.task_token = S(*fo, "token");
      f.entered_micros = I(*fo, "entered");
      f.last_event = static_cast<uint64_t>(I(*fo, "last_event"));
      if (const auto* v = fo->if_contains("results"); v && v->is_array())
        f.results = v->get_array();
      f.pending = I(*fo, "pending");
      f.next_item = I(*fo, "next_item");
      f.max_concurrency = I(*fo, "max_concurrency");
      f.started_event = static_cast<uint64_t>(I(*fo, "started_event"));
      if (const auto* v = fo->if_contains("vars"); v && v->is_object()) f.vars = v->get_object();
      uint64_t id = f.id;
      e->frames_[id] = std::move(f);
    }
  }
  return e;
}

Effects Execution::Resume(int64_t now) {
  Effects fx;
  if (!running()) return fx;
  fx_ = &fx;
  now_ = now;
  if (execution_deadline_) {
    fx.timers.push_back({0, static_cast<uint64_t>(redrive_count_), TimerKind::kExecutionTimeout,
                         execution_deadline_});
  }
  for (auto& [id, f] : frames_) {
    switch (f.phase) {
      case Phase::kEnter:
        ready_.push_back(id);
        break;
      case Phase::kWait:
        fx.timers.push_back({id, f.epoch, TimerKind::kWait, f.deadline});
        break;
      case Phase::kRetry:
        fx.timers.push_back({id, f.epoch, TimerKind::kRetry, f.deadline});
        break;
      case Phase::kTask: {
        const State& s = StateOf(f);
        if (f.task_deadline) {
          fx.timers.push_back({id, f.epoch, TimerKind::kTaskTimeout, f.task_deadline});
        }
        if (f.heartbeat_deadline) {
          fx.timers.push_back({id, f.epoch, TimerKind::kHeartbeat, f.heartbeat_deadline});
        }
        fx.tasks.push_back({id, f.epoch, s.name, s.resource, f.effective, f.task_token,
                            s.resource.ends_with(".waitForTaskToken")});
        break;
      }
      case Phase::kMapRun:
        // A redriven run is asked for its redrive again: the owner ignores it if it happened.
        fx.map_runs.push_back({id, f.epoch, std::string(f.effective.at("map_run").get_string()),
                               f.effective.at("request").get_object(),
                               I(f.effective.as_object(), "redrives")});
        break;
      case Phase::kChildren:
      case Phase::kDone:
        break;
    }
  }
  Pump();
  fx_ = nullptr;
  return fx;
}

}  // namespace tidepool::sfn::asl
