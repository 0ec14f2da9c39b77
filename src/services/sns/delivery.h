// Delivery: one outbox entry, a message waiting to be delivered to one subscription, and the
// formats SNS delivers it in.
//
// Stored (keyspace::OutboxKey) as a JSON object:
//   {"seq","kind":"Notification"|"SubscriptionConfirmation"|"UnsubscribeConfirmation","sub","topic","protocol",
//    "endpoint","raw":bool,"dlq","policy","id","message","subject","ts" (micros),
//    "attrs":[{"n","t","v","b":bool}],"fifo":bool,"group","dedup","sn","token",
//    "subscribe_url","unsubscribe_url","cert_url"}
// Binary attribute values ("b":true) are stored base64-encoded.
//
// Everything a delivery needs is captured when the entry is written (at Publish), so later
// changes of the subscription do not change messages already accepted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace tidepool::sns {

enum class DeliveryKind : uint8_t {
  kNotification,
  kSubscriptionConfirmation,
  kUnsubscribeConfirmation,  // http/https, after Unsubscribe; its token restores the subscription
};

// The SenderId of the messages SNS delivers to SQS queues: the SNS service principal's id, as
// AWS's messages carry it.
inline constexpr std::string_view kSnsSenderId = "AIDAIT2UOQQY3AUEKVGXU";

// A SubscriptionConfirmation or an UnsubscribeConfirmation: carries Token and SubscribeURL.
inline bool IsConfirmation(DeliveryKind kind) { return kind != DeliveryKind::kNotification; }

struct DeliveryAttribute {
  std::string name;
  std::string data_type;  // "String", "Number", "Binary", "String.Array", "String.x"...
  std::string value;      // StringValue, or the raw bytes of a BinaryValue
  bool binary = false;
};

struct Delivery {
  uint64_t seq = 0;
  DeliveryKind kind = DeliveryKind::kNotification;
  std::string subscription_arn;
  std::string topic_arn;
  std::string protocol;         // sqs | http | https | lambda
  std::string endpoint;         // queue ARN, URL or function ARN
  bool raw = false;             // RawMessageDelivery
  std::string dlq_arn;          // RedrivePolicy target, empty for none
  std::string delivery_policy;  // http/https: the subscription's or topic's DeliveryPolicy
  std::string message_id;
  std::string message;  // the text for this protocol (MessageStructure=json already applied)
  std::string subject;  // empty: none
  int64_t timestamp_micros = 0;
  std::vector<DeliveryAttribute> attributes;  // sorted by name
  bool fifo = false;
  std::string group_id;
  std::string dedup_id;
  std::string sequence_number;
  std::string token;          // SubscriptionConfirmation
  std::string subscribe_url;  // SubscriptionConfirmation
  std::string unsubscribe_url;
  std::string signing_cert_url;
  std::string trace_header;  // the publisher's X-Ray trace (X-Amzn-Trace-Id), empty for none
};

std::string EncodeDelivery(const Delivery& d);
// Corruption for a value EncodeDelivery did not produce.
Result<Delivery> DecodeDelivery(std::string_view value);

// The body the target receives: the message itself for raw notifications, else AWS's JSON
// envelope, formatted as SNS formats it (two-space indent, " : " separators):
//   {"Type","MessageId",["SequenceNumber"],["Token"],"TopicArn",["Subject"],"Message",
//    ["SubscribeURL"],"Timestamp","SignatureVersion","Signature","SigningCertURL",
//    ["UnsubscribeURL"],["MessageAttributes"]}
// (Token and SubscribeURL in confirmations; Subject, UnsubscribeURL and MessageAttributes in
// notifications.)
std::string DeliveryBody(const Delivery& d);

// The envelope's "Type".
std::string_view DeliveryTypeName(DeliveryKind kind);

// ISO-8601 UTC with milliseconds: "2023-11-14T22:13:20.000Z".
std::string Iso8601Millis(int64_t micros);

// HTTP headers AWS sends with a delivery to an http/https endpoint.
std::vector<std::pair<std::string, std::string>> DeliveryHttpHeaders(const Delivery& d);

}  // namespace tidepool::sns
