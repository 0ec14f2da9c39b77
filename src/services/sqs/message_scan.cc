#include "services/sqs/message_scan.h"

#include <boost/json.hpp>

#include "protocol/codec/json_scan.h"
#include "services/sqs/input.h"

namespace tidepool::sqs {
namespace json = boost::json;

namespace {

// Reads a string into `*slot` unless one was read already (a duplicate member gives up).
bool Once(protocol::JsonScan& scan, std::optional<std::string_view>* slot) {
  std::string_view s;
  if (*slot || !scan.String(&s)) return false;
  *slot = s;
  return true;
}

bool Once(protocol::JsonScan& scan, std::optional<int64_t>* slot) {
  int64_t n;
  if (*slot || !scan.SmallInt(&n)) return false;
  *slot = n;
  return true;
}

bool Once(protocol::JsonScan& scan, bool* seen, std::vector<std::string_view>* list) {
  if (*seen) return false;
  *seen = true;
  return scan.StringArray([list](std::string_view s) {
    list->push_back(s);
    return true;
  });
}

// The list's strings, as views into `in`; empty when absent. (The codec validated the list:
// its elements are strings, or nulls, which the handlers skip as before.)
std::vector<std::string_view> Strings(const json::object& in, std::string_view key) {
  std::vector<std::string_view> out;
  if (const json::array* list = InputArray(in, key)) {
    for (const json::value& v : *list) {
      if (const json::string* s = v.if_string()) out.emplace_back(*s);
    }
  }
  return out;
}

}  // namespace

bool ScanSendMessage(std::string_view body, SendMessageScan* out) {
  protocol::JsonScan scan(body);
  std::optional<std::string_view> url, message;
  std::optional<int64_t> delay;
  auto member = [&](std::string_view name) {
    if (name == "QueueUrl") return Once(scan, &url);
    if (name == "MessageBody") return Once(scan, &message);
    if (name == "DelaySeconds") return Once(scan, &delay);
    return false;
  };
  if (!scan.Object(member) || !scan.AtEnd() || !url || !message) return false;
  *out = SendMessageScan{*url, *message, delay};
  return true;
}

bool ScanReceiveMessage(std::string_view body, ReceiveMessageInput* out) {
  *out = ReceiveMessageInput{};
  protocol::JsonScan scan(body);
  std::optional<std::string_view> url;
  bool attributes = false, system = false, message_attributes = false;
  auto member = [&](std::string_view name) {
    if (name == "QueueUrl") return Once(scan, &url);
    if (name == "MaxNumberOfMessages") return Once(scan, &out->max_messages);
    if (name == "WaitTimeSeconds") return Once(scan, &out->wait_seconds);
    if (name == "VisibilityTimeout") return Once(scan, &out->visibility_timeout);
    if (name == "AttributeNames") return Once(scan, &attributes, &out->attribute_names);
    if (name == "MessageSystemAttributeNames") {
      return Once(scan, &system, &out->system_attribute_names);
    }
    if (name == "MessageAttributeNames") {
      return Once(scan, &message_attributes, &out->message_attribute_names);
    }
    if (name == "ReceiveRequestAttemptId") return Once(scan, &out->attempt_id);
    return false;
  };
  if (!scan.Object(member) || !scan.AtEnd() || !url) return false;
  out->queue_url = *url;
  return true;
}

bool ReadReceiveMessage(protocol::Call& call, ReceiveMessageInput* out, ReplyForm* form) {
  if (const std::string* body = call.raw_body(); body && ScanReceiveMessage(*body, out)) {
    *form = ReplyForm::kJsonText;
    return true;
  }
  const auto decoded = DecodeForReply(call);
  if (!decoded) return false;
  *form = *decoded;
  const json::object& in = call.input();
  out->queue_url = InputString(in, "QueueUrl").value_or("");
  out->max_messages = InputInt(in, "MaxNumberOfMessages");
  out->visibility_timeout = InputInt(in, "VisibilityTimeout");
  out->wait_seconds = InputInt(in, "WaitTimeSeconds");
  out->attribute_names = Strings(in, "AttributeNames");
  out->system_attribute_names = Strings(in, "MessageSystemAttributeNames");
  out->message_attribute_names = Strings(in, "MessageAttributeNames");
  out->attempt_id = InputString(in, "ReceiveRequestAttemptId");
  return true;
}

bool ScanDeleteMessage(std::string_view body, DeleteMessageScan* out) {
  protocol::JsonScan scan(body);
  std::optional<std::string_view> url, handle;
  auto member = [&](std::string_view name) {
    if (name == "QueueUrl") return Once(scan, &url);
    if (name == "ReceiptHandle") return Once(scan, &handle);
    return false;
  };
  if (!scan.Object(member) || !scan.AtEnd() || !url || !handle) return false;
  *out = DeleteMessageScan{*url, *handle};
  return true;
}

}  // namespace tidepool::sqs
