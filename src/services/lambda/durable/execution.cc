#include "services/lambda/durable/execution.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

#include "core/encoding.h"
#include "services/lambda/lambda_errors.h"

namespace tidepool::lambda::durable {
namespace json = boost::json;

namespace {

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }
int64_t Scaled(int64_t seconds, double time_scale) {
  return static_cast<int64_t>(std::llround(static_cast<double>(seconds) * 1000.0 * time_scale));
}
// The error member of an update or a callback failure, as an ErrorObject.
json::object ErrorOf(const json::object& o) {
  const json::value* e = o.if_contains("Error");
  return e && e->is_object() ? e->get_object() : json::object();
}
json::object Wire(const json::object& op) {
  json::object out;
  for (const auto& kv : op) {
    if (!kv.key().starts_with("_")) out[kv.key()] = kv.value();
  }
  return out;
}
json::object EventPayload(std::string payload) {
  return json::object{{"Payload", std::move(payload)}, {"Truncated", false}};
}
json::object EventErrorOf(json::object error) {
  return json::object{{"Payload", std::move(error)}, {"Truncated", false}};
}
const char* DetailsMember(std::string_view type) {
  if (type == "CHAINED_INVOKE") return "ChainedInvokeDetails";
  if (type == "STEP") return "StepDetails";
  if (type == "WAIT") return "WaitDetails";
  if (type == "CALLBACK") return "CallbackDetails";
  if (type == "CONTEXT") return "ContextDetails";
  return "ExecutionDetails";
}
std::string EventPrefix(std::string_view type) {
  if (type == "CHAINED_INVOKE") return "ChainedInvoke";
  if (type == "STEP") return "Step";
  if (type == "WAIT") return "Wait";
  if (type == "CALLBACK") return "Callback";
  if (type == "CONTEXT") return "Context";
  return "Execution";
}
// The details member `key` of `op`, made an object if it is not one.
json::object& DetailsOf(json::object& op, std::string_view key) {
  json::value& v = op[key];
  return v.is_object() ? v.get_object() : v.emplace_object();
}
bool Closed(std::string_view status) {
  return status == "SUCCEEDED" || status == "FAILED" || status == "CANCELLED" ||
         status == "TIMED_OUT" || status == "STOPPED";
}

}  // namespace

int64_t IntMember(const json::object& o, std::string_view key, int64_t fallback) {
  // Clamped to +-2^53 (285,000 years in milliseconds), so that the callers' arithmetic on
  // seconds and milliseconds cannot overflow whatever a checkpoint or a record holds.
  constexpr int64_t kLimit = int64_t{1} << 53;
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return fallback;
  if (v->is_int64()) return std::clamp(v->get_int64(), -kLimit, kLimit);
  if (v->is_uint64()) return static_cast<int64_t>(std::min<uint64_t>(v->get_uint64(), kLimit));
  if (v->is_double()) {
    const double d = v->get_double();
    if (!(d == d)) return fallback;  // NaN
    return static_cast<int64_t>(
        std::clamp(d, -static_cast<double>(kLimit), static_cast<double>(kLimit)));
  }
  return fallback;
}

bool BoolMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

Result<size_t> ParseMarker(const std::string& marker) {
  if (marker.empty()) return size_t{0};
  if (marker.size() > 18 || !std::all_of(marker.begin(), marker.end(), ::isdigit)) {
    return InvalidParameter("Invalid Marker: " + marker);
  }
  return static_cast<size_t>(std::stoull(marker));
}

DurableExecution DurableExecution::Start(json::object meta, std::string input, int64_t now_ms,
                                         double time_scale) {
  DurableExecution e;
  meta["Status"] = "RUNNING";
  meta["InputPayload"] = input;
  meta["StartTimestamp"] = Seconds(now_ms);
  meta["Deadline"] = now_ms + Scaled(IntMember(meta, "ExecutionTimeout", 900), time_scale);
  meta["Invocation"] = 0;
  meta["Parked"] = false;
  meta["Wake"] = false;
  e.meta_ = std::move(meta);
  json::object op{
      {"Id", NewUuid()},     {"Name", Str(e.meta_, "DurableExecutionName")},
      {"Type", "EXECUTION"}, {"StartTimestamp", Seconds(now_ms)},
      {"Status", "STARTED"}, {"ExecutionDetails", json::object{{"InputPayload", input}}}};
  e.Touch(op);
  e.index_[Str(op, "Id")] = 0;
  e.ops_.push_back(op);
  e.AddEvent("ExecutionStarted", op, "ExecutionStartedDetails",
             json::object{{"Input", EventPayload(std::move(input))},
                          {"ExecutionTimeout", IntMember(e.meta_, "ExecutionTimeout", 900)}},
             now_ms);
  return e;
}

Result<DurableExecution> DurableExecution::Decode(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Status::Corruption("undecodable durable execution");
  json::object& o = v.get_object();
  DurableExecution e;
  if (!o["meta"].is_object() || !o["ops"].is_array() || !o["events"].is_array()) {
    return Status::Corruption("durable execution without meta, ops or events");
  }
  e.meta_ = std::move(o["meta"].get_object());
  for (json::value& op : o["ops"].get_array()) {
    if (!op.is_object()) return Status::Corruption("durable execution operation");
    e.index_[Str(op.get_object(), "Id")] = e.ops_.size();
    e.ops_.push_back(std::move(op.get_object()));
  }
  if (e.ops_.empty() || Str(e.ops_.front(), "Type") != "EXECUTION") {
    return Status::Corruption("durable execution without its EXECUTION operation");
  }
  e.events_ = std::move(o["events"].get_array());
  e.rev_ = IntMember(o, "rev");
  return e;
}

std::string DurableExecution::Encode() const {
  json::array ops;
  for (const auto& op : ops_) ops.push_back(op);
  return json::serialize(
      json::object{{"meta", meta_}, {"ops", std::move(ops)}, {"events", events_}, {"rev", rev_}});
}

std::string DurableExecution::arn() const { return Str(meta_, "DurableExecutionArn"); }
std::string DurableExecution::status() const { return Str(meta_, "Status"); }
int64_t DurableExecution::invocation() const { return IntMember(meta_, "Invocation"); }
bool DurableExecution::wake() const {
  const json::value* v = meta_.if_contains("Wake");
  return v && v->is_bool() && v->get_bool();
}

json::object* DurableExecution::Find(const std::string& id) {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &ops_[it->second];
}

void DurableExecution::Touch(json::object& op) { op["_rev"] = ++rev_; }

void DurableExecution::AddEvent(std::string type, const json::object& op, const char* details_key,
                                json::object details, int64_t now_ms) {
  json::object event{{"EventType", std::move(type)},
                     {"EventId", static_cast<int64_t>(events_.size() + 1)},
                     {"Id", Str(op, "Id")},
                     {"EventTimestamp", Seconds(now_ms)}};
  for (std::string_view member : {"Name", "ParentId", "SubType"}) {
    if (std::string v = Str(op, member); !v.empty()) event[member] = v;
  }
  if (details_key != nullptr) event[details_key] = std::move(details);
  events_.push_back(std::move(event));
}

Status DurableExecution::Apply(const json::array& updates, int64_t now_ms, double time_scale) {
  for (const json::value& u : updates) {
    if (!u.is_object()) return InvalidParameter("Each update must be an OperationUpdate");
    if (Status s = ApplyOne(u.get_object(), now_ms, time_scale); !s.ok()) return s;
  }
  return Status::Ok();
}

Status DurableExecution::ApplyOne(const json::object& u, int64_t now_ms, double time_scale) {
  const std::string id = Str(u, "Id");
  const std::string type = Str(u, "Type");
  const std::string action = Str(u, "Action");
  if (type == "EXECUTION") {
    if (action == "SUCCEED") {
      meta_["CheckpointedResult"] = Str(u, "Payload");
    } else if (action == "FAIL") {
      meta_["CheckpointedError"] = ErrorOf(u);
    } else {
      return InvalidParameter("Invalid action " + action + " for an EXECUTION operation");
    }
    return Status::Ok();
  }
  json::object* op = Find(id);
  const std::string prefix = EventPrefix(type);
  const char* details = DetailsMember(type);
  if (action == "START") {
    if (op != nullptr) {
      std::string st = Str(*op, "Status");
      if (type == "STEP" && (st == "READY" || st == "STARTED")) {
        if (st == "READY") {
          (*op)["Status"] = "STARTED";
          Touch(*op);
          AddEvent("StepStarted", *op, "StepStartedDetails", {}, now_ms);
        }
        return Status::Ok();
      }
      if (st == "STARTED") return Status::Ok();  // a retried checkpoint
      return InvalidParameter("Cannot start operation " + id + ": it is " + st);
    }
    json::object fresh{
        {"Id", id}, {"Type", type}, {"StartTimestamp", Seconds(now_ms)}, {"Status", "STARTED"}};
    for (std::string_view member : {"ParentId", "Name", "SubType"}) {
      if (std::string v = Str(u, member); !v.empty()) fresh[member] = v;
    }
    json::object event_details;
    if (type == "STEP") {
      fresh["StepDetails"] = json::object{{"Attempt", 0}};
    } else if (type == "WAIT") {
      const json::value* w = u.if_contains("WaitOptions");
      int64_t seconds = w && w->is_object() ? IntMember(w->get_object(), "WaitSeconds", 1) : 1;
      int64_t due = now_ms + Scaled(seconds, time_scale);
      fresh["WaitDetails"] = json::object{{"ScheduledEndTimestamp", Seconds(due)}};
      fresh["_due"] = due;
      event_details = json::object{{"Duration", seconds}, {"ScheduledEndTimestamp", Seconds(due)}};
    } else if (type == "CALLBACK") {
      std::string callback_id = EncodeCallbackId(arn(), id);
      fresh["CallbackDetails"] = json::object{{"CallbackId", callback_id}};
      event_details = json::object{{"CallbackId", callback_id}};
      const json::value* c = u.if_contains("CallbackOptions");
      if (c && c->is_object()) {
        int64_t timeout = IntMember(c->get_object(), "TimeoutSeconds");
        int64_t heartbeat = IntMember(c->get_object(), "HeartbeatTimeoutSeconds");
        if (timeout > 0) {
          fresh["_timeout_at"] = now_ms + Scaled(timeout, time_scale);
          event_details["Timeout"] = timeout;
        }
        if (heartbeat > 0) {
          fresh["_heartbeat_window"] = Scaled(heartbeat, time_scale);
          fresh["_heartbeat_at"] = now_ms + Scaled(heartbeat, time_scale);
          event_details["HeartbeatTimeout"] = heartbeat;
        }
      }
    } else if (type == "CONTEXT") {
      const json::value* c = u.if_contains("ContextOptions");
      json::object context_details;
      if (c && c->is_object()) {
        if (const json::value* r = c->get_object().if_contains("ReplayChildren")) {
          context_details["ReplayChildren"] = *r;
        }
      }
      fresh["ContextDetails"] = std::move(context_details);
    } else if (type == "CHAINED_INVOKE") {
      const json::value* c = u.if_contains("ChainedInvokeOptions");
      std::string function = c && c->is_object() ? Str(c->get_object(), "FunctionName") : "";
      if (function.empty()) {
        return InvalidParameter("ChainedInvokeOptions.FunctionName is required");
      }
      fresh["ChainedInvokeDetails"] = json::object{};
      fresh["_function"] = function;
      fresh["_payload"] = Str(u, "Payload");
      event_details =
          json::object{{"FunctionName", function}, {"Input", EventPayload(Str(u, "Payload"))}};
    } else {
      return InvalidParameter("Invalid operation type " + type);
    }
    Touch(fresh);
    index_[id] = ops_.size();
    ops_.push_back(std::move(fresh));
    AddEvent(prefix + "Started", ops_.back(), nullptr, {}, now_ms);
    events_.back().as_object()[prefix + "StartedDetails"] = std::move(event_details);
    return Status::Ok();
  }
  if (op == nullptr) {
    return InvalidParameter("Operation " + id + " has not been started");
  }
  if (Closed(Str(*op, "Status"))) {
    return InvalidParameter("Operation " + id + " is already " + Str(*op, "Status"));
  }
  // The details object is looked up again at each use: setting a member of *op may move its
  // members (a rehash), which would leave a reference to them dangling.
  auto d = [&]() -> json::object& { return DetailsOf(*op, details); };
  if (action == "SUCCEED" && (type == "STEP" || type == "CONTEXT")) {
    (*op)["Status"] = "SUCCEEDED";
    (*op)["EndTimestamp"] = Seconds(now_ms);
    // An absent Payload (a step that returned undefined) stays absent: the SDK reads "" as
    // JSON and fails.
    const bool has_payload = u.contains("Payload");
    if (has_payload) d()["Result"] = Str(u, "Payload");
    json::object event_details{{"Result", has_payload ? EventPayload(Str(u, "Payload"))
                                                      : json::object{{"Truncated", false}}}};
    if (type == "STEP") {
      event_details["RetryDetails"] =
          json::object{{"CurrentAttempt", IntMember(d(), "Attempt") + 1}};
    }
    Touch(*op);
    AddEvent(prefix + "Succeeded", *op, (prefix + "SucceededDetails").c_str(),
             std::move(event_details), now_ms);
    return Status::Ok();
  }
  if (action == "FAIL" && (type == "STEP" || type == "CONTEXT")) {
    (*op)["Status"] = "FAILED";
    (*op)["EndTimestamp"] = Seconds(now_ms);
    d()["Error"] = ErrorOf(u);
    json::object event_details{{"Error", EventErrorOf(ErrorOf(u))}};
    if (type == "STEP") {
      event_details["RetryDetails"] =
          json::object{{"CurrentAttempt", IntMember(d(), "Attempt") + 1}};
    }
    Touch(*op);
    AddEvent(prefix + "Failed", *op, (prefix + "FailedDetails").c_str(), std::move(event_details),
             now_ms);
    return Status::Ok();
  }
  if (action == "RETRY" && type == "STEP") {
    const json::value* s = u.if_contains("StepOptions");
    int64_t delay =
        s && s->is_object() ? IntMember(s->get_object(), "NextAttemptDelaySeconds", 1) : 1;
    int64_t attempt = IntMember(d(), "Attempt") + 1;
    int64_t due = now_ms + Scaled(delay, time_scale);
    (*op)["Status"] = "PENDING";
    (*op)["_due"] = due;
    d()["Attempt"] = attempt;
    d()["NextAttemptTimestamp"] = Seconds(due);
    d()["Error"] = ErrorOf(u);
    Touch(*op);
    AddEvent("StepFailed", *op, "StepFailedDetails",
             json::object{{"Error", EventErrorOf(ErrorOf(u))},
                          {"RetryDetails", json::object{{"CurrentAttempt", attempt},
                                                        {"NextAttemptDelaySeconds", delay}}}},
             now_ms);
    return Status::Ok();
  }
  if (action == "CANCEL" && type == "WAIT") {
    (*op)["Status"] = "CANCELLED";
    (*op)["EndTimestamp"] = Seconds(now_ms);
    op->erase("_due");
    Touch(*op);
    AddEvent("WaitCancelled", *op, "WaitCancelledDetails", json::object{}, now_ms);
    return Status::Ok();
  }
  return InvalidParameter("Invalid action " + action + " for a " + type + " operation");
}

bool DurableExecution::FireDue(int64_t now_ms) {
  if (!running()) return false;
  bool changed = false;
  for (json::object& op : ops_) {
    const std::string type = Str(op, "Type");
    const std::string st = Str(op, "Status");
    if (op.contains("_due") && IntMember(op, "_due") <= now_ms) {
      op.erase("_due");
      if (type == "WAIT" && st == "STARTED") {
        op["Status"] = "SUCCEEDED";
        op["EndTimestamp"] = Seconds(now_ms);
        Touch(op);
        json::object details;
        for (const json::value& ev : events_) {  // the wait's Duration, from its start
          const json::object* eo = ev.if_object();
          if (eo == nullptr || Str(*eo, "Id") != Str(op, "Id") ||
              Str(*eo, "EventType") != "WaitStarted") {
            continue;
          }
          const json::value* sd = eo->if_contains("WaitStartedDetails");
          if (sd && sd->is_object()) details["Duration"] = IntMember(sd->get_object(), "Duration");
        }
        AddEvent("WaitSucceeded", op, "WaitSucceededDetails", std::move(details), now_ms);
        changed = true;
      } else if (type == "STEP" && st == "PENDING") {
        op["Status"] = "READY";
        Touch(op);
        changed = true;
      }
    }
    if (type == "CALLBACK" && st == "STARTED") {
      const bool timeout = op.contains("_timeout_at") && IntMember(op, "_timeout_at") <= now_ms;
      const bool heartbeat =
          op.contains("_heartbeat_at") && IntMember(op, "_heartbeat_at") <= now_ms;
      if (timeout || heartbeat) {
        json::object error{
            {"ErrorType", timeout ? "Callback.Timeout" : "Callback.Heartbeat"},
            {"ErrorMessage", timeout ? "Callback timed out" : "Callback timed out on heartbeat"}};
        op["Status"] = "TIMED_OUT";
        op["EndTimestamp"] = Seconds(now_ms);
        DetailsOf(op, "CallbackDetails")["Error"] = error;
        op.erase("_timeout_at");
        op.erase("_heartbeat_at");
        Touch(op);
        AddEvent("CallbackTimedOut", op, "CallbackTimedOutDetails",
                 json::object{{"Error", EventErrorOf(error)}}, now_ms);
        changed = true;
      }
    }
  }
  if (changed) meta_["Wake"] = true;
  if (IntMember(meta_, "Deadline") <= now_ms) {
    json::object error{{"ErrorType", "ExecutionTimedOut"},
                       {"ErrorMessage", "The durable execution exceeded its ExecutionTimeout"}};
    Close("TIMED_OUT", nullptr, &error, now_ms);
    changed = true;
  }
  return changed;
}

std::optional<int64_t> DurableExecution::NextDue() const {
  if (!running()) return std::nullopt;
  int64_t next = IntMember(meta_, "Deadline");
  for (const json::object& op : ops_) {
    for (std::string_view member : {"_due", "_timeout_at", "_heartbeat_at"}) {
      if (op.contains(member)) next = std::min(next, IntMember(op, member));
    }
  }
  return next;
}

json::array DurableExecution::OperationsAfter(int64_t rev) const {
  json::array out;
  for (const json::object& op : ops_) {
    if (IntMember(op, "_rev") > rev) out.push_back(Wire(op));
  }
  return out;
}

json::array DurableExecution::OperationsPage(size_t from, size_t max,
                                             std::string* next_marker) const {
  json::array out;
  size_t i = from;
  for (; i < ops_.size() && out.size() < max; ++i) out.push_back(Wire(ops_[i]));
  *next_marker = i < ops_.size() ? std::to_string(i) : std::string();
  return out;
}

Result<json::object*> DurableExecution::WaitingCallback(const std::string& op_id) {
  json::object* op = Find(op_id);
  if (op == nullptr || Str(*op, "Type") != "CALLBACK") {
    return InvalidParameter("Invalid callback id");
  }
  if (Str(*op, "Status") != "STARTED" || !running()) {
    return LambdaStatus(LambdaError::kCallbackTimeout,
                        "Callback " + op_id + " is already " + Str(*op, "Status"));
  }
  return op;
}

Status DurableExecution::CompleteCallback(const std::string& op_id, bool success,
                                          std::string result, json::object error, int64_t now_ms) {
  auto waiting = WaitingCallback(op_id);
  if (!waiting.ok()) return waiting.status();
  json::object* op = *waiting;
  (*op)["Status"] = success ? "SUCCEEDED" : "FAILED";
  (*op)["EndTimestamp"] = Seconds(now_ms);
  op->erase("_timeout_at");
  op->erase("_heartbeat_at");
  // Looked up after the changes above: inserting or erasing members of *op moves them.
  json::object& d = DetailsOf(*op, "CallbackDetails");
  if (success) {
    d["Result"] = result;
  } else {
    d["Error"] = error;
  }
  Touch(*op);
  if (success) {
    AddEvent("CallbackSucceeded", *op, "CallbackSucceededDetails",
             json::object{{"Result", EventPayload(std::move(result))}}, now_ms);
  } else {
    AddEvent("CallbackFailed", *op, "CallbackFailedDetails",
             json::object{{"Error", EventErrorOf(std::move(error))}}, now_ms);
  }
  meta_["Wake"] = true;
  return Status::Ok();
}

Status DurableExecution::HeartbeatCallback(const std::string& op_id, int64_t now_ms) {
  auto waiting = WaitingCallback(op_id);
  if (!waiting.ok()) return waiting.status();
  json::object* op = *waiting;
  if (op->contains("_heartbeat_at")) {
    // The heartbeat timeout restarts (its window was scaled when the callback started).
    (*op)["_heartbeat_at"] = now_ms + IntMember(*op, "_heartbeat_window", 1);
  }
  return Status::Ok();
}

std::vector<DurableExecution::ChainedInvoke> DurableExecution::StartedChainedInvokes() const {
  std::vector<ChainedInvoke> out;
  for (const json::object& op : ops_) {
    if (Str(op, "Type") == "CHAINED_INVOKE" && Str(op, "Status") == "STARTED") {
      out.push_back({Str(op, "Id"), Str(op, "_function"), Str(op, "_payload")});
    }
  }
  return out;
}

Status DurableExecution::CompleteChainedInvoke(const std::string& op_id, bool success,
                                               std::string result, json::object error,
                                               int64_t now_ms) {
  json::object* op = Find(op_id);
  if (op == nullptr || Str(*op, "Type") != "CHAINED_INVOKE" || Str(*op, "Status") != "STARTED" ||
      !running()) {
    return Status::FailedPrecondition("chained invoke " + op_id + " is not waiting");
  }
  (*op)["Status"] = success ? "SUCCEEDED" : "FAILED";
  (*op)["EndTimestamp"] = Seconds(now_ms);
  op->erase("_payload");
  Touch(*op);
  // Looked up after the changes above: inserting or erasing members of *op moves them.
  json::object& d = DetailsOf(*op, "ChainedInvokeDetails");
  if (success) {
    d["Result"] = result;
    AddEvent("ChainedInvokeSucceeded", *op, "ChainedInvokeSucceededDetails",
             json::object{{"Result", EventPayload(std::move(result))}}, now_ms);
  } else {
    d["Error"] = error;
    AddEvent("ChainedInvokeFailed", *op, "ChainedInvokeFailedDetails",
             json::object{{"Error", EventErrorOf(std::move(error))}}, now_ms);
  }
  meta_["Wake"] = true;
  return Status::Ok();
}

int64_t DurableExecution::BeginInvocation() {
  int64_t n = IntMember(meta_, "Invocation") + 1;
  meta_["Invocation"] = n;
  meta_["Wake"] = false;
  meta_["Parked"] = false;
  return n;
}

void DurableExecution::Park() { meta_["Parked"] = true; }

void DurableExecution::AddInvocationCompleted(int64_t start_ms, int64_t end_ms,
                                              const std::string& request_id,
                                              const json::object* error) {
  json::object details{{"StartTimestamp", Seconds(start_ms)},
                       {"EndTimestamp", Seconds(end_ms)},
                       {"RequestId", request_id}};
  if (error != nullptr) details["Error"] = EventErrorOf(*error);
  AddEvent("InvocationCompleted", ops_.front(), "InvocationCompletedDetails", std::move(details),
           end_ms);
}

std::string DurableExecution::CheckpointedResult() const {
  return Str(meta_, "CheckpointedResult");
}

void DurableExecution::Close(const std::string& status, const std::string* result,
                             const json::object* error, int64_t now_ms) {
  if (!running()) return;
  meta_["Status"] = status;
  meta_["EndTimestamp"] = Seconds(now_ms);
  json::object& exec = ops_.front();
  exec["Status"] = status;
  exec["EndTimestamp"] = Seconds(now_ms);
  Touch(exec);
  if (result != nullptr) {
    meta_["Result"] = *result;
    AddEvent("ExecutionSucceeded", exec, "ExecutionSucceededDetails",
             json::object{{"Result", EventPayload(*result)}}, now_ms);
    return;
  }
  json::object e = error ? *error : json::object();
  meta_["Error"] = e;
  const std::string type = status == "FAILED"      ? "ExecutionFailed"
                           : status == "TIMED_OUT" ? "ExecutionTimedOut"
                                                   : "ExecutionStopped";
  AddEvent(type, exec, (type + "Details").c_str(), json::object{{"Error", EventErrorOf(e)}},
           now_ms);
}

json::object DurableExecution::Description() const {
  json::object out;
  for (std::string_view member :
       {"DurableExecutionArn", "DurableExecutionName", "FunctionArn", "InputPayload", "Result",
        "Error", "StartTimestamp", "Status", "EndTimestamp", "Version"}) {
    if (const json::value* v = meta_.if_contains(member)) out[member] = *v;
  }
  if (std::string trace = Str(meta_, "TraceHeader"); !trace.empty()) {
    out["TraceHeader"] = json::object{{"XAmznTraceId", trace}};
  }
  return out;
}

json::object DurableExecution::Summary() const {
  json::object out;
  for (std::string_view member : {"DurableExecutionArn", "DurableExecutionName", "FunctionArn",
                                  "Status", "StartTimestamp", "EndTimestamp"}) {
    if (const json::value* v = meta_.if_contains(member)) out[member] = *v;
  }
  return out;
}

std::string EncodeCallbackId(std::string_view execution_arn, std::string_view op_id) {
  std::string raw(execution_arn);
  raw.push_back('\n');
  raw.append(op_id);
  return Base64Encode(raw);
}

std::optional<std::pair<std::string, std::string>> DecodeCallbackId(std::string_view id) {
  auto raw = Base64Decode(id);
  if (!raw) return std::nullopt;
  size_t nl = raw->find('\n');
  if (nl == std::string::npos) return std::nullopt;
  return std::make_pair(raw->substr(0, nl), raw->substr(nl + 1));
}

std::string EncodeCheckpointToken(int64_t invocation, int64_t rev) {
  return Base64Encode(std::to_string(invocation) + ":" + std::to_string(rev));
}

std::optional<std::pair<int64_t, int64_t>> DecodeCheckpointToken(std::string_view token) {
  auto raw = Base64Decode(token);
  if (!raw) return std::nullopt;
  size_t colon = raw->find(':');
  if (colon == std::string::npos) return std::nullopt;
  try {
    return std::make_pair(std::stoll(raw->substr(0, colon)), std::stoll(raw->substr(colon + 1)));
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace tidepool::lambda::durable
