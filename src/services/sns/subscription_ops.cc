// Subscriptions: Subscribe (sqs, lambda confirmed at once; http/https get a
// SubscriptionConfirmation message through the outbox and stay pending until
// ConfirmSubscription), ConfirmSubscription, Unsubscribe (a confirmed http/https endpoint
// gets an UnsubscribeConfirmation whose token restores the subscription),
// ListSubscriptions(ByTopic) with 100 per page, Get/SetSubscriptionAttributes with AWS's
// validation texts.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "core/arn.h"
#include "core/encoding.h"
#include "services/sns/input.h"
#include "services/sns/keyspace.h"
#include "services/sns/sns_errors.h"
#include "services/sns/sns_service.h"
#include "services/sns/topic_codec.h"

namespace tidepool::sns {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr size_t kSubscriptionsPerPage = 100;

bool KnownProtocol(std::string_view p) {
  static const std::set<std::string_view> kAll = {
      "http", "https", "email", "email-json", "sms", "sqs", "lambda", "application", "firehose"};
  return kAll.contains(p);
}
bool DeliveredProtocol(std::string_view p) {
  return p == "sqs" || p == "http" || p == "https" || p == "lambda";
}

// A subscription attribute as Subscribe compares it: an absent attribute that has a default
// equals it written out (RawMessageDelivery "false", FilterPolicyScope "MessageAttributes"),
// as AWS answers a repeated Subscribe.
std::string AttributeOrDefault(const Subscription& sub, std::string_view name) {
  std::string value = sub.Attribute(name);
  if (!value.empty()) return value;
  if (name == "RawMessageDelivery") return "false";
  if (name == "FilterPolicyScope") return "MessageAttributes";
  return value;
}

std::string NewToken() {
  std::string raw = NewUuid() + NewUuid();
  std::erase(raw, '-');
  return raw;  // 64 hex characters
}

// Gives http/https subscription `sub` of `topic` a new token and writes the
// SubscriptionConfirmation or UnsubscribeConfirmation that carries it, outbox entry `seq`,
// into `batch` and `deliveries`. `base` is the endpoint clients reach us at.
void StageConfirmation(DeliveryKind kind, const Topic& topic, Subscription& sub,
                       const std::string& base, int64_t now_micros, uint64_t seq,
                       storage::WriteBatch* batch, std::vector<DeliveryPtr>* deliveries) {
  sub.token = NewToken();
  Delivery d;
  d.seq = seq;
  d.kind = kind;
  d.subscription_arn = sub.arn;
  d.topic_arn = topic.arn;
  d.protocol = sub.protocol;
  d.endpoint = sub.endpoint;
  d.delivery_policy = sub.Attribute("DeliveryPolicy");
  if (d.delivery_policy.empty()) d.delivery_policy = topic.Attribute("DeliveryPolicy");
  d.message_id = NewUuid();
  d.message = kind == DeliveryKind::kSubscriptionConfirmation
                  ? fmt::format(
                        "You have chosen to subscribe to the topic {}.\nTo confirm the "
                        "subscription, visit the SubscribeURL included in this message.",
                        topic.arn)
                  : fmt::format(
                        "You have chosen to deactivate subscription {}.\nTo cancel this "
                        "operation and restore the subscription, visit the SubscribeURL "
                        "included in this message.",
                        sub.arn);
  d.timestamp_micros = now_micros;
  d.token = sub.token;
  d.subscribe_url = fmt::format("{}/?Action=ConfirmSubscription&TopicArn={}&Token={}", base,
                                topic.arn, sub.token);
  d.signing_cert_url = fmt::format(
      "https://sns.{}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
      topic.region);
  batch->Put(keyspace::OutboxKey(d.seq), EncodeDelivery(d));
  deliveries->push_back(std::make_shared<const Delivery>(std::move(d)));
}

constexpr std::string_view kDefaultHttpPolicy =
    R"({"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,)"
    R"("numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,)"
    R"("backoffFunction":"linear"},"sicklyRetryPolicy":null,"throttlePolicy":null,)"
    R"("requestPolicy":{"headerContentType":"text/plain; charset=UTF-8"},"guaranteed":false})";

json::object ListEntry(const Subscription& s) {
  return json::object{{"SubscriptionArn", s.pending ? std::string("PendingConfirmation") : s.arn},
                      {"Owner", s.owner},
                      {"Protocol", s.protocol},
                      {"Endpoint", s.endpoint},
                      {"TopicArn", s.topic_arn}};
}

// One page of `subs` starting after the subscription the token names.
Result<json::object> Page(const std::vector<json::object>& subs, std::vector<std::string> arns,
                          const json::object& in) {
  size_t start = 0;
  if (auto token = InputStringView(in, "NextToken")) {
    auto arn = Base64Decode(*token);
    if (!arn) return InvalidParameter("Invalid parameter: NextToken");
    auto it = std::find(arns.begin(), arns.end(), *arn);
    if (it == arns.end()) return InvalidParameter("Invalid parameter: NextToken");
    start = it - arns.begin();
  }
  json::array page;
  size_t i = start;
  for (; i < subs.size() && page.size() < kSubscriptionsPerPage; ++i) page.emplace_back(subs[i]);
  json::object out{{"Subscriptions", std::move(page)}};
  if (i < subs.size()) out["NextToken"] = Base64Encode(arns[i]);
  return out;
}

}  // namespace

Status SnsService::ValidateSubscriptionAttribute(const Topic& topic, const Subscription& sub,
                                                 std::string_view name, std::string_view value,
                                                 bool subscribe_call) const {
  const std::string_view prefix =
      subscribe_call ? "Invalid parameter: Attributes Reason: " : "Invalid parameter: ";
  static const std::set<std::string_view> kNames = {
      "DeliveryPolicy", "FilterPolicy",        "FilterPolicyScope", "RawMessageDelivery",
      "RedrivePolicy",  "SubscriptionRoleArn", "ReplayPolicy"};
  if (!kNames.contains(name)) return InvalidParameter(fmt::format("{}AttributeName", prefix));
  if (name == "FilterPolicyScope") {
    if (value != "MessageAttributes" && value != "MessageBody") {
      return InvalidParameter(
          fmt::format("{}FilterPolicyScope: Invalid value [{}]. Please use either MessageBody or "
                      "MessageAttributes",
                      prefix, value));
    }
    const std::string policy = sub.Attribute("FilterPolicy");
    if (!policy.empty()) {
      auto parsed =
          FilterPolicy::Parse(policy, value == "MessageBody" ? FilterScope::kMessageBody
                                                             : FilterScope::kMessageAttributes);
      if (!parsed.ok())
        return InvalidParameter(fmt::format("{}{}", prefix, parsed.status().message()));
    }
  } else if (name == "FilterPolicy") {
    if (value.empty()) return Status::Ok();
    const FilterScope scope = sub.Attribute("FilterPolicyScope") == "MessageBody"
                                  ? FilterScope::kMessageBody
                                  : FilterScope::kMessageAttributes;
    auto parsed = FilterPolicy::Parse(value, scope);
    if (!parsed.ok())
      return InvalidParameter(fmt::format("{}{}", prefix, parsed.status().message()));
  } else if (name == "RawMessageDelivery") {
    std::string lower(value);
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower != "true" && lower != "false") {
      return InvalidParameter(fmt::format(
          "{}RawMessageDelivery: Invalid value [{}]. Must be true or false.", prefix, value));
    }
  } else if (name == "RedrivePolicy" || name == "DeliveryPolicy") {
    boost::system::error_code ec;
    json::value v = json::parse(value, ec);
    if (ec || !v.is_object()) {
      return InvalidParameter(fmt::format("{}{}: failed to parse JSON.", prefix, name));
    }
    if (name == "RedrivePolicy") {
      const auto* target = v.get_object().if_contains("deadLetterTargetArn");
      std::optional<Arn> arn;
      if (target && target->is_string()) arn = Arn::Parse(target->get_string());
      if (!arn) {
        return InvalidParameter(
            fmt::format("{}RedrivePolicy: deadLetterTargetArn is an invalid arn", prefix));
      }
      if (topic.fifo && sub.endpoint.ends_with(".fifo") &&
          (arn->service != "sqs" || !arn->resource.ends_with(".fifo"))) {
        return InvalidParameter(fmt::format(
            "{}RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO "
            "Topic.",
            prefix));
      }
    }
  }
  return Status::Ok();
}

void SnsService::Subscribe(CallPtr call) {
  const auto& in = call->input();
  auto resolved = ResolveTopic(*call, InputStringView(in, "TopicArn").value_or(""));
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto topic = *resolved;
  const std::string protocol(InputStringView(in, "Protocol").value_or(""));
  const std::string endpoint(InputStringView(in, "Endpoint").value_or(""));
  if (endpoint.empty()) {
    return Fail(call, SnsStatus(SnsError::kNotFound, "Endpoint not specified in subscription"));
  }
  if (!KnownProtocol(protocol)) {
    return Fail(call, InvalidParameter(fmt::format(
                          "Invalid parameter: Amazon SNS does not support this protocol string: {}",
                          protocol)));
  }
  if (!DeliveredProtocol(protocol)) {
    return Fail(call, InvalidParameter(fmt::format(
                          "Invalid parameter: Protocol Reason: tidepool does not deliver to {} "
                          "endpoints (supported: sqs, http, https, lambda)",
                          protocol)));
  }
  if ((protocol == "http" || protocol == "https") && !endpoint.starts_with(protocol + "://")) {
    return Fail(call,
                InvalidParameter("Invalid parameter: Endpoint must match the specified protocol"));
  }
  if (protocol == "sqs" || protocol == "lambda") {
    auto arn = Arn::Parse(endpoint);
    if (!arn || arn->service != protocol) {
      return Fail(call,
                  InvalidParameter(protocol == "sqs" ? "Invalid parameter: SQS endpoint ARN"
                                                     : "Invalid parameter: Lambda endpoint ARN"));
    }
  }
  if (protocol == "sqs" && endpoint.ends_with(".fifo") && !topic->fifo) {
    return Fail(call,
                InvalidParameter("Invalid parameter: Invalid parameter: Endpoint Reason: FIFO "
                                 "SQS Queues can not be subscribed to standard SNS topics"));
  }
  auto sub = std::make_shared<Subscription>();
  sub->topic_arn = topic->arn;
  sub->owner = call->context().account_id;
  sub->protocol = protocol;
  sub->endpoint = endpoint;
  if (const auto* attrs = InputObject(in, "Attributes")) {
    for (const auto& [k, v] : *attrs) {
      if (!v.is_string()) continue;
      std::string value(v.get_string());
      if (k == "RawMessageDelivery") {
        std::transform(value.begin(), value.end(), value.begin(), ::tolower);
      }
      sub->attributes[std::string(k)] = std::move(value);
    }
  }
  for (const auto& [k, v] : sub->attributes) {
    Status st = ValidateSubscriptionAttribute(*topic, *sub, k, v, /*subscribe_call=*/true);
    if (!st.ok()) return Fail(call, st);
  }
  if (sub->Attribute("FilterPolicy").empty()) sub->attributes.erase("FilterPolicy");
  ApplyDerived(*sub);
  const bool return_arn = InputBool(in, "ReturnSubscriptionArn").value_or(false);

  std::lock_guard lock(topic->mu);
  if (topic->deleted) return Fail(call, SnsStatus(SnsError::kNotFound, "Topic does not exist"));
  for (const auto& existing : topic->subscriptions) {
    if (existing->endpoint != endpoint || existing->protocol != protocol) continue;
    for (const auto& [k, v] : sub->attributes) {
      if (AttributeOrDefault(*existing, k) != v) {
        return Fail(call, InvalidParameter("Invalid parameter: Attributes Reason: Subscription "
                                           "already exists with different attributes"));
      }
    }
    const bool show = !existing->pending || return_arn;
    return call->Reply(json::object{
        {"SubscriptionArn", show ? existing->arn : std::string("pending confirmation")}});
  }
  if (topic->subscriptions.size() >= options_.subscriptions_per_topic_limit) {
    return Fail(call,
                SnsStatus(SnsError::kSubscriptionLimitExceeded, "Subscription limit exceeded"));
  }
  sub->arn = topic->arn + ":" + NewUuid();
  storage::WriteBatch extra;
  std::vector<DeliveryPtr> deliveries;
  if (protocol == "http" || protocol == "https") {
    sub->pending = true;
    StageConfirmation(DeliveryKind::kSubscriptionConfirmation, *topic, *sub, PublicEndpoint(*call),
                      clock_.NowMicros(), NextOutboxSeq(), &extra, &deliveries);
  }
  topic->subscriptions.push_back(sub);
  const bool show = !sub->pending || return_arn;
  CommitTopic(
      *topic, call,
      json::object{{"SubscriptionArn", show ? sub->arn : std::string("pending confirmation")}},
      std::move(extra), std::move(deliveries));
}

void SnsService::ConfirmSubscription(CallPtr call) {
  const auto& in = call->input();
  const std::string_view topic_arn = InputStringView(in, "TopicArn").value_or("");
  const std::string_view token = InputStringView(in, "Token").value_or("");
  if (!Arn::Parse(topic_arn)) return Fail(call, InvalidParameter("Invalid parameter: Topic"));
  // AWS checks the token, not the topic: a topic that does not exist holds no token of ours.
  auto topic = FindTopic(topic_arn);
  if (!topic) return Fail(call, InvalidParameter("Invalid parameter: Token"));
  std::lock_guard lock(topic->mu);
  for (const auto& sub : topic->subscriptions) {
    if (sub->token.empty() || sub->token != token) continue;
    if (!sub->pending) return call->Reply(json::object{{"SubscriptionArn", sub->arn}});
    sub->pending = false;
    return CommitTopic(*topic, call, json::object{{"SubscriptionArn", sub->arn}});
  }
  // The token of an UnsubscribeConfirmation: the subscription comes back as it was, unless
  // the endpoint subscribed again meanwhile (that subscription stands).
  auto gone = std::find_if(topic->unsubscribed.begin(), topic->unsubscribed.end(),
                           [&](const auto& s) { return !token.empty() && s->token == token; });
  if (gone != topic->unsubscribed.end()) {
    std::shared_ptr<Subscription> sub = *gone;
    std::shared_ptr<Subscription> again;
    for (const auto& existing : topic->subscriptions) {
      if (existing->protocol == sub->protocol && existing->endpoint == sub->endpoint) {
        again = existing;
      }
    }
    if (!again && topic->subscriptions.size() >= options_.subscriptions_per_topic_limit) {
      return Fail(call,
                  SnsStatus(SnsError::kSubscriptionLimitExceeded, "Subscription limit exceeded"));
    }
    topic->unsubscribed.erase(gone);
    if (again) return CommitTopic(*topic, call, json::object{{"SubscriptionArn", again->arn}});
    sub->token.clear();
    topic->subscriptions.push_back(sub);
    if (topic->deleted_subscriptions > 0) topic->deleted_subscriptions--;
    return CommitTopic(*topic, call, json::object{{"SubscriptionArn", sub->arn}});
  }
  Fail(call, InvalidParameter("Invalid parameter: Token"));
}

void SnsService::Unsubscribe(CallPtr call) {
  const std::string_view arn = InputStringView(call->input(), "SubscriptionArn").value_or("");
  if (!Arn::Parse(arn)) {
    const size_t parts = std::count(arn.begin(), arn.end(), ':') + 1;
    return Fail(call, InvalidParameter(fmt::format(
                          "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 "
                          "elements, not {}",
                          parts)));
  }
  if (std::count(arn.begin(), arn.end(), ':') < 6) {
    return Fail(call, InvalidParameter("Invalid parameter: SubscriptionId"));
  }
  auto resolved = ResolveSubscription(arn);
  if (!resolved.ok()) return call->Reply({});  // idempotent
  auto& [topic, sub] = *resolved;
  std::lock_guard lock(topic->mu);
  auto it = std::find(topic->subscriptions.begin(), topic->subscriptions.end(), sub);
  if (it == topic->subscriptions.end()) return call->Reply({});
  topic->subscriptions.erase(it);
  topic->deleted_subscriptions++;
  storage::WriteBatch extra;
  std::vector<DeliveryPtr> deliveries;
  if ((sub->protocol == "http" || sub->protocol == "https") && !sub->pending) {
    StageConfirmation(DeliveryKind::kUnsubscribeConfirmation, *topic, *sub, PublicEndpoint(*call),
                      clock_.NowMicros(), NextOutboxSeq(), &extra, &deliveries);
    topic->unsubscribed.push_back(sub);
    if (topic->unsubscribed.size() > Topic::kKeptUnsubscribed) {
      topic->unsubscribed.erase(topic->unsubscribed.begin());
    }
  }
  CommitTopic(*topic, call, {}, std::move(extra), std::move(deliveries));
}

void SnsService::ListSubscriptions(CallPtr call) {
  const auto& ctx = call->context();
  std::vector<json::object> subs;
  std::vector<std::string> arns;
  for (const auto& topic : TopicsOf(ctx.account_id, ctx.region)) {
    std::lock_guard lock(topic->mu);
    for (const auto& s : topic->subscriptions) {
      subs.push_back(ListEntry(*s));
      arns.push_back(s->arn);
    }
  }
  auto page = Page(subs, std::move(arns), call->input());
  if (!page.ok()) return Fail(call, page.status());
  call->Reply(std::move(*page));
}

void SnsService::ListSubscriptionsByTopic(CallPtr call) {
  auto resolved = ResolveTopic(*call, InputStringView(call->input(), "TopicArn").value_or(""));
  if (!resolved.ok()) return Fail(call, resolved.status());
  std::vector<json::object> subs;
  std::vector<std::string> arns;
  {
    std::lock_guard lock((*resolved)->mu);
    for (const auto& s : (*resolved)->subscriptions) {
      subs.push_back(ListEntry(*s));
      arns.push_back(s->arn);
    }
  }
  auto page = Page(subs, std::move(arns), call->input());
  if (!page.ok()) return Fail(call, page.status());
  call->Reply(std::move(*page));
}

void SnsService::GetSubscriptionAttributes(CallPtr call) {
  auto resolved =
      ResolveSubscription(InputStringView(call->input(), "SubscriptionArn").value_or(""));
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& [topic, sub] = *resolved;
  std::lock_guard lock(topic->mu);
  json::object attrs{
      {"SubscriptionArn", sub->arn},
      {"TopicArn", sub->topic_arn},
      {"Owner", sub->owner},
      {"Protocol", sub->protocol},
      {"Endpoint", sub->endpoint},
      {"PendingConfirmation", sub->pending ? "true" : "false"},
      {"ConfirmationWasAuthenticated", sub->pending ? "false" : "true"},
      {"RawMessageDelivery", "false"},
      {"SubscriptionPrincipal", fmt::format("arn:aws:iam::{}:user/tidepool", sub->owner)}};
  for (const auto& [k, v] : sub->attributes) {
    if (k == "FilterPolicyScope" && sub->Attribute("FilterPolicy").empty()) continue;
    attrs[k] = v;
  }
  if (!sub->Attribute("FilterPolicy").empty() && !sub->attributes.contains("FilterPolicyScope")) {
    attrs["FilterPolicyScope"] = "MessageAttributes";
  }
  if (sub->protocol == "http" || sub->protocol == "https") {
    std::string policy = sub->Attribute("DeliveryPolicy");
    if (policy.empty()) policy = std::string(kDefaultHttpPolicy);
    attrs["EffectiveDeliveryPolicy"] = policy;
  }
  call->Reply(json::object{{"Attributes", std::move(attrs)}});
}

void SnsService::SetSubscriptionAttributes(CallPtr call) {
  const auto& in = call->input();
  auto resolved = ResolveSubscription(InputStringView(in, "SubscriptionArn").value_or(""));
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& [topic, sub] = *resolved;
  const std::string name(InputStringView(in, "AttributeName").value_or(""));
  std::string value(InputStringView(in, "AttributeValue").value_or(""));
  std::lock_guard lock(topic->mu);
  Status st = ValidateSubscriptionAttribute(*topic, *sub, name, value, /*subscribe_call=*/false);
  if (!st.ok()) return Fail(call, st);
  if (name == "RawMessageDelivery")
    std::transform(value.begin(), value.end(), value.begin(), ::tolower);
  if (value.empty() &&
      (name == "FilterPolicy" || name == "RedrivePolicy" || name == "DeliveryPolicy")) {
    sub->attributes.erase(name);
  } else {
    sub->attributes[name] = value;
  }
  ApplyDerived(*sub);
  CommitTopic(*topic, call, {});
}

}  // namespace tidepool::sns
