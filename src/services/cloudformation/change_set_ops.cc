// Change sets: CreateChangeSet (CREATE and UPDATE), DescribeChangeSet, ExecuteChangeSet,
// DeleteChangeSet, ListChangeSets. A change set's preview is computed when it is created (on
// the preparation thread) and stored with its stack.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>

#include "core/encoding.h"
#include "services/cloudformation/cloudformation_service.h"
#include "services/cloudformation/dependencies.h"
#include "services/cloudformation/intrinsics.h"
#include "services/cloudformation/request_input.h"

namespace tidepool::cloudformation {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// References as a change set's preview sees them: the stack's resources as they are, the
// resources still to be created as placeholders.
class PreviewResolver final : public ResourceResolver {
 public:
  explicit PreviewResolver(const Stack& s) : stack_(s) {}
  Result<json::value> Ref(const std::string& logical_id) const override {
    const StackResource* r = stack_.FindResource(logical_id);
    if (r && !r->physical_id.empty()) return json::value(r->physical_id);
    return json::value("{{" + logical_id + "}}");
  }
  Result<json::value> GetAtt(const std::string& logical_id,
                             const std::string& attribute) const override {
    const StackResource* r = stack_.FindResource(logical_id);
    if (r) {
      if (const json::value* v = r->attributes.if_contains(attribute)) return *v;
    }
    return json::value("{{" + logical_id + "." + attribute + "}}");
  }
  Result<json::value> ImportValue(const std::string& name) const override {
    return json::value("{{ImportValue " + name + "}}");
  }

 private:
  const Stack& stack_;
};

json::object ResourceChange(std::string_view action, const std::string& logical_id,
                            const std::string& type, const std::string& physical_id) {
  json::object change{{"Action", action},
                      {"LogicalResourceId", logical_id},
                      {"ResourceType", type},
                      {"Scope", json::array()},
                      {"Details", json::array()}};
  if (!physical_id.empty()) change["PhysicalResourceId"] = physical_id;
  return change;
}

// The Changes of going from `s`'s resources to `target`.
Result<json::array> ComputeChanges(const Stack& s, const DeployedTemplate& target) {
  auto t = ReadTemplate(target.processed);
  if (!t.ok()) return t.status();
  StackContext context;
  context.account_id = s.account;
  context.region = s.region;
  context.stack_name = s.name;
  context.stack_id = s.id;
  Evaluator ev(*t, target.parameters, context);
  if (!ev.conditions_status().ok()) return ev.conditions_status();
  PreviewResolver resolver(s);
  ev.set_resolver(&resolver);
  auto graph = ResolveDependencies(*t, [&](const std::string& c) { return ev.Active(c); });
  if (!graph.ok()) return graph.status();
  json::array changes;
  auto add = [&](json::object change) {
    changes.push_back(json::object{{"Type", "Resource"}, {"ResourceChange", std::move(change)}});
  };
  std::set<std::string> active(graph->order.begin(), graph->order.end());
  for (const std::string& id : graph->order) {
    const Resource& r = *t->FindResource(id);
    const StackResource* existing = s.FindResource(id);
    if (existing == nullptr || existing->physical_id.empty()) {
      add(ResourceChange("Add", id, r.type, ""));
      continue;
    }
    auto props = ev.Properties(r);
    if (!props.ok()) return props.status();
    if (existing->type == r.type && existing->properties == *props) continue;
    const ProviderEntry* entry = FindProvider(r.type);
    const bool replace = existing->type != r.type || entry == nullptr ||
                         entry->provider->RequiresReplacement(existing->properties, *props);
    json::object change = ResourceChange("Modify", id, r.type, existing->physical_id);
    change["Replacement"] = replace ? "True" : "False";
    change["Scope"] = json::array{"Properties"};
    json::array details;
    std::set<std::string> keys;
    for (const auto& [k, _] : *props) keys.insert(k);
    for (const auto& [k, _] : existing->properties) keys.insert(k);
    for (const auto& k : keys) {
      const json::value* before = existing->properties.if_contains(k);
      const json::value* after = props->if_contains(k);
      if (before && after && *before == *after) continue;
      json::object one;
      one[k] = after ? *after : json::value();
      json::object old_one;
      old_one[k] = before ? *before : json::value();
      const bool recreate = entry != nullptr && entry->provider->RequiresReplacement(old_one, one);
      details.push_back(json::object{
          {"Target", json::object{{"Attribute", "Properties"},
                                  {"Name", k},
                                  {"RequiresRecreation", recreate ? "Always" : "Never"}}},
          {"Evaluation", "Static"},
          {"ChangeSource", "DirectModification"}});
    }
    change["Details"] = std::move(details);
    add(std::move(change));
  }
  for (const auto& r : s.resources) {
    if (!active.contains(r.logical_id) && !r.physical_id.empty()) {
      add(ResourceChange("Remove", r.logical_id, r.type, r.physical_id));
    }
  }
  return changes;
}

bool IsChangeSetArn(std::string_view name) { return name.starts_with("arn:"); }

protocol::AwsError ChangeSetNotFound(const std::string& name) {
  return {"ChangeSetNotFound", "ChangeSet [" + name + "] does not exist", 404};
}

}  // namespace

void CloudFormationService::CreateChangeSet(CallPtr call) {
  prepare_.Post([this, call] {
    const json::object& in = call->input();
    const auto& ctx = call->context();
    const std::string name = InputString(in, "StackName");
    const std::string cs_name = InputString(in, "ChangeSetName");
    std::string type = InputString(in, "ChangeSetType");
    if (type.empty()) type = "UPDATE";
    if (Status st = CheckName(cs_name, "changeSetName"); !st.ok()) return Fail(call, st);
    if (type == "IMPORT") {
      return Fail(call, Status::InvalidArgument(
                            "tidepool does not support resource import (ChangeSetType IMPORT)"));
    }
    std::optional<Stack> existing;
    {
      std::lock_guard lock(mu_);
      if (Stack* s = FindStack(ctx, name)) existing = *s;
    }
    Stack s;
    if (type == "CREATE") {
      if (existing && existing->status != "REVIEW_IN_PROGRESS") {
        return Fail(call, Status::AlreadyExists(fmt::format(
                              "Stack [{}] already exists and cannot be created again with the "
                              "changeSet [{}].",
                              name, cs_name)));
      }
      if (existing) {
        s = *existing;
      } else {
        if (name.empty() || IsChangeSetArn(name)) {
          return Fail(call, Status::InvalidArgument("Stack [" + name + "] does not exist"));
        }
        s.id = fmt::format("arn:aws:cloudformation:{}:{}:stack/{}/{}", ctx.region, ctx.account_id,
                           name, NewUuid());
        s.name = name;
        s.account = ctx.account_id;
        s.region = ctx.region;
        s.created = clock_.NowSeconds();
        s.status = "REVIEW_IN_PROGRESS";
        deployer_.AddStackEvent(s, s.status, "User Initiated");
      }
    } else {
      if (!existing || existing->status == "REVIEW_IN_PROGRESS") {
        return Fail(call, Status::InvalidArgument("Stack [" + name + "] does not exist"));
      }
      s = *existing;
      if (s.InProgress() || s.status == "ROLLBACK_COMPLETE" || s.status.ends_with("_FAILED")) {
        return Fail(call, Status::InvalidArgument(fmt::format(
                              "Stack:{} is in {} state and can not be updated.", s.id, s.status)));
      }
    }
    if (s.FindChangeSet(cs_name) != nullptr) {
      return Fail(call, Status::AlreadyExists("ChangeSet [" + cs_name + "] already exists"));
    }
    auto prepared = PrepareFromCall(*call, s.name, type == "UPDATE" ? &s : nullptr);
    if (!prepared.ok()) return Fail(call, prepared.status());
    ChangeSet cs;
    cs.id = fmt::format("arn:aws:cloudformation:{}:{}:changeSet/{}/{}", ctx.region, ctx.account_id,
                        cs_name, NewUuid());
    cs.name = cs_name;
    cs.type = type;
    cs.description = InputString(in, "Description");
    cs.created = clock_.NowSeconds();
    cs.capabilities = InputStrings(in, "Capabilities");
    if (const auto* tags = in.if_contains("Tags"); tags && tags->is_array()) {
      cs.tags = tags->get_array();
    }
    auto changes = ComputeChanges(s, prepared->deployed);
    if (!changes.ok()) {
      cs.status = "FAILED";
      cs.execution_status = "UNAVAILABLE";
      cs.status_reason = changes.status().message();
    } else if (changes->empty() && type == "UPDATE" &&
               prepared->deployed.processed == s.current.processed &&
               prepared->deployed.parameters.text == s.current.parameters.text) {
      cs.status = "FAILED";
      cs.execution_status = "UNAVAILABLE";
      cs.status_reason =
          "The submitted information didn't contain changes. Submit different information to "
          "create a change set.";
    } else {
      cs.status = "CREATE_COMPLETE";
      cs.execution_status = "AVAILABLE";
      cs.changes = std::move(*changes);
    }
    cs.target = std::move(prepared->deployed);
    s.change_sets.push_back(std::move(cs));
    if (Status st = Save(s); !st.ok()) return Fail(call, st);
    call->Reply(json::object{{"Id", s.change_sets.back().id}, {"StackId", s.id}});
  });
}

// The stack holding change set `cs_name` (a name with StackName, or an ARN). Callers hold mu_.
static Stack* FindChangeSetStack(std::map<std::string, Stack>& stacks, Stack* named,
                                 const std::string& cs_name) {
  if (named != nullptr) return named->FindChangeSet(cs_name) ? named : nullptr;
  if (!IsChangeSetArn(cs_name)) return nullptr;
  for (auto& [_, s] : stacks) {
    if (s.FindChangeSet(cs_name)) return &s;
  }
  return nullptr;
}

void CloudFormationService::DescribeChangeSet(CallPtr call) {
  const json::object& in = call->input();
  const std::string cs_name = InputString(in, "ChangeSetName");
  const std::string name = InputString(in, "StackName");
  std::lock_guard lock(mu_);
  Stack* named = name.empty() ? nullptr : FindStack(call->context(), name);
  if (!name.empty() && named == nullptr) {
    return Fail(call, Status::InvalidArgument("Stack [" + name + "] does not exist"));
  }
  Stack* s = FindChangeSetStack(stacks_, named, cs_name);
  if (s == nullptr || s->account != call->context().account_id) {
    return call->Fail(ChangeSetNotFound(cs_name));
  }
  const ChangeSet& cs = *s->FindChangeSet(cs_name);
  json::object out{{"ChangeSetName", cs.name},
                   {"ChangeSetId", cs.id},
                   {"StackId", s->id},
                   {"StackName", s->name},
                   {"CreationTime", cs.created},
                   {"ExecutionStatus", cs.execution_status},
                   {"Status", cs.status},
                   {"NotificationARNs", json::array()},
                   {"Changes", cs.changes},
                   {"IncludeNestedStacks", false},
                   {"Tags", cs.tags}};
  if (!cs.description.empty()) out["Description"] = cs.description;
  if (!cs.status_reason.empty()) out["StatusReason"] = cs.status_reason;
  json::array params = RenderParameters(cs.target.parameters);
  if (!params.empty()) out["Parameters"] = std::move(params);
  if (!cs.capabilities.empty()) {
    json::array caps;
    for (const auto& c : cs.capabilities) caps.emplace_back(c);
    out["Capabilities"] = std::move(caps);
  }
  call->Reply(std::move(out));
}

void CloudFormationService::ListChangeSets(CallPtr call) {
  const std::string name = InputString(call->input(), "StackName");
  std::lock_guard lock(mu_);
  Stack* s = FindStack(call->context(), name);
  if (s == nullptr) {
    return Fail(call, Status::InvalidArgument("Stack [" + name + "] does not exist"));
  }
  json::array out;
  for (const auto& cs : s->change_sets) {
    json::object o{{"StackId", s->id},
                   {"StackName", s->name},
                   {"ChangeSetId", cs.id},
                   {"ChangeSetName", cs.name},
                   {"ExecutionStatus", cs.execution_status},
                   {"Status", cs.status},
                   {"CreationTime", cs.created},
                   {"IncludeNestedStacks", false}};
    if (!cs.status_reason.empty()) o["StatusReason"] = cs.status_reason;
    if (!cs.description.empty()) o["Description"] = cs.description;
    out.push_back(std::move(o));
  }
  call->Reply(json::object{{"Summaries", std::move(out)}});
}

std::optional<Stack> CloudFormationService::StackOfChangeSet(const protocol::Call& call) {
  const std::string cs_name = InputString(call.input(), "ChangeSetName");
  const std::string name = InputString(call.input(), "StackName");
  std::lock_guard lock(mu_);
  Stack* named = name.empty() ? nullptr : FindStack(call.context(), name);
  Stack* found = FindChangeSetStack(stacks_, named, cs_name);
  if (found == nullptr || found->account != call.context().account_id) return std::nullopt;
  return *found;
}

void CloudFormationService::DeleteChangeSet(CallPtr call) {
  prepare_.Post([this, call] {
    const json::object& in = call->input();
    const std::string cs_name = InputString(in, "ChangeSetName");
    std::optional<Stack> found = StackOfChangeSet(*call);
    if (!found) return call->Fail(ChangeSetNotFound(cs_name));
    Stack s = std::move(*found);
    ChangeSet* cs = s.FindChangeSet(cs_name);
    if (cs->execution_status == "EXECUTE_IN_PROGRESS") {
      return call->Fail(
          protocol::AwsError{"InvalidChangeSetStatus",
                             "Cannot delete ChangeSet in status " + cs->execution_status, 400});
    }
    std::erase_if(s.change_sets, [&](const ChangeSet& c) { return c.id == cs->id; });
    if (Status st = Save(s); !st.ok()) return Fail(call, st);
    call->Reply(json::object());
  });
}

void CloudFormationService::ExecuteChangeSet(CallPtr call) {
  prepare_.Post([this, call] {
    const json::object& in = call->input();
    const std::string cs_name = InputString(in, "ChangeSetName");
    std::optional<Stack> found = StackOfChangeSet(*call);
    if (!found) return call->Fail(ChangeSetNotFound(cs_name));
    Stack s = std::move(*found);
    ChangeSet cs = *s.FindChangeSet(cs_name);
    if (cs.status != "CREATE_COMPLETE" || cs.execution_status != "AVAILABLE") {
      return call->Fail(protocol::AwsError{
          "InvalidChangeSetStatus",
          fmt::format("ChangeSet [{}] cannot be executed in its current status of [{}]", cs.id,
                      cs.status == "CREATE_COMPLETE" ? cs.execution_status : cs.status),
          400});
    }
    if (s.InProgress()) {
      return Fail(call, Status::InvalidArgument(fmt::format(
                            "Stack:{} is in {} state and can not be updated.", s.id, s.status)));
    }
    auto parsed = ReadTemplate(cs.target.processed);
    if (parsed.ok()) s.description = parsed->description;
    if (cs.type == "CREATE") {
      s.status = "CREATE_IN_PROGRESS";
      s.current = cs.target;
    } else {
      s.previous = std::move(s.current);
      s.has_previous = true;
      s.current = cs.target;
      s.status = "UPDATE_IN_PROGRESS";
      s.updated = clock_.NowSeconds();
    }
    if (in.contains("DisableRollback")) {
      s.on_failure = InputBool(in, "DisableRollback") ? "DO_NOTHING" : "ROLLBACK";
    }
    s.capabilities = cs.capabilities;
    if (!cs.tags.empty()) s.tags = cs.tags;
    s.request_token = InputString(in, "ClientRequestToken");
    s.reason = "User Initiated";
    // "After you execute a change set, CloudFormation removes all change sets that are
    // associated with the stack", the executed one included.
    s.change_sets.clear();
    deployer_.AddStackEvent(s, s.status, s.reason);
    if (Status st = Save(s); !st.ok()) return Fail(call, st);
    call->Reply(json::object());
    Deploy(s);
  });
}

}  // namespace tidepool::cloudformation
