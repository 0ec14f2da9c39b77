#include "services/sns/topic_codec.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

namespace tidepool::sns {
namespace json = boost::json;

namespace {

json::object MapToJson(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

void JsonToMap(const json::value* v, std::map<std::string, std::string>* out) {
  if (!v || !v->is_object()) return;
  for (const auto& [k, val] : v->get_object()) {
    if (val.is_string()) (*out)[std::string(k)] = std::string(val.get_string());
  }
}

std::string Str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool Bool(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

}  // namespace

void ApplyDerived(Subscription& sub) {
  sub.raw = sub.Attribute("RawMessageDelivery") == "true";
  sub.dlq_arn.clear();
  const std::string redrive = sub.Attribute("RedrivePolicy");
  if (!redrive.empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(redrive, ec);
    if (!ec && v.is_object()) sub.dlq_arn = Str(v.get_object(), "deadLetterTargetArn");
  }
  sub.filter = nullptr;
  const std::string policy = sub.Attribute("FilterPolicy");
  if (!policy.empty()) {
    const FilterScope scope = sub.Attribute("FilterPolicyScope") == "MessageBody"
                                  ? FilterScope::kMessageBody
                                  : FilterScope::kMessageAttributes;
    auto parsed = FilterPolicy::Parse(policy, scope);
    if (parsed.ok()) {
      sub.filter = *parsed;
    } else {
      spdlog::warn("sns: stored filter policy of {} no longer parses: {}", sub.arn,
                   parsed.status().message());
    }
  }
}

namespace {

json::array EncodeSubscriptions(const std::vector<std::shared_ptr<Subscription>>& list) {
  json::array subs;
  for (const auto& s : list) {
    subs.emplace_back(json::object{{"arn", s->arn},
                                   {"owner", s->owner},
                                   {"protocol", s->protocol},
                                   {"endpoint", s->endpoint},
                                   {"pending", s->pending},
                                   {"token", s->token},
                                   {"attributes", MapToJson(s->attributes)}});
  }
  return subs;
}

// Appends the subscriptions of array `value` (absent: none) to `out`.
Status DecodeSubscriptions(const json::value* value, const std::string& topic_arn,
                           std::vector<std::shared_ptr<Subscription>>* out) {
  if (value == nullptr || !value->is_array()) return Status::Ok();
  for (const auto& sv : value->get_array()) {
    if (!sv.is_object()) return Status::Corruption("sns: malformed subscription");
    const auto& so = sv.get_object();
    auto sub = std::make_shared<Subscription>();
    sub->arn = Str(so, "arn");
    sub->topic_arn = topic_arn;
    sub->owner = Str(so, "owner");
    sub->protocol = Str(so, "protocol");
    sub->endpoint = Str(so, "endpoint");
    sub->pending = Bool(so, "pending");
    sub->token = Str(so, "token");
    JsonToMap(so.if_contains("attributes"), &sub->attributes);
    ApplyDerived(*sub);
    out->push_back(std::move(sub));
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeTopicMeta(const Topic& topic) {
  json::object o{{"arn", topic.arn},
                 {"account", topic.account},
                 {"region", topic.region},
                 {"name", topic.name},
                 {"fifo", topic.fifo},
                 {"attributes", MapToJson(topic.attributes)},
                 {"tags", MapToJson(topic.tags)},
                 {"deleted_subscriptions", topic.deleted_subscriptions},
                 {"subscriptions", EncodeSubscriptions(topic.subscriptions)}};
  if (!topic.unsubscribed.empty()) o["unsubscribed"] = EncodeSubscriptions(topic.unsubscribed);
  return json::serialize(o);
}

Result<std::shared_ptr<Topic>> DecodeTopicMeta(std::string_view value) {
  boost::system::error_code ec;
  json::value v = json::parse(value, ec);
  if (ec || !v.is_object()) return Status::Corruption("sns: malformed topic metadata");
  const auto& o = v.get_object();
  auto topic = std::make_shared<Topic>();
  topic->arn = Str(o, "arn");
  topic->account = Str(o, "account");
  topic->region = Str(o, "region");
  topic->name = Str(o, "name");
  topic->fifo = Bool(o, "fifo");
  if (topic->arn.empty() || topic->name.empty()) {
    return Status::Corruption("sns: topic metadata without arn or name");
  }
  JsonToMap(o.if_contains("attributes"), &topic->attributes);
  JsonToMap(o.if_contains("tags"), &topic->tags);
  // Not to_number: it throws for a value that is no exact uint64 (a damaged record).
  if (const auto* d = o.if_contains("deleted_subscriptions"); d && d->is_uint64()) {
    topic->deleted_subscriptions = d->get_uint64();
  } else if (d && d->is_int64() && d->get_int64() >= 0) {
    topic->deleted_subscriptions = static_cast<uint64_t>(d->get_int64());
  }
  TP_RETURN_IF_ERROR(
      DecodeSubscriptions(o.if_contains("subscriptions"), topic->arn, &topic->subscriptions));
  TP_RETURN_IF_ERROR(
      DecodeSubscriptions(o.if_contains("unsubscribed"), topic->arn, &topic->unsubscribed));
  return topic;
}

}  // namespace tidepool::sns
