#include "services/sqs/message_replies.h"

#include "protocol/codec/json_text.h"

namespace tidepool::sqs {
namespace json = boost::json;
namespace json_text = protocol::json_text;

namespace {

// `,"name":"value"`, or nothing for an empty value (an absent optional member).
void AppendOptionalMember(std::string_view name, std::string_view value, std::string& out) {
  if (value.empty()) return;
  out += ',';
  json_text::AppendStringMember(name, value, out);
}

json::object SentObject(const SentMessage& sent) {
  json::object out{{"MessageId", sent.message_id}, {"MD5OfMessageBody", sent.md5_body}};
  if (!sent.md5_attributes.empty()) out["MD5OfMessageAttributes"] = sent.md5_attributes;
  if (!sent.md5_system.empty()) out["MD5OfMessageSystemAttributes"] = sent.md5_system;
  if (!sent.sequence_number.empty()) out["SequenceNumber"] = sent.sequence_number;
  return out;
}

// Starts an entry of a comma-separated list; the first one reserves `reserve` bytes.
void AppendSeparated(std::string& list, size_t reserve) {
  if (list.empty()) {
    list.reserve(reserve);
  } else {
    list += ',';
  }
}

}  // namespace

std::optional<ReplyForm> DecodeForReply(protocol::Call& call) {
  const ReplyForm form = call.raw_body() ? ReplyForm::kJsonText : ReplyForm::kObject;
  if (!call.DecodeInput()) return std::nullopt;
  return form;
}

// MD5OfMessageBody, MD5OfMessageAttributes, MD5OfMessageSystemAttributes, MessageId and
// SequenceNumber are the model's order; the JSON members below follow it.
protocol::Outcome SendMessageReply(ReplyForm form, const SentMessage& sent) {
  if (form == ReplyForm::kObject) return SentObject(sent);
  protocol::EncodedJson reply;
  std::string& out = reply.body;
  out.reserve(256);
  out += '{';
  json_text::AppendStringMember("MD5OfMessageBody", sent.md5_body, out);
  AppendOptionalMember("MD5OfMessageAttributes", sent.md5_attributes, out);
  AppendOptionalMember("MD5OfMessageSystemAttributes", sent.md5_system, out);
  out += ',';
  json_text::AppendStringMember("MessageId", sent.message_id, out);
  AppendOptionalMember("SequenceNumber", sent.sequence_number, out);
  out += '}';
  return reply;
}

void SendMessageBatchReply::AddSuccess(std::string_view id, const SentMessage& sent) {
  if (form_ == ReplyForm::kObject) {
    json::object o = SentObject(sent);
    o["Id"] = id;
    successful_.emplace_back(std::move(o));
    return;
  }
  AppendSeparated(successful_text_, 2048);
  successful_text_ += '{';
  json_text::AppendStringMember("Id", id, successful_text_);
  successful_text_ += ',';
  json_text::AppendStringMember("MessageId", sent.message_id, successful_text_);
  successful_text_ += ',';
  json_text::AppendStringMember("MD5OfMessageBody", sent.md5_body, successful_text_);
  AppendOptionalMember("MD5OfMessageAttributes", sent.md5_attributes, successful_text_);
  AppendOptionalMember("MD5OfMessageSystemAttributes", sent.md5_system, successful_text_);
  AppendOptionalMember("SequenceNumber", sent.sequence_number, successful_text_);
  successful_text_ += '}';
}

void SendMessageBatchReply::AddFailure(std::string_view id, const protocol::AwsError& error) {
  const std::string& code = error.query_code.empty() ? error.code : error.query_code;
  if (form_ == ReplyForm::kObject) {
    failed_.emplace_back(json::object{{"Id", id},
                                      {"SenderFault", error.sender_fault},
                                      {"Code", code},
                                      {"Message", error.message}});
    return;
  }
  AppendSeparated(failed_text_, 512);
  failed_text_ += '{';
  json_text::AppendStringMember("Id", id, failed_text_);
  failed_text_ += error.sender_fault ? ",\"SenderFault\":true," : ",\"SenderFault\":false,";
  json_text::AppendStringMember("Code", code, failed_text_);
  failed_text_ += ',';
  json_text::AppendStringMember("Message", error.message, failed_text_);
  failed_text_ += '}';
}

protocol::Outcome SendMessageBatchReply::Finish() && {
  if (form_ == ReplyForm::kObject) {
    return json::object{{"Successful", std::move(successful_)}, {"Failed", std::move(failed_)}};
  }
  protocol::EncodedJson reply;
  reply.body.reserve(successful_text_.size() + failed_text_.size() + 32);
  reply.body += "{\"Successful\":[";
  reply.body += successful_text_;
  reply.body += "],\"Failed\":[";
  reply.body += failed_text_;
  reply.body += "]}";
  return reply;
}

// Message members in model order: MessageId, ReceiptHandle, MD5OfBody, Body, Attributes,
// MD5OfMessageAttributes, MessageAttributes; MessageAttributeValue members: StringValue,
// BinaryValue, ..., DataType.
void ReceiveMessageReply::Add(const ReceivedMessage& m) {
  ++count_;
  if (form_ == ReplyForm::kObject) {
    json::object out{
        {"MessageId", m.message_id},
        {"ReceiptHandle", m.receipt_handle},
        {"MD5OfBody", m.md5_body},
        {"Body", m.body},
    };
    if (!m.attributes.empty()) {
      json::object attrs;
      for (const auto& [name, value] : m.attributes) attrs[name] = value;
      out["Attributes"] = std::move(attrs);
    }
    if (!m.message_attributes.empty()) {
      out["MD5OfMessageAttributes"] = m.md5_message_attributes;
      json::object attrs;
      for (const auto& a : m.message_attributes) {
        json::object v{{"DataType", a.data_type}};
        v[a.transport == 2 ? "BinaryValue" : "StringValue"] = a.value;
        attrs[a.name] = std::move(v);
      }
      out["MessageAttributes"] = std::move(attrs);
    }
    messages_.emplace_back(std::move(out));
    return;
  }
  std::string& out = text_;
  out.reserve(out.size() + m.body.size() + m.receipt_handle.size() + 208);
  out += count_ == 1 ? "{\"Messages\":[" : ",";
  out += '{';
  json_text::AppendStringMember("MessageId", m.message_id, out);
  out += ',';
  json_text::AppendStringMember("ReceiptHandle", m.receipt_handle, out);
  out += ',';
  json_text::AppendStringMember("MD5OfBody", m.md5_body, out);
  out += ',';
  json_text::AppendStringMember("Body", m.body, out);
  if (!m.attributes.empty()) {
    out += ",\"Attributes\":{";
    bool first = true;
    for (const auto& [name, value] : m.attributes) {
      if (!first) out += ',';
      first = false;
      json_text::AppendString(name, out);
      out += ':';
      json_text::AppendString(value, out);
    }
    out += '}';
  }
  if (!m.message_attributes.empty()) {
    out += ',';
    json_text::AppendStringMember("MD5OfMessageAttributes", m.md5_message_attributes, out);
    out += ",\"MessageAttributes\":{";
    bool first = true;
    for (const auto& a : m.message_attributes) {
      if (!first) out += ',';
      first = false;
      json_text::AppendString(a.name, out);
      out += ":{";
      if (a.transport == 2) {
        json_text::AppendKey("BinaryValue", out);
        json_text::AppendBlob(a.value, out);
      } else {
        json_text::AppendStringMember("StringValue", a.value, out);
      }
      out += ',';
      json_text::AppendStringMember("DataType", a.data_type, out);
      out += '}';
    }
    out += '}';
  }
  out += '}';
}

protocol::Outcome ReceiveMessageReply::Finish() && {
  if (form_ == ReplyForm::kObject) {
    json::object out;
    if (!messages_.empty()) out["Messages"] = std::move(messages_);
    return out;
  }
  if (count_ == 0) return protocol::EncodedJson{"{}"};
  text_ += "]}";
  return protocol::EncodedJson{std::move(text_)};
}

}  // namespace tidepool::sqs
