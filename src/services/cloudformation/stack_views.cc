// The read-only operations: answered on the io thread from the directory.
#include <boost/json.hpp>

#include <algorithm>

#include "services/cloudformation/cloudformation_service.h"
#include "services/cloudformation/request_input.h"

namespace tidepool::cloudformation {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

json::object RenderResource(const Stack& s, const StackResource& r, bool detail) {
  json::object o{{"LogicalResourceId", r.logical_id},
                 {"ResourceType", r.type},
                 {"ResourceStatus", r.status},
                 {"DriftInformation", json::object{{"StackResourceDriftStatus", "NOT_CHECKED"}}}};
  if (!r.physical_id.empty()) o["PhysicalResourceId"] = r.physical_id;
  if (!r.reason.empty()) o["ResourceStatusReason"] = r.reason;
  if (detail) {
    o["StackName"] = s.name;
    o["StackId"] = s.id;
    o["LastUpdatedTimestamp"] = r.updated;
    o["Metadata"] = "{}";
  } else {
    o["LastUpdatedTimestamp"] = r.updated;
  }
  return o;
}

// Pages of `items` by a NextToken that is the index of the first item of the page.
json::object Page(json::array items, const json::object& in, std::string_view member,
                  size_t page_size) {
  size_t start = 0;
  if (std::string token = InputString(in, "NextToken"); !token.empty()) {
    start = std::min<size_t>(std::strtoull(token.c_str(), nullptr, 10), items.size());
  }
  json::array page;
  for (size_t i = start; i < items.size() && page.size() < page_size; ++i) {
    page.push_back(std::move(items[i]));
  }
  json::object out{{member, std::move(page)}};
  if (start + page_size < items.size()) out["NextToken"] = std::to_string(start + page_size);
  return out;
}

}  // namespace

void CloudFormationService::DescribeStacks(CallPtr call) {
  const json::object& in = call->input();
  const std::string name = InputString(in, "StackName");
  std::lock_guard lock(mu_);
  json::array stacks;
  if (!name.empty()) {
    Stack* s = FindStack(call->context(), name);
    if (s == nullptr) {
      return Fail(call, Status::InvalidArgument("Stack with id " + name + " does not exist"));
    }
    stacks.push_back(RenderStack(*s));
    return call->Reply(json::object{{"Stacks", std::move(stacks)}});
  }
  std::vector<const Stack*> live;
  for (const auto& [_, s] : stacks_) {
    if (!s.Deleted() && s.account == call->context().account_id &&
        s.region == call->context().region) {
      live.push_back(&s);
    }
  }
  std::sort(live.begin(), live.end(),
            [](const Stack* a, const Stack* b) { return a->created > b->created; });
  for (const Stack* s : live) stacks.push_back(RenderStack(*s));
  call->Reply(Page(std::move(stacks), in, "Stacks", 100));
}

void CloudFormationService::ListStacks(CallPtr call) {
  const json::object& in = call->input();
  const std::vector<std::string> filter = InputStrings(in, "StackStatusFilter");
  std::lock_guard lock(mu_);
  std::vector<const Stack*> matching;
  for (const auto& [_, s] : stacks_) {
    if (s.account != call->context().account_id || s.region != call->context().region) continue;
    if (!filter.empty() && std::find(filter.begin(), filter.end(), s.status) == filter.end()) {
      continue;
    }
    matching.push_back(&s);
  }
  std::sort(matching.begin(), matching.end(),
            [](const Stack* a, const Stack* b) { return a->created > b->created; });
  json::array out;
  for (const Stack* s : matching) {
    json::object o{{"StackId", s->id},
                   {"StackName", s->name},
                   {"CreationTime", s->created},
                   {"StackStatus", s->status},
                   {"DriftInformation", json::object{{"StackDriftStatus", "NOT_CHECKED"}}}};
    if (!s->description.empty()) o["TemplateDescription"] = s->description;
    if (!s->reason.empty()) o["StackStatusReason"] = s->reason;
    if (s->updated > 0) o["LastUpdatedTime"] = s->updated;
    if (s->deleted > 0) o["DeletionTime"] = s->deleted;
    out.push_back(std::move(o));
  }
  call->Reply(Page(std::move(out), in, "StackSummaries", 100));
}

void CloudFormationService::DescribeStackEvents(CallPtr call) {
  const json::object& in = call->input();
  const std::string name = InputString(in, "StackName");
  std::lock_guard lock(mu_);
  Stack* s = FindStack(call->context(), name);
  if (s == nullptr) {
    return Fail(call, Status::InvalidArgument("Stack [" + name + "] does not exist"));
  }
  json::array events;
  for (auto it = s->events.rbegin(); it != s->events.rend(); ++it) {
    events.push_back(RenderEvent(*s, *it));  // newest first, as AWS
  }
  call->Reply(Page(std::move(events), in, "StackEvents", 100));
}

void CloudFormationService::DescribeStackResource(CallPtr call) {
  const json::object& in = call->input();
  const std::string name = InputString(in, "StackName");
  const std::string logical = InputString(in, "LogicalResourceId");
  std::lock_guard lock(mu_);
  Stack* s = FindStack(call->context(), name);
  if (s == nullptr) {
    return Fail(call, Status::InvalidArgument("Stack '" + name + "' does not exist"));
  }
  const StackResource* r = s->FindResource(logical);
  if (r == nullptr) {
    return Fail(
        call, Status::InvalidArgument("Resource " + logical + " does not exist for stack " + name));
  }
  call->Reply(json::object{{"StackResourceDetail", RenderResource(*s, *r, true)}});
}

void CloudFormationService::DescribeStackResources(CallPtr call) {
  const json::object& in = call->input();
  std::string name = InputString(in, "StackName");
  const std::string logical = InputString(in, "LogicalResourceId");
  const std::string physical = InputString(in, "PhysicalResourceId");
  std::lock_guard lock(mu_);
  Stack* s = nullptr;
  if (name.empty() && !physical.empty()) {
    for (auto& [_, candidate] : stacks_) {
      if (candidate.Deleted() || candidate.account != call->context().account_id) continue;
      for (const auto& r : candidate.resources) {
        if (r.physical_id == physical) s = &candidate;
      }
    }
    if (s == nullptr) {
      return Fail(call, Status::InvalidArgument("Stack for " + physical + " does not exist"));
    }
  } else {
    s = FindStack(call->context(), name);
    if (s == nullptr) {
      return Fail(call, Status::InvalidArgument("Stack with id " + name + " does not exist"));
    }
  }
  json::array out;
  for (const auto& r : s->resources) {
    if (!logical.empty() && r.logical_id != logical) continue;
    if (!physical.empty() && r.physical_id != physical) continue;
    json::object o = RenderResource(*s, r, true);
    o.erase("LastUpdatedTimestamp");
    o.erase("Metadata");
    o["Timestamp"] = r.updated;
    out.push_back(std::move(o));
  }
  call->Reply(json::object{{"StackResources", std::move(out)}});
}

void CloudFormationService::ListStackResources(CallPtr call) {
  const json::object& in = call->input();
  const std::string name = InputString(in, "StackName");
  std::lock_guard lock(mu_);
  Stack* s = FindStack(call->context(), name);
  if (s == nullptr) {
    return Fail(call, Status::InvalidArgument("Stack with id " + name + " does not exist"));
  }
  json::array out;
  for (const auto& r : s->resources) out.push_back(RenderResource(*s, r, false));
  call->Reply(Page(std::move(out), in, "StackResourceSummaries", 100));
}

void CloudFormationService::GetTemplate(CallPtr call) {
  const json::object& in = call->input();
  const std::string name = InputString(in, "StackName");
  const std::string change_set = InputString(in, "ChangeSetName");
  const std::string stage = InputString(in, "TemplateStage");
  std::lock_guard lock(mu_);
  Stack* s = FindStack(call->context(), name);
  if (s == nullptr) {
    return Fail(call, Status::InvalidArgument("Stack with id " + name + " does not exist"));
  }
  const DeployedTemplate* t = &s->current;
  if (!change_set.empty()) {
    ChangeSet* cs = s->FindChangeSet(change_set);
    if (cs == nullptr) {
      return call->Fail(protocol::AwsError{"ChangeSetNotFound",
                                           "ChangeSet [" + change_set + "] does not exist", 404});
    }
    t = &cs->target;
  }
  json::object out{{"StagesAvailable", json::array{"Original", "Processed"}}};
  if (stage == "Processed") {
    out["TemplateBody"] = json::serialize(t->processed);
  } else {
    out["TemplateBody"] = t->body;
  }
  call->Reply(std::move(out));
}

void CloudFormationService::ListExports(CallPtr call) {
  std::lock_guard lock(mu_);
  json::array out;
  for (const auto& [id, s] : stacks_) {
    if (s.Deleted() || s.account != call->context().account_id ||
        s.region != call->context().region) {
      continue;
    }
    for (const auto& o : s.outputs) {
      const json::object& output = o.as_object();
      if (!output.contains("ExportName")) continue;
      out.push_back(json::object{{"ExportingStackId", id},
                                 {"Name", output.at("ExportName")},
                                 {"Value", output.at("OutputValue")}});
    }
  }
  call->Reply(Page(std::move(out), call->input(), "Exports", 100));
}

void CloudFormationService::ListImports(CallPtr call) {
  const std::string name = InputString(call->input(), "ExportName");
  const auto& ctx = call->context();
  bool exported = FindExport(ctx.account_id, ctx.region, name).has_value();
  if (!exported) {
    return Fail(call, Status::InvalidArgument("Export '" + name + "' does not exist."));
  }
  json::array out;
  for (auto& stack : Importers(ctx.account_id, ctx.region, name, "")) {
    out.emplace_back(std::move(stack));
  }
  call->Reply(Page(std::move(out), call->input(), "Imports", 100));
}

}  // namespace tidepool::cloudformation
