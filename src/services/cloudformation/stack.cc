#include "services/cloudformation/stack.h"

#include <boost/json.hpp>

namespace tidepool::cloudformation {
namespace json = boost::json;

namespace {

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
double Num(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<double>() : 0;
}
json::object Obj(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? v->get_object() : json::object();
}
json::array Arr(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_array() ? v->get_array() : json::array();
}
json::array Strings(const auto& list) {
  json::array a;
  for (const auto& s : list) a.emplace_back(s);
  return a;
}
std::vector<std::string> StringList(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& v : Arr(o, key)) {
    if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

json::object EncodeResource(const StackResource& r) {
  json::object o{{"id", r.logical_id},    {"type", r.type},        {"pid", r.physical_id},
                 {"status", r.status},    {"reason", r.reason},    {"policy", r.deletion_policy},
                 {"props", r.properties}, {"attrs", r.attributes}, {"updated", r.updated}};
  if (!r.pending.empty()) o["pending"] = r.pending;
  return o;
}
StackResource DecodeResource(const json::object& o) {
  StackResource r;
  r.logical_id = Str(o, "id");
  r.type = Str(o, "type");
  r.physical_id = Str(o, "pid");
  r.status = Str(o, "status");
  r.reason = Str(o, "reason");
  r.deletion_policy = Str(o, "policy");
  r.properties = Obj(o, "props");
  r.attributes = Obj(o, "attrs");
  r.updated = Num(o, "updated");
  r.pending = Obj(o, "pending");
  return r;
}

json::object EncodeTemplate(const DeployedTemplate& t) {
  json::object text;
  for (const auto& [k, v] : t.parameters.text) text[k] = v;
  return {{"body", t.body},
          {"processed", t.processed},
          {"values", t.parameters.values},
          {"text", std::move(text)},
          {"noecho", Strings(t.parameters.no_echo)}};
}
DeployedTemplate DecodeTemplate(const json::object& o) {
  DeployedTemplate t;
  t.body = Str(o, "body");
  if (const auto* p = o.if_contains("processed")) t.processed = *p;
  t.parameters.values = Obj(o, "values");
  for (const auto& [k, v] : Obj(o, "text")) {
    if (v.is_string()) t.parameters.text[k] = std::string(v.get_string());
  }
  for (auto& s : StringList(o, "noecho")) t.parameters.no_echo.insert(std::move(s));
  return t;
}

}  // namespace

StackResource* Stack::FindResource(std::string_view logical_id) {
  for (auto& r : resources) {
    if (r.logical_id == logical_id) return &r;
  }
  return nullptr;
}
const StackResource* Stack::FindResource(std::string_view logical_id) const {
  return const_cast<Stack*>(this)->FindResource(logical_id);
}
ChangeSet* Stack::FindChangeSet(std::string_view name_or_id) {
  for (auto& c : change_sets) {
    if (c.name == name_or_id || c.id == name_or_id) return &c;
  }
  return nullptr;
}
bool Stack::InProgress() const {
  return status.ends_with("_IN_PROGRESS") && status != "REVIEW_IN_PROGRESS";
}

void Stack::RevertToPrevious() {
  for (auto& old : superseded) {
    StackResource* now = FindResource(old.logical_id);
    if (now == nullptr) continue;
    std::swap(*now, old);
    now->deletion_policy = old.deletion_policy;
    old.deletion_policy = "Delete";  // a replacement the rollback undoes goes
  }
  if (has_previous) current = previous;
}

std::string EncodeStack(const Stack& s) {
  json::array resources, superseded, events, change_sets;
  for (const auto& r : s.resources) resources.push_back(EncodeResource(r));
  for (const auto& r : s.superseded) superseded.push_back(EncodeResource(r));
  for (const auto& e : s.events) {
    events.push_back(json::object{{"id", e.event_id},
                                  {"lid", e.logical_id},
                                  {"pid", e.physical_id},
                                  {"type", e.type},
                                  {"status", e.status},
                                  {"reason", e.reason},
                                  {"props", e.properties},
                                  {"token", e.request_token},
                                  {"ts", e.timestamp}});
  }
  for (const auto& c : s.change_sets) {
    change_sets.push_back(json::object{{"id", c.id},
                                       {"name", c.name},
                                       {"type", c.type},
                                       {"status", c.status},
                                       {"exec", c.execution_status},
                                       {"reason", c.status_reason},
                                       {"description", c.description},
                                       {"created", c.created},
                                       {"target", EncodeTemplate(c.target)},
                                       {"changes", c.changes},
                                       {"tags", c.tags},
                                       {"capabilities", Strings(c.capabilities)},
                                       {"has_template", c.has_template}});
  }
  json::object o{{"id", s.id},
                 {"name", s.name},
                 {"account", s.account},
                 {"region", s.region},
                 {"status", s.status},
                 {"reason", s.reason},
                 {"description", s.description},
                 {"created", s.created},
                 {"updated", s.updated},
                 {"deleted", s.deleted},
                 {"current", EncodeTemplate(s.current)},
                 {"on_failure", s.on_failure},
                 {"protect", s.termination_protection},
                 {"capabilities", Strings(s.capabilities)},
                 {"notification_arns", Strings(s.notification_arns)},
                 {"role", s.role_arn},
                 {"timeout", s.timeout_minutes},
                 {"tags", s.tags},
                 {"outputs", s.outputs},
                 {"imports", Strings(s.imports)},
                 {"resources", std::move(resources)},
                 {"superseded", std::move(superseded)},
                 {"events", std::move(events)},
                 {"change_sets", std::move(change_sets)},
                 {"token", s.request_token}};
  if (s.has_previous) o["previous"] = EncodeTemplate(s.previous);
  return json::serialize(o);
}

Result<Stack> DecodeStack(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Status::Corruption("unreadable CloudFormation stack record");
  const json::object& o = v.get_object();
  Stack s;
  s.id = Str(o, "id");
  s.name = Str(o, "name");
  s.account = Str(o, "account");
  s.region = Str(o, "region");
  s.status = Str(o, "status");
  s.reason = Str(o, "reason");
  s.description = Str(o, "description");
  s.created = Num(o, "created");
  s.updated = Num(o, "updated");
  s.deleted = Num(o, "deleted");
  s.current = DecodeTemplate(Obj(o, "current"));
  if (o.contains("previous")) {
    s.previous = DecodeTemplate(Obj(o, "previous"));
    s.has_previous = true;
  }
  s.on_failure = Str(o, "on_failure");
  const json::value* protect = o.if_contains("protect");
  s.termination_protection = protect && protect->is_bool() && protect->get_bool();
  s.capabilities = StringList(o, "capabilities");
  s.notification_arns = StringList(o, "notification_arns");
  s.role_arn = Str(o, "role");
  const json::value* timeout = o.if_contains("timeout");
  s.timeout_minutes = timeout && timeout->is_int64() ? timeout->get_int64() : 0;
  s.tags = Arr(o, "tags");
  s.outputs = Arr(o, "outputs");
  for (auto& i : StringList(o, "imports")) s.imports.insert(std::move(i));
  for (const auto& r : Arr(o, "resources")) {
    if (r.is_object()) s.resources.push_back(DecodeResource(r.get_object()));
  }
  for (const auto& r : Arr(o, "superseded")) {
    if (r.is_object()) s.superseded.push_back(DecodeResource(r.get_object()));
  }
  for (const auto& ev : Arr(o, "events")) {
    if (!ev.is_object()) continue;
    const auto& e = ev.get_object();
    s.events.push_back({Str(e, "id"), Str(e, "lid"), Str(e, "pid"), Str(e, "type"),
                        Str(e, "status"), Str(e, "reason"), Str(e, "props"), Str(e, "token"),
                        Num(e, "ts")});
  }
  for (const auto& cv : Arr(o, "change_sets")) {
    if (!cv.is_object()) continue;
    const auto& c = cv.get_object();
    ChangeSet cs;
    cs.id = Str(c, "id");
    cs.name = Str(c, "name");
    cs.type = Str(c, "type");
    cs.status = Str(c, "status");
    cs.execution_status = Str(c, "exec");
    cs.status_reason = Str(c, "reason");
    cs.description = Str(c, "description");
    cs.created = Num(c, "created");
    cs.target = DecodeTemplate(Obj(c, "target"));
    cs.changes = Arr(c, "changes");
    cs.tags = Arr(c, "tags");
    cs.capabilities = StringList(c, "capabilities");
    const json::value* has = c.if_contains("has_template");
    cs.has_template = !has || !has->is_bool() || has->get_bool();
    s.change_sets.push_back(std::move(cs));
  }
  s.request_token = Str(o, "token");
  return s;
}

json::array RenderParameters(const ParameterValues& p) {
  json::array out;
  for (const auto& [key, value] : p.text) {
    out.push_back(json::object{{"ParameterKey", key},
                               {"ParameterValue", p.no_echo.contains(key) ? "****" : value}});
  }
  return out;
}

json::object RenderStack(const Stack& s) {
  json::object o{{"StackId", s.id},
                 {"StackName", s.name},
                 {"CreationTime", s.created},
                 {"StackStatus", s.status},
                 {"DisableRollback", s.on_failure == "DO_NOTHING"},
                 {"NotificationARNs", Strings(s.notification_arns)},
                 {"Tags", s.tags},
                 {"EnableTerminationProtection", s.termination_protection},
                 {"DriftInformation", json::object{{"StackDriftStatus", "NOT_CHECKED"}}}};
  if (!s.description.empty()) o["Description"] = s.description;
  if (!s.reason.empty()) o["StackStatusReason"] = s.reason;
  if (s.updated > 0) o["LastUpdatedTime"] = s.updated;
  if (s.deleted > 0) o["DeletionTime"] = s.deleted;
  json::array params = RenderParameters(s.current.parameters);
  if (!params.empty()) o["Parameters"] = std::move(params);
  if (!s.capabilities.empty()) o["Capabilities"] = Strings(s.capabilities);
  if (!s.outputs.empty()) o["Outputs"] = s.outputs;
  if (!s.role_arn.empty()) o["RoleARN"] = s.role_arn;
  if (s.timeout_minutes > 0) o["TimeoutInMinutes"] = s.timeout_minutes;
  return o;
}

json::object RenderEvent(const Stack& s, const StackEvent& e) {
  json::object o{{"StackId", s.id},
                 {"EventId", e.event_id},
                 {"StackName", s.name},
                 {"LogicalResourceId", e.logical_id},
                 {"PhysicalResourceId", e.physical_id},
                 {"ResourceType", e.type},
                 {"Timestamp", e.timestamp},
                 {"ResourceStatus", e.status}};
  if (!e.reason.empty()) o["ResourceStatusReason"] = e.reason;
  if (!e.properties.empty()) o["ResourceProperties"] = e.properties;
  if (!e.request_token.empty()) o["ClientRequestToken"] = e.request_token;
  return o;
}

}  // namespace tidepool::cloudformation
