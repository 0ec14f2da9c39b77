// Tags and permissions: TagQueue, UntagQueue, ListQueueTags, AddPermission, RemovePermission.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/sqs/input.h"
#include "services/sqs/sqs_internal.h"

namespace tidepool::sqs {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr size_t kMaxTags = 50;

bool ValidLabel(std::string_view label) {
  return !label.empty() && label.size() <= 80 &&
         std::all_of(label.begin(), label.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
         });
}

Status InvalidLabel(std::string_view label, std::string_view reason) {
  return SqsStatus(
      SqsError::kInvalidParameterValue,
      fmt::format("Value {} for parameter Label is invalid. Reason: {}", label, reason));
}

// The queue's policy as an object with a Statement array (a fresh one when unset).
json::object PolicyObject(const Queue& q) {
  if (!q.config.policy.empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(q.config.policy, ec);
    if (!ec && v.is_object()) {
      json::object o = std::move(v.get_object());
      if (!o.contains("Statement") || !o["Statement"].is_array()) {
        json::array statements;
        if (o.contains("Statement")) statements.push_back(o["Statement"]);
        o["Statement"] = std::move(statements);
      }
      return o;
    }
  }
  return json::object{
      {"Version", "2012-10-17"}, {"Id", q.arn + "/SQSDefaultPolicy"}, {"Statement", json::array()}};
}

bool HasLabel(const json::array& statements, std::string_view label) {
  for (const auto& s : statements) {
    if (!s.is_object()) continue;
    const auto* sid = s.get_object().if_contains("Sid");
    if (sid && sid->is_string() && sid->get_string() == label) return true;
  }
  return false;
}

}  // namespace

void SqsService::TagQueue(CallPtr call) {
  auto q = ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  Queue& queue = **q;
  const auto* tags = InputObject(call->input(), "Tags");
  std::lock_guard lock(queue.mu);
  auto merged = queue.tags;
  if (tags) {
    for (const auto& [k, v] : *tags) {
      if (v.is_string()) merged[std::string(k)] = std::string(v.get_string());
    }
  }
  if (merged.size() > kMaxTags) {
    return Fail(call, SqsStatus(SqsError::kInvalidParameterValue,
                                fmt::format("Too many tags added for queue {}.", queue.name)));
  }
  queue.tags = std::move(merged);
  CommitMeta(queue, call, {});
}

void SqsService::UntagQueue(CallPtr call) {
  auto q = ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  Queue& queue = **q;
  std::lock_guard lock(queue.mu);
  if (const auto* keys = InputArray(call->input(), "TagKeys")) {
    for (const auto& k : *keys) {
      if (k.is_string()) queue.tags.erase(std::string(k.get_string()));
    }
  }
  CommitMeta(queue, call, {});
}

void SqsService::ListQueueTags(CallPtr call) {
  auto q = ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  json::object tags;
  {
    std::lock_guard lock((*q)->mu);
    for (const auto& [k, v] : (*q)->tags) tags[k] = v;
  }
  json::object out;
  if (!tags.empty()) out["Tags"] = std::move(tags);
  call->Reply(std::move(out));
}

void SqsService::AddPermission(CallPtr call) {
  auto q = ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  Queue& queue = **q;
  const auto& in = call->input();
  const auto label = InputString(in, "Label").value_or("");
  const auto* accounts = InputArray(in, "AWSAccountIds");
  const auto* actions = InputArray(in, "Actions");
  if (!ValidLabel(label)) {
    return Fail(call, InvalidLabel(label,
                                   "Can only include alphanumeric characters, hyphens, or "
                                   "underscores. 1 to 80 in length"));
  }
  if (!accounts || accounts->empty()) {
    return Fail(call, SqsStatus(SqsError::kMissingParameter,
                                "The request must contain the parameter AWSAccountIds."));
  }
  if (!actions || actions->empty()) {
    return Fail(call, SqsStatus(SqsError::kMissingParameter,
                                "The request must contain the parameter Actions."));
  }
  json::array principals;
  for (const auto& a : *accounts) {
    if (a.is_string()) principals.emplace_back(fmt::format("arn:aws:iam::{}:root", a.get_string()));
  }
  json::array action_list;
  for (const auto& a : *actions) {
    if (a.is_string()) action_list.emplace_back(fmt::format("SQS:{}", a.get_string()));
  }
  std::lock_guard lock(queue.mu);
  json::object policy = PolicyObject(queue);
  json::array& statements = policy["Statement"].get_array();
  if (HasLabel(statements, label)) {
    return Fail(call, InvalidLabel(label, "Already exists."));
  }
  json::object statement{{"Sid", label}, {"Effect", "Allow"}};
  statement["Principal"] = json::object{
      {"AWS", principals.size() == 1 ? json::value(principals[0]) : json::value(principals)}};
  statement["Action"] =
      action_list.size() == 1 ? json::value(action_list[0]) : json::value(action_list);
  statement["Resource"] = queue.arn;
  statements.emplace_back(std::move(statement));
  queue.config.policy = json::serialize(policy);
  CommitMeta(queue, call, {});
}

void SqsService::RemovePermission(CallPtr call) {
  auto q = ResolveQueue(*call);
  if (!q.ok()) return Fail(call, q.status());
  Queue& queue = **q;
  const auto label = InputString(call->input(), "Label").value_or("");
  std::lock_guard lock(queue.mu);
  json::object policy = PolicyObject(queue);
  json::array& statements = policy["Statement"].get_array();
  if (!HasLabel(statements, label)) {
    return Fail(call, InvalidLabel(label, "can't find label on existing policy."));
  }
  json::array kept;
  for (auto& s : statements) {
    const auto* sid = s.is_object() ? s.get_object().if_contains("Sid") : nullptr;
    if (!(sid && sid->is_string() && sid->get_string() == label)) kept.push_back(std::move(s));
  }
  if (kept.empty()) {
    queue.config.policy.clear();
  } else {
    policy["Statement"] = std::move(kept);
    queue.config.policy = json::serialize(policy);
  }
  CommitMeta(queue, call, {});
}

}  // namespace tidepool::sqs
