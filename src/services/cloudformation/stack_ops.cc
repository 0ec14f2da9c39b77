// CreateStack, UpdateStack, DeleteStack, UpdateTerminationProtection, ValidateTemplate and
// GetTemplateSummary: run on the preparation thread (cloudformation_service.h).
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>

#include "core/encoding.h"
#include "services/cloudformation/cloudformation_service.h"
#include "services/cloudformation/intrinsics.h"
#include "services/cloudformation/keyspace.h"
#include "services/cloudformation/request_input.h"
#include "services/write_path.h"

namespace tidepool::cloudformation {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// Members tidepool accepts in the model but does not honour: refused, never ignored.
Status RefuseUnhonoured(const json::object& in) {
  static constexpr std::string_view kRefused[] = {"NotificationARNs",
                                                  "TimeoutInMinutes",
                                                  "StackPolicyBody",
                                                  "StackPolicyURL",
                                                  "StackPolicyDuringUpdateBody",
                                                  "StackPolicyDuringUpdateURL",
                                                  "RollbackConfiguration",
                                                  "ResourceTypes",
                                                  "RetainExceptOnCreate",
                                                  "ResourcesToImport",
                                                  "ImportExistingResources",
                                                  "IncludeNestedStacks",
                                                  "OnStackFailure"};
  for (std::string_view m : kRefused) {
    const json::value* v = in.if_contains(m);
    if (v == nullptr) continue;
    if (v->is_array() && v->get_array().empty()) continue;
    if (v->is_object() && v->get_object().empty()) continue;
    if (v->is_bool() && !v->get_bool()) continue;
    return Status::InvalidArgument(
        fmt::format("tidepool does not support {} (see docs/differences.md, CloudFormation)", m));
  }
  return Status::Ok();
}

json::array DeclaredParameters(const Template& t, bool summary) {
  json::array out;
  for (const auto& [name, decl] : t.parameters) {
    const json::object* d = decl.if_object();
    if (d == nullptr) continue;
    json::object p{{"ParameterKey", name}};
    if (auto* v = d->if_contains("Default")) {
      p["DefaultValue"] = ScalarText(*v).value_or(json::serialize(*v));
    }
    p["NoEcho"] = d->contains("NoEcho") && ScalarText(d->at("NoEcho")).value_or("") == "true";
    if (auto* v = d->if_contains("Description"); v && v->is_string()) p["Description"] = *v;
    if (summary) {
      if (auto* v = d->if_contains("Type"); v && v->is_string()) p["ParameterType"] = *v;
      json::array allowed;
      if (auto* v = d->if_contains("AllowedValues"); v && v->is_array()) {
        for (const auto& a : v->get_array()) allowed.emplace_back(ScalarText(a).value_or(""));
      }
      p["ParameterConstraints"] = json::object{{"AllowedValues", std::move(allowed)}};
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Result<PreparedTemplate> CloudFormationService::PrepareFromCall(const protocol::Call& call,
                                                                const std::string& stack,
                                                                const Stack* previous) {
  const json::object& in = call.input();
  const auto& ctx = call.context();
  TP_RETURN_IF_ERROR(RefuseUnhonoured(in));
  std::string body;
  if (InputBool(in, "UsePreviousTemplate")) {
    if (previous == nullptr) {
      return Status::InvalidArgument("UsePreviousTemplate needs an existing stack");
    }
    if (in.contains("TemplateBody") || in.contains("TemplateURL")) {
      return Status::InvalidArgument(
          "Specify exactly one of TemplateBody, TemplateUrl or UsePreviousTemplate.");
    }
    body = previous->current.body;
  } else {
    auto services = callers_(ctx.account_id, ctx.region);
    auto text =
        TemplateText(*services, InputString(in, "TemplateBody"), InputString(in, "TemplateURL"));
    if (!text.ok()) return text.status();
    body = std::move(*text);
  }
  const std::vector<std::string> capabilities = InputStrings(in, "Capabilities");
  auto prepared = PrepareTemplate(
      body, stack, ctx.account_id, ctx.region, InputParameters(in),
      previous ? previous->current.parameters.text : std::map<std::string, std::string>{},
      capabilities);
  // A stack created or updated directly (not through a change set) from a template with a
  // transform must acknowledge the expansion, as on AWS.
  const std::string_view op = call.operation().name;
  if (prepared.ok() && !prepared->transforms.empty() &&
      (op == "CreateStack" || op == "UpdateStack") &&
      std::find(capabilities.begin(), capabilities.end(), "CAPABILITY_AUTO_EXPAND") ==
          capabilities.end()) {
    return Status::FailedPrecondition("Requires capabilities : [CAPABILITY_AUTO_EXPAND]");
  }
  return prepared;
}

void CloudFormationService::CreateStack(CallPtr call) {
  prepare_.Post([this, call] {
    const json::object& in = call->input();
    const auto& ctx = call->context();
    const std::string name = InputString(in, "StackName");
    if (Status st = CheckName(name, "stackName"); !st.ok()) return Fail(call, st);
    if (InputBool(in, "DisableRollback") && in.contains("OnFailure")) {
      return Fail(
          call, Status::InvalidArgument("You cannot specify both DisableRollback and OnFailure."));
    }
    auto exists = [&] {
      std::lock_guard lock(mu_);
      return FindStack(ctx, name) != nullptr;
    };
    if (exists()) return Fail(call, Status::AlreadyExists("Stack [" + name + "] already exists"));
    auto prepared = PrepareFromCall(*call, name, nullptr);
    if (!prepared.ok()) return Fail(call, prepared.status());
    Stack s;
    s.id = fmt::format("arn:aws:cloudformation:{}:{}:stack/{}/{}", ctx.region, ctx.account_id, name,
                       NewUuid());
    s.name = name;
    s.account = ctx.account_id;
    s.region = ctx.region;
    s.description = prepared->parsed.description;
    s.created = clock_.NowSeconds();
    s.current = std::move(prepared->deployed);
    s.on_failure = InputBool(in, "DisableRollback") ? "DO_NOTHING" : InputString(in, "OnFailure");
    if (s.on_failure.empty()) s.on_failure = "ROLLBACK";
    s.termination_protection = InputBool(in, "EnableTerminationProtection");
    s.capabilities = InputStrings(in, "Capabilities");
    s.role_arn = InputString(in, "RoleARN");
    if (const auto* tags = in.if_contains("Tags"); tags && tags->is_array()) {
      s.tags = tags->get_array();
    }
    s.request_token = InputString(in, "ClientRequestToken");
    s.status = "CREATE_IN_PROGRESS";
    deployer_.AddStackEvent(s, s.status, "User Initiated");
    if (exists()) return Fail(call, Status::AlreadyExists("Stack [" + name + "] already exists"));
    if (Status st = Save(s); !st.ok()) return Fail(call, st);
    call->Reply(json::object{{"StackId", s.id}});
    Deploy(s);
  });
}

void CloudFormationService::UpdateStack(CallPtr call) {
  prepare_.Post([this, call] {
    const json::object& in = call->input();
    auto found = CopyStack(call->context(), InputString(in, "StackName"));
    if (!found.ok()) return Fail(call, found.status());
    Stack s = std::move(*found);
    static constexpr std::string_view kUpdatable[] = {"CREATE_COMPLETE", "UPDATE_COMPLETE",
                                                      "UPDATE_ROLLBACK_COMPLETE"};
    if (std::find(std::begin(kUpdatable), std::end(kUpdatable), s.status) == std::end(kUpdatable)) {
      return Fail(call, Status::InvalidArgument(fmt::format(
                            "Stack:{} is in {} state and can not be updated.", s.id, s.status)));
    }
    auto prepared = PrepareFromCall(*call, s.name, &s);
    if (!prepared.ok()) return Fail(call, prepared.status());
    json::array tags = s.tags;
    if (const auto* t = in.if_contains("Tags"); t && t->is_array()) tags = t->get_array();
    if (prepared->deployed.processed == s.current.processed &&
        prepared->deployed.parameters.text == s.current.parameters.text && tags == s.tags) {
      return Fail(call, Status::InvalidArgument("No updates are to be performed."));
    }
    s.previous = std::move(s.current);
    s.has_previous = true;
    s.current = std::move(prepared->deployed);
    s.description = prepared->parsed.description;
    s.tags = std::move(tags);
    s.capabilities = InputStrings(in, "Capabilities");
    if (in.contains("DisableRollback")) {
      s.on_failure = InputBool(in, "DisableRollback") ? "DO_NOTHING" : "ROLLBACK";
    }
    s.request_token = InputString(in, "ClientRequestToken");
    s.updated = clock_.NowSeconds();
    s.status = "UPDATE_IN_PROGRESS";
    s.reason = "User Initiated";
    deployer_.AddStackEvent(s, s.status, s.reason);
    if (Status st = Save(s); !st.ok()) return Fail(call, st);
    call->Reply(json::object{{"StackId", s.id}});
    Deploy(s);
  });
}

void CloudFormationService::DeleteStack(CallPtr call) {
  prepare_.Post([this, call] {
    const json::object& in = call->input();
    if (Status st = RefuseUnhonoured(in); !st.ok()) return Fail(call, st);
    const std::vector<std::string> retain = InputStrings(in, "RetainResources");
    const std::string token = InputString(in, "ClientRequestToken");
    auto found = CopyStack(call->context(), InputString(in, "StackName"));
    if (!found.ok() || found->Deleted()) return call->Reply(json::object());  // as AWS
    Stack s = std::move(*found);
    if (s.termination_protection) {
      return Fail(call, Status::InvalidArgument(fmt::format(
                            "Stack [{}] cannot be deleted while TerminationProtection is enabled",
                            s.name)));
    }
    if (!retain.empty() && s.status != "DELETE_FAILED") {
      return Fail(call, Status::InvalidArgument(
                            "Invalid operation on stack " + s.id +
                            ": RetainResources may be given only for a stack in DELETE_FAILED"));
    }
    // Marks the stack DELETE_IN_PROGRESS (durably) with the resources to retain.
    auto start = [this, retain, token](Stack& s) {
      for (auto& r : s.resources) {
        if (std::find(retain.begin(), retain.end(), r.logical_id) != retain.end()) {
          r.deletion_policy = "Retain";
        }
      }
      s.request_token = token;
      s.status = "DELETE_IN_PROGRESS";
      s.reason = "User Initiated";
      deployer_.AddStackEvent(s, s.status, s.reason);
      return Save(s);
    };
    if (!s.InProgress()) {  // answered once DescribeStacks says DELETE_IN_PROGRESS
      if (Status st = start(s); !st.ok()) return Fail(call, st);
      call->Reply(json::object());
      return Deploy(s);
    }
    call->Reply(json::object());
    // After the operation running on the stack.
    deploy_.Post([this, id = s.id, start] {
      Stack s;
      {
        std::lock_guard lock(mu_);
        auto it = stacks_.find(id);
        if (it == stacks_.end() || it->second.Deleted() ||
            it->second.status == "DELETE_IN_PROGRESS") {
          return;
        }
        s = it->second;
      }
      if (!start(s).ok()) return;
      deployer_.Run(std::move(s));
    });
  });
}

void CloudFormationService::ContinueRollback(CallPtr call) {
  prepare_.Post([this, call] {
    const json::object& in = call->input();
    if (in.contains("ResourcesToSkip") || in.contains("RetainExceptOnCreate")) {
      return Fail(call, Status::InvalidArgument(
                            "tidepool does not support ResourcesToSkip or RetainExceptOnCreate"));
    }
    auto found = CopyStack(call->context(), InputString(in, "StackName"));
    if (!found.ok() || found->Deleted()) {
      return Fail(call, Status::InvalidArgument("Stack [" + InputString(in, "StackName") +
                                                "] does not exist"));
    }
    Stack s = std::move(*found);
    const bool continuing = call->operation().name == "ContinueUpdateRollback";
    std::string next;
    if (continuing && s.status == "UPDATE_ROLLBACK_FAILED") {
      next = "UPDATE_ROLLBACK_IN_PROGRESS";
    } else if (!continuing && s.status == "CREATE_FAILED") {
      next = "ROLLBACK_IN_PROGRESS";
    } else if (!continuing && s.status == "UPDATE_FAILED") {
      next = "UPDATE_ROLLBACK_IN_PROGRESS";
      s.RevertToPrevious();
    } else {
      return Fail(call, Status::InvalidArgument(
                            fmt::format("Stack {} is in {} state and can not be {}", s.id, s.status,
                                        continuing ? "continued" : "rolled back")));
    }
    s.status = next;
    s.reason = "User Initiated";
    s.request_token = InputString(in, "ClientRequestToken");
    deployer_.AddStackEvent(s, s.status, s.reason);
    if (Status st = Save(s); !st.ok()) return Fail(call, st);
    call->Reply(continuing ? json::object() : json::object{{"StackId", s.id}});
    Deploy(s);
  });
}

void CloudFormationService::CancelUpdateStack(CallPtr call) {
  const std::string name = InputString(call->input(), "StackName");
  std::lock_guard lock(mu_);
  Stack* s = FindStack(call->context(), name);
  if (s == nullptr || s->Deleted()) {
    return Fail(call, Status::InvalidArgument("Stack [" + name + "] does not exist"));
  }
  if (s->status != "UPDATE_IN_PROGRESS") {
    return Fail(call, Status::InvalidArgument(
                          "CancelUpdateStack cannot be called from current stack status"));
  }
  cancels_.insert(s->id);  // taken by the deployment before its next resource
  call->Reply(json::object());
}

void CloudFormationService::UpdateTerminationProtection(CallPtr call) {
  const json::object& in = call->input();
  std::lock_guard lock(mu_);
  Stack* s = FindStack(call->context(), InputString(in, "StackName"));
  if (s == nullptr || s->Deleted()) {
    return Fail(call, Status::InvalidArgument("Stack [" + InputString(in, "StackName") +
                                              "] does not exist"));
  }
  s->termination_protection = InputBool(in, "EnableTerminationProtection");
  storage::WriteBatch batch;
  batch.Put(keyspace::StackKey(s->id), EncodeStack(*s));
  services::SubmitForCall(commits_, std::move(batch), call,
                          services::ReplyWhenCommitted(call, json::object{{"StackId", s->id}},
                                                       ToAwsError, "cloudformation"),
                          ToAwsError);
}

void CloudFormationService::ValidateTemplate(CallPtr call) {
  prepare_.Post([this, call] {
    const json::object& in = call->input();
    const auto& ctx = call->context();
    auto services = callers_(ctx.account_id, ctx.region);
    auto text =
        TemplateText(*services, InputString(in, "TemplateBody"), InputString(in, "TemplateURL"));
    if (!text.ok()) return Fail(call, text.status());
    auto prepared = PrepareTemplate(*text, "", ctx.account_id, ctx.region, {}, {}, {}, false);
    if (!prepared.ok()) return Fail(call, prepared.status());
    json::object out{{"Parameters", DeclaredParameters(prepared->parsed, false)}};
    if (!prepared->parsed.description.empty()) out["Description"] = prepared->parsed.description;
    if (std::string cap = RequiredCapability(prepared->parsed); !cap.empty()) {
      out["Capabilities"] = json::array{json::string(cap)};
      out["CapabilitiesReason"] =
          "The following resource(s) require capabilities: [" + std::string("AWS::IAM::*") + "]";
    }
    auto original = ParseTemplate(*text);
    if (original.ok() && !original->transforms.empty()) {
      json::array transforms;
      for (const auto& t : original->transforms) transforms.emplace_back(t);
      out["DeclaredTransforms"] = std::move(transforms);
    }
    call->Reply(std::move(out));
  });
}

void CloudFormationService::GetTemplateSummary(CallPtr call) {
  prepare_.Post([this, call] {
    const json::object& in = call->input();
    const auto& ctx = call->context();
    std::string body;
    if (in.contains("StackName")) {
      auto found = CopyStack(ctx, InputString(in, "StackName"));
      if (!found.ok()) return Fail(call, found.status());
      body = found->current.body;
    } else {
      auto services = callers_(ctx.account_id, ctx.region);
      auto text =
          TemplateText(*services, InputString(in, "TemplateBody"), InputString(in, "TemplateURL"));
      if (!text.ok()) return Fail(call, text.status());
      body = std::move(*text);
    }
    auto prepared = PrepareTemplate(body, "", ctx.account_id, ctx.region, {}, {}, {}, false);
    if (!prepared.ok()) return Fail(call, prepared.status());
    const Template& t = prepared->parsed;
    json::array types;
    std::set<std::string> seen;
    for (const auto& r : t.resources) {
      if (seen.insert(r.type).second) types.emplace_back(r.type);
    }
    json::object out{{"Parameters", DeclaredParameters(t, true)},
                     {"ResourceTypes", std::move(types)},
                     {"Version", t.format_version.empty() ? "2010-09-09" : t.format_version}};
    if (!t.description.empty()) out["Description"] = t.description;
    if (std::string cap = RequiredCapability(t); !cap.empty()) {
      out["Capabilities"] = json::array{json::string(cap)};
      out["CapabilitiesReason"] = "The following resource(s) require capabilities: [AWS::IAM::*]";
    }
    if (!t.metadata.empty()) out["Metadata"] = json::serialize(t.metadata);
    auto original = ParseTemplate(body);
    if (original.ok() && !original->transforms.empty()) {
      json::array transforms;
      for (const auto& tr : original->transforms) transforms.emplace_back(tr);
      out["DeclaredTransforms"] = std::move(transforms);
    }
    call->Reply(std::move(out));
  });
}

}  // namespace tidepool::cloudformation
