#include "services/cloudformation/deployer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>

#include "core/encoding.h"
#include "services/cloudformation/dependencies.h"
#include "services/cloudformation/intrinsics.h"

namespace tidepool::cloudformation {
namespace json = boost::json;

namespace {

// References to the stack's resources as they are now; imports through the ledger.
class StackResolver final : public ResourceResolver {
 public:
  StackResolver(Stack& s, StackLedger& ledger) : stack_(s), ledger_(ledger) {}

  Result<json::value> Ref(const std::string& logical_id) const override {
    auto r = Created(logical_id);
    if (!r.ok()) return r.status();
    return json::value((*r)->physical_id);
  }
  Result<json::value> GetAtt(const std::string& logical_id,
                             const std::string& attribute) const override {
    auto r = Created(logical_id);
    if (!r.ok()) return r.status();
    if (const json::value* v = (*r)->attributes.if_contains(attribute)) return *v;
    return TemplateError("resource " + logical_id + " does not support attribute type " +
                         attribute + " in Fn::GetAtt");
  }
  Result<json::value> ImportValue(const std::string& name) const override {
    stack_.imports.insert(name);
    auto found = ledger_.FindExport(stack_.account, stack_.region, name);
    if (!found) return Status::InvalidArgument("No export named " + name + " found.");
    return json::value(found->second);
  }

 private:
  Result<const StackResource*> Created(const std::string& logical_id) const {
    const StackResource* r = stack_.FindResource(logical_id);
    if (r == nullptr || r->physical_id.empty()) {
      return TemplateError("Unresolved resource dependencies [" + logical_id +
                           "] in the Resources block of the template");
    }
    return r;
  }

  Stack& stack_;
  StackLedger& ledger_;
};

StackContext ContextOf(const Stack& s) {
  StackContext c;
  c.account_id = s.account;
  c.region = s.region;
  c.stack_name = s.name;
  c.stack_id = s.id;
  c.notification_arns = s.notification_arns;
  return c;
}

bool Active(const Template& t, const Evaluator& ev, const std::string& logical_id) {
  const Resource* r = t.FindResource(logical_id);
  return r != nullptr && ev.Active(r->condition);
}

}  // namespace

std::string HandlerFailureReason(const Status& failure, const std::string& request_token) {
  return fmt::format(
      "Resource handler returned message: \"{}\" (RequestToken: {}, HandlerErrorCode: {})",
      failure.message(), request_token, HandlerErrorCode(failure));
}

void Deployer::Save(const Stack& s) {
  if (Status st = ledger_.Save(s); !st.ok()) {
    spdlog::error("cloudformation: cannot save stack {}: {}", s.id, st.ToString());
  }
}

void Deployer::AddStackEvent(Stack& s, const std::string& status, const std::string& reason) {
  s.events.push_back(StackEvent{NewUuid(), s.name, s.id, "AWS::CloudFormation::Stack", status,
                                reason, "", s.request_token, clock_.NowSeconds()});
}

void Deployer::AddResourceEvent(Stack& s, const StackResource& r, const std::string& status,
                                const std::string& reason, const std::string& properties) {
  s.events.push_back(StackEvent{r.logical_id + "-" + status + "-" + NewUuid(), r.logical_id,
                                r.physical_id, r.type, status, reason, properties, s.request_token,
                                clock_.NowSeconds()});
}

void Deployer::SetStatus(Stack& s, const std::string& status, const std::string& reason) {
  s.status = status;
  s.reason = reason;
  if (status == "DELETE_COMPLETE") s.deleted = clock_.NowSeconds();
  AddStackEvent(s, status, reason);
  Save(s);
}

ResourceRequest Deployer::RequestFor(const Stack& s, const StackResource& r) const {
  ResourceRequest req;
  req.logical_id = r.logical_id;
  req.type = r.type;
  req.stack_name = s.name;
  req.stack_id = s.id;
  req.account_id = s.account;
  req.region = s.region;
  req.properties = r.properties;
  req.physical_id = r.physical_id;
  req.attributes = r.attributes;
  req.request_token = NewUuid();
  return req;
}

Status Deployer::Converge(Stack& s, ServiceCaller& services) {
  auto t = ReadTemplate(s.current.processed);
  if (!t.ok()) return t.status();
  Evaluator ev(*t, s.current.parameters, ContextOf(s));
  if (!ev.conditions_status().ok()) return ev.conditions_status();
  StackResolver resolver(s, ledger_);
  ev.set_resolver(&resolver);
  auto graph = ResolveDependencies(*t, [&](const std::string& c) { return ev.Active(c); });
  if (!graph.ok()) return graph.status();
  // What the template imports now is collected again (every property and output is evaluated).
  s.imports.clear();
  const bool creating = s.status == "CREATE_IN_PROGRESS";
  for (const std::string& id : graph->order) {
    if (s.status == "UPDATE_IN_PROGRESS" && ledger_.TakeCancel(s.id)) {
      return Status::Internal("Resource update cancelled. ");
    }
    const Resource& tr = *t->FindResource(id);
    const ProviderEntry* entry = FindProvider(tr.type);
    StackResource* existing = s.FindResource(id);
    auto props = ev.Properties(tr);
    if (!props.ok() || entry == nullptr) {
      Status why = !props.ok() ? props.status()
                               : Status::InvalidArgument("Unrecognized resource type " + tr.type);
      StackResource failed;
      failed.logical_id = id;
      failed.type = tr.type;
      if (existing) failed.physical_id = existing->physical_id;
      AddResourceEvent(s, failed, creating || !existing ? "CREATE_FAILED" : "UPDATE_FAILED",
                       why.message());
      if (existing) existing->status = s.events.back().status;
      Save(s);
      return Status::Internal(fmt::format("The following resource(s) failed to {}: [{}]. ",
                                          existing ? "update" : "create", id));
    }
    const std::string props_text = json::serialize(*props);
    if (existing && !existing->physical_id.empty() && existing->type == tr.type &&
        existing->properties == *props) {
      existing->deletion_policy = tr.deletion_policy;
      if (existing->status.ends_with("_FAILED")) {
        // An update that failed left it as it was: the rollback finds it back in step.
        existing->status = "UPDATE_COMPLETE";
        existing->reason.clear();
        AddResourceEvent(s, *existing, existing->status, "", props_text);
        Save(s);
      }
      continue;  // unchanged
    }
    const ResourceProvider& provider = *entry->provider;
    const bool fresh = existing == nullptr || existing->physical_id.empty();
    const bool replace = !fresh && (existing->type != tr.type ||
                                    provider.RequiresReplacement(existing->properties, *props));
    if (existing == nullptr) {
      existing = &s.resources.emplace_back();
      existing->logical_id = id;
      existing->type = tr.type;
    }
    StackResource& r = *existing;
    r.deletion_policy = tr.deletion_policy;
    ResourceRequest req = RequestFor(s, r);
    req.previous_properties = r.properties;
    req.properties = *props;
    req.type = tr.type;
    std::string verb = fresh ? "CREATE" : "UPDATE";
    if (fresh) {
      r.type = tr.type;
      r.physical_id.clear();
      AddResourceEvent(s, r, "CREATE_IN_PROGRESS", "", props_text);
    } else {
      AddResourceEvent(s, r, "UPDATE_IN_PROGRESS",
                       replace ? "Requested update requires the creation of a new physical "
                                 "resource; hence creating one."
                               : "",
                       props_text);
    }
    r.status = verb + "_IN_PROGRESS";
    // An in-place update may be applied by the service before its outcome is saved: a restart
    // then assumes it was (Resume), so the rollback applies the old properties again.
    if (!fresh && !replace) r.pending = *props;
    Save(s);
    Result<ResourceState> state =
        fresh || replace ? provider.Create(services, req) : provider.Update(services, req);
    r.pending.clear();
    if (!state.ok()) {
      std::string reason = HandlerFailureReason(state.status(), req.request_token);
      r.status = verb + "_FAILED";
      r.reason = reason;
      r.updated = clock_.NowSeconds();
      AddResourceEvent(s, r, r.status, reason, props_text);
      Save(s);
      return Status::Internal(fmt::format("The following resource(s) failed to {}: [{}]. ",
                                          fresh ? "create" : "update", id));
    }
    if (replace) {
      // The old physical resource, deleted in cleanup unless UpdateReplacePolicy keeps it.
      s.superseded.push_back(r);
      s.superseded.back().deletion_policy =
          tr.update_replace_policy == "Retain" ? "Retain" : "Delete";
    }
    r.type = tr.type;
    r.physical_id = state->physical_id;
    r.attributes = std::move(state->attributes);
    r.properties = std::move(*props);
    r.status = verb + "_COMPLETE";
    r.reason.clear();
    r.updated = clock_.NowSeconds();
    AddResourceEvent(s, r, r.status, "", props_text);
    Save(s);
  }
  return Status::Ok();
}

Status Deployer::ComputeOutputs(Stack& s) {
  auto t = ReadTemplate(s.current.processed);
  if (!t.ok()) return t.status();
  Evaluator ev(*t, s.current.parameters, ContextOf(s));
  StackResolver resolver(s, ledger_);
  ev.set_resolver(&resolver);
  json::array outputs;
  std::set<std::string> exports;
  for (const Output& o : t->outputs) {
    if (!ev.Active(o.condition)) continue;
    auto value = ev.Evaluate(o.value);
    if (!value.ok()) return value.status();
    std::string text;
    if (value->has_value()) {
      if (auto scalar = ScalarText(**value)) {
        text = *scalar;
      } else if ((*value)->is_array()) {
        for (const auto& e : (*value)->get_array()) {
          text += (text.empty() ? "" : ",") + ScalarText(e).value_or(json::serialize(e));
        }
      } else {
        return TemplateError("Template format error: Every Outputs member must be a string");
      }
    }
    json::object out{{"OutputKey", o.logical_id}, {"OutputValue", text}};
    if (!o.description.empty()) out["Description"] = o.description;
    if (!o.export_name.is_null()) {
      auto name = ev.Evaluate(o.export_name);
      if (!name.ok()) return name.status();
      std::string export_name = name->has_value() ? ScalarText(**name).value_or("") : "";
      auto owner = ledger_.FindExport(s.account, s.region, export_name);
      if (owner && owner->first != s.id) {
        return Status::InvalidArgument("Export with name " + export_name +
                                       " is already exported by stack " + owner->first);
      }
      out["ExportName"] = export_name;
      exports.insert(export_name);
    }
    outputs.push_back(std::move(out));
  }
  // An export another stack imports may not go away.
  for (const auto& old : s.outputs) {
    const json::value* name = old.as_object().if_contains("ExportName");
    if (name == nullptr || !name->is_string()) continue;
    std::string n(name->get_string());
    if (exports.contains(n)) continue;
    auto users = ledger_.Importers(s.account, s.region, n, s.id);
    if (!users.empty()) {
      return Status::InvalidArgument("Cannot delete export " + n + " as it is in use by " +
                                     users.front() + ".");
    }
  }
  s.outputs = std::move(outputs);
  return Status::Ok();
}

bool Deployer::DeleteOne(Stack& s, ServiceCaller& services, StackResource& r) {
  if (r.status == "DELETE_COMPLETE" || r.status == "DELETE_SKIPPED") return true;
  if (r.deletion_policy == "Retain" ||
      (r.deletion_policy == "RetainExceptOnCreate" && s.status != "ROLLBACK_IN_PROGRESS")) {
    r.status = "DELETE_SKIPPED";
    AddResourceEvent(s, r, r.status, "");
    Save(s);
    return true;
  }
  if (!r.physical_id.empty()) {
    AddResourceEvent(s, r, "DELETE_IN_PROGRESS", "");
    r.status = "DELETE_IN_PROGRESS";
    Save(s);
    const ProviderEntry* entry = FindProvider(r.type);
    ResourceRequest req = RequestFor(s, r);
    Status st = entry ? entry->provider->Delete(services, req) : Status::Ok();
    if (!st.ok()) {
      r.status = "DELETE_FAILED";
      r.reason = HandlerFailureReason(st, req.request_token);
      AddResourceEvent(s, r, r.status, r.reason);
      Save(s);
      return false;
    }
  }
  r.status = "DELETE_COMPLETE";
  r.updated = clock_.NowSeconds();
  AddResourceEvent(s, r, r.status, "");
  Save(s);
  return true;
}

std::string Deployer::DeleteAll(Stack& s, ServiceCaller& services) {
  std::string failed;
  for (auto it = s.resources.rbegin(); it != s.resources.rend(); ++it) {
    if (!DeleteOne(s, services, *it)) failed += (failed.empty() ? "" : ", ") + it->logical_id;
  }
  return failed.empty() ? failed : "The following resource(s) failed to delete: [" + failed + "]. ";
}

void Deployer::Cleanup(Stack& s, ServiceCaller& services) {
  while (!s.superseded.empty()) {
    DeleteOne(s, services, s.superseded.back());
    s.superseded.pop_back();
    Save(s);
  }
  auto t = ReadTemplate(s.current.processed);
  if (!t.ok()) return;
  Evaluator ev(*t, s.current.parameters, ContextOf(s));
  for (size_t i = s.resources.size(); i-- > 0;) {
    if (Active(*t, ev, s.resources[i].logical_id)) continue;
    DeleteOne(s, services, s.resources[i]);
    s.resources.erase(s.resources.begin() + static_cast<ptrdiff_t>(i));
    Save(s);
  }
}

void Deployer::Fail(Stack& s, const std::string& reason) {
  if (s.status == "CREATE_IN_PROGRESS") {
    if (s.on_failure == "DO_NOTHING") return SetStatus(s, "CREATE_FAILED", reason);
    if (s.on_failure == "DELETE") {
      SetStatus(s, "CREATE_FAILED", reason);
      return SetStatus(s, "DELETE_IN_PROGRESS", "");
    }
    return SetStatus(s, "ROLLBACK_IN_PROGRESS", reason + "Rollback requested by user.");
  }
  if (s.status == "UPDATE_IN_PROGRESS") {
    if (s.on_failure == "DO_NOTHING") return SetStatus(s, "UPDATE_FAILED", reason);
    // Back to the old template; replaced resources are the old ones again.
    s.RevertToPrevious();
    return SetStatus(s, "UPDATE_ROLLBACK_IN_PROGRESS", reason);
  }
  if (s.status == "UPDATE_ROLLBACK_IN_PROGRESS") {
    return SetStatus(s, "UPDATE_ROLLBACK_FAILED", reason);
  }
}

void Deployer::Resume(Stack s) {
  if (!s.InProgress()) return;
  bool interrupted = false;
  for (auto& r : s.resources) {
    if (r.status == "CREATE_IN_PROGRESS" || r.status == "UPDATE_IN_PROGRESS") {
      r.status = r.status == "CREATE_IN_PROGRESS" ? "CREATE_FAILED" : "UPDATE_FAILED";
      r.reason = "tidepool restarted while the operation was in progress";
      if (!r.pending.empty()) r.properties = std::move(r.pending);
      r.pending.clear();
      AddResourceEvent(s, r, r.status, r.reason);
      interrupted = true;
    }
  }
  if (s.status == "CREATE_IN_PROGRESS" || s.status == "UPDATE_IN_PROGRESS" ||
      (s.status == "UPDATE_ROLLBACK_IN_PROGRESS" && interrupted)) {
    Fail(s, "tidepool restarted while the operation was in progress. ");
  }
  Run(std::move(s));
}

void Deployer::Run(Stack s) {
  auto services = callers_(s.account, s.region);
  while (s.InProgress()) {
    const std::string status = s.status;
    if (status == "CREATE_IN_PROGRESS" || status == "UPDATE_IN_PROGRESS" ||
        status == "UPDATE_ROLLBACK_IN_PROGRESS") {
      Status st = Converge(s, *services);
      if (status == "UPDATE_IN_PROGRESS") ledger_.TakeCancel(s.id);  // too late to cancel now
      if (st.ok()) st = ComputeOutputs(s);
      if (!st.ok()) {
        Fail(s, st.message());
        continue;
      }
      if (status == "CREATE_IN_PROGRESS") {
        SetStatus(s, "CREATE_COMPLETE", "");
      } else {
        SetStatus(s,
                  status == "UPDATE_IN_PROGRESS" ? "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
                                                 : "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
                  "");
      }
    } else if (status == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS" ||
               status == "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS") {
      Cleanup(s, *services);
      s.has_previous = false;
      s.previous = {};
      SetStatus(s,
                status == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS" ? "UPDATE_COMPLETE"
                                                                : "UPDATE_ROLLBACK_COMPLETE",
                "");
    } else if (status == "ROLLBACK_IN_PROGRESS") {
      std::string failed = DeleteAll(s, *services);
      SetStatus(s, failed.empty() ? "ROLLBACK_COMPLETE" : "ROLLBACK_FAILED", failed);
    } else if (status == "DELETE_IN_PROGRESS") {
      std::string blocked;
      for (const auto& o : s.outputs) {
        const json::value* name = o.as_object().if_contains("ExportName");
        if (name == nullptr || !name->is_string()) continue;
        auto users = ledger_.Importers(s.account, s.region, std::string(name->get_string()), s.id);
        if (!users.empty()) {
          blocked = "Export " + std::string(name->get_string()) +
                    " cannot be deleted as it is in use by " + users.front();
          break;
        }
      }
      if (!blocked.empty()) {
        SetStatus(s, "DELETE_FAILED", blocked);
        continue;
      }
      std::string failed = DeleteAll(s, *services);
      SetStatus(s, failed.empty() ? "DELETE_COMPLETE" : "DELETE_FAILED", failed);
    } else {
      spdlog::error("cloudformation: stack {} in {}: no operation runs it", s.id, status);
      return;
    }
  }
}

}  // namespace tidepool::cloudformation
