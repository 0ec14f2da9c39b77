#include "services/sqs/queue_attributes.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <charconv>

#include "core/arn.h"
#include "services/sqs/sqs_errors.h"

namespace tidepool::sqs {
namespace json = boost::json;
namespace {

Status BadName(std::string_view name) {
  return SqsStatus(SqsError::kInvalidAttributeName, fmt::format("Unknown Attribute {}.", name));
}

Status BadValue(std::string_view name) {
  return SqsStatus(SqsError::kInvalidAttributeValue,
                   fmt::format("Invalid value for the parameter {}.", name));
}

Status BadPolicy(std::string_view name, std::string_view value, std::string_view reason) {
  return SqsStatus(
      SqsError::kInvalidAttributeValue,
      fmt::format("Value {} for parameter {} is invalid. Reason: {}", value, name, reason));
}

bool ParseInt(std::string_view text, int64_t* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

Status IntInRange(std::string_view name, std::string_view value, int64_t lo, int64_t hi,
                  int64_t* out) {
  int64_t v = 0;
  if (!ParseInt(value, &v) || v < lo || v > hi) return BadValue(name);
  *out = v;
  return Status::Ok();
}

Status ParseBool(std::string_view name, std::string_view value, bool* out) {
  if (value == "true" || value == "True" || value == "TRUE") {
    *out = true;
  } else if (value == "false" || value == "False" || value == "FALSE") {
    *out = false;
  } else {
    return BadValue(name);
  }
  return Status::Ok();
}

Status ParseRedrivePolicy(std::string_view value, RedriveChange* redrive) {
  constexpr std::string_view kName = "RedrivePolicy";
  redrive->present = true;
  if (value.empty()) return Status::Ok();
  boost::system::error_code ec;
  json::value v = json::parse(value, ec);
  if (ec || !v.is_object()) return BadPolicy(kName, value, "Invalid JSON");
  const auto& o = v.get_object();
  const auto* target = o.if_contains("deadLetterTargetArn");
  const auto* count = o.if_contains("maxReceiveCount");
  if (!target || !target->is_string() || !count) {
    return BadPolicy(
        kName, value,
        "Redrive policy does not contain mandatory attribute: " +
            std::string(target && target->is_string() ? "maxReceiveCount" : "deadLetterTargetArn") +
            ".");
  }
  for (const auto& [key, unused] : o) {
    if (key != "deadLetterTargetArn" && key != "maxReceiveCount") {
      return BadPolicy(kName, value,
                       fmt::format("Only following attributes are supported: "
                                   "[deadLetterTargetArn, maxReceiveCount]."));
    }
  }
  int64_t n = 0;
  bool ok = false;
  if (count->is_int64()) {
    n = count->get_int64(), ok = true;
  } else if (count->is_string()) {
    ok = ParseInt(count->get_string(), &n);
  }
  if (!ok || n < 1 || n > 1000) {
    return BadPolicy(kName, value,
                     fmt::format("Invalid value for maxReceiveCount: {}, valid values are from 1 "
                                 "to 1000 both inclusive.",
                                 json::serialize(*count)));
  }
  auto arn = Arn::Parse(target->get_string());
  if (!arn || arn->service != "sqs") {
    return BadPolicy(kName, value, "Invalid value for deadLetterTargetArn.");
  }
  redrive->target_arn = std::string(target->get_string());
  redrive->max_receive_count = n;
  return Status::Ok();
}

Status CheckRedriveAllowPolicy(std::string_view value) {
  constexpr std::string_view kName = "RedriveAllowPolicy";
  if (value.empty()) return Status::Ok();
  boost::system::error_code ec;
  json::value v = json::parse(value, ec);
  if (ec || !v.is_object()) return BadPolicy(kName, value, "Invalid JSON");
  const auto& o = v.get_object();
  const auto* perm = o.if_contains("redrivePermission");
  if (!perm || !perm->is_string()) {
    return BadPolicy(kName, value,
                     "Redrive allow policy does not contain mandatory attribute: "
                     "redrivePermission.");
  }
  const std::string_view p = perm->get_string();
  const auto* sources = o.if_contains("sourceQueueArns");
  if (p == "byQueue") {
    if (!sources || !sources->is_array() || sources->get_array().empty() ||
        sources->get_array().size() > 10) {
      return BadPolicy(kName, value,
                       "Amazon SQS can't create the redrive allow policy. When you specify the "
                       "byQueue permission type, you must also specify one or more sourceQueueArns "
                       "values (up to 10).");
    }
    for (const auto& s : sources->get_array()) {
      if (!s.is_string()) return BadPolicy(kName, value, "Invalid value for sourceQueueArns.");
    }
  } else if (p == "allowAll" || p == "denyAll") {
    if (sources) {
      return BadPolicy(kName, value,
                       "Amazon SQS can't create the redrive allow policy. To specify one or more "
                       "source queue ARNs, you must set redrivePermission to byQueue.");
    }
  } else {
    return BadPolicy(kName, value, "Invalid value for redrivePermission.");
  }
  return Status::Ok();
}

}  // namespace

Status ApplyAttributes(const json::object& attributes, bool creating, QueueConfig* c,
                       RedriveChange* redrive) {
  for (const auto& [key, v] : attributes) {
    const std::string_view name = key;
    if (!v.is_string()) return BadValue(name);
    const std::string_view value = v.get_string();
    if (name == "DelaySeconds") {
      TP_RETURN_IF_ERROR(IntInRange(name, value, 0, 900, &c->delay_seconds));
    } else if (name == "MaximumMessageSize") {
      TP_RETURN_IF_ERROR(IntInRange(name, value, 1024, 1048576, &c->maximum_message_size));
    } else if (name == "MessageRetentionPeriod") {
      TP_RETURN_IF_ERROR(IntInRange(name, value, 60, 1209600, &c->message_retention_period));
    } else if (name == "ReceiveMessageWaitTimeSeconds") {
      TP_RETURN_IF_ERROR(IntInRange(name, value, 0, 20, &c->receive_wait_seconds));
    } else if (name == "VisibilityTimeout") {
      TP_RETURN_IF_ERROR(IntInRange(name, value, 0, 43200, &c->visibility_timeout));
    } else if (name == "RedrivePolicy") {
      TP_RETURN_IF_ERROR(ParseRedrivePolicy(value, redrive));
      c->redrive_policy = std::string(value);
      c->redrive_target_arn = redrive->target_arn;
      c->max_receive_count = redrive->max_receive_count;
    } else if (name == "RedriveAllowPolicy") {
      TP_RETURN_IF_ERROR(CheckRedriveAllowPolicy(value));
      c->redrive_allow_policy = std::string(value);
    } else if (name == "Policy") {
      if (!value.empty()) {
        boost::system::error_code ec;
        json::value p = json::parse(value, ec);
        if (ec || !p.is_object()) return BadValue(name);
      }
      c->policy = std::string(value);
    } else if (name == "KmsMasterKeyId") {
      c->kms_master_key_id = std::string(value);
      if (!value.empty()) c->sqs_managed_sse = false;
    } else if (name == "KmsDataKeyReusePeriodSeconds") {
      TP_RETURN_IF_ERROR(IntInRange(name, value, 60, 86400, &c->kms_data_key_reuse_period));
    } else if (name == "SqsManagedSseEnabled") {
      TP_RETURN_IF_ERROR(ParseBool(name, value, &c->sqs_managed_sse));
      if (c->sqs_managed_sse) c->kms_master_key_id.clear();
    } else if (name == "FifoQueue") {
      // SetQueueAttributes may repeat a FIFO queue's FifoQueue=true, as AWS allows; a queue's
      // type never changes.
      if (!creating && !c->fifo) return BadName(name);
      bool fifo = false;
      TP_RETURN_IF_ERROR(ParseBool(name, value, &fifo));
      if (fifo != c->fifo) return BadValue(name);
    } else if (name == "ContentBasedDeduplication") {
      if (!c->fifo) return BadName(name);
      TP_RETURN_IF_ERROR(ParseBool(name, value, &c->content_based_dedup));
    } else if (name == "DeduplicationScope") {
      if (!c->fifo) return BadName(name);
      if (value != "queue" && value != "messageGroup") return BadValue(name);
      c->dedup_scope = std::string(value);
    } else if (name == "FifoThroughputLimit") {
      if (!c->fifo) return BadName(name);
      if (value != "perQueue" && value != "perMessageGroupId") return BadValue(name);
      c->fifo_throughput_limit = std::string(value);
    } else {
      return BadName(name);
    }
  }
  if (c->fifo && c->fifo_throughput_limit == "perMessageGroupId" &&
      c->dedup_scope != "messageGroup") {
    return SqsStatus(SqsError::kInvalidAttributeValue,
                     "Invalid value for the parameter FifoThroughputLimit. Reason: "
                     "perMessageGroupId is allowed only when DeduplicationScope is messageGroup.");
  }
  return Status::Ok();
}

std::string FirstDifferentAttribute(const json::object& attributes, const QueueConfig& requested,
                                    const QueueConfig& existing) {
  for (const auto& [key, unused] : attributes) {
    const std::string_view name = key;
    bool same = true;
    if (name == "DelaySeconds") {
      same = requested.delay_seconds == existing.delay_seconds;
    } else if (name == "MaximumMessageSize") {
      same = requested.maximum_message_size == existing.maximum_message_size;
    } else if (name == "MessageRetentionPeriod") {
      same = requested.message_retention_period == existing.message_retention_period;
    } else if (name == "ReceiveMessageWaitTimeSeconds") {
      same = requested.receive_wait_seconds == existing.receive_wait_seconds;
    } else if (name == "VisibilityTimeout") {
      same = requested.visibility_timeout == existing.visibility_timeout;
    } else if (name == "RedrivePolicy") {
      same = requested.redrive_target_arn == existing.redrive_target_arn &&
             requested.max_receive_count == existing.max_receive_count;
    } else if (name == "RedriveAllowPolicy") {
      same = requested.redrive_allow_policy == existing.redrive_allow_policy;
    } else if (name == "Policy") {
      same = requested.policy == existing.policy;
    } else if (name == "KmsMasterKeyId") {
      same = requested.kms_master_key_id == existing.kms_master_key_id;
    } else if (name == "KmsDataKeyReusePeriodSeconds") {
      same = requested.kms_data_key_reuse_period == existing.kms_data_key_reuse_period;
    } else if (name == "SqsManagedSseEnabled") {
      same = requested.sqs_managed_sse == existing.sqs_managed_sse;
    } else if (name == "ContentBasedDeduplication") {
      same = requested.content_based_dedup == existing.content_based_dedup;
    } else if (name == "DeduplicationScope") {
      same = requested.dedup_scope == existing.dedup_scope;
    } else if (name == "FifoThroughputLimit") {
      same = requested.fifo_throughput_limit == existing.fifo_throughput_limit;
    }
    if (!same) return std::string(name);
  }
  return {};
}

bool RenderAttribute(const Queue& q, std::string_view name, std::string* out) {
  const QueueConfig& c = q.config;
  auto num = [out](int64_t v) {
    *out = std::to_string(v);
    return true;
  };
  auto text = [out](const std::string& v) {
    if (v.empty()) return false;
    *out = v;
    return true;
  };
  auto boolean = [out](bool v) {
    *out = v ? "true" : "false";
    return true;
  };
  if (name == "ApproximateNumberOfMessages") return num(static_cast<int64_t>(q.ready.size()));
  if (name == "ApproximateNumberOfMessagesNotVisible") return num(static_cast<int64_t>(q.inflight));
  if (name == "ApproximateNumberOfMessagesDelayed") return num(static_cast<int64_t>(q.delayed()));
  if (name == "CreatedTimestamp") return num(q.created_seconds);
  if (name == "LastModifiedTimestamp") return num(q.modified_seconds);
  if (name == "QueueArn") return text(q.arn);
  if (name == "DelaySeconds") return num(c.delay_seconds);
  if (name == "MaximumMessageSize") return num(c.maximum_message_size);
  if (name == "MessageRetentionPeriod") return num(c.message_retention_period);
  if (name == "ReceiveMessageWaitTimeSeconds") return num(c.receive_wait_seconds);
  if (name == "VisibilityTimeout") return num(c.visibility_timeout);
  if (name == "RedrivePolicy") {
    if (c.redrive_target_arn.empty()) return false;
    *out = json::serialize(json::object{{"deadLetterTargetArn", c.redrive_target_arn},
                                        {"maxReceiveCount", c.max_receive_count}});
    return true;
  }
  if (name == "RedriveAllowPolicy") return text(c.redrive_allow_policy);
  if (name == "Policy") return text(c.policy);
  if (name == "KmsMasterKeyId") return text(c.kms_master_key_id);
  if (name == "KmsDataKeyReusePeriodSeconds") {
    return c.kms_master_key_id.empty() ? false : num(c.kms_data_key_reuse_period);
  }
  if (name == "SqsManagedSseEnabled") return boolean(c.sqs_managed_sse);
  if (!c.fifo) return false;
  if (name == "FifoQueue") return boolean(true);
  if (name == "ContentBasedDeduplication") return boolean(c.content_based_dedup);
  if (name == "DeduplicationScope") return text(c.dedup_scope);
  if (name == "FifoThroughputLimit") return text(c.fifo_throughput_limit);
  return false;
}

const std::vector<std::string_view>& AllAttributeNames() {
  static const std::vector<std::string_view> kNames = {
      "QueueArn",
      "ApproximateNumberOfMessages",
      "ApproximateNumberOfMessagesNotVisible",
      "ApproximateNumberOfMessagesDelayed",
      "CreatedTimestamp",
      "LastModifiedTimestamp",
      "VisibilityTimeout",
      "MaximumMessageSize",
      "MessageRetentionPeriod",
      "DelaySeconds",
      "ReceiveMessageWaitTimeSeconds",
      "Policy",
      "RedrivePolicy",
      "RedriveAllowPolicy",
      "KmsMasterKeyId",
      "KmsDataKeyReusePeriodSeconds",
      "SqsManagedSseEnabled",
      "FifoQueue",
      "ContentBasedDeduplication",
      "DeduplicationScope",
      "FifoThroughputLimit",
  };
  return kNames;
}

bool RedriveAllowed(std::string_view policy, std::string_view source_arn) {
  if (policy.empty()) return true;
  boost::system::error_code ec;
  json::value v = json::parse(policy, ec);
  if (ec || !v.is_object()) return true;
  const auto* perm = v.get_object().if_contains("redrivePermission");
  if (!perm || !perm->is_string()) return true;
  if (perm->get_string() == "denyAll") return false;
  if (perm->get_string() != "byQueue") return true;
  const auto* sources = v.get_object().if_contains("sourceQueueArns");
  if (!sources || !sources->is_array()) return false;
  for (const auto& s : sources->get_array()) {
    if (s.is_string() && s.get_string() == source_arn) return true;
  }
  return false;
}

}  // namespace tidepool::sqs
