#include "services/sns/delivery.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <ctime>

#include "core/encoding.h"

namespace tidepool::sns {
namespace json = boost::json;

namespace {

std::string Str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
bool Bool(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}
int64_t Int(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}

std::string Quote(std::string_view s) { return json::serialize(json::string(s)); }

// The string SNS signs (SignatureVersion 1): name/value lines in a fixed order.
std::string StringToSign(const Delivery& d) {
  std::string out;
  auto add = [&out](std::string_view k, std::string_view v) {
    out.append(k).push_back('\n');
    out.append(v).push_back('\n');
  };
  add("Message", d.message);
  add("MessageId", d.message_id);
  if (IsConfirmation(d.kind)) {
    add("SubscribeURL", d.subscribe_url);
  } else if (!d.subject.empty()) {
    add("Subject", d.subject);
  }
  add("Timestamp", Iso8601Millis(d.timestamp_micros));
  if (IsConfirmation(d.kind)) add("Token", d.token);
  add("TopicArn", d.topic_arn);
  add("Type", DeliveryTypeName(d.kind));
  return out;
}

}  // namespace

std::string_view DeliveryTypeName(DeliveryKind kind) {
  switch (kind) {
    case DeliveryKind::kSubscriptionConfirmation:
      return "SubscriptionConfirmation";
    case DeliveryKind::kUnsubscribeConfirmation:
      return "UnsubscribeConfirmation";
    case DeliveryKind::kNotification:
      break;
  }
  return "Notification";
}

std::string Iso8601Millis(int64_t micros) {
  const time_t secs = static_cast<time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (micros / 1000) % 1000);
}

std::string EncodeDelivery(const Delivery& d) {
  json::array attrs;
  for (const auto& a : d.attributes) {
    attrs.emplace_back(json::object{{"n", a.name},
                                    {"t", a.data_type},
                                    {"v", a.binary ? Base64Encode(a.value) : a.value},
                                    {"b", a.binary}});
  }
  json::object o{{"seq", d.seq},
                 {"kind", DeliveryTypeName(d.kind)},
                 {"sub", d.subscription_arn},
                 {"topic", d.topic_arn},
                 {"protocol", d.protocol},
                 {"endpoint", d.endpoint},
                 {"raw", d.raw},
                 {"dlq", d.dlq_arn},
                 {"policy", d.delivery_policy},
                 {"id", d.message_id},
                 {"message", d.message},
                 {"subject", d.subject},
                 {"ts", d.timestamp_micros},
                 {"attrs", std::move(attrs)},
                 {"fifo", d.fifo},
                 {"group", d.group_id},
                 {"dedup", d.dedup_id},
                 {"sn", d.sequence_number},
                 {"token", d.token},
                 {"subscribe_url", d.subscribe_url},
                 {"unsubscribe_url", d.unsubscribe_url},
                 {"cert_url", d.signing_cert_url}};
  if (!d.trace_header.empty()) o["trace"] = d.trace_header;
  return json::serialize(o);
}

Result<Delivery> DecodeDelivery(std::string_view value) {
  boost::system::error_code ec;
  json::value v = json::parse(value, ec);
  if (ec || !v.is_object()) return Status::Corruption("sns: malformed outbox entry");
  const auto& o = v.get_object();
  Delivery d;
  d.seq = static_cast<uint64_t>(Int(o, "seq"));
  const std::string kind = Str(o, "kind");
  d.kind = kind == "SubscriptionConfirmation"  ? DeliveryKind::kSubscriptionConfirmation
           : kind == "UnsubscribeConfirmation" ? DeliveryKind::kUnsubscribeConfirmation
                                               : DeliveryKind::kNotification;
  d.subscription_arn = Str(o, "sub");
  d.topic_arn = Str(o, "topic");
  d.protocol = Str(o, "protocol");
  d.endpoint = Str(o, "endpoint");
  d.raw = Bool(o, "raw");
  d.dlq_arn = Str(o, "dlq");
  d.delivery_policy = Str(o, "policy");
  d.message_id = Str(o, "id");
  d.message = Str(o, "message");
  d.subject = Str(o, "subject");
  d.timestamp_micros = Int(o, "ts");
  if (const auto* attrs = o.if_contains("attrs"); attrs && attrs->is_array()) {
    for (const auto& av : attrs->get_array()) {
      if (!av.is_object()) return Status::Corruption("sns: malformed outbox attribute");
      const auto& ao = av.get_object();
      DeliveryAttribute a{Str(ao, "n"), Str(ao, "t"), Str(ao, "v"), Bool(ao, "b")};
      if (a.binary) {
        auto raw = Base64Decode(a.value);
        if (!raw) return Status::Corruption("sns: malformed binary attribute");
        a.value = std::move(*raw);
      }
      d.attributes.push_back(std::move(a));
    }
  }
  d.fifo = Bool(o, "fifo");
  d.group_id = Str(o, "group");
  d.dedup_id = Str(o, "dedup");
  d.sequence_number = Str(o, "sn");
  d.token = Str(o, "token");
  d.subscribe_url = Str(o, "subscribe_url");
  d.unsubscribe_url = Str(o, "unsubscribe_url");
  d.signing_cert_url = Str(o, "cert_url");
  d.trace_header = Str(o, "trace");
  if (d.subscription_arn.empty() || d.protocol.empty()) {
    return Status::Corruption("sns: outbox entry without subscription");
  }
  return d;
}

std::string DeliveryBody(const Delivery& d) {
  if (d.kind == DeliveryKind::kNotification && d.raw) return d.message;
  std::string out = "{\n";
  bool first = true;
  auto field = [&](std::string_view name, std::string_view raw_json) {
    if (!first) out.append(",\n");
    first = false;
    out.append("  ").append(Quote(name)).append(" : ").append(raw_json);
  };
  field("Type", Quote(DeliveryTypeName(d.kind)));
  field("MessageId", Quote(d.message_id));
  if (d.fifo && !d.sequence_number.empty()) field("SequenceNumber", Quote(d.sequence_number));
  if (IsConfirmation(d.kind)) field("Token", Quote(d.token));
  field("TopicArn", Quote(d.topic_arn));
  if (d.kind == DeliveryKind::kNotification && !d.subject.empty()) {
    field("Subject", Quote(d.subject));
  }
  field("Message", Quote(d.message));
  if (IsConfirmation(d.kind)) field("SubscribeURL", Quote(d.subscribe_url));
  field("Timestamp", Quote(Iso8601Millis(d.timestamp_micros)));
  // AWS does not sign a FIFO topic's messages: no SignatureVersion, Signature or
  // SigningCertURL in their envelope.
  if (!d.fifo) {
    field("SignatureVersion", Quote("1"));
    // A stable stand-in for AWS's RSA signature: HMAC-SHA256 of the string AWS signs.
    field("Signature", Quote(Base64Encode(HmacSha256("tidepool-sns", StringToSign(d)))));
    field("SigningCertURL", Quote(d.signing_cert_url));
  }
  if (d.kind == DeliveryKind::kNotification) {
    field("UnsubscribeURL", Quote(d.unsubscribe_url));
    if (!d.attributes.empty()) {
      std::string attrs = "{\n";
      for (size_t i = 0; i < d.attributes.size(); ++i) {
        const auto& a = d.attributes[i];
        const std::string type = a.binary ? "Binary" : a.data_type;
        json::object tv{{"Type", type}, {"Value", a.binary ? Base64Encode(a.value) : a.value}};
        attrs.append("    ").append(Quote(a.name)).append(" : ").append(json::serialize(tv));
        attrs.append(i + 1 < d.attributes.size() ? ",\n" : "\n");
      }
      attrs.append("  }");
      field("MessageAttributes", attrs);
    }
  }
  out.append("\n}");
  return out;
}

std::vector<std::pair<std::string, std::string>> DeliveryHttpHeaders(const Delivery& d) {
  std::vector<std::pair<std::string, std::string>> h{
      {"x-amz-sns-message-type", std::string(DeliveryTypeName(d.kind))},
      {"x-amz-sns-message-id", d.message_id},
      {"x-amz-sns-topic-arn", d.topic_arn},
      {"Content-Type", "text/plain; charset=UTF-8"},
      {"User-Agent", "Amazon Simple Notification Service Agent"},
  };
  if (d.kind != DeliveryKind::kSubscriptionConfirmation) {
    h.emplace_back("x-amz-sns-subscription-arn", d.subscription_arn);
  }
  if (d.kind == DeliveryKind::kNotification && d.raw) {
    h.emplace_back("x-amz-sns-rawdelivery", "true");
  }
  return h;
}

}  // namespace tidepool::sns
