#include "services/s3/notifications.h"

#include <boost/json.hpp>

#include <cstdio>

#include "core/encoding.h"
#include "services/s3/s3_errors.h"

namespace tidepool::s3 {
namespace json = boost::json;

namespace {

// The configuration lists and each one's destination member.
constexpr std::pair<std::string_view, std::string_view> kKinds[] = {
    {"QueueConfigurations", "QueueArn"},
    {"TopicConfigurations", "TopicArn"},
    {"LambdaFunctionConfigurations", "LambdaFunctionArn"}};

constexpr std::string_view kEvents[] = {"s3:ObjectCreated:*",
                                        "s3:ObjectCreated:Put",
                                        "s3:ObjectCreated:Post",
                                        "s3:ObjectCreated:Copy",
                                        "s3:ObjectCreated:CompleteMultipartUpload",
                                        "s3:ObjectRemoved:*",
                                        "s3:ObjectRemoved:Delete",
                                        "s3:ObjectRemoved:DeleteMarkerCreated",
                                        "s3:ObjectTagging:*",
                                        "s3:ObjectTagging:Put",
                                        "s3:ObjectTagging:Delete",
                                        "s3:ObjectAcl:Put",
                                        "s3:ObjectRestore:Post",
                                        "s3:LifecycleExpiration:*",
                                        "s3:LifecycleExpiration:Delete",
                                        "s3:LifecycleExpiration:DeleteMarkerCreated",
                                        "s3:LifecycleTransition",
                                        "s3:TestEvent"};

Status Invalid(std::string message) {
  return S3Status(S3Error::kInvalidArgument, std::move(message));
}

// An event pattern ("s3:ObjectCreated:*") covers `event` ("s3:ObjectCreated:Put").
bool Covers(std::string_view pattern, std::string_view event) {
  if (pattern == event) return true;
  if (pattern.ends_with(":*")) return event.starts_with(pattern.substr(0, pattern.size() - 1));
  return false;
}

struct Filter {
  std::string prefix, suffix;
};

Filter FilterOf(const json::object& configuration) {
  Filter f;
  const json::value* filter = configuration.if_contains("Filter");
  const json::value* key =
      filter && filter->is_object() ? filter->get_object().if_contains("Key") : nullptr;
  const json::value* rules =
      key && key->is_object() ? key->get_object().if_contains("FilterRules") : nullptr;
  if (rules == nullptr || !rules->is_array()) return f;
  for (const json::value& rule : rules->get_array()) {
    if (!rule.is_object()) continue;
    const json::value* name = rule.get_object().if_contains("Name");
    const json::value* value = rule.get_object().if_contains("Value");
    if (!name || !value || !name->is_string() || !value->is_string()) continue;
    std::string n(name->get_string());
    for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    (n == "prefix" ? f.prefix : f.suffix) = std::string(value->get_string());
  }
  return f;
}

std::string Iso8601(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

// Keys in event records are URL-encoded as S3 does (spaces as '+').
std::string EncodeKey(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' || c == '*') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

Result<json::object> ValidateNotificationConfiguration(const json::object& config) {
  json::object out;
  int generated = 0;
  for (const auto& [list_name, arn_name] : kKinds) {
    const json::value* list = config.if_contains(list_name);
    if (list == nullptr || !list->is_array()) continue;
    json::array checked;
    std::vector<std::pair<std::string, Filter>> seen;  // event, filter: overlap detection
    for (const json::value& item : list->get_array()) {
      if (!item.is_object()) continue;
      json::object c = item.get_object();
      const json::value* arn = c.if_contains(arn_name);
      if (arn == nullptr || !arn->is_string() || arn->get_string().empty()) {
        return Invalid("Unable to validate the following destination configurations");
      }
      const json::value* events = c.if_contains("Events");
      if (events == nullptr || !events->is_array() || events->get_array().empty()) {
        return Invalid("Unable to validate the following destination configurations");
      }
      for (const json::value& e : events->get_array()) {
        bool known = false;
        for (std::string_view k : kEvents) known = known || (e.is_string() && e.get_string() == k);
        if (!known) {
          return Invalid("The event is not supported for notifications");
        }
      }
      if (const json::value* filter = c.if_contains("Filter")) {
        const json::value* key =
            filter->is_object() ? filter->get_object().if_contains("Key") : nullptr;
        const json::value* rules =
            key && key->is_object() ? key->get_object().if_contains("FilterRules") : nullptr;
        if (rules && rules->is_array()) {
          for (const json::value& rule : rules->get_array()) {
            const json::value* name =
                rule.is_object() ? rule.get_object().if_contains("Name") : nullptr;
            std::string n = name && name->is_string() ? std::string(name->get_string()) : "";
            for (char& ch : n) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (n != "prefix" && n != "suffix") {
              return Invalid("filter rule name must be either prefix or suffix");
            }
          }
        }
      }
      Filter f = FilterOf(c);
      for (const json::value& e : events->get_array()) {
        std::string event(e.get_string());
        for (const auto& [other_event, other] : seen) {
          bool events_overlap = Covers(event, other_event) || Covers(other_event, event);
          bool prefixes_overlap =
              f.prefix.starts_with(other.prefix) || other.prefix.starts_with(f.prefix);
          bool suffixes_overlap =
              f.suffix.ends_with(other.suffix) || other.suffix.ends_with(f.suffix);
          if (events_overlap && prefixes_overlap && suffixes_overlap) {
            return Invalid(
                "Configurations overlap. Configurations on the same bucket cannot share a "
                "common event type.");
          }
        }
      }
      for (const json::value& e : events->get_array()) {
        seen.emplace_back(std::string(e.get_string()), f);
      }
      if (!c.contains("Id")) c["Id"] = "tidepool-notification-" + std::to_string(++generated);
      checked.push_back(std::move(c));
    }
    if (!checked.empty()) out[list_name] = std::move(checked);
  }
  if (config.contains("EventBridgeConfiguration")) {
    return NotImplemented("EventBridge notifications");
  }
  return out;
}

std::vector<NotificationTarget> MatchingTargets(const json::object& config, std::string_view event,
                                                std::string_view key) {
  std::vector<NotificationTarget> targets;
  for (const auto& [list_name, arn_name] : kKinds) {
    const json::value* list = config.if_contains(list_name);
    if (list == nullptr || !list->is_array()) continue;
    for (const json::value& item : list->get_array()) {
      if (!item.is_object()) continue;
      const json::object& c = item.get_object();
      const json::value* events = c.if_contains("Events");
      bool wanted = false;
      if (events && events->is_array()) {
        for (const json::value& e : events->get_array()) {
          wanted = wanted || (e.is_string() && Covers(e.get_string(), event));
        }
      }
      Filter f = FilterOf(c);
      if (!wanted || !key.starts_with(f.prefix) || !key.ends_with(f.suffix)) continue;
      const json::value* arn = c.if_contains(arn_name);
      const json::value* id = c.if_contains("Id");
      if (arn && arn->is_string()) {
        targets.push_back({std::string(arn->get_string()),
                           id && id->is_string() ? std::string(id->get_string()) : ""});
      }
    }
  }
  return targets;
}

std::vector<std::string> TestEventTargets(const json::object& config) {
  std::vector<std::string> arns;
  for (const auto& [list_name, arn_name] : kKinds) {
    if (list_name == "LambdaFunctionConfigurations") continue;
    const json::value* list = config.if_contains(list_name);
    if (list == nullptr || !list->is_array()) continue;
    for (const json::value& item : list->get_array()) {
      const json::value* arn = item.is_object() ? item.get_object().if_contains(arn_name) : nullptr;
      if (arn && arn->is_string()) arns.emplace_back(arn->get_string());
    }
  }
  return arns;
}

std::string EventDocument(const ObjectEvent& e, std::string_view configuration_id) {
  char sequencer[20];
  std::snprintf(sequencer, sizeof sequencer, "%016llX",
                static_cast<unsigned long long>(e.sequencer));
  json::object object{{"key", EncodeKey(e.key)}, {"sequencer", sequencer}};
  if (!e.event.starts_with("s3:ObjectRemoved")) {
    object["size"] = e.size;
    object["eTag"] = e.etag;
  }
  if (!e.version_id.empty()) object["versionId"] = e.version_id;
  json::object record{
      {"eventVersion", "2.1"},
      {"eventSource", "aws:s3"},
      {"awsRegion", e.region},
      {"eventTime", Iso8601(e.time_ms)},
      {"eventName", std::string_view(e.event).substr(3)},
      {"userIdentity", json::object{{"principalId", e.principal}}},
      {"requestParameters", json::object{{"sourceIPAddress", e.source_ip}}},
      {"responseElements", json::object{{"x-amz-request-id", e.request_id},
                                        {"x-amz-id-2", Base64Encode(e.request_id)}}},
      {"s3", json::object{
                 {"s3SchemaVersion", "1.0"},
                 {"configurationId", configuration_id},
                 {"bucket", json::object{{"name", e.bucket},
                                         {"ownerIdentity", json::object{{"principalId", e.owner}}},
                                         {"arn", "arn:aws:s3:::" + e.bucket}}},
                 {"object", std::move(object)}}}};
  return json::serialize(json::object{{"Records", json::array{std::move(record)}}});
}

std::string TestEventDocument(std::string_view bucket, std::string_view request_id,
                              int64_t time_ms) {
  return json::serialize(json::object{{"Service", "Amazon S3"},
                                      {"Event", "s3:TestEvent"},
                                      {"Time", Iso8601(time_ms)},
                                      {"Bucket", bucket},
                                      {"RequestId", request_id},
                                      {"HostId", Base64Encode(request_id)}});
}

}  // namespace tidepool::s3
