// State machine operations: Create/Describe/Update/Delete/List, ValidateStateMachineDefinition,
// DescribeStateMachineForExecution and tags (of state machines and activities).
#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/encoding.h"
#include "protocol/input.h"
#include "services/stepfunctions/keyspace.h"
#include "services/stepfunctions/names.h"
#include "services/stepfunctions/sfn_errors.h"
#include "services/stepfunctions/stepfunctions_service.h"
#include "services/write_path.h"

namespace tidepool::sfn {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputArray;
using protocol::InputObject;
using protocol::InputStringView;

namespace {

Result<std::shared_ptr<const asl::Definition>> ParseDefinition(std::string_view text) {
  std::vector<asl::Diagnostic> diags;
  auto def = asl::Definition::Parse(text, &diags);
  if (!def) return SfnStatus(SfnError::kInvalidDefinition, asl::InvalidDefinitionMessage(diags));
  return def;
}

void ReadTags(const json::object& in, std::map<std::string, std::string>* tags) {
  if (const auto* list = InputArray(in, "tags")) {
    for (const auto& t : *list) {
      const auto& o = t.as_object();
      std::string key = o.contains("key") ? std::string(o.at("key").as_string()) : "";
      std::string value = o.contains("value") ? std::string(o.at("value").as_string()) : "";
      (*tags)[key] = value;
    }
  }
}

}  // namespace

void StepFunctionsService::CreateStateMachine(CallPtr call) {
  const auto& in = call->input();
  std::string name(InputStringView(in, "name").value_or(""));
  if (Status s = CheckName(name); !s.ok()) return Fail(call, s);
  std::string definition(InputStringView(in, "definition").value_or(""));
  auto parsed = ParseDefinition(definition);
  if (!parsed.ok()) return Fail(call, parsed.status());
  std::string type(InputStringView(in, "type").value_or("STANDARD"));
  std::string role(InputStringView(in, "roleArn").value_or(""));
  const auto& ctx = call->context();
  std::string arn =
      fmt::format("arn:aws:states:{}:{}:stateMachine:{}", ctx.region, ctx.account_id, name);
  if (auto existing = FindMachine(arn)) {
    std::shared_lock lock(mu_);
    if (existing->definition == definition && existing->role_arn == role &&
        existing->type == type) {
      call->Reply(json::object{{"stateMachineArn", arn}, {"creationDate", existing->created}});
      return;
    }
    return Fail(call, SfnStatus(SfnError::kStateMachineAlreadyExists,
                                fmt::format("State Machine Already Exists: '{}'", arn)));
  }
  auto m = std::make_shared<StateMachine>();
  m->uid = NextUid();
  m->arn = arn;
  m->name = name;
  m->type = type;
  m->definition = definition;
  m->role_arn = role;
  m->description = std::string(InputStringView(in, "description").value_or(""));
  m->created = m->updated = clock_.NowSeconds();
  m->revision_id = NewUuid();
  m->parsed = std::move(parsed).value();
  if (const auto* l = InputObject(in, "loggingConfiguration")) m->logging = *l;
  if (const auto* t = InputObject(in, "tracingConfiguration")) m->tracing = *t;
  ReadTags(in, &m->tags);
  const bool publish = protocol::InputBool(in, "publish").value_or(false);
  storage::WriteBatch batch;
  {
    std::unique_lock lock(mu_);
    if (machines_.count(arn)) {
      return Fail(call, SfnStatus(SfnError::kStateMachineAlreadyExists,
                                  fmt::format("State Machine Already Exists: '{}'", arn)));
    }
    machines_[arn] = m;
    json::object out{{"stateMachineArn", arn}, {"creationDate", m->created}};
    if (publish) {
      auto v = PublishLocked(
          *m, std::string(InputStringView(in, "versionDescription").value_or("")), &batch);
      out["stateMachineVersionArn"] = v->arn;
    }
    batch.Put(keyspace::Key('m', m->uid), json::serialize(MachineRecord(*m)));
    Submit(std::move(batch), call,
           services::ReplyWhenCommitted(call, std::move(out), &ToAwsError, "stepfunctions"));
  }
}

void StepFunctionsService::DescribeStateMachine(CallPtr call) {
  auto m = ResolveMachine(InputStringView(call->input(), "stateMachineArn").value_or(""));
  if (!m.ok()) return Fail(call, m.status());
  std::shared_lock lock(mu_);
  const StateMachine& sm = **m;
  // A version describes itself under its own ARN, with the version's description.
  json::object out{{"stateMachineArn", sm.arn},  {"name", sm.name},
                   {"status", "ACTIVE"},         {"definition", sm.definition},
                   {"roleArn", sm.role_arn},     {"type", sm.type},
                   {"creationDate", sm.created}, {"revisionId", sm.revision_id}};
  out["loggingConfiguration"] =
      sm.logging.empty() ? json::object{{"level", "OFF"}, {"includeExecutionData", false}}
                         : sm.logging;
  out["tracingConfiguration"] = sm.tracing.empty() ? json::object{{"enabled", false}} : sm.tracing;
  if (!sm.description.empty()) out["description"] = sm.description;
  call->Reply(std::move(out));
}

void StepFunctionsService::DescribeStateMachineForExecution(CallPtr call) {
  auto ex = ResolveExecution(InputStringView(call->input(), "executionArn").value_or(""));
  if (!ex.ok()) return Fail(call, ex.status());
  auto m = FindMachine((*ex)->machine_arn);
  json::object out{{"stateMachineArn", (*ex)->machine_arn},
                   {"definition", (*ex)->definition_text},
                   {"updateDate", (*ex)->start}};
  std::shared_lock lock(mu_);
  out["name"] = m ? m->name : (*ex)->machine_arn.substr((*ex)->machine_arn.rfind(':') + 1);
  out["roleArn"] = m ? m->role_arn : "";
  if (!(*ex)->map_run_arn.empty()) {
    // A Map Run's child: its machine is "<machine>/<label>".
    std::string name(out["name"].get_string());
    out["mapRunArn"] = (*ex)->map_run_arn;
    out["label"] = name.substr(name.find('/') + 1);
  }
  if (m) {
    out["revisionId"] = m->revision_id;
    out["loggingConfiguration"] =
        m->logging.empty() ? json::object{{"level", "OFF"}, {"includeExecutionData", false}}
                           : m->logging;
    out["tracingConfiguration"] =
        m->tracing.empty() ? json::object{{"enabled", false}} : m->tracing;
  }
  call->Reply(std::move(out));
}

void StepFunctionsService::UpdateStateMachine(CallPtr call) {
  const auto& in = call->input();
  auto m = ResolveMachine(InputStringView(in, "stateMachineArn").value_or(""));
  if (!m.ok()) return Fail(call, m.status());
  if (!(*m)->parent.empty()) {
    return Fail(call, SfnStatus(SfnError::kValidation,
                                fmt::format("Versions cannot be updated: '{}'", (*m)->arn)));
  }
  const bool publish = protocol::InputBool(in, "publish").value_or(false);
  auto definition = InputStringView(in, "definition");
  auto role = InputStringView(in, "roleArn");
  const auto* logging = InputObject(in, "loggingConfiguration");
  const auto* tracing = InputObject(in, "tracingConfiguration");
  if (!definition && !role && !logging && !tracing && !publish) {
    return Fail(call, SfnStatus(SfnError::kValidation,
                                "1 validation error detected: at least one of definition, "
                                "roleArn, loggingConfiguration or tracingConfiguration must be "
                                "specified"));
  }
  std::shared_ptr<const asl::Definition> parsed;
  if (definition) {
    auto p = ParseDefinition(*definition);
    if (!p.ok()) return Fail(call, p.status());
    parsed = std::move(p).value();
  }
  std::unique_lock lock(mu_);
  StateMachine& sm = **m;
  if (definition) {
    sm.definition = std::string(*definition);
    sm.parsed = parsed;
  }
  if (role) sm.role_arn = std::string(*role);
  if (logging) sm.logging = *logging;
  if (tracing) sm.tracing = *tracing;
  if (definition || role || logging || tracing) {
    sm.updated = clock_.NowSeconds();
    sm.revision_id = NewUuid();
  }
  storage::WriteBatch batch;
  json::object out{{"updateDate", sm.updated}, {"revisionId", sm.revision_id}};
  if (publish) {
    auto v = PublishLocked(sm, std::string(InputStringView(in, "versionDescription").value_or("")),
                           &batch);
    out["stateMachineVersionArn"] = v->arn;
  }
  batch.Put(keyspace::Key('m', sm.uid), json::serialize(MachineRecord(sm)));
  Submit(std::move(batch), call,
         services::ReplyWhenCommitted(call, std::move(out), &ToAwsError, "stepfunctions"));
}

void StepFunctionsService::DeleteStateMachine(CallPtr call) {
  std::string_view arn = InputStringView(call->input(), "stateMachineArn").value_or("");
  auto m = ResolveMachine(arn);
  if (!m.ok()) {
    // Deleting a machine that is gone succeeds, as on AWS.
    if (m.status().detail() == static_cast<uint16_t>(SfnError::kStateMachineDoesNotExist)) {
      call->Reply({});
      return;
    }
    return Fail(call, m.status());
  }
  if (!(*m)->parent.empty()) {
    return Fail(call, SfnStatus(SfnError::kValidation,
                                fmt::format("Use DeleteStateMachineVersion to delete a version: "
                                            "'{}'",
                                            (*m)->arn)));
  }
  std::unique_lock lock(mu_);
  machines_.erase((*m)->arn);
  storage::WriteBatch batch;
  batch.Delete(keyspace::Key('m', (*m)->uid));
  // Its versions and aliases go with it.
  const std::string prefix = (*m)->arn + ":";
  for (auto it = versions_.lower_bound(prefix);
       it != versions_.end() && it->first.starts_with(prefix);) {
    batch.Delete(keyspace::Key('m', it->second->uid));
    it = versions_.erase(it);
  }
  for (auto it = aliases_.lower_bound(prefix);
       it != aliases_.end() && it->first.starts_with(prefix);) {
    batch.Delete(keyspace::Key('l', it->second->uid));
    it = aliases_.erase(it);
  }
  Submit(std::move(batch), call,
         services::ReplyWhenCommitted(call, {}, &ToAwsError, "stepfunctions"));
}

void StepFunctionsService::ListStateMachines(CallPtr call) {
  const auto& in = call->input();
  auto start = ParsePageToken(InputStringView(in, "nextToken"));
  if (!start.ok()) return Fail(call, start.status());
  const auto& ctx = call->context();
  std::shared_lock lock(mu_);
  auto [list, next] = ListPage(
      machines_, fmt::format("arn:aws:states:{}:{}:stateMachine:", ctx.region, ctx.account_id),
      *start, protocol::InputInt(in, "maxResults").value_or(0), [](const StateMachine& sm) {
        return json::object{{"stateMachineArn", sm.arn},
                            {"name", sm.name},
                            {"type", sm.type},
                            {"creationDate", sm.created}};
      });
  json::object out{{"stateMachines", std::move(list)}};
  if (!next.empty()) out["nextToken"] = next;
  call->Reply(std::move(out));
}

void StepFunctionsService::ValidateStateMachineDefinition(CallPtr call) {
  std::string_view text = InputStringView(call->input(), "definition").value_or("");
  std::vector<asl::Diagnostic> diags;
  auto def = asl::Definition::Parse(text, &diags);
  json::array out;
  for (const auto& d : diags) {
    out.push_back(json::object{{"severity", "ERROR"},
                               {"code", d.code},
                               {"message", d.message},
                               {"location", d.location.empty() ? "/" : d.location}});
  }
  call->Reply(json::object{
      {"result", def ? "OK" : "FAIL"}, {"diagnostics", std::move(out)}, {"truncated", false}});
}

void StepFunctionsService::TagResource(CallPtr call) {
  const auto& in = call->input();
  std::string_view arn = InputStringView(in, "resourceArn").value_or("");
  std::unique_lock lock(mu_);
  storage::WriteBatch batch;
  if (auto it = machines_.find(std::string(arn)); it != machines_.end()) {
    ReadTags(in, &it->second->tags);
    if (it->second->tags.size() > 50) {
      return Fail(call, SfnStatus(SfnError::kTooManyTags, "Too many tags"));
    }
    batch.Put(keyspace::Key('m', it->second->uid), json::serialize(MachineRecord(*it->second)));
  } else if (auto a = activities_.find(std::string(arn)); a != activities_.end()) {
    ReadTags(in, &a->second->tags);
    json::object tags;
    for (const auto& [k, v] : a->second->tags) tags[k] = v;
    batch.Put(keyspace::Key('a', a->second->uid),
              json::serialize(json::object{{"arn", a->second->arn},
                                           {"name", a->second->name},
                                           {"created", a->second->created},
                                           {"tags", std::move(tags)}}));
  } else {
    return Fail(
        call, SfnStatus(SfnError::kResourceNotFound, fmt::format("Resource not found: '{}'", arn)));
  }
  Submit(std::move(batch), call,
         services::ReplyWhenCommitted(call, {}, &ToAwsError, "stepfunctions"));
}

void StepFunctionsService::UntagResource(CallPtr call) {
  const auto& in = call->input();
  std::string_view arn = InputStringView(in, "resourceArn").value_or("");
  std::unique_lock lock(mu_);
  std::map<std::string, std::string>* tags = nullptr;
  storage::WriteBatch batch;
  auto it = machines_.find(std::string(arn));
  auto a = activities_.find(std::string(arn));
  if (it != machines_.end()) {
    tags = &it->second->tags;
  } else if (a != activities_.end()) {
    tags = &a->second->tags;
  } else {
    return Fail(
        call, SfnStatus(SfnError::kResourceNotFound, fmt::format("Resource not found: '{}'", arn)));
  }
  if (const auto* keys = InputArray(in, "tagKeys")) {
    for (const auto& k : *keys) tags->erase(std::string(k.as_string()));
  }
  if (it != machines_.end()) {
    batch.Put(keyspace::Key('m', it->second->uid), json::serialize(MachineRecord(*it->second)));
  } else {
    json::object t;
    for (const auto& [k, v] : *tags) t[k] = v;
    batch.Put(keyspace::Key('a', a->second->uid),
              json::serialize(json::object{{"arn", a->second->arn},
                                           {"name", a->second->name},
                                           {"created", a->second->created},
                                           {"tags", std::move(t)}}));
  }
  Submit(std::move(batch), call,
         services::ReplyWhenCommitted(call, {}, &ToAwsError, "stepfunctions"));
}

void StepFunctionsService::ListTagsForResource(CallPtr call) {
  std::string arn(InputStringView(call->input(), "resourceArn").value_or(""));
  std::shared_lock lock(mu_);
  const std::map<std::string, std::string>* tags = nullptr;
  if (auto it = machines_.find(arn); it != machines_.end()) tags = &it->second->tags;
  if (auto a = activities_.find(arn); a != activities_.end()) tags = &a->second->tags;
  if (!tags) {
    return Fail(
        call, SfnStatus(SfnError::kResourceNotFound, fmt::format("Resource not found: '{}'", arn)));
  }
  json::array out;
  for (const auto& [k, v] : *tags) out.push_back(json::object{{"key", k}, {"value", v}});
  call->Reply(json::object{{"tags", std::move(out)}});
}

}  // namespace tidepool::sfn
