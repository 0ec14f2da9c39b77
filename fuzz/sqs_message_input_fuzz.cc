// Fuzz target: the plain-body scans of SendMessage, ReceiveMessage and DeleteMessage
// (services/sqs/message_scan.h) against the model codec. Whenever a scan accepts a body,
// json_codec::DecodeRequest must accept it too and decode exactly the values the scan
// reported, with no member the scan did not report; any difference aborts. (Bodies a scan
// refuses go to the codec in the service, so they need no check here.)
//
// Input: byte 0 modulo 3 picks SendMessage, ReceiveMessage or DeleteMessage; the rest is the
// body.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/codec/json_codec.h"
#include "protocol/input.h"
#include "protocol/model/models.h"
#include "services/sqs/message_scan.h"

namespace {

using namespace tidepool;
namespace json = boost::json;

void Check(bool ok) {
  if (!ok) std::abort();
}

// The codec's input for `body`; aborts when the codec refuses a body a scan accepted.
json::object Decode(std::string_view operation, std::string_view body) {
  const auto& model = protocol::model::SqsModel();
  auto decoded = protocol::json_codec::DecodeRequest(model, *model.FindOperation(operation), body);
  auto* input = std::get_if<json::object>(&decoded);
  Check(input != nullptr);
  return std::move(*input);
}

// Whether `in` holds `key` exactly as the scan read it (absent when the scan saw none).
bool Same(const json::object& in, std::string_view key, std::optional<std::string_view> v) {
  return protocol::InputStringView(in, key) == v && (v || !in.contains(key));
}

bool Same(const json::object& in, std::string_view key, std::optional<int64_t> v) {
  const json::value* found = in.if_contains(key);
  if (!v) return found == nullptr;
  return found != nullptr && found->is_int64() && found->get_int64() == *v;
}

// Lists the scan read but found empty may be absent only when the body had none: the codec
// keeps an empty list, so `seen` counts the keys the scan's lists account for.
bool SameList(const json::object& in, std::string_view key, const std::vector<std::string_view>& v,
              size_t* seen) {
  const json::value* found = in.if_contains(key);
  if (found == nullptr) return v.empty();
  ++*seen;
  if (!found->is_array() || found->get_array().size() != v.size()) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    const json::value& e = found->get_array()[i];
    if (!e.is_string() || std::string_view(e.get_string()) != v[i]) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      sqs::SendMessageScan scan;
      if (!sqs::ScanSendMessage(body, &scan)) return 0;
      const json::object in = Decode("SendMessage", body);
      Check(Same(in, "QueueUrl", scan.queue_url) && Same(in, "MessageBody", scan.message_body));
      Check(Same(in, "DelaySeconds", scan.delay_seconds));
      Check(in.size() == 2u + (scan.delay_seconds ? 1 : 0));
      break;
    }
    case 1: {
      sqs::ReceiveMessageInput scan;
      if (!sqs::ScanReceiveMessage(body, &scan)) return 0;
      const json::object in = Decode("ReceiveMessage", body);
      Check(Same(in, "QueueUrl", scan.queue_url));
      Check(Same(in, "MaxNumberOfMessages", scan.max_messages));
      Check(Same(in, "VisibilityTimeout", scan.visibility_timeout));
      Check(Same(in, "WaitTimeSeconds", scan.wait_seconds));
      Check(Same(in, "ReceiveRequestAttemptId", scan.attempt_id));
      size_t lists = 0;
      Check(SameList(in, "AttributeNames", scan.attribute_names, &lists));
      Check(SameList(in, "MessageSystemAttributeNames", scan.system_attribute_names, &lists));
      Check(SameList(in, "MessageAttributeNames", scan.message_attribute_names, &lists));
      const size_t scalars = 1 + (scan.max_messages ? 1 : 0) + (scan.visibility_timeout ? 1 : 0) +
                             (scan.wait_seconds ? 1 : 0) + (scan.attempt_id ? 1 : 0);
      Check(in.size() == scalars + lists);
      break;
    }
    default: {
      sqs::DeleteMessageScan scan;
      if (!sqs::ScanDeleteMessage(body, &scan)) return 0;
      const json::object in = Decode("DeleteMessage", body);
      Check(Same(in, "QueueUrl", scan.queue_url) && Same(in, "ReceiptHandle", scan.receipt_handle));
      Check(in.size() == 2);
      break;
    }
  }
  return 0;
}
