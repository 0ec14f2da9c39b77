// Topics: CreateTopic (standard and FIFO, idempotent for the same name, attributes and tags),
// DeleteTopic, ListTopics (100 per page), Get/SetTopicAttributes, Add/RemovePermission
// (statements of the topic's Policy), Get/PutDataProtectionPolicy.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "core/encoding.h"
#include "services/sns/input.h"
#include "services/sns/keyspace.h"
#include "services/sns/sns_errors.h"
#include "services/sns/sns_service.h"
#include "services/sns/topic_codec.h"
#include "storage/key_codec.h"

namespace tidepool::sns {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// The actions a topic policy's statement may name (AddPermission's ActionName).
bool IsTopicPolicyAction(std::string_view action) {
  static constexpr std::string_view kActions[] = {
      "AddPermission", "DeleteTopic", "GetTopicAttributes", "ListSubscriptionsByTopic",
      "Publish",       "Receive",     "RemovePermission",   "SetTopicAttributes",
      "Subscribe"};
  return std::find(std::begin(kActions), std::end(kActions), action) != std::end(kActions);
}

// AWS's policy statements name one principal or action as a string, several as a list.
json::value OneOrList(json::array values) {
  if (values.size() == 1) return std::move(values[0]);
  return values;
}

constexpr size_t kTopicsPerPage = 100;
constexpr size_t kMaxTags = 50;

bool NameChars(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

bool SettableAttribute(std::string_view name) {
  static const std::set<std::string_view> kNames = {"DeliveryPolicy",
                                                    "DisplayName",
                                                    "Policy",
                                                    "SignatureVersion",
                                                    "TracingConfig",
                                                    "KmsMasterKeyId",
                                                    "ContentBasedDeduplication",
                                                    "ArchivePolicy",
                                                    "FifoThroughputScope",
                                                    "DataProtectionPolicy"};
  if (kNames.contains(name)) return true;
  for (std::string_view p : {"HTTP", "Firehose", "Lambda", "Application", "SQS"}) {
    if (!name.starts_with(p)) continue;
    std::string_view rest = name.substr(p.size());
    if (rest == "SuccessFeedbackRoleArn" || rest == "SuccessFeedbackSampleRate" ||
        rest == "FailureFeedbackRoleArn") {
      return true;
    }
  }
  return false;
}

std::string DefaultPolicy(const Topic& t) {
  json::object statement{
      {"Sid", "__default_statement_ID"},
      {"Effect", "Allow"},
      {"Principal", json::object{{"AWS", "*"}}},
      {"Action", json::array{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes",
                             "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic",
                             "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"}},
      {"Resource", t.arn},
      {"Condition", json::object{{"StringEquals", json::object{{"AWS:SourceOwner", t.account}}}}}};
  return json::serialize(json::object{{"Version", "2008-10-17"},
                                      {"Id", "__default_policy_ID"},
                                      {"Statement", json::array{std::move(statement)}}});
}

constexpr std::string_view kDefaultEffectiveDeliveryPolicy =
    R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,)"
    R"("numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,)"
    R"("backoffFunction":"linear"},"disableSubscriptionOverrides":false,)"
    R"("defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})";

// Validates a topic attribute value; `prefix` is the error text's start.
Status CheckTopicAttribute(bool fifo, std::string_view name, std::string_view value,
                           std::string_view prefix) {
  if (!SettableAttribute(name)) return InvalidParameter(fmt::format("{}AttributeName", prefix));
  if (name == "ContentBasedDeduplication") {
    if (!fifo) {
      return InvalidParameter(fmt::format(
          "{}ContentBasedDeduplication Reason: Content based deduplication can only be set for "
          "FIFO topics",
          prefix));
    }
    if (value != "true" && value != "false") {
      return InvalidParameter(fmt::format(
          "{}ContentBasedDeduplication Reason: Invalid value [{}] for ContentBasedDeduplication",
          prefix, value));
    }
  }
  if ((name == "Policy" || name == "DeliveryPolicy" || name == "DataProtectionPolicy") &&
      !value.empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(value, ec);
    if (ec || !v.is_object()) {
      return InvalidParameter(fmt::format("{}{}: failed to parse JSON.", prefix, name));
    }
  }
  return Status::Ok();
}

bool HasSid(const json::value& statement, std::string_view label) {
  const auto* o = statement.if_object();
  const auto* sid = o ? o->if_contains("Sid") : nullptr;
  return sid && sid->is_string() && sid->get_string() == label;
}

// The topic's Policy document (or the default one) as a JSON object with a Statement array.
json::object PolicyDocument(const Topic& t) {
  std::string text = t.Attribute("Policy");
  if (text.empty()) text = DefaultPolicy(t);
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  json::object doc = (!ec && v.is_object()) ? v.get_object() : json::object{};
  if (!doc["Statement"].is_array()) doc["Statement"] = json::array();
  return doc;
}

// Reads a Tags list into a map; InvalidParameter for duplicated keys.
Result<std::map<std::string, std::string>> ReadTags(const json::array* tags) {
  std::map<std::string, std::string> out;
  if (!tags) return out;
  for (const auto& t : *tags) {
    const auto* o = t.if_object();
    if (!o) continue;
    std::string key(InputStringView(*o, "Key").value_or(""));
    std::string value(InputStringView(*o, "Value").value_or(""));
    if (!out.emplace(std::move(key), std::move(value)).second) {
      return InvalidParameter("Invalid parameter: Duplicated keys are not allowed.");
    }
  }
  return out;
}

}  // namespace

void SnsService::CreateTopic(CallPtr call) {
  const auto& in = call->input();
  const std::string name(InputStringView(in, "Name").value_or(""));
  std::map<std::string, std::string> attributes;
  bool fifo = false;
  if (const auto* attrs = InputObject(in, "Attributes")) {
    for (const auto& [k, v] : *attrs) {
      if (!v.is_string()) continue;
      if (k == "FifoTopic") {
        fifo = v.get_string() == "true";
        continue;
      }
      attributes[std::string(k)] = std::string(v.get_string());
    }
  }
  if (auto dpp = InputStringView(in, "DataProtectionPolicy")) {
    attributes["DataProtectionPolicy"] = std::string(*dpp);
  }
  if (fifo) {
    if (name.size() < 6 || name.size() > 256 || !name.ends_with(".fifo") ||
        !NameChars(std::string_view(name).substr(0, name.size() - 5))) {
      return Fail(call, InvalidParameter(
                            "Invalid parameter: Fifo Topic names must end with .fifo and must be "
                            "made up of only uppercase and lowercase ASCII letters, numbers, "
                            "underscores, and hyphens, and must be between 1 and 256 characters "
                            "long."));
    }
  } else if (name.empty() || name.size() > 256 || !NameChars(name)) {
    return Fail(call, InvalidParameter("Invalid parameter: Topic Name"));
  }
  for (const auto& [k, v] : attributes) {
    Status st = CheckTopicAttribute(fifo, k, v, "Invalid parameter: ");
    if (!st.ok()) return Fail(call, st);
  }
  if (fifo && !attributes.contains("ContentBasedDeduplication")) {
    attributes["ContentBasedDeduplication"] = "false";
  }
  auto tags = ReadTags(InputArray(in, "Tags"));
  if (!tags.ok()) return Fail(call, tags.status());
  if (tags->size() > kMaxTags) {
    return Fail(call, SnsStatus(SnsError::kTagLimitExceeded,
                                "Could not complete request: tag quota of per resource exceeded"));
  }
  const auto& ctx = call->context();
  const std::string arn = fmt::format("arn:aws:sns:{}:{}:{}", ctx.region, ctx.account_id, name);

  std::unique_lock registry(registry_mu_);
  if (auto it = topics_.find(arn); it != topics_.end()) {
    auto existing = it->second;
    registry.unlock();
    std::lock_guard lock(existing->mu);
    for (const auto& [k, v] : attributes) {
      if (k == "ContentBasedDeduplication" && v == "false" && !existing->attributes.contains(k))
        continue;
      if (existing->Attribute(k) != v) {
        return Fail(call, InvalidParameter("Invalid parameter: Attributes Reason: Topic already "
                                           "exists with different attributes"));
      }
    }
    for (const auto& [k, v] : *tags) {
      auto t = existing->tags.find(k);
      if (t == existing->tags.end() || t->second != v) {
        return Fail(call, InvalidParameter("Invalid parameter: Tags Reason: Topic already exists "
                                           "with different tags"));
      }
    }
    return call->Reply(json::object{{"TopicArn", arn}});
  }
  size_t count = 0;
  for (const auto& [a, t] : topics_)
    count += t->account == ctx.account_id && t->region == ctx.region;
  if (count >= options_.topic_limit) {
    return Fail(call, SnsStatus(SnsError::kTopicLimitExceeded, "Topic limit exceeded"));
  }
  auto topic = std::make_shared<Topic>();
  topic->arn = arn;
  topic->account = ctx.account_id;
  topic->region = ctx.region;
  topic->name = name;
  topic->fifo = fifo;
  topic->attributes = std::move(attributes);
  topic->tags = std::move(*tags);
  topics_[arn] = topic;
  std::lock_guard lock(topic->mu);
  registry.unlock();
  CommitTopic(*topic, call, json::object{{"TopicArn", arn}});
}

void SnsService::DeleteTopic(CallPtr call) {
  auto resolved = ResolveTopic(*call, InputStringView(call->input(), "TopicArn").value_or(""));
  if (!resolved.ok()) {
    if (resolved.status().detail() == static_cast<uint16_t>(SnsError::kNotFound)) {
      return call->Reply({});  // AWS: deleting a topic that does not exist is not an error
    }
    return Fail(call, resolved.status());
  }
  auto topic = *resolved;
  {
    std::unique_lock registry(registry_mu_);
    auto it = topics_.find(topic->arn);
    if (it != topics_.end() && it->second == topic) topics_.erase(it);
  }
  std::lock_guard lock(topic->mu);
  topic->deleted = true;
  storage::WriteBatch batch;
  batch.Delete(keyspace::TopicKey(topic->arn));
  batch.Delete(keyspace::CounterKey(topic->arn));
  const std::string dedup = keyspace::DedupPrefix(topic->arn);
  batch.DeleteRange(dedup, storage::PrefixEnd(dedup));
  Submit(std::move(batch), call, [call](const Status& st) {
    if (st.ok()) {
      call->Reply({});
    } else {
      Fail(call, st);
    }
  });
}

void SnsService::ListTopics(CallPtr call) {
  const auto& ctx = call->context();
  auto topics = TopicsOf(ctx.account_id, ctx.region);
  size_t start = 0;
  if (auto token = InputStringView(call->input(), "NextToken")) {
    auto arn = Base64Decode(*token);
    if (!arn) return Fail(call, InvalidParameter("Invalid parameter: NextToken"));
    start = std::lower_bound(topics.begin(), topics.end(), *arn,
                             [](const auto& t, const std::string& a) { return t->arn < a; }) -
            topics.begin();
  }
  json::array out;
  size_t i = start;
  for (; i < topics.size() && out.size() < kTopicsPerPage; ++i) {
    out.emplace_back(json::object{{"TopicArn", topics[i]->arn}});
  }
  json::object reply{{"Topics", std::move(out)}};
  if (i < topics.size()) reply["NextToken"] = Base64Encode(topics[i]->arn);
  call->Reply(std::move(reply));
}

void SnsService::GetTopicAttributes(CallPtr call) {
  auto resolved = ResolveTopic(*call, InputStringView(call->input(), "TopicArn").value_or(""));
  if (!resolved.ok()) return Fail(call, resolved.status());
  const auto& t = **resolved;
  std::lock_guard lock(t.mu);
  size_t confirmed = 0, pending = 0;
  for (const auto& s : t.subscriptions) (s->pending ? pending : confirmed)++;
  json::object attrs{{"TopicArn", t.arn},
                     {"Owner", t.account},
                     {"Policy", DefaultPolicy(t)},
                     {"DisplayName", ""},
                     {"SubscriptionsConfirmed", std::to_string(confirmed)},
                     {"SubscriptionsPending", std::to_string(pending)},
                     {"SubscriptionsDeleted", std::to_string(t.deleted_subscriptions)},
                     {"EffectiveDeliveryPolicy", kDefaultEffectiveDeliveryPolicy}};
  for (const auto& [k, v] : t.attributes) {
    if (k != "DataProtectionPolicy") attrs[k] = v;
  }
  if (auto dp = t.Attribute("DeliveryPolicy"); !dp.empty()) attrs["EffectiveDeliveryPolicy"] = dp;
  if (t.fifo) attrs["FifoTopic"] = "true";
  call->Reply(json::object{{"Attributes", std::move(attrs)}});
}

void SnsService::SetTopicAttributes(CallPtr call) {
  const auto& in = call->input();
  auto resolved = ResolveTopic(*call, InputStringView(in, "TopicArn").value_or(""));
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& t = **resolved;
  const std::string name(InputStringView(in, "AttributeName").value_or(""));
  const std::string value(InputStringView(in, "AttributeValue").value_or(""));
  std::lock_guard lock(t.mu);
  Status st = CheckTopicAttribute(t.fifo, name, value, "Invalid parameter: ");
  if (!st.ok()) return Fail(call, st);
  if (value.empty() && name != "DisplayName") {
    t.attributes.erase(name);
  } else {
    t.attributes[name] = value;
  }
  CommitTopic(t, call, {});
}

void SnsService::AddPermission(CallPtr call) {
  const auto& in = call->input();
  auto resolved = ResolveTopic(*call, InputStringView(in, "TopicArn").value_or(""));
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& t = **resolved;
  const std::string label(InputStringView(in, "Label").value_or(""));
  json::array principals, actions;
  if (const auto* ids = InputArray(in, "AWSAccountId")) {
    for (const auto& id : *ids) {
      if (id.is_string())
        principals.emplace_back(fmt::format("arn:aws:iam::{}:root", id.get_string().c_str()));
    }
  }
  if (const auto* names = InputArray(in, "ActionName")) {
    for (const auto& a : *names) {
      if (!a.is_string()) continue;
      if (!IsTopicPolicyAction(a.get_string())) {
        return Fail(call, InvalidParameter(
                              "Invalid parameter: Policy statement action out of service scope!"));
      }
      actions.emplace_back(fmt::format("SNS:{}", a.get_string().c_str()));
    }
  }
  std::lock_guard lock(t.mu);
  json::object policy = PolicyDocument(t);
  auto& statements = policy["Statement"].get_array();
  for (const auto& s : statements) {
    if (HasSid(s, label)) {
      return Fail(call, InvalidParameter("Invalid parameter: Statement already exists"));
    }
  }
  statements.emplace_back(json::object{{"Sid", label},
                                       {"Effect", "Allow"},
                                       {"Principal", json::object{{"AWS", OneOrList(principals)}}},
                                       {"Action", OneOrList(actions)},
                                       {"Resource", t.arn}});
  t.attributes["Policy"] = json::serialize(policy);
  CommitTopic(t, call, {});
}

void SnsService::RemovePermission(CallPtr call) {
  const auto& in = call->input();
  auto resolved = ResolveTopic(*call, InputStringView(in, "TopicArn").value_or(""));
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& t = **resolved;
  const std::string label(InputStringView(in, "Label").value_or(""));
  std::lock_guard lock(t.mu);
  if (t.Attribute("Policy").empty()) return call->Reply({});
  json::object policy = PolicyDocument(t);
  auto& arr = policy["Statement"].get_array();
  for (auto it = arr.begin(); it != arr.end();) {
    it = HasSid(*it, label) ? arr.erase(it) : it + 1;
  }
  t.attributes["Policy"] = json::serialize(policy);
  CommitTopic(t, call, {});
}

void SnsService::GetDataProtectionPolicy(CallPtr call) {
  auto resolved = ResolveTopic(*call, InputStringView(call->input(), "ResourceArn").value_or(""));
  if (!resolved.ok()) return Fail(call, resolved.status());
  std::lock_guard lock((*resolved)->mu);
  json::object out;
  if (auto p = (*resolved)->Attribute("DataProtectionPolicy"); !p.empty()) {
    out["DataProtectionPolicy"] = p;
  }
  call->Reply(std::move(out));
}

void SnsService::PutDataProtectionPolicy(CallPtr call) {
  const auto& in = call->input();
  auto resolved = ResolveTopic(*call, InputStringView(in, "ResourceArn").value_or(""));
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& t = **resolved;
  const std::string value(InputStringView(in, "DataProtectionPolicy").value_or(""));
  Status st = CheckTopicAttribute(t.fifo, "DataProtectionPolicy", value, "Invalid parameter: ");
  if (!st.ok()) return Fail(call, st);
  std::lock_guard lock(t.mu);
  t.attributes["DataProtectionPolicy"] = value;
  CommitTopic(t, call, {});
}

}  // namespace tidepool::sns
