// AddPermission, RemovePermission, GetPolicy: a function's resource-based policy, stored per
// qualifier and returned as AWS writes it. tidepool never evaluates it (docs/differences.md):
// every local caller may invoke every function.
#include <boost/json.hpp>

#include <cctype>

#include "services/lambda/lambda_errors.h"
#include "services/lambda/lambda_service.h"
#include "services/lambda/policy_statement.h"

namespace tidepool::lambda {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

bool IsAccountId(std::string_view p) {
  return p.size() == 12 &&
         std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status CheckAction(std::string_view action) {
  if (action == "*" || action == "lambda:*") return Status::Ok();
  bool ok = action.rfind("lambda:", 0) == 0 && action.size() > 7;
  for (char c : action.substr(std::min<size_t>(7, action.size()))) {
    if (!std::isalpha(static_cast<unsigned char>(c))) ok = false;
  }
  if (ok) return Status::Ok();
  return InvalidParameter("1 validation error detected: Value '" + std::string(action) +
                          "' at 'action' failed to satisfy constraint: Member must satisfy "
                          "regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])");
}

std::string QualifierKey(const std::string& q) { return q.empty() ? "$LATEST" : q; }

}  // namespace

json::value PrincipalElement(const std::string& principal) {
  if (principal == "*") return "*";
  if (IsAccountId(principal)) return json::object{{"AWS", "arn:aws:iam::" + principal + ":root"}};
  if (principal.rfind("arn:", 0) == 0) return json::object{{"AWS", principal}};
  return json::object{{"Service", principal}};
}

void LambdaService::AddPermission(CallPtr call) {
  const json::object& in = call->input();
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  const std::string sid = StringMember(in, "StatementId");
  const std::string action = StringMember(in, "Action");
  if (Status s = CheckAction(action); !s.ok()) return Fail(call, s);
  std::lock_guard lock((*fn)->mu);
  FunctionRecord& r = (*fn)->record;
  if (Status s =
          CheckRevisionId(StringMember(in, "RevisionId"), StringMember(r.config, "RevisionId"));
      !s.ok()) {
    return Fail(call, s);
  }
  json::value& slot = r.policy[QualifierKey(qualifier)];
  if (!slot.is_array()) slot = json::array();
  for (const auto& st : slot.get_array()) {
    if (st.is_object() && StringMember(st.get_object(), "Sid") == sid) {
      return Fail(call, Conflict("The statement id (" + sid +
                                 ") provided already exists. Please provide a new statement id, "
                                 "or remove the existing statement."));
    }
  }
  std::string resource = StringMember(r.config, "FunctionArn");
  if (!qualifier.empty() && qualifier != "$LATEST") resource += ":" + qualifier;
  json::object statement{{"Sid", sid},
                         {"Effect", "Allow"},
                         {"Principal", PrincipalElement(StringMember(in, "Principal"))},
                         {"Action", action},
                         {"Resource", resource}};
  json::object condition;
  if (std::string a = StringMember(in, "SourceAccount"); !a.empty()) {
    condition["StringEquals"].emplace_object()["AWS:SourceAccount"] = a;
  }
  if (std::string t = StringMember(in, "EventSourceToken"); !t.empty()) {
    if (!condition["StringEquals"].is_object()) condition["StringEquals"].emplace_object();
    condition["StringEquals"].get_object()["lambda:EventSourceToken"] = t;
  }
  if (std::string o = StringMember(in, "PrincipalOrgID"); !o.empty()) {
    if (!condition["StringEquals"].is_object()) condition["StringEquals"].emplace_object();
    condition["StringEquals"].get_object()["aws:PrincipalOrgID"] = o;
  }
  if (std::string u = StringMember(in, "FunctionUrlAuthType"); !u.empty()) {
    if (!condition["StringEquals"].is_object()) condition["StringEquals"].emplace_object();
    condition["StringEquals"].get_object()["lambda:FunctionUrlAuthType"] = u;
  }
  if (std::string arn = StringMember(in, "SourceArn"); !arn.empty()) {
    condition["ArnLike"].emplace_object()["AWS:SourceArn"] = arn;
  }
  if (!condition.empty()) statement["Condition"] = std::move(condition);
  slot.get_array().push_back(statement);
  CommitFunction(*fn, call, json::object{{"Statement", json::serialize(statement)}});
}

void LambdaService::RemovePermission(CallPtr call) {
  const json::object& in = call->input();
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  const std::string sid = StringMember(in, "StatementId");
  std::lock_guard lock((*fn)->mu);
  FunctionRecord& r = (*fn)->record;
  json::value* slot = r.policy.if_contains(QualifierKey(qualifier));
  if (slot != nullptr && slot->is_array()) {
    json::array& statements = slot->get_array();
    for (auto it = statements.begin(); it != statements.end(); ++it) {
      if (it->is_object() && StringMember(it->get_object(), "Sid") == sid) {
        statements.erase(it);
        if (statements.empty()) r.policy.erase(QualifierKey(qualifier));
        return CommitFunction(*fn, call, {});
      }
    }
  }
  Fail(call, NotFound("Statement " + sid + " is not found in resource policy."));
}

void LambdaService::GetPolicy(CallPtr call) {
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  const FunctionRecord& r = (*fn)->record;
  const json::value* slot = r.policy.if_contains(QualifierKey(qualifier));
  if (slot == nullptr || !slot->is_array() || slot->get_array().empty()) {
    return Fail(call, NotFound("The resource you requested does not exist."));
  }
  json::object policy{{"Version", "2012-10-17"}, {"Id", "default"}, {"Statement", *slot}};
  call->Reply(json::object{{"Policy", json::serialize(policy)},
                           {"RevisionId", StringMember(r.config, "RevisionId")}});
}

}  // namespace tidepool::lambda
