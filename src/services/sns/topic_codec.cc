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

std::string EncodeTopicMeta(const Topic& topic) {
  json::array subs;
  for (const auto& s : topic.subscriptions) {
    subs.emplace_back(json::object{{"arn", s->arn},
                                   {"owner", s->owner},
                                   {"protocol", s->protocol},
                                   {"endpoint", s->endpoint},
                                   {"pending", s->pending},
                                   {"token", s->token},
                                   {"attributes", MapToJson(s->attributes)}});
  }
  json::object o{{"arn", topic.arn},
                 {"account", topic.account},
                 {"region", topic.region},
                 {"name", topic.name},
                 {"fifo", topic.fifo},
                 {"attributes", MapToJson(topic.attributes)},
                 {"tags", MapToJson(topic.tags)},
                 {"deleted_subscriptions", topic.deleted_subscriptions},
                 {"subscriptions", std::move(subs)}};
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
  if (const auto* d = o.if_contains("deleted_subscriptions"); d && d->is_number()) {
    topic->deleted_subscriptions = d->to_number<uint64_t>();
  }
  if (const auto* subs = o.if_contains("subscriptions"); subs && subs->is_array()) {
    for (const auto& sv : subs->get_array()) {
      if (!sv.is_object()) return Status::Corruption("sns: malformed subscription");
      const auto& so = sv.get_object();
      auto sub = std::make_shared<Subscription>();
      sub->arn = Str(so, "arn");
      sub->topic_arn = topic->arn;
      sub->owner = Str(so, "owner");
      sub->protocol = Str(so, "protocol");
      sub->endpoint = Str(so, "endpoint");
      sub->pending = Bool(so, "pending");
      sub->token = Str(so, "token");
      JsonToMap(so.if_contains("attributes"), &sub->attributes);
      ApplyDerived(*sub);
      topic->subscriptions.push_back(std::move(sub));
    }
  }
  return topic;
}

}  // namespace tidepool::sns
