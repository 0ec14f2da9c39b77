// Publishing: Publish and PublishBatch. A publish validates the message (size, subject,
// attributes, MessageStructure=json, FIFO group and deduplication ids), deduplicates FIFO
// messages over 5 minutes, and writes one outbox entry per confirmed subscription whose
// filter policy matches, all in one WriteBatch submitted under the topic's lock; the reply
// (MessageId, SequenceNumber for FIFO) is sent once that batch is durable.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "core/encoding.h"
#include "core/trace_log.h"
#include "services/sns/input.h"
#include "services/sns/keyspace.h"
#include "services/sns/message_attributes.h"
#include "services/sns/sns_errors.h"
#include "services/sns/sns_service.h"
#include "storage/key_codec.h"

namespace tidepool::sns {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr size_t kMaxMessageBytes = 256 * 1024;
constexpr size_t kMaxBatchEntries = 10;
constexpr int64_t kDedupWindowMicros = 5 * 60 * 1'000'000LL;

bool ValidSubject(std::string_view s) {
  if (s.size() >= 100) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return !s.empty() && s.front() != ' ';
}

bool ValidEntryId(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

}  // namespace

struct SnsService::PublishRequest {
  std::string entry_id;
  std::string message;
  bool structured = false;
  std::map<std::string, std::string> per_protocol;  // MessageStructure=json
  std::string subject;
  std::vector<DeliveryAttribute> attributes;
  std::string group_id;
  std::string dedup_id;
  std::string trace_header;  // the publisher's X-Amzn-Trace-Id, carried by every delivery
  Status error;
};

struct SnsService::PublishResult {
  std::string entry_id;
  Status status;
  std::string message_id;
  std::string sequence_number;
};

Result<SnsService::PublishRequest> SnsService::ParsePublish(const json::object& in,
                                                            const Topic& topic,
                                                            size_t batch_position) const {
  PublishRequest r;
  r.entry_id = std::string(InputStringView(in, "Id").value_or(""));
  if (auto subject = InputStringView(in, "Subject")) {
    if (subject->empty()) return InvalidParameter("Invalid parameter: Subject");
    if (!ValidSubject(*subject)) {
      return InvalidParameter(
          "Subject must be ASCII text that begins with a letter, number, or punctuation mark; "
          "must not include line breaks or control characters; and must be less than 100 "
          "characters long.");
    }
    r.subject = std::string(*subject);
  }
  r.message = std::string(InputStringView(in, "Message").value_or(""));
  if (r.message.empty()) return InvalidParameter("Invalid parameter: Empty message");
  TP_ASSIGN_OR_RETURN(r.attributes,
                      ParseMessageAttributes(InputObject(in, "MessageAttributes"), batch_position));
  if (r.message.size() + AttributesSize(r.attributes) > kMaxMessageBytes) {
    return InvalidParameter("Invalid parameter: Message too long");
  }
  const auto group = InputStringView(in, "MessageGroupId");
  const auto dedup = InputStringView(in, "MessageDeduplicationId");
  if (topic.fifo) {
    if (!group || group->empty()) {
      return InvalidParameter(
          "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
    }
    r.group_id = std::string(*group);
    if (dedup && !dedup->empty()) {
      r.dedup_id = std::string(*dedup);
    } else if (topic.ContentBasedDeduplication()) {
      r.dedup_id = HexEncode(Sha256(r.message));
    } else {
      return InvalidParameter(
          "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
          "MessageDeduplicationId provided explicitly");
    }
  } else if (dedup) {
    return InvalidParameter(
        "Invalid parameter: MessageDeduplicationId Reason: The request includes "
        "MessageDeduplicationId parameter that is not valid for this topic type");
  }
  // A standard topic passes MessageGroupId on to standard SQS queues (fair queues), as AWS does.
  if (!topic.fifo && group) r.group_id = std::string(*group);
  if (InputStringView(in, "MessageStructure").value_or("") == "json") {
    boost::system::error_code ec;
    json::value v = json::parse(r.message, ec);
    if (ec || !v.is_object()) {
      return InvalidParameter(
          "Invalid parameter: Message Structure - JSON message body failed to parse");
    }
    for (const auto& [k, val] : v.get_object()) {
      if (val.is_string()) r.per_protocol[std::string(k)] = std::string(val.get_string());
    }
    if (!r.per_protocol.contains("default")) {
      return InvalidParameter(
          "Invalid parameter: Message Structure - No default entry in JSON message body");
    }
    r.structured = true;
  }
  return r;
}

std::vector<SnsService::PublishResult> SnsService::AcceptLocked(
    Topic& topic, std::vector<PublishRequest>& requests, const std::string& endpoint,
    storage::WriteBatch* batch, std::vector<DeliveryPtr>* deliveries,
    std::vector<StagedDelivery>* staged) {
  std::vector<PublishResult> results;
  const int64_t now = clock_.NowMicros();
  bool counter_changed = false;
  const std::string cert_url = fmt::format(
      "https://sns.{}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
      topic.region);
  for (auto& r : requests) {
    PublishResult result{r.entry_id, r.error, {}, {}};
    if (!r.error.ok()) {
      results.push_back(std::move(result));
      continue;
    }
    if (topic.fifo) {
      auto it = topic.dedup.find(r.dedup_id);
      if (it != topic.dedup.end() && it->second.expires_micros > now) {
        result.message_id = it->second.message_id;
        result.sequence_number = it->second.sequence_number;
        results.push_back(std::move(result));
        continue;
      }
    }
    result.message_id = NewUuid();
    TraceLog::Global().Stamp(r.trace_header, "sns.publish", topic.name);
    if (topic.fifo) {
      result.sequence_number = fmt::format("{:020}", ++topic.fifo_counter);
      counter_changed = true;
      DedupRecord rec{result.message_id, result.sequence_number, now + kDedupWindowMicros};
      topic.dedup[r.dedup_id] = rec;
      batch->Put(
          keyspace::DedupKey(topic.arn, r.dedup_id),
          json::serialize(json::object{
              {"id", rec.message_id}, {"seq", rec.sequence_number}, {"exp", rec.expires_micros}}));
    }
    std::optional<FilterInput> attr_input, body_input;
    for (const auto& sub : topic.subscriptions) {
      if (sub->pending) continue;
      if (sub->filter) {
        const FilterInput* input;
        if (sub->filter->scope() == FilterScope::kMessageBody) {
          if (!body_input) body_input = FilterInput::FromBody(r.message);
          input = &*body_input;
        } else {
          if (!attr_input) {
            std::vector<FilterInput::Attribute> attrs;
            for (const auto& a : r.attributes) attrs.push_back({a.name, a.data_type, a.value});
            attr_input = FilterInput::FromAttributes(attrs);
          }
          input = &*attr_input;
        }
        if (!sub->filter->Matches(*input)) continue;
      }
      Delivery d;
      d.subscription_arn = sub->arn;
      d.topic_arn = topic.arn;
      d.protocol = sub->protocol;
      d.endpoint = sub->endpoint;
      d.raw = sub->raw;
      d.dlq_arn = sub->dlq_arn;
      d.delivery_policy = sub->Attribute("DeliveryPolicy");
      if (d.delivery_policy.empty()) d.delivery_policy = topic.Attribute("DeliveryPolicy");
      d.message_id = result.message_id;
      d.trace_header = r.trace_header;
      if (r.structured) {
        auto p = r.per_protocol.find(sub->protocol);
        d.message = p != r.per_protocol.end() ? p->second : r.per_protocol["default"];
      } else {
        d.message = r.message;
      }
      d.subject = r.subject;
      d.timestamp_micros = now;
      d.attributes = r.attributes;
      d.fifo = topic.fifo;
      d.group_id = r.group_id;
      d.dedup_id = r.dedup_id;
      d.sequence_number = result.sequence_number;
      d.unsubscribe_url =
          fmt::format("{}/?Action=Unsubscribe&SubscriptionArn={}", endpoint, sub->arn);
      d.signing_cert_url = cert_url;
      if (inline_queues_ != nullptr && d.protocol == "sqs" && !d.fifo) {
        if (StagedDelivery done = inline_queues_->Stage(d, batch)) {
          staged->push_back(std::move(done));
          continue;
        }
      }
      d.seq = NextOutboxSeq();
      batch->Put(keyspace::OutboxKey(d.seq), EncodeDelivery(d));
      deliveries->push_back(std::make_shared<const Delivery>(std::move(d)));
    }
    results.push_back(std::move(result));
  }
  if (counter_changed) {
    std::string value;
    storage::AppendU64BE(&value, topic.fifo_counter);
    batch->Put(keyspace::CounterKey(topic.arn), value);
  }
  // Forget expired deduplication records (their stored copies are ignored by Recover).
  std::erase_if(topic.dedup, [now](const auto& e) { return e.second.expires_micros <= now; });
  return results;
}

void SnsService::Publish(CallPtr call) {
  const auto& in = call->input();
  if (InputStringView(in, "PhoneNumber")) {
    return Fail(call, InvalidParameter(
                          "Invalid parameter: PhoneNumber Reason: tidepool does not send SMS"));
  }
  auto arn = InputStringView(in, "TopicArn");
  if (!arn) arn = InputStringView(in, "TargetArn");
  if (!arn) {
    return Fail(call, InvalidParameter("Invalid parameter: TopicArn or TargetArn Reason: no value "
                                       "for required parameter"));
  }
  if (arn->find(":endpoint/") != std::string_view::npos) {
    return Fail(call, InvalidParameter("Invalid parameter: TargetArn Reason: No endpoint found for "
                                       "the target arn specified"));
  }
  auto resolved = ResolveTopic(*call, *arn);
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& topic = **resolved;
  const std::string endpoint = PublicEndpoint(*call);
  std::lock_guard lock(topic.mu);
  auto request = ParsePublish(in, topic, 0);
  if (!request.ok()) return Fail(call, request.status());
  request->trace_header = call->context().trace_header;
  std::vector<PublishRequest> requests;
  requests.push_back(std::move(*request));
  storage::WriteBatch batch;
  std::vector<DeliveryPtr> deliveries;
  std::vector<StagedDelivery> staged;
  auto results = AcceptLocked(topic, requests, endpoint, &batch, &deliveries, &staged);
  json::object out{{"MessageId", results[0].message_id}};
  if (topic.fifo) out["SequenceNumber"] = results[0].sequence_number;
  if (batch.empty()) return call->Reply(std::move(out));  // a FIFO duplicate
  SubmitAndNotify(std::move(batch), call, std::move(out), std::move(deliveries), std::move(staged));
}

void SnsService::PublishBatch(CallPtr call) {
  const auto& in = call->input();
  const json::array* entries = InputArray(in, "PublishBatchRequestEntries");
  if (!entries || entries->empty()) {
    return Fail(call, SnsStatus(SnsError::kEmptyBatchRequest,
                                "The batch request doesn't contain any entries."));
  }
  if (entries->size() > kMaxBatchEntries) {
    return Fail(call, SnsStatus(SnsError::kTooManyEntriesInBatchRequest,
                                "The batch request contains more entries than permissible."));
  }
  auto resolved = ResolveTopic(*call, InputStringView(in, "TopicArn").value_or(""));
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& topic = **resolved;
  std::set<std::string> ids;
  size_t total = 0;
  for (const auto& e : *entries) {
    const auto* o = e.if_object();
    const std::string id(o ? InputStringView(*o, "Id").value_or("") : "");
    if (!ids.insert(id).second) {
      return Fail(call, SnsStatus(SnsError::kBatchEntryIdsNotDistinct,
                                  "Two or more batch entries in the request have the same Id."));
    }
    if (id.size() > 80) {
      return Fail(call, SnsStatus(SnsError::kInvalidBatchEntryId,
                                  fmt::format("The Id of a batch entry in the batch request is too "
                                              "long: {}",
                                              id)));
    }
    if (!ValidEntryId(id)) {
      return Fail(call, SnsStatus(SnsError::kInvalidBatchEntryId,
                                  fmt::format("The Id of a batch entry in the batch request "
                                              "contains an impermissible character: {}",
                                              id)));
    }
    if (!o) continue;
    // A message's size counts its attributes, as Publish's limit does; an entry whose
    // attributes are invalid fails on its own below.
    total += InputStringView(*o, "Message").value_or("").size();
    if (auto attributes = ParseMessageAttributes(InputObject(*o, "MessageAttributes"), 0);
        attributes.ok()) {
      total += AttributesSize(*attributes);
    }
  }
  if (total > kMaxMessageBytes) {
    return Fail(call, SnsStatus(SnsError::kBatchRequestTooLong,
                                "The length of all the messages put together is more than the "
                                "limit."));
  }
  const std::string endpoint = PublicEndpoint(*call);
  std::lock_guard lock(topic.mu);
  std::vector<PublishRequest> requests;
  for (size_t i = 0; i < entries->size(); ++i) {
    const auto* o = (*entries)[i].if_object();
    if (!o) continue;
    auto r = ParsePublish(*o, topic, i + 1);
    if (!r.ok()) {
      const auto detail = static_cast<SnsError>(r.status().detail());
      const bool whole =
          detail == SnsError::kInvalidParameterValue || detail == SnsError::kValidationError ||
          r.status().message().find("MessageGroupId") != std::string::npos ||
          r.status().message().find("ContentBasedDeduplication") != std::string::npos;
      if (whole) return Fail(call, r.status());
      PublishRequest failed;
      failed.entry_id = std::string(InputStringView(*o, "Id").value_or(""));
      failed.error = r.status();
      requests.push_back(std::move(failed));
      continue;
    }
    r->trace_header = call->context().trace_header;
    requests.push_back(std::move(*r));
  }
  storage::WriteBatch batch;
  std::vector<DeliveryPtr> deliveries;
  std::vector<StagedDelivery> staged;
  auto results = AcceptLocked(topic, requests, endpoint, &batch, &deliveries, &staged);
  json::array successful, failed;
  for (const auto& r : results) {
    if (r.status.ok()) {
      json::object s{{"Id", r.entry_id}, {"MessageId", r.message_id}};
      if (topic.fifo) s["SequenceNumber"] = r.sequence_number;
      successful.emplace_back(std::move(s));
    } else {
      const auto e = ToAwsError(r.status);
      failed.emplace_back(json::object{{"Id", r.entry_id},
                                       {"Code", e.code},
                                       {"Message", e.message},
                                       {"SenderFault", e.sender_fault}});
    }
  }
  json::object out{{"Successful", std::move(successful)}, {"Failed", std::move(failed)}};
  if (batch.empty()) return call->Reply(std::move(out));
  SubmitAndNotify(std::move(batch), call, std::move(out), std::move(deliveries), std::move(staged));
}

}  // namespace tidepool::sns
